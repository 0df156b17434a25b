"""Second-stage wake-word check: does Whisper hear the wake phrase in the last seconds?

openWakeWord scores 80 ms steps with a small network; over hours of speech and
music it fires now and then on things that are not the wake word. A candidate
detection is therefore checked once more with the Whisper model the speaker
already has loaded: the last ``wake.verify_window_s`` of audio is encoded and
Whisper's transcript is forced to start with the wake phrase ("Hey Jarvis",
"Hey, Jarvis"); :meth:`speaker.stt.Transcriber.prefix_margin` says how far each
forced token was from Whisper's own first choice. A candidate whose margin is
below ``wake.verify_margin`` (nats per token) is dropped without a sound. The
music head (:mod:`speaker.wake_head`), trained for speech over music where Whisper
tiny.en hears worst, vouches for its own candidates: its score times
``wake.verify_head_bonus`` is added to the margin.

It only runs on candidates (a few per hour of speech), off the audio path.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame
from speaker.config import WakeSettings

__all__ = ["AudioRing", "PrefixScorer", "Verdict", "WakeVerifier", "combined_score",
           "wake_spellings"]

logger = logging.getLogger(__name__)


class PrefixScorer(Protocol):
    def prefix_margin(self, audio: np.ndarray, spellings: Sequence[str]) -> float: ...


_PHRASES = {"hey_jarvis": "hey jarvis", "hey_mycroft": "hey mycroft", "alexa": "alexa",
            "hey_rhasspy": "hey rhasspy"}


def wake_spellings(model: str, phrase: str = "") -> tuple[str, ...]:
    """How Whisper may write the wake phrase at the start of a transcript.

    ``phrase`` (``wake.verify_phrase``) wins; otherwise the shipped model's phrase.
    Returns () when neither is known (a custom model without a phrase: no check).
    """
    words = (phrase or _PHRASES.get(model, "")).replace(",", " ").split()
    if not words:
        return ()
    plain = " ".join(w.capitalize() for w in words)
    if len(words) == 1:
        return (plain,)
    first, rest = plain.split(" ", 1)
    return (plain, f"{first}, {rest}")


@dataclass(frozen=True)
class Verdict:
    """The second stage's answer about one candidate."""

    accepted: bool
    margin: float
    """Mean nats per token between the wake phrase and Whisper's first choice (<= 0)."""
    score: float
    """``margin`` plus the music head's bonus; accepted when >= ``wake.verify_margin``."""
    seconds: float
    """Wall time the check took, in seconds."""


class AudioRing:
    """The last ``seconds`` of int16 frames, for the check that follows a candidate."""

    def __init__(self, seconds: float, frame_samples: int = FRAME_SAMPLES) -> None:
        self._frames: deque[np.ndarray] = deque(
            maxlen=max(1, math.ceil(seconds * RATE_HZ / frame_samples - 1e-9)))

    def feed(self, frame: Frame) -> None:
        self._frames.append(np.asarray(frame.samples, dtype=np.int16))

    def clear(self) -> None:
        self._frames.clear()

    def audio(self) -> np.ndarray:
        """What the ring holds, float32 in [-1, 1)."""
        if not self._frames:
            return np.zeros(0, np.float32)
        return np.concatenate(list(self._frames)).astype(np.float32) / 32768.0


class WakeVerifier:
    """Checks candidate detections with Whisper (``scorer``: the loaded Transcriber)."""

    def __init__(self, scorer: PrefixScorer, settings: WakeSettings, model: str,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.settings = settings
        self.spellings = wake_spellings(model, settings.verify_phrase)
        self._scorer = scorer
        self._clock = clock
        if not self.spellings:
            logger.warning("wake.verify is on but wake model %s has no known phrase; set "
                           "wake.verify_phrase (e.g. \"hey computer\") to check detections",
                           model)

    @property
    def active(self) -> bool:
        return bool(self.spellings)

    def verify(self, audio: np.ndarray, head_score: float = 0.0) -> Verdict:
        """Judge the audio that ends with a candidate detection (float32, 16 kHz);
        ``head_score`` is the music head's score (0-1) of the candidate's frame."""
        if not self.spellings:
            return Verdict(True, 0.0, 0.0, 0.0)
        start = self._clock()
        margin = self._scorer.prefix_margin(audio, self.spellings)
        score = combined_score(margin, head_score, self.settings.verify_head_bonus)
        verdict = Verdict(score >= self.settings.verify_margin, margin, score,
                          self._clock() - start)
        logger.debug("wake check: margin %.2f, head %.3f -> %s (%.0f ms)", margin, head_score,
                     "accepted" if verdict.accepted else "rejected", verdict.seconds * 1000)
        return verdict


def combined_score(margin: float, head_score: float, head_bonus: float) -> float:
    """What is compared with ``wake.verify_margin``: Whisper's margin plus the bonus."""
    return margin + head_bonus * head_score

