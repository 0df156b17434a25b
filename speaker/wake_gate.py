"""The voice loop's side of the two-stage wake word: one candidate at a time, off the audio path.

A first-stage detection becomes a candidate; :class:`WakeGate` hands its audio to
the worker for the Whisper check (:mod:`speaker.wake_verify`) and the loop keeps
moving frames meanwhile. So that the speaker behaves like the benchmarks, which
see each verdict at once, the frames heard during the check are watched: the last
one that would have fired after a rejection (a higher stock or head score, see
:meth:`speaker.wakeword.Trigger.reject`) is checked straight away if the first
candidate is turned down.
"""

from __future__ import annotations

import logging
import math
import queue
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from speaker.audio import RATE_HZ, Frame
from speaker.wake_verify import AudioRing, Verdict, WakeVerifier
from speaker.wakeword import Detection, WakeWordDetector

__all__ = ["Outcome", "WakeGate", "detect_verified", "run_now"]

logger = logging.getLogger(__name__)

Submit = Callable[[Callable[[], None]], None]
"""Runs a job on the loop's worker."""


def run_now(job: Callable[[], None]) -> None:
    """A :data:`Submit` that runs the check at once on the caller's thread (files,
    benchmarks, ``encore listen``): every outcome is in when :meth:`WakeGate.check`
    returns."""
    job()


@dataclass(frozen=True)
class Outcome:
    """The check's answer about one candidate."""

    detection: Detection
    verdict: Verdict
    error: str = ""
    """The check itself failed (the candidate is then accepted: a deaf speaker is worse)."""


class WakeGate:
    """Feeds the detector and the audio ring, and runs each candidate's check on ``submit``."""

    def __init__(self, detector: WakeWordDetector, verifier: WakeVerifier | None,
                 submit: Submit, window_s: float, keep_s: float = 0.0) -> None:
        self._detector = detector
        self._verifier = verifier if verifier is not None and verifier.active else None
        self._submit = submit
        self._window = max(1, round(window_s * RATE_HZ))
        self.ring = AudioRing(max(window_s, keep_s))
        """The last ``max(window_s, keep_s)`` seconds heard; a check sees ``window_s``."""
        self._outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        self._candidate: Detection | None = None
        self._retry: tuple[Detection, np.ndarray] | None = None

    @property
    def enabled(self) -> bool:
        """True when detections are checked before the speaker answers them."""
        return self._verifier is not None

    @property
    def checking(self) -> bool:
        return self._candidate is not None

    def listen(self, frame: Frame) -> Detection | None:
        """Score one frame while listening; a detection (a candidate if checks are on)."""
        self.ring.feed(frame)
        return self._detector.process(frame)

    def check(self, detection: Detection) -> None:
        """Start checking ``detection`` on the audio that ends with it."""
        self._retry = None
        self._start(detection, self.ring.audio()[-self._window:])

    def check_now(self, detection: Detection) -> Outcome:
        """Check ``detection`` and return the outcome (a gate built with :func:`run_now`)."""
        self.check(detection)
        outcome = self.settle()
        if outcome is None:
            raise RuntimeError("WakeGate.check_now needs a gate whose submit is run_now")
        return outcome

    def follow(self, frame: Frame) -> None:
        """A frame heard while a check runs: keep history contiguous, note a retry."""
        self.ring.feed(frame)
        self._detector.process(frame)
        candidate = self._candidate
        if candidate is not None:
            better = self._detector.retry_after(candidate)
            if better is not None:
                self._retry = (better, self.ring.audio()[-self._window:])

    def settle(self) -> Outcome | None:
        """The check's outcome once it is in (None before). After a rejection, a retry
        noted by :meth:`follow` is already being checked (:attr:`checking` stays true)."""
        try:
            outcome = self._outcomes.get_nowait()
        except queue.Empty:
            return None
        self._candidate = None
        if not outcome.verdict.accepted:
            self._detector.reject(outcome.detection)
            if self._retry is not None:
                retry, window = self._retry
                self._retry = None
                self._start(retry, window)
        return outcome

    def _start(self, detection: Detection, window: np.ndarray) -> None:
        verifier = self._verifier
        assert verifier is not None
        self._candidate = detection

        def job() -> None:
            try:
                verdict = verifier.verify(window, detection.head_score)
                self._outcomes.put(Outcome(detection, verdict))
            except Exception as exc:  # the model failed: answer rather than go deaf
                logger.exception("wake check failed; accepting the detection")
                self._outcomes.put(Outcome(detection, Verdict(True, math.nan, math.nan, 0.0),
                                           str(exc) or type(exc).__name__))

        self._submit(job)


def detect_verified(detector: WakeWordDetector, verifier: WakeVerifier | None,
                    frames: Iterable[Frame],
                    on_verdict: Callable[[Detection, Verdict], None] | None = None,
                    ) -> list[Detection]:
    """Both stages over ``frames``, each check answered at once (benchmarks, tests)."""
    window_s = (verifier or detector).settings.verify_window_s
    gate = WakeGate(detector, verifier, run_now, window_s)
    found: list[Detection] = []
    for frame in frames:
        hit = gate.listen(frame)
        if hit is None:
            continue
        if not gate.enabled:
            found.append(hit)
            continue
        outcome = gate.check_now(hit)
        if on_verdict is not None:
            on_verdict(hit, outcome.verdict)
        if outcome.verdict.accepted:
            found.append(hit)
    return found
