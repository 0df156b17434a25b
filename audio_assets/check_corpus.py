"""Measure how the committed corpus fares with the real wake word and Whisper models.

    .venv/bin/python audio_assets/check_corpus.py            # wake-word scores per clip
    .venv/bin/python audio_assets/check_corpus.py --stt      # also Whisper + intent parser

``--stt`` transcribes each positive's request span (from the manifest's timings, as a VAD
would cut it; ``--from-wake`` starts at the wake word instead) with
``speaker.stt.Transcriber`` and the library prompt, then parses it with
``speaker.intents.parse``. This is a quick look at the assets, not the harness: ``encore
harness report`` runs the whole loop.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

logger = logging.getLogger(__name__)
RATE_HZ = 16000
FRAME = 1280  # 80 ms, openWakeWord's step


def wake_scores(paths: list[Path]) -> list[float]:
    """Highest hey_jarvis score over each clip, streamed in 80 ms frames as the speaker does."""
    import openwakeword

    model_path = Path(openwakeword.__file__).parent / "resources/models/hey_jarvis_v0.1.onnx"
    model = openwakeword.Model(wakeword_models=[str(model_path)], inference_framework="onnx")
    scores = []
    for path in paths:
        audio, _ = sf.read(path, dtype="int16")
        model.reset()
        best = 0.0
        for start in range(0, len(audio) - FRAME + 1, FRAME):
            best = max(best, *model.predict(audio[start: start + FRAME]).values())
        scores.append(float(best))
    return scores


def report_wake(rows: list[dict[str, Any]], clip_dir: Path, threshold: float) -> None:
    """Log which positives miss the wake word and which negatives fire it, with rates."""
    scores = wake_scores([clip_dir / row["file"] for row in rows])
    by: dict[str, list[bool]] = {}
    for row, score in zip(rows, scores, strict=True):
        fired = score >= threshold
        if row["kind"] == "positive":
            for key in ("all", row["background"], row["voice"]):
                by.setdefault(f"positive {key}", []).append(fired)
            if not fired:
                logger.info("missed       %.3f %s", score, row["file"])
        else:
            by.setdefault(f"negative {row['category']}", []).append(fired)
            if fired:
                logger.info("false accept %.3f %s", score, row["file"])
    for key, hits in sorted(by.items()):
        logger.info("%-36s wake fired on %2d/%2d", key, sum(hits), len(hits))


def report_stt(rows: list[dict[str, Any]], clip_dir: Path, from_wake: bool = False) -> None:
    """Transcribe and parse each positive's request span (with ``from_wake``, from the start
    of the wake word: the parser drops a leading "hey jarvis"); log misses and accuracy."""
    import mutagen

    from speaker.config import load
    from speaker.intents import parse
    from speaker.stt import Transcriber, build_prompt

    settings = load()
    transcriber = Transcriber(settings.stt, settings.data.models_dir)
    names: list[str] = []
    for track in sorted((HERE / "library").glob("*/*/*.ogg")):
        tags = mutagen.File(track, easy=True) or {}
        names += [tags.get("artist", [""])[0], tags.get("album", [""])[0]]
    prompt = build_prompt(names, settings.stt.prompt_max_names)
    stats: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row["kind"] != "positive":
            continue
        audio, _ = sf.read(clip_dir / row["file"], dtype="float32")
        start_s = row["wake_start_s"] - 0.1 if from_wake else row["request_start_s"] - 0.15
        start = int(start_s * RATE_HZ)
        end = int((row["request_end_s"] + 0.6) * RATE_HZ)
        text = transcriber.transcribe(audio[start:end], prompt).text
        got = parse(text)
        want = row["expected"]
        for key in (row["background"], row["voice"].split("-")[0], "all"):
            stats[key, "n"] += 1
            stats[key, "intent"] += got.intent == want["intent"]
            stats[key, "slots"] += got.intent == want["intent"] and got.slots == want["slots"]
        if got.intent != want["intent"] or got.slots != want["slots"]:
            logger.info("%-48s %-22s heard %-40r -> %s %s", row["file"][:48], row["voice"], text,
                        got.intent, got.slots)
    for key in sorted({k for k, _ in stats}):
        logger.info("%-10s intent %2d/%2d  intent+slots %2d/%2d", key, stats[key, "intent"],
                    stats[key, "n"], stats[key, "slots"], stats[key, "n"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", nargs="?", type=Path, default=HERE / "requests/manifest.jsonl")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--stt", action="store_true", help="also run Whisper and the parser")
    parser.add_argument("--from-wake", action="store_true",
                        help="give Whisper the wake word too, not just the request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = [json.loads(line) for line in args.manifest.read_text().splitlines() if line.strip()]
    for row in rows:
        row.setdefault("kind", "positive")
        row.setdefault("background", "demo")
    report_wake(rows, args.manifest.parent, args.threshold)
    if args.stt:
        report_stt(rows, args.manifest.parent, args.from_wake)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
