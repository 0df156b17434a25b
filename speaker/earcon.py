"""The earcon: a short rising two-tone chime played when the wake word is heard.

The committed ``audio_assets/earcon.wav`` is made from :func:`chime` by
``audio_assets/make_earcon.py``; :func:`load_earcon` reads it and falls back to
rendering the same chime when Encore runs from an installed wheel without it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from speaker.audio import load_audio
from speaker.errors import AudioFileError

__all__ = ["EARCON_PATH", "chime", "load_earcon"]

logger = logging.getLogger(__name__)

EARCON_PATH = Path(__file__).resolve().parent.parent / "audio_assets" / "earcon.wav"

_NOTES = ((0.000, 784.0, 0.15), (0.110, 1046.5, 0.17))
"""(start_s, frequency_hz, length_s): G5 then C6, a rising fourth, 280 ms in all."""


def chime(rate_hz: int = 22050, peak: float = 0.4) -> np.ndarray:
    """The earcon as float32 mono at ``rate_hz``: two bell-like tones, 280 ms, ``peak`` max."""
    total = max(round(start * rate_hz) + round(length * rate_hz) for start, _, length in _NOTES)
    out = np.zeros(total, dtype=np.float64)
    for start_s, freq_hz, length_s in _NOTES:
        t = np.arange(round(length_s * rate_hz)) / rate_hz
        attack = np.minimum(t / 0.005, 1.0)
        envelope = attack * np.exp(-t / (length_s / 4.0))
        release = np.minimum((length_s - t) / 0.01, 1.0)  # reach zero exactly at the end
        tone = np.sin(2 * np.pi * freq_hz * t) + 0.25 * np.sin(2 * np.pi * 2 * freq_hz * t)
        first = round(start_s * rate_hz)
        out[first:first + len(t)] += tone * envelope * release
    return (out / np.max(np.abs(out)) * peak).astype(np.float32)


def load_earcon(rate_hz: int = 22050) -> np.ndarray:
    """The committed earcon resampled to ``rate_hz``; the rendered chime if the file is missing."""
    try:
        return load_audio(EARCON_PATH, rate_hz)
    except AudioFileError as exc:
        logger.debug("earcon file unavailable (%s); rendering it", exc)
        return chime(rate_hz)
