"""Regenerate the committed end-of-speech clips.

Run ``PYTHONPATH=. python tests/data/make_vad_clips.py`` from the project root.

Writes 16 kHz mono FLACs and ``vad_clips.json`` with where the speech really is
(first and last sample above 1 % of full scale in the clean speech), so the VAD
tests can check end points against the truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf

from audio_assets.make_corpus import LIBRARY
from audio_assets.make_corpus import music as library_music
from bench.voices import RATE_HZ, Voice, speak
from bench.wake_audio import mix_speech_music, synth_music

HERE = Path(__file__).resolve().parent
BUSY_TRACK = LIBRARY / "Delta Jim Porter" / "Crossroads Shuffle" / "02 Muddy Water Boogie.ogg"
"""A demo-library blues track that Silero scores as speech in bursts (0.5-0.8)."""

CLIPS = (
    # name, text, voice, music SNR in dB (None = clean), lead s, tail s, music seed
    ("vad_speech_clean", "play some jazz by miles davis", Voice("en-us", 160), None, 0.5, 2.0, 0),
    ("vad_speech_music_0db", "skip this song and play the next one", Voice("en-gb", 150), 0.0,
     0.5, 2.5, 11),
)


def main() -> None:
    truth: dict[str, dict[str, float | str | None]] = {}
    for name, text, voice, snr_db, lead_s, tail_s, seed in CLIPS:
        speech = speak(text, voice)
        music = synth_music(len(speech) / RATE_HZ + lead_s + tail_s + 1, seed)
        audio = mix_speech_music(speech, music, snr_db, lead_s=lead_s, tail_s=tail_s)
        voiced = np.nonzero(np.abs(speech) > 0.01)[0]
        sf.write(HERE / f"{name}.flac", audio, RATE_HZ, format="FLAC", subtype="PCM_16")
        truth[name] = {"text": text, "voice": voice.label, "snr_db": snr_db,
                       "speech_start_s": round(lead_s + voiced[0] / RATE_HZ, 3),
                       "speech_end_s": round(lead_s + voiced[-1] / RATE_HZ, 3)}
    # Speech over library music at 10 dB that the VAD keeps mistaking for a voice.
    name, text = "vad_speech_busy_music_10db", "go to the next one"
    speech = speak(text, Voice("en-us", 160))
    busy, _ = library_music(BUSY_TRACK, len(speech) + 6 * RATE_HZ, np.random.default_rng(5))
    audio = mix_speech_music(speech, busy, 10.0, lead_s=0.5, tail_s=3.0)
    voiced = np.nonzero(np.abs(speech) > 0.01)[0]
    sf.write(HERE / f"{name}.flac", audio, RATE_HZ, format="FLAC", subtype="PCM_16")
    truth[name] = {"text": text, "voice": "en-us-160", "snr_db": 10.0,
                   "speech_start_s": round(0.5 + voiced[0] / RATE_HZ, 3),
                   "speech_end_s": round(0.5 + voiced[-1] / RATE_HZ, 3)}
    music = synth_music(5.0, 23) * 0.6
    sf.write(HERE / "vad_music_only.flac", music, RATE_HZ, format="FLAC", subtype="PCM_16")
    truth["vad_music_only"] = {"text": "", "voice": None, "snr_db": None,
                               "speech_start_s": None, "speech_end_s": None}
    (HERE / "vad_clips.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main()
