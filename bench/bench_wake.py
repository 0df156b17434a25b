"""Wake word and end of speech: false rejects, false accepts per hour, CPU cost.

Everything is generated at run time (espeak-ng speech, synthesised music), so
nothing large is committed:

* positives: "hey jarvis, <request>" (and "alexa, <request>" for the peer model)
  in several espeak-ng voices, clean and over music at 10 and 0 dB SNR;
* negatives: an hour or more of varied sentences without the wake word (some
  over music, with confusable words like "Jarvis"-free "harvest", "Alexis")
  plus music alone, streamed continuously through the detector;
* CPU: seconds of detector CPU time per second of audio, ``hey_jarvis`` against
  ``alexa`` measured in the same run;
* the music head (``wake.music_head``, :mod:`speaker.wake_head`): ``hey_jarvis``
  runs with it on, so every frame has both the stock score and the head score;
  the stock rows use the stock score alone, the "+ music head" row fires on
  either, on the very same audio;
* end of speech: Silero VAD request capture after the wake word, clean and
  over music, and its cost per 80 ms frame.

Run: ``python -m bench.bench_wake`` (``--quick`` for a 5-minute smoke run).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bench.voices import VOICES, speak
from bench.wake_audio import NEGATIVE_VOICES, mix_speech_music, negative_audio, synth_music
from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame, to_int16
from speaker.config import SttSettings, VadSettings, WakeSettings, load
from speaker.stt import Transcriber
from speaker.vad import RequestCapture, SileroVad
from speaker.wake_gate import WakeGate, run_now
from speaker.wake_head import EMBEDDING_DIM, WINDOW_FRAMES
from speaker.wake_mel import MEL_BANDS
from speaker.wake_verify import WakeVerifier
from speaker.wakeword import WakeWordDetector

__all__ = ["NEGATIVE_VOICES", "REQUESTS", "main", "mix_speech_music", "negative_audio",
           "synth_music"]

REQUESTS = (
    "play some jazz by miles davis",
    "turn it up a little",
    "what song is this",
    "skip this track",
    "play the album kind of blue",
    "pause the music",
    "play something relaxing",
    "set a sleep timer for twenty minutes",
)

@dataclass
class _Meter:
    """Per-frame scores and CPU seconds of one detector over a continuous stream."""

    detector: WakeWordDetector
    verifier: WakeVerifier | None = None
    """With a verifier, candidates are checked by Whisper as in the voice loop."""
    cpu_s: float = 0.0
    """Detector CPU seconds (the Whisper checks are counted in ``check_cpu_s``)."""
    check_cpu_s: float = 0.0
    audio_s: float = 0.0
    detections: int = 0
    """First-stage firings (candidates when there is a verifier)."""
    verified: int = 0
    margins: list[float] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    head_scores: list[float] = field(default_factory=list)
    mel_scores: list[float] = field(default_factory=list)
    accepted: list[tuple[float, float, float, float]] = field(default_factory=list)
    """(stock, head, mel, margin) of each candidate the Whisper check confirmed."""
    candidates: list[tuple[float, float, float, float]] = field(default_factory=list)
    """(stock, head, mel, margin) of every candidate checked, so other check rules can
    be replayed offline."""
    gate: WakeGate = field(init=False)

    def __post_init__(self) -> None:
        self.gate = WakeGate(self.detector, self.verifier, run_now,
                             self.detector.settings.verify_window_s)

    def stream(self, audio: np.ndarray) -> None:
        """Feed float audio frame by frame without resetting."""
        pcm = to_int16(audio)
        for start in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            frame = Frame(pcm[start : start + FRAME_SAMPLES], self.audio_s + start / RATE_HZ,
                          "bench")
            t0 = time.process_time()
            hit = self.gate.listen(frame)
            self.cpu_s += time.process_time() - t0
            self.scores.append(self.detector.last_score)
            self.head_scores.append(self.detector.last_head_score)
            self.mel_scores.append(self.detector.last_mel_score)
            if hit is None:
                continue
            self.detections += 1
            if not self.gate.enabled:
                continue
            t0 = time.process_time()
            outcome = self.gate.check_now(hit)
            self.check_cpu_s += time.process_time() - t0
            self.margins.append(outcome.verdict.margin)
            self.verified += outcome.verdict.accepted
            scores = (round(hit.score, 3), round(hit.head_score, 3), round(hit.mel_score, 3),
                      round(outcome.verdict.margin, 2))
            self.candidates.append(scores)
            if outcome.verdict.accepted:
                self.accepted.append(scores)
        self.audio_s += len(pcm) / RATE_HZ

    def accepts_at(self, threshold: float, refractory_s: float,
                   head_threshold: float | None = None,
                   mel_threshold: float | None = None) -> int:
        """Detections the stream would have given at ``threshold`` (stock score), or
        also on head scores at ``head_threshold`` and mel scores at ``mel_threshold``."""
        count, quiet_until = 0, -1.0
        head_t = 2.0 if head_threshold is None else head_threshold
        mel_t = 2.0 if mel_threshold is None else mel_threshold
        for i, (score, head, mel) in enumerate(zip(self.scores, self.head_scores,
                                                   self.mel_scores, strict=True)):
            end_s = (i + 1) * FRAME_SAMPLES / RATE_HZ
            if (score >= threshold or head >= head_t or mel >= mel_t) and end_s >= quiet_until:
                count += 1
                quiet_until = end_s + refractory_s
        return count


_Best = tuple[float, float, bool, float]
"""A positive clip's highest stock and head scores, whether both stages accepted it, and
its highest mel network score."""


def _frames(pcm: np.ndarray) -> list[Frame]:
    return [Frame(pcm[start : start + FRAME_SAMPLES], start / RATE_HZ, "clip")
            for start in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES)]


def _max_score(detector: WakeWordDetector, pcm: np.ndarray,
               verifier: WakeVerifier | None = None) -> _Best:
    """Highest stock and head frame scores over a clip, through the streaming path, and
    (with ``verifier``) whether the two-stage detector accepts it, in the same pass."""
    detector.reset()
    gate = WakeGate(detector, verifier, run_now, detector.settings.verify_window_s)
    best, best_head, best_mel, verified = 0.0, 0.0, 0.0, False
    for frame in _frames(pcm):
        hit = gate.listen(frame)
        best = max(best, detector.last_score)
        best_head = max(best_head, detector.last_head_score)
        best_mel = max(best_mel, detector.last_mel_score)
        if hit is not None and gate.enabled:
            verified = gate.check_now(hit).verdict.accepted or verified
    return best, best_head, verified, best_mel


def _hit(best: _Best, threshold: float, head_threshold: float | None,
         mel_threshold: float | None = None) -> bool:
    """Whether a clip with these best (stock, head, mel) scores counts as detected."""
    return (best[0] >= threshold or (head_threshold is not None and best[1] >= head_threshold)
            or (mel_threshold is not None and best[3] >= mel_threshold))


def _positives(args: argparse.Namespace, wake_phrase: str) -> list[np.ndarray]:
    clips = []
    for k in range(args.positives):
        voice = VOICES[k % len(VOICES)]
        request = REQUESTS[(k // len(VOICES) + k) % len(REQUESTS)]
        clips.append(speak(f"{wake_phrase}, {request}", voice))
    return clips


def _clip_scores(detector: WakeWordDetector, clips: list[np.ndarray], snr_db: float | None,
                 seed: int, verifier: WakeVerifier | None) -> list[_Best]:
    """Best stock and head scores of each positive clip (music at ``snr_db``)."""
    out = []
    for k, speech in enumerate(clips):
        music = synth_music(len(speech) / RATE_HZ + 3, seed + k)
        out.append(_max_score(detector, to_int16(mix_speech_music(speech, music, snr_db)),
                              verifier))
    return out


def _end_of_speech(clips: list[np.ndarray], snr_db: float | None,
                   seed: int) -> tuple[int, int, list[float]]:
    """Capture each request after its wake word; count ends found near the truth."""
    capture = RequestCapture(VadSettings())
    found, lags = 0, []
    for k, speech in enumerate(clips):
        voiced = np.nonzero(np.abs(speech) > 0.01)[0]
        true_end_s = 0.2 + voiced[-1] / RATE_HZ
        music = synth_music(len(speech) / RATE_HZ + 8, seed + k)
        pcm = to_int16(mix_speech_music(speech, music, snr_db, lead_s=0.2, tail_s=6.0))
        capture.start(0.0)
        for start in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            result = capture.feed(Frame(pcm[start : start + FRAME_SAMPLES],
                                        start / RATE_HZ, "bench"))
            if result is None:
                continue
            lag = result.end_t_s - result.trailing_silence_s - true_end_s
            if not (result.timed_out or result.truncated) and -0.15 <= lag <= 1.0:
                found += 1
                lags.append(lag)
            break
    return found, len(clips), lags


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_wake", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 minutes of negatives")
    parser.add_argument("--positives", type=int, default=24, help="clips per condition")
    parser.add_argument("--negative-minutes", type=float, default=60.0,
                        help="minutes of speech without the wake word")
    parser.add_argument("--music-minutes", type=float, default=20.0,
                        help="minutes of music alone")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--thresholds", type=float, nargs="*", default=[0.3],
                        help="extra thresholds to report besides the configured one")
    parser.add_argument("--head-thresholds", type=float, nargs="*", default=[0.995],
                        help="extra music head thresholds to report (0.995: before the "
                             "Whisper check)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.quick:
        args.negative_minutes, args.music_minutes = 4.0, 1.0
    rng = np.random.default_rng(args.seed)

    models = ("hey_jarvis", "alexa")
    phrases = {"hey_jarvis": "hey jarvis", "alexa": "alexa"}
    jarvis = WakeSettings()
    verifier = None
    if jarvis.verify:
        stt = Transcriber(SttSettings(), load().data.models_dir)
        verifier = WakeVerifier(stt, jarvis, "hey_jarvis")
    meters = {"hey_jarvis": _Meter(WakeWordDetector(jarvis), verifier),
              "alexa": _Meter(WakeWordDetector(WakeSettings(model="alexa", music_head=False)))}
    head_t = WakeSettings().music_head_threshold
    conditions: tuple[tuple[str, float | None], ...] = (
        ("clean", None), ("music 10 dB", 10.0), ("music 0 dB", 0.0))

    print(f"positives: {args.positives} clips x {len(conditions)} conditions", flush=True)
    best: dict[str, dict[str, list[_Best]]] = {}
    clips_by_model = {m: _positives(args, phrases[m]) for m in models}
    for m in models:
        best[m] = {name: _clip_scores(meters[m].detector, clips_by_model[m], snr,
                                      args.seed * 1000, meters[m].verifier)
                   for name, snr in conditions}

    print(f"negatives: {args.negative_minutes:.0f} min speech + {args.music_minutes:.0f} min "
          "music", flush=True)
    for meter in meters.values():
        meter.detector.reset()
    speech_s = music_s = 0.0
    for audio, is_speech in negative_audio(rng, args.negative_minutes, args.music_minutes):
        for meter in meters.values():
            meter.stream(audio)
        if is_speech:
            speech_s += len(audio) / RATE_HZ
        else:
            music_s += len(audio) / RATE_HZ

    print("end of speech", flush=True)
    requests = [speak(REQUESTS[k % len(REQUESTS)], VOICES[k % len(VOICES)])
                for k in range(args.positives)]
    eos = {name: _end_of_speech(requests, snr, args.seed * 2000) for name, snr in conditions}
    vad = SileroVad()
    silence = np.zeros(FRAME_SAMPLES, np.int16)
    t0 = time.process_time()
    for _ in range(500):
        vad.probability(silence)
    vad_ms = (time.process_time() - t0) / 500 * 1000

    head = meters["hey_jarvis"].detector.head
    head_ms = 0.0
    if head is not None:
        window = np.zeros((1, WINDOW_FRAMES, EMBEDDING_DIM), np.float32)
        t0 = time.process_time()
        for _ in range(2000):
            head.score(window)
        head_ms = (time.process_time() - t0) / 2000 * 1000
    mel = meters["hey_jarvis"].detector.mel_net
    mel_ms = 0.0
    if mel is not None:
        t0 = time.process_time()
        for _ in range(200):
            mel.score(np.ones((1, mel.frames, MEL_BANDS), np.float32))
        mel_ms = (time.process_time() - t0) / 200 * 1000

    hours = (speech_s + music_s) / 3600
    ref = meters["alexa"].cpu_s / meters["alexa"].audio_s
    print()
    print("| model | threshold | FRR clean | FRR music 10 dB | FRR music 0 dB | "
          f"false accepts in {hours:.2f} h | FA per hour | CPU s per audio s | CPU vs alexa |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in models:
        meter = meters[m]
        rtf = meter.cpu_s / meter.audio_s
        settings = meter.detector.settings
        rows: list[tuple[float, float | None, float | None]] = [
            (t, None, None)
            for t in sorted({settings.threshold, *args.thresholds}, reverse=True)]
        if meter.detector.has_head:
            rows += [(settings.threshold, h, None)
                     for h in sorted({head_t, *args.head_thresholds}, reverse=True)]
        if meter.detector.mel_net is not None:
            rows.append((settings.threshold, head_t, settings.mel_net_threshold))
        for threshold, row_head_t, row_mel_t in rows:
            cells = []
            for scores in best[m].values():
                miss = sum(not _hit(b, threshold, row_head_t, row_mel_t) for b in scores)
                cells.append(f"{miss}/{len(scores)} ({100 * miss / len(scores):.1f} %)")
            fa = meter.accepts_at(threshold, settings.refractory_s, row_head_t, row_mel_t)
            mark = (" (default)" if threshold == settings.threshold and meter.verifier is None
                    else "")
            name = m if row_head_t is None else f"{m} + music head >= {row_head_t:.3f}"
            if row_mel_t is not None:
                name += f" + mel network >= {row_mel_t:.3f}"
            if meter.detector.has_head and row_head_t is None:
                name = f"{m} (stock)"
            print(f"| {name} | {threshold:.2f}{mark} | {' | '.join(cells)} | {fa} | "
                  f"{fa / hours:.2f} | {rtf:.4f} | {rtf / ref:.2f}x |")
        if meter.verifier is not None:
            cells = []
            for scores in best[m].values():
                miss = sum(not b[2] for b in scores)
                cells.append(f"{miss}/{len(scores)} ({100 * miss / len(scores):.1f} %)")
            cpu = (meter.cpu_s + meter.check_cpu_s) / meter.audio_s
            mel_part = (f" or mel >= {settings.mel_net_threshold:.3f}"
                        if meter.detector.mel_net is not None else "")
            print(f"| {m} two-stage: stock >= {settings.threshold:.2f} or head >= "
                  f"{head_t:.3f}{mel_part}, then Whisper margin + "
                  f"{settings.verify_head_bonus:g} x head >= "
                  f"{settings.verify_margin:.2f} "
                  f"(default) | {settings.threshold:.2f} | {' | '.join(cells)} | "
                  f"{meter.verified} | {meter.verified / hours:.2f} | {cpu:.4f} | "
                  f"{cpu / ref:.2f}x |")
        else:
            fired_on = head_t if meter.detector.has_head else None
            mel_on = settings.mel_net_threshold if meter.detector.mel_net is not None else None
            assert meter.accepts_at(settings.threshold, settings.refractory_s,
                                    fired_on, mel_on) == meter.detections
    for m in models:
        threshold = meters[m].detector.settings.threshold
        variants: list[float | None] = [None]
        if meters[m].detector.has_head:
            variants.append(head_t)
        for variant in variants:
            label = m if variant is None else f"{m} + music head"
            for name, scores in best[m].items():
                missed = [VOICES[k % len(VOICES)].label for k, b in enumerate(scores)
                          if not _hit(b, threshold, variant)]
                by_voice = ", ".join(f"{v} x{missed.count(v)}" for v in sorted(set(missed)))
                print(f"{label} misses at {threshold:.2f}, {name}: {by_voice or 'none'}")
    if head is not None:
        print(f"music head: {head_ms:.3f} ms CPU per 80 ms frame on top of the stock model "
              f"({head_ms / 80:.5f} CPU s per audio s)")
    if mel is not None:
        print(f"mel network: {mel_ms:.3f} ms CPU per 80 ms frame on top of the stock model "
              f"({mel_ms / 80:.5f} CPU s per audio s)")
    print()
    print("| end of speech (Silero VAD, trailing 0.6 s) | found | median lag s | p90 lag s |")
    print("|---|---|---|---|")
    for name, (found, n, lags) in eos.items():
        med = f"{np.median(lags):.2f}" if lags else "-"
        p90 = f"{np.percentile(lags, 90):.2f}" if lags else "-"
        print(f"| {name} | {found}/{n} | {med} | {p90} |")
    print(f"\nSilero VAD: {vad_ms:.2f} ms CPU per 80 ms frame "
          f"({vad_ms / 80:.4f} CPU s per audio s; hey_jarvis: "
          f"{meters['hey_jarvis'].cpu_s / meters['hey_jarvis'].audio_s:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
