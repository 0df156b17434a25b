"""Regenerate the committed command-rescoring clips.

Run ``PYTHONPATH=. python tests/data/make_rescore_clips.py`` from the project root.
Whisper tiny.en garbles the first ("can't so not sleep"); the second is a clear
request that is not a music command and must stay as heard.
"""

from __future__ import annotations

from pathlib import Path

import soundfile as sf

from bench.voices import RATE_HZ, Voice, speak

HERE = Path(__file__).resolve().parent

CLIPS = (
    ("rescore_cancel_timer", "cancel the sleep timer", Voice("en-us-nyc", 170)),
    ("rescore_weather", "what's the weather like tomorrow", Voice("en-us-nyc", 170)),
)


def main() -> None:
    for name, text, voice in CLIPS:
        sf.write(HERE / f"{name}.flac", speak(text, voice), RATE_HZ, subtype="PCM_16")


if __name__ == "__main__":
    main()
