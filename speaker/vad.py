"""End of speech: Silero VAD (the ONNX copy shipped in openwakeword 0.5.1) and request capture.

After the wake word, :class:`RequestCapture` collects the request: it waits for
speech to start (or gives up after ``vad.start_timeout_s``), ends it after
``vad.trailing_silence_s`` of non-speech, and never captures more than
``vad.max_request_s``. All times are audio time, so files and microphone
behave the same.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from speaker.audio import FRAME_S, RATE_HZ, Frame
from speaker.config import VadSettings
from speaker.errors import ModelError

__all__ = ["PREROLL_S", "CaptureResult", "RequestCapture", "SileroVad", "silero_model_path"]

logger = logging.getLogger(__name__)

PREROLL_S = 0.3
"""Audio kept from before the first speech frame, in seconds."""


def silero_model_path() -> Path:
    """``silero_vad.onnx`` inside the openwakeword wheel."""
    try:
        import openwakeword
    except ImportError as exc:
        raise ModelError("openwakeword is not installed; run `make venv` (it installs "
                         "openwakeword==0.5.1 with --no-deps).") from exc
    path = Path(openwakeword.__file__).parent / "resources" / "models" / "silero_vad.onnx"
    if not path.is_file():
        raise ModelError(f"Silero VAD model {path} is missing; reinstall openwakeword==0.5.1 "
                         "with `make venv`.")
    return path


class SileroVad:
    """Speech probability of 80 ms frames with Silero VAD on onnxruntime (one thread).

    The audio is scored twice, in 20 ms and in 32 ms windows (Silero's native
    512 samples), each stream with its own recurrent state and carrying partial
    windows over to the next frame; a frame's probability is the mean of the
    windows that ended in it. Measured on synthetic music: 20 ms windows keep
    music alone near 0 but miss speech under music at 0 dB SNR, 32 ms windows
    find that speech but fire on music alone; the mean does both (BENCHMARKS.md).
    """

    def __init__(self, window_samples: tuple[int, ...] = (320, 512)) -> None:
        if not window_samples or any(w <= 0 for w in window_samples):
            raise ValueError("window sizes must be positive")
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        path = silero_model_path()
        try:
            self._session: Any = ort.InferenceSession(str(path), sess_options=options,
                                                      providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"Cannot load Silero VAD from {path}: {exc}; reinstall "
                             "openwakeword==0.5.1 with `make venv`.") from exc
        self.window_samples = tuple(window_samples)
        self._sr = np.array(RATE_HZ, dtype=np.int64)
        self._state: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, float]] = {}
        self.reset()

    def reset(self) -> None:
        """Forget the recurrent state (call between unrelated recordings)."""
        zeros = np.zeros((2, 1, 64), dtype=np.float32)
        empty = np.zeros(0, dtype=np.float32)
        self._state = {w: (zeros, zeros, empty, 0.0) for w in self.window_samples}

    def probability(self, samples: np.ndarray) -> float:
        """Probability (0-1) that an int16 16 kHz frame (normally 1280 samples) is speech."""
        x = np.asarray(samples, dtype=np.float32) / 32768.0
        per_size: list[float] = []
        for w in self.window_samples:
            h, c, carry, last = self._state[w]
            buf = np.concatenate([carry, x]) if len(carry) else x
            probs = []
            start = 0
            while start + w <= len(buf):
                out, h, c = self._session.run(
                    None, {"input": buf[None, start : start + w], "h": h, "c": c,
                           "sr": self._sr})
                probs.append(float(out[0][0]))
                start += w
            if probs:
                last = float(np.mean(probs))
            self._state[w] = (h, c, buf[start:].copy(), last)
            per_size.append(last)
        return float(np.mean(per_size))


@dataclass(frozen=True)
class CaptureResult:
    """A captured request (or the lack of one)."""

    audio: np.ndarray
    """float32 mono at 16 kHz: pre-roll, the speech and the trailing silence; when timed
    out, the pre-roll and everything up to the time-out (a voice the VAD missed under
    loud music may still be in it)."""
    speech_s: float
    """Length of ``audio``, in seconds; 0 when timed out (no speech started)."""
    timed_out: bool
    """No speech started within ``vad.start_timeout_s``."""
    truncated: bool
    """The request reached ``vad.max_request_s`` and was cut."""
    end_t_s: float
    """Audio time when the end (or the time-out) was declared, in seconds."""
    trailing_silence_s: float
    """Non-speech at the end of ``audio``, in seconds."""
    start_t_s: float = 0.0
    """Audio time of the first sample of ``audio``, in seconds."""


_LEVEL_FRAMES = 3
"""Levels are measured over this many frames (240 ms): gaps between words stay loud."""


def _level_db(samples: np.ndarray) -> float:
    """RMS level of int16 samples, dB relative to full scale."""
    power = float(np.mean(samples.astype(np.float64) ** 2)) / 32768.0**2 if len(samples) else 0.0
    return 10.0 * math.log10(max(power, 1e-12))


class RequestCapture:
    """Collects the request that follows the wake word, frame by frame.

    Call :meth:`start` with the detection time, then :meth:`feed` every following
    frame until it returns a :class:`CaptureResult`. Frames fed before
    :meth:`start` only fill the pre-roll buffer. A frame counts as speech when the
    mean VAD probability of it and the frame before reaches ``vad.threshold``
    (one-frame spikes of music neither start nor prolong a request). Once the
    request has begun, a frame whose last 240 ms are more than ``vad.speech_floor_db``
    below the loudest 240 ms of the request so far is silence whatever the VAD says:
    music the VAD mistakes for a voice cannot hold the request open when it is
    quieter than the voice was.
    """

    def __init__(self, settings: VadSettings, vad: SileroVad | None = None) -> None:
        self.settings = settings
        self.vad = vad or SileroVad()
        self._preroll_frames = max(1, round(PREROLL_S / FRAME_S))
        self._history: deque[np.ndarray] = deque(maxlen=self._preroll_frames)
        self._active = False
        self._start_t_s = 0.0
        self._timeout_s = settings.start_timeout_s
        self._chunks: list[np.ndarray] = []
        self._chunks_t_s = 0.0
        self._speaking = False
        self._silence_frames = 0
        self._loudest_db = -math.inf
        self._prev_probability: float | None = None
        self.last_probability = 0.0

    @property
    def active(self) -> bool:
        """True between :meth:`start` and the result."""
        return self._active

    def start(self, t_s: float, timeout_s: float | None = None, preroll: bool = True) -> None:
        """Begin capturing; ``t_s`` is the audio time of the wake-word detection.

        ``timeout_s`` replaces ``vad.start_timeout_s`` for this request; without
        ``preroll`` what was heard before ``t_s`` is forgotten (a follow-up after a
        reply, which the pre-roll would hold)."""
        if not preroll:
            self._history.clear()
        self._timeout_s = self.settings.start_timeout_s if timeout_s is None else timeout_s
        self.vad.reset()
        self._prev_probability = None
        self._active = True
        self._start_t_s = t_s
        self._chunks = list(self._history)  # until speech starts: all heard while waiting
        self._chunks_t_s = t_s - sum(len(c) for c in self._chunks) / RATE_HZ
        self._speaking = False
        self._silence_frames = 0
        self._loudest_db = -math.inf

    def cancel(self) -> None:
        """Stop capturing (the wake word was not confirmed); back to keeping the pre-roll."""
        self._active = False
        self._chunks = []
        self._speaking = False

    def feed(self, frame: Frame) -> CaptureResult | None:
        """Add one frame; return the result once the request ended, else None."""
        samples = np.asarray(frame.samples, dtype=np.int16)
        if not self._active:
            self._history.append(samples)
            return None
        raw = self.vad.probability(samples)
        prob = raw if self._prev_probability is None else (raw + self._prev_probability) / 2
        self._prev_probability = raw
        self.last_probability = prob
        end_t_s = frame.t_s + len(samples) / RATE_HZ
        is_speech = prob >= self.settings.threshold
        if not self._speaking:
            if is_speech:
                self._speaking = True
                self._loudest_db = _level_db(samples)
                self._chunks = [*self._history, samples]
                self._chunks_t_s = frame.t_s - sum(len(c) for c in self._history) / RATE_HZ
                self._silence_frames = 0
            else:
                self._history.append(samples)
                self._chunks.append(samples)
                if end_t_s - self._start_t_s >= self._timeout_s:
                    return self._finish(end_t_s, timed_out=True)
            return None
        self._chunks.append(samples)
        floor_db = self.settings.speech_floor_db
        if floor_db and is_speech:
            level_db = _level_db(np.concatenate(self._chunks[-_LEVEL_FRAMES:]))
            self._loudest_db = max(self._loudest_db, level_db)
            is_speech = level_db >= self._loudest_db - floor_db
        self._silence_frames = 0 if is_speech else self._silence_frames + 1
        captured_s = sum(len(c) for c in self._chunks) / RATE_HZ
        if self._silence_frames * FRAME_S >= self.settings.trailing_silence_s - 1e-9:
            return self._finish(end_t_s)
        if captured_s >= self.settings.max_request_s - 1e-9:
            return self._finish(end_t_s, truncated=True)
        return None

    def _finish(self, end_t_s: float, *, timed_out: bool = False,
                truncated: bool = False) -> CaptureResult:
        self._active = False
        audio = (np.concatenate(self._chunks).astype(np.float32) / 32768.0 if self._chunks
                 else np.zeros(0, dtype=np.float32))
        silence_s = 0.0 if timed_out else self._silence_frames * FRAME_S
        self._history.clear()
        self._chunks = []
        speech_s = 0.0 if timed_out else len(audio) / RATE_HZ
        result = CaptureResult(audio=audio, speech_s=speech_s, timed_out=timed_out,
                               truncated=truncated, end_t_s=end_t_s,
                               trailing_silence_s=silence_s, start_t_s=self._chunks_t_s)
        logger.debug("request captured: %.2f s (%.2f s of audio), timed_out=%s, "
                     "truncated=%s, end %.2f s", result.speech_s, len(audio) / RATE_HZ,
                     timed_out, truncated, end_t_s)
        return result
