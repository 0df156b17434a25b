"""Where blocking work runs: inline on a virtual clock, or on one background thread.

The voice loop hands every request (Whisper, understanding, TTS, recommender
updates) to a worker so the audio path only moves frames. Headless runs use the
inline worker so results are deterministic and timestamps stay in audio time.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

Job = Callable[[], None]


class InlineWorker:
    """Runs each job at once on the caller's thread (simulation, tests)."""

    def submit(self, job: Job) -> None:
        job()

    @property
    def idle(self) -> bool:
        return True

    def close(self) -> None:
        """Nothing to stop."""


class ThreadWorker:
    """One daemon thread that runs jobs in order; the only owner of the dialogue."""

    def __init__(self, name: str = "encore-worker") -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        with self._lock:
            self._pending += 1
        self._jobs.put(job)

    @property
    def idle(self) -> bool:
        with self._lock:
            return self._pending == 0

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                job()
            except Exception:  # a failed job must never kill the worker
                logger.exception("background job failed")
            finally:
                with self._lock:
                    self._pending -= 1

    def close(self, timeout_s: float = 5.0) -> None:
        self._jobs.put(None)
        self._thread.join(timeout_s)
