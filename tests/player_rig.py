"""The player test rig: tone files, a sample clock, and measures of the rendered output.

Test tracks are sine tones of different frequencies written with soundfile, so
the dominant frequency of the output says which track plays; the clock advances
with the rendered samples, never with the wall clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import soundfile as sf

from speaker.config import PlayerSettings
from speaker.events import Event
from speaker.player import Player

__all__ = ["AMP", "RATE", "Rig", "Track", "band_level", "db", "freq", "rms", "three_tracks",
           "tone"]

E = TypeVar("E", bound=Event)

RATE = 22050
AMP = 0.5


@dataclass(frozen=True)
class Track:
    id: int
    path: str
    title: str
    artist: str


class Rig:
    """A player on a sample clock, recording events and everything rendered."""

    def __init__(self, settings: PlayerSettings | None = None, *, background: bool = False,
                 seed: int = 1) -> None:
        self.t_s = 0.0
        self.events: list[Event] = []
        self.player = Player(settings or PlayerSettings(volume=100), RATE, lambda: self.t_s,
                             self.events.append, decode_in_background=background,
                             rng=random.Random(seed))

    def run(self, seconds: float, block: int = 441) -> np.ndarray:
        out = []
        for _ in range(round(seconds * RATE / block)):
            out.append(self.player.render(block))
            self.t_s += block / RATE
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


def tone(path: Path, freq_hz: float, seconds: float, rate_hz: int = RATE) -> str:
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    sf.write(str(path), (AMP * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32), rate_hz)
    return str(path)


def freq(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / RATE)[int(np.argmax(spectrum))])


def band_level(x: np.ndarray, freq_hz: float) -> float:
    """Amplitude of the component at ``freq_hz`` (±20 Hz)."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) / (len(x) / 4)
    bins = np.fft.rfftfreq(len(x), 1 / RATE)
    return float(spectrum[np.abs(bins - freq_hz) <= 20].max())


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def db(ratio: float) -> float:
    return float(20 * np.log10(ratio))


def three_tracks(tmp_path: Path) -> list[Track]:
    """Six-second tones at 440, 660 and 880 Hz as WAV, FLAC (44.1 kHz) and Ogg (48 kHz)."""
    return [
        Track(1, tone(tmp_path / "a.wav", 440, 6.0), "Alpha", "Ann"),
        Track(2, tone(tmp_path / "b.flac", 660, 6.0, 44100), "Beta", "Bob"),
        Track(3, tone(tmp_path / "c.ogg", 880, 6.0, 48000), "Gamma", "Cy"),
    ]
