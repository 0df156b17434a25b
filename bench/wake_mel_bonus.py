"""Would the Whisper wake check do better if the mel network vouched for its candidates?

The check's knobs (``wake.verify_margin``, ``wake.verify_head_bonus``) were chosen by
``bench.calibrate_wake_verify`` before the mel network (``wake.mel_net``) existed; its
candidates get no bonus. This replays the check as ``margin + head bonus x head + b x
mel >= wake.verify_margin`` for several ``b``:

* ``--cache DIR`` (the calibration's cached training-side clips): every clip is scored
  again by the shipped detector (mel network on; the scores are cached in DIR as
  ``mel_scores.npz``), its candidates fired through :class:`speaker.wakeword.Trigger`
  as the speaker does and checked with the cached (or newly computed) Whisper margins;
  prints FRR per condition and false accepts per ``b``.
* ``--positives SEED:N ...`` (``bench.bench_wake``'s positives over its music at 0 and
  10 dB): prints every clip the shipped two-stage detector misses, with each candidate's
  stock, head and mel scores and Whisper margin, and how many each ``b`` would accept.
* ``--fa FILE ...`` (``bench.bench_wake_fa`` outputs that list ``candidates``): the
  false accepts each ``b`` would add over those hours of negatives (an upper bound: an
  accepted candidate's refractory period would have silenced the ones just after it).

Run:

    python -m bench.wake_mel_bonus --cache DIR --bonus 0 0.5 0.6 0.75 0.8 1 1.5
    python -m bench.wake_mel_bonus --positives 7:24 11:24 13:48 17:48
    python -m bench.wake_mel_bonus --fa fa21.json fa22.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import bench_wake, calibrate_wake_verify
from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame, to_int16
from speaker.config import SttSettings, WakeSettings, load
from speaker.stt import Transcriber
from speaker.wake_gate import Outcome, WakeGate
from speaker.wake_verify import WakeVerifier, combined_score, wake_spellings
from speaker.wakeword import Detection, Trigger, WakeWordDetector

__all__ = ["accepts", "main", "replay"]

Candidate = tuple[float, float, float, float]
"""(stock, head, mel, Whisper margin) of one checked candidate."""


def accepts(candidate: Candidate, bonus: float, settings: WakeSettings) -> bool:
    """The check with a mel bonus of ``bonus`` nats per token at mel score 1.

    Applied to the candidates the shipped check saw, this is exact until the first
    candidate it accepts and the shipped check did not: from there the refractory
    period would change which later frames fire (on positives only "any accepted"
    counts, so the answer per clip is exact)."""
    _, head, mel, margin = candidate
    score = combined_score(margin, head, settings.verify_head_bonus) + bonus * mel
    return score >= settings.verify_margin


def _frame_scores(detector: WakeWordDetector, pcm: np.ndarray) -> np.ndarray:
    detector.reset()
    rows = []
    for start in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        detector.process(Frame(pcm[start : start + FRAME_SAMPLES], start / RATE_HZ, "cal"))
        rows.append((detector.last_score, detector.last_head_score, detector.last_mel_score))
    return np.asarray(rows, np.float32).reshape(-1, 3)


def replay(clips: Sequence[calibrate_wake_verify._Clip], scores: Sequence[np.ndarray],
           margin_of: calibrate_wake_verify._Margins, bonus: float,
           settings: WakeSettings) -> tuple[dict[str, int], int]:
    """Wake words found per positive group, and false accepts on the negatives."""
    hits: dict[str, int] = {}
    false_accepts = 0
    for clip_id, (clip, frames) in enumerate(zip(clips, scores, strict=True)):
        trigger = Trigger(settings.threshold, settings.music_head_threshold,
                          settings.refractory_s, settings.mel_net_threshold)
        hit = False
        for i, (stock, head, mel) in enumerate(frames.tolist()):
            end_s = (i + 1) * calibrate_wake_verify.STEP_S
            if not trigger.step(stock, head, end_s, mel):
                continue
            if not accepts((stock, head, mel, margin_of(clip_id, clip, i)), bonus, settings):
                trigger.reject(stock, head, end_s, mel)
                continue
            span = clip.wake_span_s
            if span is None:
                false_accepts += 1
            elif span[0] <= end_s <= span[1]:
                hit = True
        if clip.wake_span_s is not None:
            hits[clip.group] = hits.get(clip.group, 0) + hit
    return hits, false_accepts


def _training_side(cache: Path, bonuses: Sequence[float]) -> None:
    settings = WakeSettings()
    clips = calibrate_wake_verify._load_clips(cache / "clips.npz")
    scores_path = cache / "mel_scores.npz"
    if scores_path.is_file():
        with np.load(scores_path) as data:
            scores = [data[f"c{k}"] for k in range(len(clips))]
    else:
        detector = WakeWordDetector(settings)
        scores = [_frame_scores(detector, clip.pcm) for clip in clips]
        np.savez(scores_path, **{f"c{k}": s for k, s in enumerate(scores)})
    stt = Transcriber(SttSettings(), load().data.models_dir)
    margins = calibrate_wake_verify._Margins(stt, wake_spellings("hey_jarvis"),
                                             settings.verify_window_s)
    if (cache / "margins.npz").is_file():
        margins.load(cache / "margins.npz")
    positives = sum(1 for c in clips if c.group == calibrate_wake_verify.CONDITIONS[0][0])
    neg_hours = sum(len(c.pcm) for c in clips if c.group == "neg") / RATE_HZ / 3600
    print(f"positives: {positives} per condition; negatives: {neg_hours:.2f} h")
    print("| mel bonus | FRR clean | FRR 5-15 dB | FRR -5-5 dB | false accepts |")
    print("|---|---|---|---|---|")
    for bonus in bonuses:
        hits, fa = replay(clips, scores, margins, bonus, settings)
        frr = " | ".join(f"{100 * (1 - hits.get(n, 0) / positives):.1f} %"
                         for n, _ in calibrate_wake_verify.CONDITIONS)
        print(f"| {bonus:g} | {frr} | {fa} |", flush=True)
    margins.save(cache / "margins.npz")


class _Recording(WakeGate):
    """The speaker's gate, keeping every checked candidate's scores and margin."""

    checked: list[Candidate]

    def check_now(self, detection: Detection) -> Outcome:
        outcome = super().check_now(detection)
        self.checked.append((round(detection.score, 3), round(detection.head_score, 3),
                             round(detection.mel_score, 3), round(outcome.verdict.margin, 2)))
        return outcome


def _bench_positives(runs: Sequence[str], bonuses: Sequence[float]) -> None:
    settings = WakeSettings()
    stt = Transcriber(SttSettings(), load().data.models_dir)
    verifier = WakeVerifier(stt, settings, "hey_jarvis")
    detector = WakeWordDetector(settings)
    missed_by = dict.fromkeys(bonuses, 0)
    for run in runs:
        seed, count = (int(part) for part in run.split(":"))
        speech = bench_wake._positives(argparse.Namespace(positives=count), "hey jarvis")
        for snr in (0.0, 10.0):
            for k, clip in enumerate(speech):
                music = bench_wake.synth_music(len(clip) / RATE_HZ + 3, seed * 1000 + k)
                pcm = to_int16(bench_wake.mix_speech_music(clip, music, snr))
                detector.reset()
                gate = _Recording(detector, verifier, bench_wake.run_now,
                                  settings.verify_window_s)
                gate.checked = []
                accepted = False
                for frame in bench_wake._frames(pcm):
                    hit = gate.listen(frame)
                    if hit is not None:
                        accepted = gate.check_now(hit).verdict.accepted or accepted
                for bonus in bonuses:
                    missed_by[bonus] += not any(accepts(c, bonus, settings)
                                                for c in gate.checked)
                if not accepted:
                    voice = bench_wake.VOICES[k % len(bench_wake.VOICES)].label
                    print(json.dumps({"seed": seed, "snr_db": snr, "clip": k, "voice": voice,
                                      "candidates": gate.checked}), flush=True)
    print("| mel bonus | positives missed (0 and 10 dB) |")
    print("|---|---|")
    for bonus, missed in missed_by.items():
        print(f"| {bonus:g} | {missed} |")


def false_accepts(runs: Sequence[dict[str, Any]], bonus: float,
                  settings: WakeSettings) -> tuple[int, float]:
    """Candidates of ``bench_wake_fa`` runs the check with this mel bonus accepts, and
    the hours of negatives they cover."""
    accepted = sum(accepts((c[0], c[1], c[2], c[3]), bonus, settings)
                   for run in runs for c in run["candidates"])
    return accepted, sum(float(run["hours"]) for run in runs)


def _fa_runs(paths: Sequence[Path], bonuses: Sequence[float]) -> None:
    settings = WakeSettings()
    runs = [json.loads(path.read_text().strip().splitlines()[-1]) for path in paths]
    if any("candidates" not in run for run in runs):
        raise SystemExit("these bench_wake_fa outputs predate the candidates list; "
                         "re-run bench_wake_fa")
    print("| mel bonus | false accepts (upper bound) | hours |")
    print("|---|---|---|")
    for bonus in bonuses:
        count, hours = false_accepts(runs, bonus, settings)
        print(f"| {bonus:g} | {count} | {hours:.1f} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="calibrate_wake_verify's cache folder")
    parser.add_argument("--positives", nargs="*", default=[], metavar="SEED:N")
    parser.add_argument("--fa", nargs="*", type=Path, default=[], metavar="FILE",
                        help="bench_wake_fa outputs to replay")
    parser.add_argument("--bonus", type=float, nargs="*", default=[0.0, 0.5, 0.75, 1.0, 1.5])
    args = parser.parse_args(argv)
    if args.cache is None and not args.positives and not args.fa:
        parser.error("give --cache DIR, --positives SEED:N ... and/or --fa FILE ...")
    if args.cache is not None:
        _training_side(args.cache, args.bonus)
    if args.positives:
        _bench_positives(args.positives, args.bonus)
    if args.fa:
        _fa_runs(args.fa, args.bonus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
