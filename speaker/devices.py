"""The sound card: :class:`MicrophoneSource` and :class:`SpeakerSink` over sounddevice.

Devices are chosen by name substring or index (``audio.input_device``,
``audio.output_device``; empty = the system default). With no usable device
both fail at start-up with one sentence naming the problem, the config key to
set and the devices PortAudio can see.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from speaker.audio import (
    FRAME_S,
    FRAME_SAMPLES,
    RATE_HZ,
    Frame,
    Sink,
    Source,
    StreamResampler,
    as_mono_float,
    to_int16,
)
from speaker.errors import AudioDeviceError

__all__ = ["MicrophoneSource", "SpeakerSink"]

logger = logging.getLogger(__name__)


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


def _open_failed(what: str, kind: str, exc: Exception) -> AudioDeviceError:
    return AudioDeviceError(
        f"Cannot open the {what} (PortAudio: {exc}); set audio.{kind}_device in the config "
        f"to one of the available {kind} devices: {_device_list(kind)}.")


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
            raise _open_failed("microphone", "input", exc) from exc
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
            raise _open_failed("speaker", "output", exc) from exc
        self._closed = False
        logger.info("speaker %s open at %d Hz (input %d Hz)",
                    "default" if self.device is None else self.device, stream_rate, rate_hz)

    def write(self, samples: np.ndarray) -> None:
        if self._closed:
            raise AudioDeviceError("The speaker is closed; open a new SpeakerSink.")
        out = self._resampler.process(as_mono_float(samples))
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
