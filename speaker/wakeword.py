"""Wake-word detection with openWakeWord 0.5.1's ONNX models.

Models come from the openwakeword wheel (``resources/models/<name>_v0.1.onnx``)
or from an ``.onnx`` path; nothing is ever downloaded. Streaming audio and whole
clips go through the same :meth:`WakeWordDetector.process`, so a file replays
exactly what the microphone path would have seen.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame
from speaker.config import WakeSettings
from speaker.errors import ModelError
from speaker.wake_head import WINDOW_FRAMES, WakeHead, head_path

__all__ = ["RETRY_S", "Detection", "Trigger", "WakeWordDetector", "model_path",
           "openwakeword_models_dir"]

logger = logging.getLogger(__name__)

_INIT_NOISE_SEED = 1234
RETRY_S = 1.0
"""After a rejected detection, this long (audio seconds) only a higher score fires again."""


@dataclass(frozen=True)
class Detection:
    """The wake word was heard."""

    model: str
    """Model name (e.g. ``hey_jarvis``) or the .onnx file's stem."""
    score: float
    """Stock model score, 0-1, of the frame that fired."""
    t_s: float
    """End of the frame that crossed the threshold, seconds of input audio."""
    head_score: float = 0.0
    """Music head score, 0-1, of that frame (0 when the head is off)."""


def openwakeword_models_dir() -> Path:
    """The folder inside the openwakeword wheel that holds its ONNX models."""
    try:
        import openwakeword
    except ImportError as exc:
        raise ModelError("openwakeword is not installed; run `make venv` (it installs "
                         "openwakeword==0.5.1 with --no-deps).") from exc
    return Path(openwakeword.__file__).parent / "resources" / "models"


def model_path(name_or_path: str) -> Path:
    """Resolve ``wake.model``: a shipped model name or a path to an ``.onnx`` file."""
    if name_or_path.endswith(".onnx"):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ModelError(f"Wake-word model file {path} does not exist; set wake.model to "
                             "an existing .onnx file or to one of hey_jarvis, hey_mycroft, "
                             "alexa, hey_rhasspy.")
        return path
    folder = openwakeword_models_dir()
    path = folder / f"{name_or_path}_v0.1.onnx"
    if not path.is_file():
        shipped = sorted(p.name.removesuffix("_v0.1.onnx") for p in folder.glob("*_v0.1.onnx"))
        raise ModelError(f"No wake-word model named '{name_or_path}' in openwakeword; set "
                         f"wake.model to one of {', '.join(shipped) or 'none'} or to a path "
                         "to an .onnx file.")
    return path


class Trigger:
    """When scores become a detection: thresholds, refractory period, rejected retries.

    Kept apart from the models so benchmarks can replay recorded scores with other
    thresholds through exactly the rule the speaker uses.
    """

    def __init__(self, threshold: float, head_threshold: float | None,
                 refractory_s: float) -> None:
        self.threshold = threshold
        self.head_threshold = head_threshold
        """None when there is no music head."""
        self.refractory_s = refractory_s
        self._quiet_until_s = -1.0
        self._rejected: tuple[float, float, float] | None = None

    def reset(self) -> None:
        self._quiet_until_s = -1.0
        self._rejected = None

    def step(self, score: float, head_score: float, end_s: float) -> bool:
        """Whether the step ending at ``end_s`` fires; a firing starts the refractory period."""
        if self._rejected is not None and end_s - self._rejected[0] <= RETRY_S:
            fired = self.beats(score, head_score, self._rejected[1], self._rejected[2])
        else:
            fired = self.beats(score, head_score, -1.0, -1.0)
        if not fired or end_s < self._quiet_until_s:
            return False
        self._quiet_until_s = end_s + self.refractory_s
        return True

    def beats(self, score: float, head_score: float, other_score: float,
              other_head_score: float) -> bool:
        """Whether a step crosses a threshold with a higher score than the other's."""
        stock = score >= self.threshold and score > other_score
        head = (self.head_threshold is not None and head_score >= self.head_threshold
                and head_score > other_head_score)
        return stock or head

    def reject(self, score: float, head_score: float, end_s: float) -> None:
        """The second stage turned the firing at ``end_s`` down: no refractory period
        follows it, but for :data:`RETRY_S` only a higher score (stock or head) fires
        again, so the steps after a rising wake word get another chance and a flat
        one does not."""
        self._quiet_until_s = -1.0
        if self._rejected is not None and end_s - self._rejected[0] <= RETRY_S:
            score, head_score = (max(score, self._rejected[1]),
                                 max(head_score, self._rejected[2]))
        self._rejected = (end_s, score, head_score)


class WakeWordDetector:
    """Scores audio with one wake-word model and reports threshold crossings.

    ``threshold`` and ``refractory_s`` come from :class:`WakeSettings`; the
    refractory period is measured in audio time, so files and microphone behave
    the same. With ``wake.music_head`` on (and a head shipped for the model), a
    frame also fires when the music head (:mod:`speaker.wake_head`) scored at or
    above ``wake.music_head_threshold`` on each of the last
    ``wake.music_head_steps`` 80 ms embedding windows.
    """

    def __init__(self, settings: WakeSettings) -> None:
        path = model_path(settings.model)
        try:
            from openwakeword.model import Model
        except ImportError as exc:
            raise ModelError("openwakeword is not installed; run `make venv`.") from exc
        self.settings = settings
        self.name = path.name.removesuffix(".onnx").removesuffix("_v0.1")
        try:
            self._model: Any = Model(wakeword_models=[str(path)], inference_framework="onnx")
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"Cannot load wake-word model {path}: {exc}; set wake.model to a "
                             "valid openWakeWord .onnx model.") from exc
        self._key = next(iter(self._model.models))
        self._head: WakeHead | None = None
        if settings.music_head:
            path = head_path(self.name)
            if path.is_file():
                self._head = WakeHead.load(path)
            else:
                logger.info("no music head for wake word %s; using the stock model alone",
                            self.name)
        pre = self._model.preprocessor
        noise = np.random.default_rng(_INIT_NOISE_SEED).integers(
            -1000, 1000, RATE_HZ * 4).astype(np.int16)
        # openwakeword seeds its feature history with unseeded noise; a fixed seed
        # makes every run and every reset() score identically.
        self._initial_features = pre._get_embeddings(noise)
        self._trigger = Trigger(
            settings.threshold,
            settings.music_head_threshold if self._head is not None else None,
            settings.refractory_s)
        self._next_t_s: float | None = None
        self._samples_fed = 0
        self._head_recent: deque[float] = deque(maxlen=settings.music_head_steps)
        self.last_score = 0.0
        self.last_head_score = 0.0
        """Lowest head score of the last ``music_head_steps`` steps (0 without a head)."""
        self.last_end_s = 0.0
        """End of the last frame processed, seconds of input audio."""
        self.reset()

    @property
    def head(self) -> WakeHead | None:
        """The music head scoring frames alongside the stock model, if any."""
        return self._head

    @property
    def has_head(self) -> bool:
        """True when the music head scores frames alongside the stock model."""
        return self._head is not None

    def reset(self) -> None:
        """Forget all audio heard so far (feature history, scores, refractory period)."""
        self._forget()
        self._trigger.reset()

    def reject(self, detection: Detection) -> None:
        """The second stage turned ``detection`` down (see :meth:`Trigger.reject`)."""
        self._trigger.reject(detection.score, detection.head_score, detection.t_s)

    def retry_after(self, detection: Detection) -> Detection | None:
        """The frame just processed, as a detection, if it would fire once ``detection``
        were rejected: it crosses a threshold with a higher score. While a check runs
        the refractory period hides such frames; the loop checks them if it must."""
        if not self._trigger.beats(self.last_score, self.last_head_score, detection.score,
                                   detection.head_score):
            return None
        return Detection(model=self.name, score=self.last_score, t_s=self.last_end_s,
                         head_score=self.last_head_score)

    def _forget(self) -> None:
        pre = self._model.preprocessor
        pre.raw_data_buffer = deque(maxlen=pre.raw_data_buffer.maxlen)
        pre.melspectrogram_buffer = np.ones((76, 32))
        pre.accumulated_samples = 0
        pre.raw_data_remainder = np.empty(0)
        pre.feature_buffer = self._initial_features.copy()
        self._model.reset()
        self._next_t_s = None
        self._samples_fed = 0
        self._head_recent.clear()
        self.last_score = 0.0
        self.last_head_score = 0.0

    def windows(self, count: int) -> np.ndarray:
        """The last ``count`` embedding windows (count, 16, 96), newest last.

        A window is what the models score for one 80 ms step; the training script
        reads them after each :meth:`process` call.
        """
        pre = self._model.preprocessor
        return np.concatenate([pre.get_features(WINDOW_FRAMES, start_ndx=-WINDOW_FRAMES - i)
                               for i in range(count - 1, -1, -1)])

    def process(self, frame: Frame) -> Detection | None:
        """Score one frame (any length; 1280 samples is what the model steps by).

        Returns a :class:`Detection` when the score reaches the threshold outside
        the refractory period that follows the previous detection. A frame that
        does not follow the previous one in audio time (the caller skipped audio,
        e.g. while capturing a request) starts from a clean history, so stale
        audio can never complete a wake word.
        """
        samples = np.asarray(frame.samples, dtype=np.int16)
        if self._next_t_s is not None and abs(frame.t_s - self._next_t_s) > 1e-6:
            self._forget()
        self._next_t_s = frame.t_s + len(samples) / RATE_HZ
        before = self._samples_fed
        self._samples_fed += len(samples)
        new_steps = self._samples_fed // FRAME_SAMPLES - before // FRAME_SAMPLES
        scores = self._model.predict(samples)
        score = float(scores[self._key])
        self.last_score = score
        if self._head is not None and new_steps > 0:
            self.last_head_score = self._score_head(new_steps)
        end_s = frame.t_s + len(samples) / RATE_HZ
        self.last_end_s = end_s
        if not self._trigger.step(score, self.last_head_score, end_s):
            return None
        logger.debug("wake word %s score %.3f (head %.3f) at %.2f s", self.name, score,
                     self.last_head_score, end_s)
        return Detection(model=self.name, score=score, t_s=end_s,
                         head_score=self.last_head_score)

    def _score_head(self, new_steps: int) -> float:
        """Run score over the ``new_steps`` windows just made, oldest first; like the
        stock model, silent for the first 5 steps and the max over several new steps."""
        assert self._head is not None
        first_step = self._samples_fed // FRAME_SAMPLES - new_steps + 1
        best = 0.0
        for offset, score in enumerate(self._head.score(self.windows(new_steps)).tolist()):
            self._head_recent.append(score if first_step + offset > 5 else 0.0)
            if len(self._head_recent) == self._head_recent.maxlen:
                best = max(best, min(self._head_recent))
        return best

    def detect_clip(self, audio: np.ndarray, chunk_samples: int = FRAME_SAMPLES,
                    input_name: str = "clip") -> list[Detection]:
        """Replay int16 16 kHz ``audio`` through :meth:`process` in chunks; reset first.

        The clip is followed by one second of silence so a wake word at its very
        end is still scored.
        """
        if chunk_samples <= 0:
            raise ValueError("chunk_samples must be positive")
        self.reset()
        data = np.concatenate([np.asarray(audio, dtype=np.int16),
                               np.zeros(RATE_HZ, dtype=np.int16)])
        found: list[Detection] = []
        for start in range(0, len(data) - chunk_samples + 1, chunk_samples):
            chunk = data[start : start + chunk_samples]
            hit = self.process(Frame(samples=chunk, t_s=start / RATE_HZ, input=input_name))
            if hit is not None:
                found.append(hit)
        return found
