"""What asking again is worth: requests said a second time after "Say it again?".

``encore harness report`` scores a clip's first turn only: each clip holds one request.
When Encore does not understand it, it asks again and listens for ``dialogue.follow_up_s``
without the wake word. This bench measures the second try: each positive of a
development corpus (``bench.make_dev_corpus``) is extended by ``--gap-s`` of its own
background (the same music track played on from where the clip ends, or more of the same
noise), then the same request in the same voice (espeak-ng renders it identically, so
the second try differs from the first only in the background under it), then
``--tail-s`` more background; the real loop runs each extended clip alone, as the harness
does. Reported per background: first turn understood, asked again, understood at the
second try, wrongly acted on at the second try. With ``--duck-db`` the background after
the first try is that much quieter: Encore's own music, which stays ducked while it waits.

    .venv/bin/python -m bench.bench_follow_up --corpus out/dev-corpus/manifest.jsonl \\
        [--background music0] [--config FILE] [--json]

``--json`` keeps each second try's transcript, Whisper's log-probability of it and the
rules' reading. Run with no bar (a config with ``[dialogue] follow_up_min_logprob = -100``)
and ``--bars FILE.json ...`` then replays every bar on the saved second tries.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from audio_assets import make_corpus as corpus
from bench.make_dev_corpus import DEV_SPEAKERS
from speaker.audio import RATE_HZ, load_audio
from speaker.config import load

__all__ = ["extend", "main", "second_try"]


@functools.lru_cache(maxsize=8)
def _track(name: str) -> np.ndarray:
    """A library track, decoded once per run (each clip's music is one of a few)."""
    return corpus.mono_track(corpus.LIBRARY / name)


def _background(entry: dict[str, Any], start_s: float, n: int,
                rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of the clip's background from ``start_s`` into the clip, at its gain."""
    gain = float(entry.get("background_gain") or 0.0)
    if not gain:
        return np.zeros(n, np.float32)
    if "music_track" in entry:  # the track plays on from where the clip ends
        first = round((float(entry["music_start_s"]) + start_s) * RATE_HZ)
        return corpus.looped(_track(entry["music_track"]), first, n) * gain
    noise = corpus.pink_noise if entry.get("noise") == "pink" else corpus.white_noise
    return noise(n, rng) * gain


def extend(entry: dict[str, Any], clip: np.ndarray, gap_s: float, tail_s: float,
           rng: np.random.Generator, duck_db: float = 0.0) -> np.ndarray:
    """The clip, then ``gap_s`` of its background, the request again, ``tail_s`` more;
    the background after the clip ``duck_db`` quieter (0: as loud as under the clip)."""
    voice = next(v for v in DEV_SPEAKERS if v.label == entry["voice"])
    again = corpus._at_level(corpus.render(entry["text"], voice))
    speech = np.concatenate([np.zeros(round(gap_s * RATE_HZ), np.float32), again,
                             np.zeros(round(tail_s * RATE_HZ), np.float32)])
    speech *= float(entry.get("speech_gain", 1.0))
    background = _background(entry, len(clip) / RATE_HZ, len(speech), rng)
    background *= 10.0 ** (duck_db / 20.0)
    return np.concatenate([clip, speech + background]).astype(np.float32)


def second_try(entry: dict[str, Any], records: list[dict[str, Any]]) -> str:
    """What the second turn did: "none" (not asked again), "right", "wrong" or "unread"."""
    asked = [r for r in records if r["type"] == "follow_up"]
    if not asked:
        return "none"
    later = [r for r in records if r["type"] == "intent" and r["t"] >= asked[0]["t"]]
    if not later or later[0]["intent"] == "unknown":
        return "unread"
    return "right" if later[0]["intent"] == entry["expected"]["intent"] else "wrong"


def second_heard(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The second try's transcript event (text, logprob), if one was heard."""
    asked = [r for r in records if r["type"] == "follow_up"]
    heard = [r for r in records if r["type"] == "transcript" and asked and r["t"] >= asked[0]["t"]]
    return heard[0] if heard else None


def replay_bars(rows: list[dict[str, Any]], bars: list[float]) -> list[tuple[float, int, int]]:
    """(bar, right, wrong) at the second try for each bar, from rows saved with no bar: a
    second try is acted on when the rules read it and its log-probability reaches the bar."""
    out = []
    for bar in bars:
        acted = [r for r in rows if r["second"] in ("right", "wrong")
                 and r.get("second_logprob") is not None and r["second_logprob"] >= bar]
        out.append((bar, sum(r["second"] == "right" for r in acted),
                    sum(r["second"] == "wrong" for r in acted)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--background", default=None, help="only this background")
    parser.add_argument("--gap-s", type=float, default=4.5,
                        help="background between the clip's end and the second try")
    parser.add_argument("--tail-s", type=float, default=1.5)
    parser.add_argument("--duck-db", type=float, default=0.0,
                        help="the background after the first try this much quieter: music "
                             "Encore plays itself stays ducked (player.duck_db, -15) while "
                             "it waits for the second try (default 0: someone else's music)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--bars", type=Path, nargs="+", default=None,
                        help="replay bars on --json outputs saved with no bar; runs nothing")
    args = parser.parse_args(argv)
    if args.bars:
        rows = [row for path in args.bars for row in json.loads(path.read_text())["clips"]]
        print("| bar (nats per token) | understood at the second try | wrong actions |")
        print("|---|---|---|")
        for bar, right, wrong in replay_bars(rows, [-0.5, -0.8, -1.0, -1.1, -1.2, -1.3, -1.5,
                                                    -2.0, -100.0]):
            print(f"| {bar:g} | {right} | {wrong} |")
        return 0

    from speaker.harness import EventLog, prepare_household, run_files
    from speaker.report import load_manifest, score_clip
    from speaker.runtime import Models

    settings = load(args.config)
    library = corpus.LIBRARY
    household = prepare_household(settings, library, history=library / "profiles.json")
    models = Models.load(settings)
    rng = np.random.default_rng(args.seed)
    counts: dict[str, Counter[str]] = {}
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for entry in load_manifest(args.corpus):
                background = entry.get("background", "clean")
                if entry["kind"] != "positive" or args.background not in (None, background):
                    continue
                path = Path(tmp) / entry["file"].replace(".flac", ".wav")
                audio = extend(entry, load_audio(entry["path"]), args.gap_s, args.tail_s, rng,
                               args.duck_db)
                sf.write(path, audio, RATE_HZ, subtype="FLOAT")
                log = EventLog()
                run_files(settings, models, household, [path], user="alex", log=log,
                          gap_s=0.0)
                first = score_clip(entry, log.records)
                second = second_try(entry, log.records)
                tally = counts.setdefault(background, Counter())
                tally.update(["clips", *(["first"] if first.intent_ok else []),
                              *(["asked"] if second != "none" else []), f"second_{second}"])
                heard = [r["text"] for r in log.records if r["type"] == "transcript"]
                again = second_heard(log.records)
                rows.append({"file": entry["file"], "first": first.intent, "second": second,
                             "heard": heard,
                             "second_logprob": again.get("logprob") if again else None})
                print(f"[{len(rows)}] {entry['file']}: {first.intent} / {second}",
                      file=sys.stderr, flush=True)
    finally:
        models.close()
        household.close()
    if args.json:
        print(json.dumps({"counts": {k: dict(v) for k, v in counts.items()}, "clips": rows}))
        return 0
    print("| background | clips | first turn understood | asked again | understood at the "
          "second try | wrong action at the second try | both tries |")
    print("|---|---|---|---|---|---|---|")
    for background, c in counts.items():
        print(f"| {background} | {c['clips']} | {c['first']} | {c['asked']} | "
              f"{c['second_right']} | {c['second_wrong']} | {c['first'] + c['second_right']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
