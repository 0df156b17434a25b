"""What one Whisper wake check costs, against transcribing the same audio.

The check (:meth:`speaker.stt.Transcriber.prefix_margin`) runs once per
first-stage candidate on the last ``wake.verify_window_s`` of audio. Its peer in
the same run is the speaker's own transcription of the very same windows (the
request path), so the ratio holds on a busy machine too. Windows: the first
2 s of every clip of the recorded corpus (the wake word, or a negative's start).

Run: ``python -m bench.bench_wake_check``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

from speaker.config import SttSettings, WakeSettings, load
from speaker.stt import Transcriber
from speaker.wake_verify import wake_spellings

__all__ = ["main"]

CORPUS = Path(__file__).resolve().parents[1] / "audio_assets" / "requests"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_wake_check", description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, default=40)
    args = parser.parse_args(list(argv) if argv is not None else None)
    window = int(WakeSettings().verify_window_s * 16000)
    paths = sorted(CORPUS.glob("*.flac"))[: args.clips]
    windows = [np.asarray(sf.read(p, dtype="float32")[0][:window]) for p in paths]
    stt = Transcriber(SttSettings(), load().data.models_dir)
    spellings = wake_spellings("hey_jarvis")
    stt.prefix_margin(windows[0], spellings)  # warm-up
    check, transcribe = [], []
    for audio in windows:
        t0 = time.perf_counter()
        stt.prefix_margin(audio, spellings)
        check.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        stt.transcribe(audio)
        transcribe.append(time.perf_counter() - t0)
    print(f"{len(windows)} windows of {window / 16000:g} s")
    print("| | mean ms | p90 ms |")
    print("|---|---|---|")
    for name, times in (("wake check (prefix_margin)", check),
                        ("transcribe, same windows (peer)", transcribe)):
        print(f"| {name} | {1000 * np.mean(times):.0f} | {1000 * np.percentile(times, 90):.0f} |")
    print(f"check / transcribe: {np.mean(check) / np.mean(transcribe):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
