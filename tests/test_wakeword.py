"""Wake word: real openWakeWord ONNX model on espeak-ng speech, music and silence."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from bench.bench_wake import synth_music
from bench.voices import Voice, speak
from speaker.audio import RATE_HZ, Frame, to_int16
from speaker.config import WakeSettings
from speaker.errors import ModelError
from speaker.wakeword import WakeWordDetector, model_path, openwakeword_models_dir

pytestmark = pytest.mark.slow

STRONG_VOICES = (Voice("en-us", 160), Voice("en-gb", 150), Voice("en-us+m3", 185, 40))


@cache
def _detector(model: str = "hey_jarvis", refractory_s: float = 2.0) -> WakeWordDetector:
    return WakeWordDetector(WakeSettings(model=model, refractory_s=refractory_s))


@cache
def _clip(text: str, voice: Voice = STRONG_VOICES[0]) -> np.ndarray:
    pad = np.zeros(RATE_HZ // 2, np.float32)
    return to_int16(np.concatenate([pad, speak(text, voice), pad]))


@pytest.mark.parametrize("voice", STRONG_VOICES, ids=lambda v: v.label)
def test_hey_jarvis_is_detected_once_per_utterance(voice: Voice) -> None:
    clip = _clip("hey jarvis, play some jazz", voice)
    hits = _detector().detect_clip(clip)
    assert len(hits) == 1
    assert hits[0].model == "hey_jarvis" and hits[0].score >= 0.5
    assert 0.5 < hits[0].t_s <= len(clip) / RATE_HZ + 1.0


@pytest.mark.parametrize("text", ["hey there, play some music", "harvest the crops before it rains",
                                  "his name is Harvey", "play some jazz by miles davis"])
def test_speech_without_the_wake_word_is_not_detected(text: str) -> None:
    assert _detector().detect_clip(_clip(text)) == []


def test_silence_is_not_detected() -> None:
    assert _detector().detect_clip(np.zeros(RATE_HZ * 10, np.int16)) == []


def test_music_alone_is_not_detected() -> None:
    music = np.concatenate([synth_music(15.0, seed) for seed in (1, 2)])
    assert _detector().detect_clip(to_int16(music)) == []


@pytest.mark.parametrize("chunk", [640, 2560])
def test_chunk_size_does_not_change_the_detection(chunk: int) -> None:
    """Streaming in other chunk sizes finds the same wake word within one 80 ms frame."""
    clip = _clip("hey jarvis, what is playing", STRONG_VOICES[1])
    reference = _detector().detect_clip(clip, 1280)
    other = _detector().detect_clip(clip, chunk)
    assert len(reference) == len(other) == 1
    assert abs(other[0].t_s - reference[0].t_s) <= 0.08 + 1e-9


def test_clip_path_and_frame_by_frame_streaming_agree() -> None:
    clip = _clip("hey jarvis, skip this song")
    detector = _detector()
    from_clip = detector.detect_clip(clip)
    detector.reset()
    streamed = []
    padded = np.concatenate([clip, np.zeros(RATE_HZ, np.int16)])
    for start in range(0, len(padded) - 1279, 1280):
        hit = detector.process(Frame(padded[start : start + 1280], start / RATE_HZ, "mic"))
        if hit is not None:
            streamed.append(hit)
    assert streamed == from_clip


def test_refractory_period_in_audio_time_suppresses_repeats() -> None:
    once = _clip("hey jarvis")
    twice = np.concatenate([once, np.zeros(RATE_HZ, np.int16), once])
    gap_s = (len(once) + RATE_HZ) / RATE_HZ
    assert len(_detector(refractory_s=gap_s + 1.0).detect_clip(twice)) == 1
    assert len(_detector(refractory_s=1.0).detect_clip(twice)) == 2


def test_reset_makes_scoring_repeatable() -> None:
    clip = _clip("hey jarvis, turn it up")
    first = _detector().detect_clip(clip)
    assert _detector().detect_clip(clip) == first


def test_model_can_be_given_as_an_onnx_path() -> None:
    path = openwakeword_models_dir() / "hey_jarvis_v0.1.onnx"
    detector = WakeWordDetector(WakeSettings(model=str(path)))
    hits = detector.detect_clip(_clip("hey jarvis, play some jazz"))
    assert [h.model for h in hits] == ["hey_jarvis"]


def test_missing_model_file_names_the_setting_to_fix() -> None:
    with pytest.raises(ModelError, match=r"wake\.model"):
        WakeWordDetector(WakeSettings(model="/nonexistent/custom.onnx"))
    with pytest.raises(ModelError, match=r"wake\.model.*hey_jarvis"):
        model_path("hey_nobody")


def test_audio_skipped_while_capturing_cannot_complete_a_stale_wake_word() -> None:
    """Regression: after a request was captured (frames not fed to the detector), the
    stale "hey jarvis" history fired a second detection on the next frame."""
    clip = _clip("hey jarvis", STRONG_VOICES[1])
    detector = _detector(refractory_s=0.5)
    detector.reset()
    hit = None
    for start in range(0, len(clip) - 1279, 1280):
        hit = detector.process(Frame(clip[start : start + 1280], start / RATE_HZ, "mic"))
        if hit is not None:
            break
    assert hit is not None
    resume_s = hit.t_s + 3.0  # the request was captured meanwhile
    later = [detector.process(Frame(np.zeros(1280, np.int16), resume_s + i * 0.08, "mic"))
             for i in range(30)]
    assert later == [None] * 30
