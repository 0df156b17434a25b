"""The wake word's second stage: spellings, the firing rule after a rejection, the check."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame
from speaker.config import WakeSettings
from speaker.errors import ConfigError
from speaker.wake_verify import AudioRing, WakeVerifier, wake_spellings
from speaker.wakeword import RETRY_S, Trigger

STEP_S = FRAME_SAMPLES / RATE_HZ


def test_spellings_cover_the_comma_whisper_may_write_after_hey() -> None:
    assert wake_spellings("hey_jarvis") == ("Hey Jarvis", "Hey, Jarvis")
    assert wake_spellings("alexa") == ("Alexa",)
    assert wake_spellings("/models/custom.onnx") == ()
    assert wake_spellings("/models/custom.onnx", "hey, computer") == ("Hey Computer",
                                                                     "Hey, Computer")


def test_trigger_fires_on_threshold_then_waits_out_the_refractory_period() -> None:
    trigger = Trigger(0.5, None, refractory_s=2.0)
    assert not trigger.step(0.49, 1.0, 1.0)  # no head: head scores never fire
    assert trigger.step(0.5, 0.0, 1.08)
    assert not trigger.step(0.99, 0.0, 2.0)
    assert trigger.step(0.6, 0.0, 3.2)


def test_after_a_rejection_only_a_higher_score_fires_until_the_retry_window_ends() -> None:
    trigger = Trigger(0.5, 0.9, refractory_s=2.0)
    assert trigger.step(0.6, 0.0, 1.0)
    trigger.reject(0.6, 0.0, 1.0)
    assert not trigger.step(0.6, 0.0, 1.08)  # no refractory, but not higher either
    assert trigger.step(0.7, 0.0, 1.16)  # the word is still rising: checked again
    trigger.reject(0.7, 0.0, 1.16)
    assert trigger.step(0.1, 0.95, 1.24)  # the head had not fired yet
    trigger.reject(0.1, 0.95, 1.24)
    assert not trigger.step(0.65, 0.95, 1.32)
    assert trigger.step(0.55, 0.0, 1.24 + RETRY_S + 0.01)  # a new word later: any score


def test_the_ring_keeps_the_last_window_of_audio() -> None:
    ring = AudioRing(0.24)
    for k in range(5):
        ring.feed(Frame(np.full(FRAME_SAMPLES, k * 1000, np.int16), k * STEP_S, "x"))
    audio = ring.audio()
    assert len(audio) == 3 * FRAME_SAMPLES and audio.dtype == np.float32
    assert audio[0] == pytest.approx(2000 / 32768) and audio[-1] == pytest.approx(4000 / 32768)
    ring.clear()
    assert len(ring.audio()) == 0


class _Scorer:
    def __init__(self, margin: float) -> None:
        self.margin = margin
        self.asked: list[tuple[str, ...]] = []

    def prefix_margin(self, audio: np.ndarray, spellings: Sequence[str]) -> float:
        self.asked.append(tuple(spellings))
        return self.margin


@pytest.mark.parametrize(("margin", "accepted"), [(-0.5, True), (-2.0, True), (-2.01, False)])
def test_the_verifier_accepts_down_to_the_configured_margin(margin: float,
                                                           accepted: bool) -> None:
    scorer = _Scorer(margin)
    verifier = WakeVerifier(scorer, WakeSettings(verify_margin=-2.0), "hey_jarvis")
    verdict = verifier.verify(np.zeros(RATE_HZ, np.float32))
    assert verdict.accepted is accepted and verdict.margin == margin
    assert scorer.asked == [("Hey Jarvis", "Hey, Jarvis")]


def test_a_custom_model_without_a_phrase_is_not_checked() -> None:
    scorer = _Scorer(-9.0)
    verifier = WakeVerifier(scorer, WakeSettings(), "custom")
    assert not verifier.active
    assert verifier.verify(np.zeros(RATE_HZ, np.float32)).accepted and scorer.asked == []


def test_verify_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match=r"wake\.verify_margin"):
        WakeSettings(verify_margin=0.5)
    with pytest.raises(ConfigError, match=r"wake\.verify_window_s"):
        WakeSettings(verify_window_s=0.1)
