"""Audio boundary: sources of 16 kHz mono frames and sinks that take PCM.

The voice loop only sees :class:`Source` and :class:`Sink`. A file-backed twin
(:class:`WavSource`, :class:`WavSink`) stands in for the sound card
(:mod:`speaker.devices`) in tests and in the harness, so the loop runs unchanged
on either kind.

Frames are 80 ms (1280 samples) of int16 at 16 kHz, the chunk openWakeWord
and Silero VAD are fed with. ``Frame.t_s`` is seconds of input audio since the
source started: a virtual clock when reading files.
"""

from __future__ import annotations

import abc
import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from speaker.errors import AudioFileError

__all__ = [
    "FRAME_S",
    "FRAME_SAMPLES",
    "RATE_HZ",
    "Frame",
    "NullSink",
    "Sink",
    "Source",
    "StreamResampler",
    "WavSink",
    "WavSource",
    "as_mono_float",
    "load_audio",
    "resample",
    "to_int16",
]

logger = logging.getLogger(__name__)

RATE_HZ = 16000
FRAME_SAMPLES = 1280
FRAME_S = FRAME_SAMPLES / RATE_HZ


@dataclass(frozen=True)
class Frame:
    """80 ms of mono audio at 16 kHz."""

    samples: np.ndarray
    """int16, shape (1280,)."""
    t_s: float
    """Start of the frame, in seconds of input audio since the source started."""
    input: str
    """Name of the input file the frame came from, or ``"mic"``."""


# --------------------------------------------------------------------------- helpers


def resample(audio: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """Resample float audio with a polyphase filter (``scipy.signal.resample_poly``)."""
    if from_hz == to_hz:
        return audio.astype(np.float32, copy=False)
    g = math.gcd(int(from_hz), int(to_hz))
    return resample_poly(audio, to_hz // g, from_hz // g).astype(np.float32)


def to_int16(audio: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] to int16, clipping anything outside."""
    return (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype(np.int16)


def load_audio(path: str | Path, rate_hz: int = RATE_HZ) -> np.ndarray:
    """Read a WAV/FLAC/OGG file as float32 mono at ``rate_hz``.

    Raises :class:`AudioFileError` naming the file and the reason.
    """
    p = Path(path)
    if not p.is_file():
        raise AudioFileError(f"Cannot read audio file {p}: it does not exist; check the path.")
    try:
        data, file_rate = sf.read(str(p), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioFileError(f"Cannot read audio file {p}: {exc}; use a WAV, FLAC or OGG "
                             "file.") from exc
    if data.shape[0] == 0:
        return np.zeros(0, dtype=np.float32)
    mono = data.mean(axis=1)
    return resample(mono, int(file_rate), rate_hz)


class StreamResampler:
    """Resample a stream block by block with the same output as one ``resample_poly`` call.

    Keeps enough input on both sides of each block that the polyphase filter sees
    exactly what it would see on the whole signal; output lags the input by the
    filter's half length (about 1 ms). ``flush`` returns the tail.
    """

    def __init__(self, from_hz: int, to_hz: int) -> None:
        g = math.gcd(int(from_hz), int(to_hz))
        self.up = int(to_hz) // g
        self.down = int(from_hz) // g
        half_in = math.ceil(10 * max(self.up, self.down) / self.up) + 1
        self._ctx = math.ceil(half_in / self.down) * self.down
        self._buf = np.zeros(self._ctx, dtype=np.float64)
        self._passthrough = self.up == self.down

    def process(self, block: np.ndarray) -> np.ndarray:
        """Feed float input samples; return the float32 output that is ready."""
        if self._passthrough:
            return np.asarray(block, dtype=np.float32)
        self._buf = np.concatenate([self._buf, np.asarray(block, dtype=np.float64)])
        usable = len(self._buf) - 2 * self._ctx
        k = usable // self.down
        if k <= 0:
            return np.zeros(0, dtype=np.float32)
        n_in = k * self.down
        y = resample_poly(self._buf[: 2 * self._ctx + n_in], self.up, self.down)
        start = self._ctx * self.up // self.down
        out = y[start : start + k * self.up]
        self._buf = self._buf[n_in:]
        return out.astype(np.float32)

    def flush(self) -> np.ndarray:
        """Return what is left, as if the stream ended with silence."""
        if self._passthrough:
            return np.zeros(0, dtype=np.float32)
        pending = len(self._buf) - self._ctx
        pad = (-pending) % self.down
        out = self.process(np.zeros(self._ctx + pad))
        n = math.ceil(pending * self.up / self.down)
        return out[:n]


# --------------------------------------------------------------------------- sources


class _Closable:
    """``close()`` (nothing to release by default) and ``with`` support."""

    def close(self) -> None:
        """Release the device or file."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class Source(_Closable, abc.ABC):
    """Yields 16 kHz mono int16 frames of 80 ms."""

    @abc.abstractmethod
    def frames(self) -> Iterator[Frame]:
        """Frames back to back, in input order, until the input ends or ``close``."""


class WavSource(Source):
    """Frames from audio files, one after another, with ``gap_s`` of silence after each.

    With ``realtime`` the source waits until each frame's end has passed on
    ``clock`` (monotonic seconds; ``sleep`` waits), as a microphone would; otherwise
    it runs as fast as possible and only the frame times advance.
    """

    def __init__(self, paths: Sequence[str | Path], *, gap_s: float = 0.0,
                 realtime: bool = False, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        if gap_s < 0:
            raise ValueError("gap_s must not be negative")
        self.paths = [Path(p) for p in paths]
        self.gap_s = gap_s
        self.realtime = realtime
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep
        self._closed = False

    def frames(self) -> Iterator[Frame]:
        index = 0
        start_wall: float | None = None
        gap_frames = math.ceil(round(self.gap_s / FRAME_S, 6))
        for path in self.paths:
            audio = to_int16(load_audio(path, RATE_HZ))
            n = math.ceil(len(audio) / FRAME_SAMPLES)
            padded = np.zeros((n + gap_frames) * FRAME_SAMPLES, dtype=np.int16)
            padded[: len(audio)] = audio
            for i in range(n + gap_frames):
                if self._closed:
                    return
                t_s = index * FRAME_S
                if self.realtime:
                    if start_wall is None:
                        start_wall = self._clock()
                    due = start_wall + t_s + FRAME_S
                    while (now := self._clock()) < due:
                        self._sleep(due - now)
                samples = padded[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES]
                yield Frame(samples=samples, t_s=t_s, input=path.name)
                index += 1

    def close(self) -> None:
        self._closed = True


# --------------------------------------------------------------------------- sinks


class Sink(_Closable, abc.ABC):
    """Takes float32 mono PCM in [-1, 1] at ``rate_hz``; ``close`` flushes."""

    rate_hz: int

    @abc.abstractmethod
    def write(self, samples: np.ndarray) -> None:
        """Queue or play ``samples``; may block to pace real-time output."""


def as_mono_float(samples: np.ndarray) -> np.ndarray:
    arr = np.asarray(samples, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr.mean(axis=1)
    return np.clip(arr.reshape(-1), -1.0, 1.0)


class NullSink(Sink):
    """Discards audio; counts what it was given (``samples_written``)."""

    def __init__(self, rate_hz: int = 22050) -> None:
        self.rate_hz = rate_hz
        self.samples_written = 0

    def write(self, samples: np.ndarray) -> None:
        self.samples_written += int(np.asarray(samples).reshape(-1).shape[0])

    @property
    def seconds_written(self) -> float:
        return self.samples_written / self.rate_hz


class WavSink(Sink):
    """Writes 16-bit mono PCM to a WAV file."""

    def __init__(self, path: str | Path, rate_hz: int = 22050) -> None:
        self.path = Path(path)
        self.rate_hz = rate_hz
        try:
            self._file = sf.SoundFile(str(self.path), mode="w", samplerate=rate_hz, channels=1,
                                      subtype="PCM_16", format="WAV")
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioFileError(f"Cannot write audio file {self.path}: {exc}; check that "
                                 "the folder exists and is writable.") from exc

    def write(self, samples: np.ndarray) -> None:
        self._file.write(as_mono_float(samples))

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
