"""Render text to 16 kHz mono speech with espeak-ng, for committed test and bench clips.

Used by the generator scripts (STT bench set, harness corpus); never by the product.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

RATE_HZ = 16000


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice: ``name`` as ``espeak-ng --voices`` lists it, speed in words/min."""

    name: str
    speed_wpm: int = 160
    pitch: int = 50

    @property
    def label(self) -> str:
        return f"{self.name.replace('+', '_')}-{self.speed_wpm}"


VOICES: tuple[Voice, ...] = (
    Voice("en-us", 160),
    Voice("en-gb", 150),
    Voice("en-us+f3", 170, 60),
    Voice("en-gb-x-rp", 140),
    Voice("en-us+m3", 185, 40),
    Voice("en-029", 155),
    Voice("en-gb-scotland", 165),
    Voice("en-us+f2", 135, 70),
)


def speak(text: str, voice: Voice) -> np.ndarray:
    """Return ``text`` spoken by ``voice`` as float32 mono at 16 kHz."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed; run `make sysdeps`.")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "out.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice.name, "-s", str(voice.speed_wpm), "-p", str(voice.pitch),
             "-w", str(wav), text],
            check=True, capture_output=True,
        )
        audio, rate = sf.read(wav, dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    if rate != RATE_HZ:
        mono = resample_poly(mono, RATE_HZ, rate).astype(np.float32)
    return mono


def mix_at_snr(speech: np.ndarray, background: np.ndarray, snr_db: float) -> np.ndarray:
    """Mix ``background`` under ``speech`` so the speech-to-background power ratio is ``snr_db``."""
    reps = int(np.ceil(len(speech) / max(len(background), 1)))
    bg = np.tile(background, reps)[: len(speech)]
    p_speech = float(np.mean(speech**2)) or 1e-12
    p_bg = float(np.mean(bg**2)) or 1e-12
    gain = np.sqrt(p_speech / (p_bg * 10 ** (snr_db / 10)))
    mixed = speech + gain * bg
    peak = float(np.max(np.abs(mixed))) or 1.0
    return (mixed / max(peak, 1.0) * 0.95 if peak > 1.0 else mixed).astype(np.float32)
