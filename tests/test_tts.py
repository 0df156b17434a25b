"""Speech synthesis tests with the real pyttsx3 + espeak-ng engine and misbehaving fakes.

espeak-ng renders the same text almost identically every time (lengths vary by
up to ~2 %, samples by a little jitter), so :func:`same_speech` compares length
and loudness envelope: that is how the tests tell a complete render from a
truncated one or from two replies mixed together.
The fake engines below run inside the worker process, which imports them from
this module by name; they must stay at module level.
"""

from __future__ import annotations

import os
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from speaker.config import TtsSettings
from speaker.errors import SpeechError
from speaker.tts import ESPEAK_RATE_HZ, EngineLike, SpeechSynthesizer, espeak_engine

SENTENCE = "Playing Kind of Blue by Miles Davis."
MARKER_ENV = "ENCORE_TEST_TTS_MARKER"


def _write_tone(path: str, seconds: float, partial: bool = False) -> None:
    t = np.arange(round(seconds * ESPEAK_RATE_HZ)) / ESPEAK_RATE_HZ
    pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(ESPEAK_RATE_HZ)
        w.writeframes(pcm)
    if partial:  # cut the data short: the header promises more frames than there are
        with open(path, "r+b") as f:
            f.truncate(44 + len(pcm) // 3)


class _StallingEngine:
    def save_to_file(self, text: str, filename: str) -> None:
        pass

    def runAndWait(self) -> None:
        time.sleep(3600)


class _LateWriterEngine:
    """Like the first-call race: runAndWait returns at once, the file lands in pieces later."""

    def __init__(self) -> None:
        self._path = ""

    def save_to_file(self, text: str, filename: str) -> None:
        self._path = filename

    def runAndWait(self) -> None:
        path = self._path

        def write() -> None:
            time.sleep(0.2)
            _write_tone(path, 1.0, partial=True)
            time.sleep(0.2)
            _write_tone(path, 1.0)

        threading.Thread(target=write).start()


class _AsyncDriverEngine:
    """Models pyttsx3's espeak driver: ``runAndWait`` returns once synthesis has started;
    the utterance accumulates in one shared buffer that a new ``runAndWait`` clears, and
    the file named by the *latest* ``save_to_file`` is written when the utterance ends."""

    SYNTH_S = 2.4

    def __init__(self) -> None:
        self._file = ""
        self._buffer: list[bytes] = []

    def save_to_file(self, text: str, filename: str) -> None:
        self._file = filename

    def runAndWait(self) -> None:
        self._buffer.clear()
        t = np.arange(ESPEAK_RATE_HZ) / ESPEAK_RATE_HZ
        pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes()
        chunks = [pcm[i:i + len(pcm) // 12] for i in range(0, len(pcm), len(pcm) // 12)]

        def synthesise() -> None:
            for chunk in chunks:
                time.sleep(self.SYNTH_S / len(chunks))
                self._buffer.append(chunk)
            with wave.open(self._file, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(ESPEAK_RATE_HZ)
                w.writeframes(b"".join(self._buffer))

        threading.Thread(target=synthesise).start()


class _SilentEngine:
    def save_to_file(self, text: str, filename: str) -> None:
        with wave.open(filename, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(ESPEAK_RATE_HZ)
            w.writeframes(bytes(2 * ESPEAK_RATE_HZ))

    def runAndWait(self) -> None:
        pass


def stall_first_engine(voice: str, rate_wpm: int) -> EngineLike:
    """Stalls in the first worker process (no marker file yet), real espeak after that."""
    marker = Path(os.environ[MARKER_ENV])
    if not marker.exists():
        marker.write_text("stalled once")
        return _StallingEngine()
    return espeak_engine(voice, rate_wpm)


def always_stall_engine(voice: str, rate_wpm: int) -> EngineLike:
    return _StallingEngine()


def late_writer_engine(voice: str, rate_wpm: int) -> EngineLike:
    return _LateWriterEngine()


def async_driver_engine(voice: str, rate_wpm: int) -> EngineLike:
    return _AsyncDriverEngine()


def silent_engine(voice: str, rate_wpm: int) -> EngineLike:
    return _SilentEngine()


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def envelope(x: np.ndarray, frame: int = 441) -> np.ndarray:
    """RMS per 20 ms frame."""
    n = len(x) // frame
    return np.sqrt(np.mean(np.square(x[:n * frame].reshape(n, frame)), axis=1))


def same_speech(a: np.ndarray, b: np.ndarray) -> bool:
    """Same utterance: lengths within 4 % and loudness envelopes correlated above 0.9."""
    if abs(len(a) - len(b)) > 0.04 * max(len(a), len(b)):
        return False
    ea, eb = envelope(a), envelope(b)
    n = min(len(ea), len(eb))
    return float(np.corrcoef(ea[:n], eb[:n])[0, 1]) > 0.9


def test_real_espeak_renders_audible_speech_of_plausible_length() -> None:
    with SpeechSynthesizer(TtsSettings()) as tts:
        audio = tts.synthesize(SENTENCE)
    assert tts.rate_hz == ESPEAK_RATE_HZ and audio.dtype == np.float32
    seconds = len(audio) / tts.rate_hz
    assert 1.5 < seconds < 4.0  # 7 words at 170 wpm is about 2.5 s
    assert rms(audio) > 0.02 and np.max(np.abs(audio)) <= 1.0
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    bins = np.fft.rfftfreq(len(audio), 1 / tts.rate_hz)
    voice_band = spectrum[(bins > 80) & (bins < 4000)].sum() / spectrum.sum()
    assert voice_band > 0.8


def test_first_call_on_a_fresh_synthesizer_returns_the_complete_render() -> None:
    with SpeechSynthesizer(TtsSettings()) as tts:
        first = tts.synthesize(SENTENCE)
        second = tts.synthesize(SENTENCE)
    assert same_speech(first, second)
    assert not same_speech(first[: len(first) * 3 // 4], second)  # a truncated render would fail


def test_sequential_and_concurrent_requests_do_not_mix() -> None:
    texts = ["Okay.", SENTENCE,
             "I couldn't find Nirvana in your library. Here's something close instead."]
    with SpeechSynthesizer(TtsSettings()) as tts:
        solo = [tts.synthesize(t) for t in texts]
        again = [tts.synthesize(t) for t in reversed(texts)][::-1]
        with ThreadPoolExecutor(max_workers=3) as pool:
            together = list(pool.map(tts.synthesize, texts))
    assert not any(same_speech(solo[i], solo[j]) for i, j in ((0, 1), (0, 2), (1, 2)))
    assert not same_speech(solo[1], solo[1] + np.resize(solo[0], len(solo[1])))  # a mix fails
    for a, b, c in zip(solo, again, together, strict=True):
        assert same_speech(a, b) and same_speech(a, c)


def test_rate_from_config_changes_the_speaking_rate() -> None:
    text = "one two three four five six seven eight nine ten"
    with SpeechSynthesizer(TtsSettings(rate_wpm=120)) as slow:
        slow_s = len(slow.synthesize(text)) / slow.rate_hz
    with SpeechSynthesizer(TtsSettings(rate_wpm=240)) as fast:
        fast_s = len(fast.synthesize(text)) / fast.rate_hz
    assert 1.5 < slow_s / fast_s < 2.5


def test_unknown_voice_is_refused_with_the_setting_to_fix() -> None:
    with (SpeechSynthesizer(TtsSettings(voice="klingon-xx")) as tts,
          pytest.raises(SpeechError, match=r"tts\.voice 'klingon-xx'")):
        tts.synthesize(SENTENCE)


def test_a_stalled_engine_is_killed_restarted_and_the_reply_still_rendered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MARKER_ENV, str(tmp_path / "stalled"))
    with SpeechSynthesizer(TtsSettings(timeout_s=0.5), engine_factory=stall_first_engine) as tts:
        audio = tts.synthesize(SENTENCE)
        assert tts.restarts == 1
        assert (tmp_path / "stalled").exists()
    with SpeechSynthesizer(TtsSettings()) as reference:
        assert same_speech(audio, reference.synthesize(SENTENCE))


def test_an_engine_that_never_finishes_raises_speech_error_after_one_restart() -> None:
    with SpeechSynthesizer(TtsSettings(timeout_s=0.3),
                           engine_factory=always_stall_engine) as tts:
        with pytest.raises(SpeechError, match="stalled"):
            tts.synthesize(SENTENCE)
        assert tts.restarts == 2


def test_a_file_written_after_run_and_wait_returns_is_awaited_until_complete() -> None:
    with SpeechSynthesizer(TtsSettings(), engine_factory=late_writer_engine) as tts:
        audio = tts.synthesize("three short words")
    assert len(audio) == ESPEAK_RATE_HZ  # the whole second, not the truncated third
    assert tts.restarts == 0


def test_a_slow_utterance_is_awaited_never_overlapped_by_a_second_synthesis() -> None:
    # A second runAndWait while the first utterance is still being synthesised would clear
    # the driver's buffer, and the file would hold only the utterance's tail.
    with SpeechSynthesizer(TtsSettings(timeout_s=6.0),
                           engine_factory=async_driver_engine) as tts:
        audio = tts.synthesize("three short words")
    assert len(audio) == ESPEAK_RATE_HZ  # the whole utterance, start included
    assert tts.restarts == 0


def test_silent_output_is_rejected() -> None:
    with (SpeechSynthesizer(TtsSettings(), engine_factory=silent_engine) as tts,
          pytest.raises(SpeechError, match="silence")):
        tts.synthesize("three short words")


def test_blank_text_is_no_speech() -> None:
    with SpeechSynthesizer(TtsSettings(), engine_factory=always_stall_engine) as tts:
        assert len(tts.synthesize("  \n ")) == 0
        assert len(tts.synthesize("... -- !")) == 0
