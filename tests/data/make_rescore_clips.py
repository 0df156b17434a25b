"""Regenerate the committed command-rescoring clips.

Run ``PYTHONPATH=. python tests/data/make_rescore_clips.py`` from the project root.
Whisper tiny.en garbles the first ("can't so not sleep"); the second is a clear
request that is not a music command and must stay as heard. The third, "play kingston
sunrise" over synthetic music at 0 dB SNR, tiny.en hears as "Click instant sunrise";
the grammar search (``speaker.grammar``) finds what was said. "What is the capital of
France" is a question Encore neither serves nor knows it can't (so it asks again).
"""

from __future__ import annotations

from pathlib import Path

import soundfile as sf

from bench.voices import RATE_HZ, Voice, mix_at_snr, speak
from bench.wake_audio import synth_music

HERE = Path(__file__).resolve().parent

CLIPS = (
    ("rescore_cancel_timer", "cancel the sleep timer", Voice("en-us-nyc", 170)),
    ("rescore_weather", "what's the weather like tomorrow", Voice("en-us-nyc", 170)),
    ("question_capital", "what is the capital of france", Voice("en-us-nyc", 170)),
)


def main() -> None:
    for name, text, voice in CLIPS:
        sf.write(HERE / f"{name}.flac", speak(text, voice), RATE_HZ, subtype="PCM_16")
    speech = speak("play kingston sunrise", Voice("en-us", 150))
    music = synth_music(len(speech) / RATE_HZ + 1, seed=0)[: len(speech)]
    sf.write(HERE / "grammar_kingston_music0.flac", mix_at_snr(speech, music, 0.0), RATE_HZ,
             subtype="PCM_16")


if __name__ == "__main__":
    main()
