"""The wake word's second stage: spellings, the firing rule after a rejection, the check."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame
from speaker.config import SttSettings, WakeSettings
from speaker.errors import ConfigError
from speaker.stt import Transcriber
from speaker.wake_gate import detect_verified
from speaker.wake_verify import AudioRing, Verdict, WakeVerifier, wake_spellings
from speaker.wakeword import RETRY_S, Detection, Trigger, WakeWordDetector

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


def test_beats_needs_a_crossing_and_a_higher_score_on_the_same_model() -> None:
    trigger = Trigger(0.5, 0.9, refractory_s=2.0)
    assert trigger.beats((0.6, 0.0, 0.0), (0.55, 1.0, 0.0))
    assert not trigger.beats((0.45, 0.0, 0.0), (0.1, 0.0, 0.0))  # higher, under the threshold
    assert trigger.beats((0.0, 0.95, 0.0), (0.9, 0.92, 0.0))
    assert not trigger.beats((0.0, 0.95, 0.0), (0.0, 0.95, 0.0))
    assert not Trigger(0.5, None, 2.0).beats((0.0, 1.0, 1.0), (0.0, 0.0, 0.0))  # no networks
    assert not trigger.beats((0.0, 0.0, 1.0), (0.0, 0.0, 0.0))  # no mel network


def test_the_mel_network_fires_and_retries_on_its_own_score() -> None:
    trigger = Trigger(0.5, 0.9, refractory_s=2.0, mel_threshold=0.8)
    assert not trigger.step(0.1, 0.2, 1.0, mel_score=0.79)
    assert trigger.step(0.1, 0.2, 1.08, mel_score=0.85)
    trigger.reject(0.1, 0.2, 1.08, mel_score=0.85)
    assert not trigger.step(0.1, 0.2, 1.16, mel_score=0.85)  # not higher
    assert trigger.step(0.1, 0.2, 1.24, mel_score=0.97)  # still rising: checked again
    trigger.reject(0.1, 0.2, 1.24, mel_score=0.97)
    assert trigger.step(0.1, 0.93, 1.32, mel_score=0.9)  # the head had not fired yet


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


def test_a_sure_music_head_lowers_the_bar_by_its_bonus() -> None:
    settings = WakeSettings(verify_margin=-2.0, verify_head_bonus=1.5)
    verifier = WakeVerifier(_Scorer(-3.4), settings, "hey_jarvis")
    audio = np.zeros(RATE_HZ, np.float32)
    sure = verifier.verify(audio, head_score=1.0)
    assert sure.accepted and sure.margin == -3.4 and sure.score == pytest.approx(-1.9)
    assert not verifier.verify(audio, head_score=0.5).accepted  # -3.4 + 0.75 < -2.0
    assert not verifier.verify(audio).accepted


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
    with pytest.raises(ConfigError, match=r"wake\.verify_head_bonus"):
        WakeSettings(verify_head_bonus=-1.0)
    with pytest.raises(ConfigError, match=r"wake\.verify_phrase"):
        WakeSettings(verify_phrase=",,")


# --- the real Whisper weights and wake-word model on committed corpus clips --------------

REQUESTS = Path(__file__).resolve().parents[1] / "audio_assets" / "requests"


def _clip(name: str) -> np.ndarray:
    audio, rate = sf.read(REQUESTS / name, dtype="float32")
    assert rate == RATE_HZ
    return np.asarray(audio)


@pytest.fixture(scope="module")
def transcriber(whisper_models_dir: Path) -> Transcriber:
    return Transcriber(SttSettings(), whisper_models_dir)


@pytest.mark.slow
def test_whisper_hears_the_wake_phrase_and_not_its_sound_alikes(
        transcriber: Transcriber) -> None:
    spellings = wake_spellings("hey_jarvis")
    said = transcriber.prefix_margin(_clip("pos001_play_play-nora-vance_clean.flac")[:32000],
                                     spellings)
    assert said > -0.5
    for name in ("neg013_confusable_hey-travis-play-some_clean.flac",
                 "neg018_confusable_hey-charles-turn-it_clean.flac",
                 "neg005_music_none_music0.flac"):
        assert transcriber.prefix_margin(_clip(name)[:24000], spellings) < -3.0, name
    assert transcriber.prefix_margin(np.zeros(RATE_HZ, np.float32), spellings) == -math.inf


@pytest.mark.slow
def test_both_stages_accept_a_real_wake_word_and_answer_sound_alikes_with_silence(
        transcriber: Transcriber) -> None:
    settings = WakeSettings()
    detector = WakeWordDetector(settings)
    verifier = WakeVerifier(transcriber, settings, detector.name)

    def run(name: str) -> tuple[list[Detection], list[Verdict]]:
        pcm = (np.clip(_clip(name), -1, 1) * 32767).astype(np.int16)
        frames = [Frame(pcm[i:i + FRAME_SAMPLES], i / RATE_HZ, name)
                  for i in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES)]
        verdicts: list[Verdict] = []
        detector.reset()
        found = detect_verified(detector, verifier, frames, lambda _, v: verdicts.append(v))
        return found, verdicts

    found, verdicts = run("pos001_play_play-nora-vance_clean.flac")
    assert len(found) == 1 and verdicts[-1].accepted and verdicts[-1].margin > -1.0
    # "Hey Charles" is the corpus's one sound-alike the first stage takes for the wake word.
    found, verdicts = run("neg018_confusable_hey-charles-turn-it_clean.flac")
    assert found == [] and verdicts and all(not v.accepted for v in verdicts)
