"""Audio boundary: sources of 16 kHz mono frames and sinks that take PCM.

The voice loop only sees :class:`Source` and :class:`Sink`. A file-backed twin
(:class:`WavSource`, :class:`WavSink`) stands in for the sound card in tests and
in the harness, so the loop runs unchanged on either kind.

Frames are 80 ms (1280 samples) of int16 at 16 kHz, the chunk openWakeWord
and Silero VAD are fed with. ``Frame.t_s`` is seconds of input audio since the
source started: a virtual clock when reading files.
"""

from __future__ import annotations

import abc
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from speaker.errors import AudioDeviceError, AudioFileError

__all__ = [
    "FRAME_S",
    "FRAME_SAMPLES",
    "RATE_HZ",
    "Frame",
    "MicrophoneSource",
    "NullSink",
    "Sink",
    "Source",
    "SpeakerSink",
    "StreamResampler",
    "WavSink",
    "WavSource",
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


def _device_list(kind: str) -> str:
    """Human-readable list of devices that can ``kind`` ("input"/"output")."""
    try:
        import sounddevice as sd

        devices = list(sd.query_devices())
    except Exception:  # PortAudio may be missing entirely
        devices = []
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    names = [f"{i}: {d['name']}" for i, d in enumerate(devices) if int(d.get(key, 0)) > 0]
    return ", ".join(f"'{n}'" for n in names) if names else "none (no sound device was found)"


def _resolve_device(device: str | int, kind: str, key: str) -> tuple[int | None, float]:
    """Find a device by index or name substring; return (index or None for default, rate)."""
    what = "microphone" if kind == "input" else "speaker"

    def fail(reason: str) -> AudioDeviceError:
        return AudioDeviceError(
            f"Cannot open the {what} ({reason}); set {key} in the config to the name or "
            f"index of one of the available {kind} devices: {_device_list(kind)}.")

    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio missing
        raise fail(f"PortAudio is not installed: {exc}") from exc
    chan_key = "max_input_channels" if kind == "input" else "max_output_channels"
    try:
        if isinstance(device, str) and device.strip() == "":
            info = sd.query_devices(kind=kind)
            return None, float(info["default_samplerate"])
        if isinstance(device, int) or (isinstance(device, str) and device.strip().isdigit()):
            index = int(device)
            info = sd.query_devices(index)
            if int(info[chan_key]) <= 0:
                raise fail(f"device {index} '{info['name']}' has no {kind} channels")
            return index, float(info["default_samplerate"])
        wanted = str(device).strip().lower()
        for index, info in enumerate(sd.query_devices()):
            if wanted in str(info["name"]).lower() and int(info[chan_key]) > 0:
                return index, float(info["default_samplerate"])
        raise fail(f"no {kind} device name contains '{device}'")
    except AudioDeviceError:
        raise
    except Exception as exc:  # sd.PortAudioError, ValueError from query_devices
        raise fail(f"PortAudio: {exc}") from exc


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


class MicrophoneSource(Source):
    """Frames from a sounddevice ``InputStream`` at the device's native rate.

    The PortAudio callback only copies blocks into a queue; resampling to 16 kHz
    and framing happen in the consumer's thread.
    """

    def __init__(self, device: str | int = "", *, blocksize_ms: int = 20,
                 queue_max_blocks: int = 500) -> None:
        import sounddevice as sd

        self.device, self.native_rate_hz = _resolve_device(device, "input", "audio.input_device")
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=queue_max_blocks)
        self._closed = threading.Event()
        self._overflows = 0
        rate = round(self.native_rate_hz)
        try:
            self._stream = sd.InputStream(
                device=self.device, samplerate=rate, channels=1, dtype="float32",
                blocksize=max(1, rate * blocksize_ms // 1000), callback=self._callback)
            self._stream.start()
        except Exception as exc:  # sd.PortAudioError
            raise AudioDeviceError(
                f"Cannot open the microphone (PortAudio: {exc}); set audio.input_device in "
                f"the config to one of the available input devices: "
                f"{_device_list('input')}.") from exc
        self._resampler = StreamResampler(rate, RATE_HZ)
        logger.info("microphone %s open at %d Hz",
                    "default" if self.device is None else self.device, rate)

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            self._overflows += 1
        try:
            self._queue.put_nowait(indata[:, 0].copy())
        except queue.Full:
            self._overflows += 1

    def frames(self) -> Iterator[Frame]:
        pending = np.zeros(0, dtype=np.float32)
        emitted = 0
        while not self._closed.is_set():
            try:
                block = self._queue.get(timeout=0.5)
            except queue.Empty:
                if not self._closed.is_set() and not self._stream.active:
                    raise AudioDeviceError(
                        "The microphone stopped delivering audio (was it unplugged?); "
                        "reconnect it or set audio.input_device to another input device: "
                        f"{_device_list('input')}.") from None
                continue
            pending = np.concatenate([pending, self._resampler.process(block)])
            while len(pending) >= FRAME_SAMPLES:
                chunk, pending = pending[:FRAME_SAMPLES], pending[FRAME_SAMPLES:]
                yield Frame(samples=to_int16(chunk), t_s=emitted * FRAME_S, input="mic")
                emitted += 1

    @property
    def overflows(self) -> int:
        """Blocks PortAudio flagged or the queue dropped since start."""
        return self._overflows

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:  # closing a dead stream must not mask errors
            logger.debug("closing input stream failed", exc_info=True)


# --------------------------------------------------------------------------- sinks


class Sink(_Closable, abc.ABC):
    """Takes float32 mono PCM in [-1, 1] at ``rate_hz``; ``close`` flushes."""

    rate_hz: int

    @abc.abstractmethod
    def write(self, samples: np.ndarray) -> None:
        """Queue or play ``samples``; may block to pace real-time output."""


def _as_mono_float(samples: np.ndarray) -> np.ndarray:
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
        self._file.write(_as_mono_float(samples))

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


class SpeakerSink(Sink):
    """Plays through a sounddevice ``OutputStream``; ``write`` blocks to pace playback.

    If the device refuses ``rate_hz`` the stream opens at the device's native
    rate and the audio is resampled on the way.
    """

    def __init__(self, device: str | int = "", rate_hz: int = 22050, block_ms: int = 40) -> None:
        import sounddevice as sd

        self.device, native = _resolve_device(device, "output", "audio.output_device")
        self.rate_hz = rate_hz
        stream_rate = rate_hz
        try:
            sd.check_output_settings(device=self.device, samplerate=rate_hz, channels=1,
                                     dtype="float32")
        except Exception:  # fall back to the native rate
            stream_rate = round(native)
        self._resampler = StreamResampler(rate_hz, stream_rate)
        try:
            self._stream = sd.OutputStream(
                device=self.device, samplerate=stream_rate, channels=1, dtype="float32",
                blocksize=max(1, stream_rate * block_ms // 1000))
            self._stream.start()
        except Exception as exc:  # sd.PortAudioError
            raise AudioDeviceError(
                f"Cannot open the speaker (PortAudio: {exc}); set audio.output_device in "
                f"the config to one of the available output devices: "
                f"{_device_list('output')}.") from exc
        self._closed = False
        logger.info("speaker %s open at %d Hz (input %d Hz)",
                    "default" if self.device is None else self.device, stream_rate, rate_hz)

    def write(self, samples: np.ndarray) -> None:
        if self._closed:
            raise AudioDeviceError("The speaker is closed; open a new SpeakerSink.")
        out = self._resampler.process(_as_mono_float(samples))
        if len(out):
            self._stream.write(np.ascontiguousarray(out.reshape(-1, 1)))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            tail = self._resampler.flush()
            if len(tail):
                self._stream.write(np.ascontiguousarray(tail.reshape(-1, 1)))
            self._stream.stop()
            self._stream.close()
        except Exception:  # closing a dead stream must not mask errors
            logger.debug("closing output stream failed", exc_info=True)
