"""``encore transcribe FILE... [--json]``: transcribe audio files with the offline model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from speaker.config import Settings
from speaker.errors import AudioFileError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("transcribe", help="transcribe WAV/FLAC/OGG files to text")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per file: file, text, seconds, "
                             "audio_seconds")
    parser.add_argument("--prompt", default="",
                        help="names Whisper should expect (e.g. artists), comma separated")
    parser.set_defaults(handler=_transcribe)


def _transcribe(args: argparse.Namespace, settings: Settings) -> int:
    from speaker.audio import load_audio
    from speaker.stt import Transcriber

    transcriber = Transcriber(settings.stt, settings.data.models_dir)
    failures = 0
    for path in args.files:
        try:
            audio = load_audio(path)
        except AudioFileError as exc:
            failures += 1
            print(f"encore: {exc}", file=sys.stderr)
            continue
        result = transcriber.transcribe(audio, prompt=args.prompt)
        if args.json:
            print(json.dumps({"file": str(path), "text": result.text,
                              "seconds": round(result.seconds, 4),
                              "audio_seconds": round(result.audio_seconds, 4)}), flush=True)
        else:
            print(f"{path}: {result.text}", flush=True)
    return 1 if failures else 0
