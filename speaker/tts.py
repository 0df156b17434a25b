"""Speech out: render reply text to PCM with pyttsx3 and espeak-ng.

pyttsx3's espeak driver is racy when driven naively: the first ``runAndWait``
after ``init`` can return before the WAV is written, overlapping requests mix
audio, several ``save_to_file`` calls before one ``runAndWait`` keep only the
last, and ``stop()`` can hang. espeak-ng itself is a per-process C singleton
with one global synthesis callback, so a stalled engine cannot be recovered
from another thread of the same process.

The driver's ``runAndWait`` in fact always returns as soon as espeak-ng has
*started* (``AUDIO_OUTPUT_RETRIEVAL`` synthesises on espeak's own thread); the
WAV is written when the utterance ends. A second ``runAndWait`` while one is
still in flight clears the driver's buffer mid-utterance, and the first
utterance's end then writes its clipped tail to the *second* file: a reply with
its start missing. So a worker never starts a second synthesis on an engine
whose last one has not finished.

One engine lives in one worker *process* (``python -m speaker.tts``) that serves
one request at a time: it renders to a fresh WAV path and waits, up to
``tts.timeout_s``, until the file is complete (size stable and the header's
frame count matches the data). The parent waits at most ``tts.timeout_s``; on a
stall or an incomplete file it kills the worker (never calling ``stop()``),
starts a new one and retries once, then raises :class:`SpeechError`. Every
result is checked: not empty, not silent, and a duration plausible for the
number of words at ``tts.rate_wpm``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import numpy as np

from speaker.config import TtsSettings
from speaker.errors import SpeechError

__all__ = ["ESPEAK_RATE_HZ", "EngineLike", "SpeechSynthesizer", "espeak_engine"]

logger = logging.getLogger(__name__)

ESPEAK_RATE_HZ = 22050
"""Rate pyttsx3's espeak driver writes its WAV files at."""

_STARTUP_TIMEOUT_S = 30.0
_POLL_S = 0.01
_MIN_RMS = 1e-3
_MIN_PEAK = 0.02


class EngineLike(Protocol):
    """The part of ``pyttsx3.Engine`` the worker uses."""

    def save_to_file(self, text: str, filename: str) -> None: ...

    def runAndWait(self) -> None: ...


EngineFactory = Callable[[str, int], EngineLike]
"""Builds an engine in the worker process from ``(voice, rate_wpm)``; must be picklable."""


def espeak_engine(voice: str, rate_wpm: int) -> EngineLike:
    """A fresh pyttsx3 engine on the espeak-ng driver with ``voice`` and ``rate_wpm`` set.

    Built directly rather than with ``pyttsx3.init``, which hands back a cached
    engine. Raises ``ValueError`` with a fix if espeak-ng does not know ``voice``.
    """
    try:
        from pyttsx3.drivers import _espeak
        from pyttsx3.engine import Engine

        engine = Engine("espeak")
    except (ImportError, OSError, RuntimeError) as exc:
        raise RuntimeError(f"pyttsx3's espeak-ng driver cannot load ({exc}); install espeak-ng "
                           "(`sudo apt install espeak-ng`) and Encore's Python dependencies."
                           ) from exc
    if _espeak.SetVoiceByName(voice.encode("utf-8")) != 0:
        raise ValueError(
            f"tts.voice {voice!r} is not an espeak-ng voice; set it to a name from the File "
            "column of `espeak-ng --voices=en` without the folder (en-us, en, "
            "en-gb-scotland), optionally with a variant such as en-us+f3.")
    engine.setProperty("voice", voice)
    engine.setProperty("rate", rate_wpm)
    return engine


def _wav_frames(path: str) -> int | None:
    """Frames in a complete mono WAV at ``path``; None if missing, partial or malformed."""
    try:
        with wave.open(path, "rb") as w:
            n = w.getnframes()
            data = w.readframes(n)
            if n <= 0 or len(data) != n * w.getsampwidth() * w.getnchannels():
                return None
            return n
    except (OSError, EOFError, wave.Error):
        return None


def _wait_complete(path: str, settle_s: float) -> bool:
    """Wait up to ``settle_s`` for ``path`` to be a complete WAV whose size has stopped changing."""
    deadline = time.monotonic() + settle_s
    last_size = -1
    while True:
        try:
            size = os.path.getsize(path)
        except OSError:
            size = -1
        if size > 44 and size == last_size and _wav_frames(path) is not None:
            return True
        if time.monotonic() >= deadline:
            return False
        last_size = size
        time.sleep(_POLL_S)


def _serve(factory: EngineFactory, voice: str, rate_wpm: int, settle_s: float) -> None:
    """Worker process: own one engine, render one request at a time until stdin closes.

    Requests and replies are JSON lines on stdin and stdout; the espeak driver's
    own prints go to /dev/null.
    """
    proto = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the espeak driver prints per file

    def send(**reply: Any) -> None:
        proto.write(json.dumps(reply) + "\n")
        proto.flush()

    try:
        engine = factory(voice, rate_wpm)
    except Exception as exc:
        send(status="fatal", detail=str(exc))
        return
    send(status="ready", detail="")
    for line in sys.stdin:
        req = json.loads(line)
        seq, text, base = req["seq"], req["text"], req["base"]
        path = f"{base}.wav"
        try:
            engine.save_to_file(text, path)
            engine.runAndWait()
        except Exception as exc:
            send(seq=seq, status="error", detail=repr(exc))
            continue
        # No second attempt on this engine: its synthesis may still be running (see the
        # module docstring). An incomplete file makes the parent start a fresh worker.
        complete = _wait_complete(path, settle_s)
        send(seq=seq, status="ok" if complete else "incomplete", detail=path if complete else "")


def _worker_main(argv: list[str]) -> None:
    target, voice, rate_wpm, settle_s = argv
    module, _, name = target.partition(":")
    factory = getattr(importlib.import_module(module), name)
    _serve(factory, voice, int(rate_wpm), float(settle_s))


class _RenderFailed(Exception):
    """One attempt failed in a way a fresh engine may fix."""


def _word_count(text: str) -> int:
    return max(1, len(re.findall(r"[^\W_]+", text)))


class SpeechSynthesizer:
    """Renders text to float32 mono speech at :attr:`rate_hz` (22050 Hz, espeak's rate).

    Thread-safe: concurrent callers are served one at a time. ``synthesize``
    blocks the caller (the dialogue worker), never the audio output.
    ``engine_factory`` must be a module-level function: the worker process
    imports it by name.
    """

    def __init__(self, settings: TtsSettings, *,
                 engine_factory: EngineFactory = espeak_engine) -> None:
        self.settings = settings
        self.rate_hz = ESPEAK_RATE_HZ
        self._target = f"{engine_factory.__module__}:{engine_factory.__qualname__}"
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="encore-tts-")
        self._seq = 0
        self._proc: subprocess.Popen[str] | None = None
        self._ready = False
        self.restarts = 0
        """Times the worker was killed and replaced after a stall or failure."""
        self._start()

    def _start(self) -> None:
        settle_s = self.settings.timeout_s
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "speaker.tts", self._target, self.settings.voice,
             str(self.settings.rate_wpm), str(settle_s)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
        self._ready = False

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.kill()
        proc.wait(timeout=5.0)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    def _receive(self, timeout_s: float) -> dict[str, Any] | None:
        """Next reply line from the worker, or None after ``timeout_s``."""
        assert self._proc is not None and self._proc.stdout is not None
        out = self._proc.stdout
        # One request is in flight at a time and a stalled worker is killed, so at most
        # one line is ever waiting: select on the pipe cannot miss a buffered reply.
        ready, _, _ = select.select([out], [], [], max(timeout_s, 0.0))
        if not ready:
            return None
        line = out.readline()
        if not line:
            raise _RenderFailed(f"speech worker exited with code {self._proc.wait(timeout=5.0)}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def _await_ready(self) -> subprocess.Popen[str]:
        if self._proc is None:
            self._start()
        assert self._proc is not None
        if not self._ready:
            msg = self._receive(_STARTUP_TIMEOUT_S)
            if msg is None:
                raise _RenderFailed(f"worker did not start within {_STARTUP_TIMEOUT_S:.0f} s")
            if msg["status"] == "fatal":
                self._kill()
                raise SpeechError(f"Cannot start the speech engine: {msg['detail']}")
            self._ready = True
        return self._proc

    def synthesize(self, text: str) -> np.ndarray:
        """Speech for ``text`` as float32 mono at :attr:`rate_hz`; empty if it has no words.

        Raises :class:`SpeechError` if the engine cannot render it after one restart.
        """
        text = " ".join(text.split())
        if not re.search(r"[^\W_]", text):  # nothing a voice could say
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            failures: list[str] = []
            for attempt in (1, 2):
                try:
                    return self._render(text)
                except _RenderFailed as exc:
                    failures.append(str(exc))
                    logger.warning("speech attempt %d failed (%s); restarting the engine",
                                   attempt, exc)
                    self._kill()
                    self.restarts += 1
            raise SpeechError(
                f"Cannot render speech for {text[:60]!r}: {'; then '.join(failures)}. Check that "
                "espeak-ng is installed (`espeak-ng 'hello'` should speak) or raise tts.timeout_s.")

    def _render(self, text: str) -> np.ndarray:
        proc = self._await_ready()
        assert proc.stdin is not None
        self._seq += 1
        seq = self._seq
        base = str(Path(self._tmp.name) / f"reply-{seq}")
        started = time.monotonic()
        deadline = started + self.settings.timeout_s
        try:
            proc.stdin.write(json.dumps({"seq": seq, "text": text, "base": base}) + "\n")
            proc.stdin.flush()
            while True:
                reply = self._receive(deadline - time.monotonic())
                if reply is None:
                    raise _RenderFailed(f"engine stalled for {self.settings.timeout_s:g} s")
                if reply.get("seq") == seq:
                    break
        except (OSError, ValueError) as exc:
            raise _RenderFailed(f"speech worker died: {exc!r}") from exc
        if reply["status"] != "ok":
            raise _RenderFailed(f"engine returned {reply['status']} {reply['detail']}".strip())
        try:
            audio = self._read(reply["detail"])
        finally:
            Path(f"{base}.wav").unlink(missing_ok=True)
        self._check(audio, text)
        logger.debug("rendered %d words to %.2f s of speech in %.2f s", _word_count(text),
                     len(audio) / self.rate_hz, time.monotonic() - started)
        return audio

    def _read(self, path: str) -> np.ndarray:
        # Imported here, not at the top: the worker process imports this module and
        # must start fast (scipy, behind speaker.audio, takes seconds on a Pi).
        import soundfile as sf

        from speaker.audio import resample

        try:
            data, rate = sf.read(path, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise _RenderFailed(f"unreadable output: {exc}") from exc
        mono = data.mean(axis=1)
        if int(rate) != self.rate_hz:
            mono = resample(mono, int(rate), self.rate_hz)
        return np.asarray(mono, dtype=np.float32)

    def _check(self, audio: np.ndarray, text: str) -> None:
        duration_s = len(audio) / self.rate_hz
        expected_s = _word_count(text) * 60.0 / self.settings.rate_wpm
        if len(audio) == 0:
            raise _RenderFailed("engine wrote an empty file")
        rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
        if rms < _MIN_RMS or float(np.max(np.abs(audio))) < _MIN_PEAK:
            raise _RenderFailed(f"engine wrote silence (RMS {rms:.1e})")
        # Digits and abbreviations are read out as several words: bound by characters too.
        longest_s = 4.0 * max(_word_count(text), len(text) / 2) * 60.0 / self.settings.rate_wpm
        if not 0.3 * expected_s <= duration_s <= longest_s + 2.0:
            raise _RenderFailed(f"implausible duration {duration_s:.2f} s for "
                                f"{_word_count(text)} words (expected about {expected_s:.2f} s)")

    def close(self) -> None:
        """Stop the worker process and remove temporary files."""
        with self._lock:
            proc = self._proc
            if proc is not None and proc.stdin is not None:
                try:
                    proc.stdin.close()
                    proc.wait(timeout=2.0)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._kill()
            self._tmp.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
