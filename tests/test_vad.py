"""End of speech: Silero VAD request capture on committed clips (tests/data/vad_*.flac)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from speaker.audio import FRAME_S, RATE_HZ, Frame, WavSource, load_audio, to_int16
from speaker.config import VadSettings
from speaker.vad import PREROLL_S, CaptureResult, RequestCapture, SileroVad

DATA = Path(__file__).resolve().parent / "data"
TRUTH = json.loads((DATA / "vad_clips.json").read_text())


@cache
def _vad() -> SileroVad:
    return SileroVad()


def _capture(name: str, settings: VadSettings | None = None, start_t_s: float = 0.0,
             gap_s: float = 6.0) -> CaptureResult:
    """Stream a committed clip (plus ``gap_s`` of silence) through a fresh capture."""
    capture = RequestCapture(settings or VadSettings(), _vad())
    capture.start(start_t_s)
    for frame in WavSource([DATA / f"{name}.flac"], gap_s=gap_s).frames():
        if frame.t_s < start_t_s:
            continue
        result = capture.feed(frame)
        if result is not None:
            return result
    raise AssertionError(f"{name}: the capture never ended")


@pytest.mark.parametrize(("name", "late_s"), [("vad_speech_clean", 0.25),
                                              ("vad_speech_music_0db", 0.5)])
def test_request_ends_after_the_configured_trailing_silence(name: str, late_s: float) -> None:
    truth = TRUTH[name]
    result = _capture(name)
    assert not result.timed_out and not result.truncated
    assert result.trailing_silence_s == pytest.approx(0.64)  # 0.6 s rounded up to frames
    speech_end_s = result.end_t_s - result.trailing_silence_s
    assert truth["speech_end_s"] - 0.15 <= speech_end_s <= truth["speech_end_s"] + late_s
    # the captured audio covers the whole request, with pre-roll before its start
    audio_start_s = result.end_t_s - result.speech_s
    assert audio_start_s <= truth["speech_start_s"]
    assert audio_start_s >= truth["speech_start_s"] - PREROLL_S - 3 * FRAME_S
    assert result.audio.dtype == np.float32
    assert len(result.audio) == round(result.speech_s * RATE_HZ)


def test_captured_audio_is_the_input_audio() -> None:
    result = _capture("vad_speech_clean")
    source = load_audio(DATA / "vad_speech_clean.flac")
    # start_t_s is where the audio begins on the input's clock (pre-roll included)
    assert result.start_t_s == pytest.approx(result.end_t_s - result.speech_s)
    start = round(result.start_t_s * RATE_HZ)
    expected = to_int16(source[start : start + len(result.audio)]) / 32768.0
    np.testing.assert_allclose(result.audio[: len(expected)], expected, atol=1e-6)


def test_longer_trailing_silence_ends_the_request_later() -> None:
    short = _capture("vad_speech_clean")
    long = _capture("vad_speech_clean", VadSettings(trailing_silence_s=1.2))
    assert long.trailing_silence_s == pytest.approx(1.2)
    assert long.end_t_s - short.end_t_s == pytest.approx(1.2 - 0.64)


def test_music_alone_times_out_politely() -> None:
    result = _capture("vad_music_only", gap_s=0.0)
    assert result.timed_out and not result.truncated
    assert result.end_t_s == pytest.approx(VadSettings().start_timeout_s)
    assert result.speech_s == 0.0
    # What was heard while waiting is kept, for Whisper to hear (vad.hear_timeouts).
    assert result.start_t_s == 0.0
    assert len(result.audio) == round(result.end_t_s * RATE_HZ)
    source = load_audio(DATA / "vad_music_only.flac")
    expected = to_int16(source[: len(result.audio)]) / 32768.0
    np.testing.assert_allclose(result.audio[: len(expected)], expected, atol=1e-6)


def test_time_out_counts_from_the_wake_word_not_from_the_start_of_input() -> None:
    capture = RequestCapture(VadSettings(start_timeout_s=1.0), _vad())
    silence = np.zeros(1280, np.int16)
    capture.start(2.0)
    results = [capture.feed(Frame(silence, 2.0 + i * FRAME_S, "mic")) for i in range(20)]
    ends = [r for r in results if r is not None]
    assert ends[0].timed_out and ends[0].end_t_s == pytest.approx(3.04)  # first frame end >= 3
    assert ends[0].start_t_s == 2.0  # it starts at the wake word, not a stale time
    assert len(ends[0].audio) == 13 * 1280  # the frames heard while waiting


def test_a_time_out_keeps_the_pre_roll_and_what_followed_the_wake_word() -> None:
    capture = RequestCapture(VadSettings(start_timeout_s=1.0), _vad())
    frames = [np.full(1280, i, np.int16) for i in range(30)]
    for i in range(10):  # before the wake word: only the pre-roll is kept
        capture.feed(Frame(frames[i], i * FRAME_S, "mic"))
    capture.start(10 * FRAME_S)
    result = None
    for i in range(10, 30):
        result = result or capture.feed(Frame(frames[i], i * FRAME_S, "mic"))
    assert result is not None and result.timed_out and result.speech_s == 0.0
    preroll = round(PREROLL_S / FRAME_S)
    first = 10 - preroll
    assert result.start_t_s == pytest.approx(first * FRAME_S)
    assert result.start_t_s + len(result.audio) / RATE_HZ == pytest.approx(result.end_t_s)
    assert result.audio[0] * 32768.0 == pytest.approx(first)  # the oldest pre-roll frame


def test_a_follow_up_has_its_own_time_out_and_forgets_what_came_before() -> None:
    # After "Say it again?" the pre-roll holds Encore's own question, not the request.
    capture = RequestCapture(VadSettings(start_timeout_s=1.0), _vad())
    frames = [np.full(1280, i, np.int16) for i in range(60)]
    for i in range(10):
        capture.feed(Frame(frames[i], i * FRAME_S, "mic"))
    capture.start(10 * FRAME_S, timeout_s=3.0, preroll=False)
    result = None
    for i in range(10, 60):
        result = result or capture.feed(Frame(frames[i], i * FRAME_S, "mic"))
    assert result is not None and result.timed_out
    assert result.end_t_s == pytest.approx(10 * FRAME_S + 3.04)  # 3 s, not vad's 1 s
    assert result.start_t_s == pytest.approx(10 * FRAME_S)
    assert result.audio[0] * 32768.0 == pytest.approx(10)  # nothing from before start()
    capture.start(50 * FRAME_S)  # the next request has the usual time-out again
    ends = [capture.feed(Frame(frames[0], (50 + i) * FRAME_S, "mic")) for i in range(14)]
    assert any(r is not None and r.timed_out for r in ends)


def test_long_request_is_cut_at_max_request_s() -> None:
    result = _capture("vad_speech_clean", VadSettings(max_request_s=1.0))
    assert result.truncated and not result.timed_out
    assert result.speech_s == pytest.approx(1.04)


def test_frames_before_start_feed_the_pre_roll() -> None:
    """Speech that begins before start() is still captured from its first syllables."""
    truth = TRUTH["vad_speech_clean"]
    capture = RequestCapture(VadSettings(), _vad())
    started = False
    for frame in WavSource([DATA / "vad_speech_clean.flac"], gap_s=2.0).frames():
        if not started and frame.t_s >= truth["speech_start_s"]:
            capture.start(frame.t_s)
            started = True
        result = capture.feed(frame)
        if result is not None:
            break
    assert result is not None and not result.timed_out
    assert result.end_t_s - result.speech_s <= truth["speech_start_s"]
    assert result.start_t_s == pytest.approx(result.end_t_s - result.speech_s)


def test_silero_scores_speech_high_and_silence_low_and_reset_repeats() -> None:
    audio = to_int16(load_audio(DATA / "vad_speech_clean.flac"))
    vad = _vad()
    vad.reset()
    frames = [audio[i : i + 1280] for i in range(0, len(audio) - 1279, 1280)]
    probs = [vad.probability(f) for f in frames]
    assert max(probs) > 0.9
    assert max(probs[:5]) < 0.1  # the 0.5 s of silence before the speech
    vad.reset()
    assert [vad.probability(f) for f in frames] == probs


def test_music_the_vad_takes_for_a_voice_cannot_hold_a_request_open() -> None:
    """Over a blues track Silero scores in bursts as speech, the request still ends once
    the voice stops, because the music is more than vad.speech_floor_db quieter than it."""
    truth = TRUTH["vad_speech_busy_music_10db"]
    result = _capture("vad_speech_busy_music_10db", gap_s=0.0)
    speech_end_s = result.end_t_s - result.trailing_silence_s
    assert not result.timed_out and not result.truncated
    assert truth["speech_end_s"] - 0.15 <= speech_end_s <= truth["speech_end_s"] + 1.0
    with pytest.raises(AssertionError, match="never ended"):  # the VAD alone keeps going
        _capture("vad_speech_busy_music_10db", VadSettings(speech_floor_db=0.0), gap_s=0.0)


def test_the_speech_floor_does_not_cut_a_request_short() -> None:
    for name in ("vad_speech_clean", "vad_speech_music_0db"):
        floor = _capture(name)
        plain = _capture(name, VadSettings(speech_floor_db=0.0))
        assert floor.end_t_s == plain.end_t_s, name
