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
from speaker.wake_mel import MEL_PER_STEP, MelNet, mel_net_path

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
    mel_score: float = 0.0
    """Mel network score, 0-1, of that frame (0 when it is off)."""


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
    thresholds through exactly the rule the speaker uses. A step has three scores
    (stock model, music head, mel network); a threshold of None turns a network off.
    """

    def __init__(self, threshold: float, head_threshold: float | None,
                 refractory_s: float, mel_threshold: float | None = None) -> None:
        self.thresholds = (threshold, head_threshold, mel_threshold)
        self.refractory_s = refractory_s
        self._quiet_until_s = -1.0
        self._rejected: tuple[float, tuple[float, float, float]] | None = None

    def reset(self) -> None:
        self._quiet_until_s = -1.0
        self._rejected = None

    def step(self, score: float, head_score: float, end_s: float,
             mel_score: float = 0.0) -> bool:
        """Whether the step ending at ``end_s`` fires; a firing starts the refractory period."""
        scores = (score, head_score, mel_score)
        if self._rejected is not None and end_s - self._rejected[0] <= RETRY_S:
            fired = self.beats(scores, self._rejected[1])
        else:
            fired = self.beats(scores, (-1.0, -1.0, -1.0))
        if not fired or end_s < self._quiet_until_s:
            return False
        self._quiet_until_s = end_s + self.refractory_s
        return True

    def beats(self, scores: tuple[float, float, float],
              others: tuple[float, float, float]) -> bool:
        """Whether a step's (stock, head, mel) scores cross a threshold with a higher score
        than the other step's same score."""
        return any(t is not None and score >= t and score > other
                   for t, score, other in zip(self.thresholds, scores, others, strict=True))

    def reject(self, score: float, head_score: float, end_s: float,
               mel_score: float = 0.0) -> None:
        """The second stage turned the firing at ``end_s`` down: no refractory period
        follows it, but for :data:`RETRY_S` only a higher score (of the same network)
        fires again, so the steps after a rising wake word get another chance and a flat
        one does not."""
        self._quiet_until_s = -1.0
        scores = (score, head_score, mel_score)
        if self._rejected is not None and end_s - self._rejected[0] <= RETRY_S:
            scores = (max(scores[0], self._rejected[1][0]), max(scores[1], self._rejected[1][1]),
                      max(scores[2], self._rejected[1][2]))
        self._rejected = (end_s, scores)


class WakeWordDetector:
    """Scores audio with one wake-word model and reports threshold crossings.

    ``threshold`` and ``refractory_s`` come from :class:`WakeSettings`; the
    refractory period is measured in audio time, so files and microphone behave
    the same. With ``wake.music_head`` on (and a head shipped for the model), a
    frame also fires when the music head (:mod:`speaker.wake_head`) scored at or
    above ``wake.music_head_threshold`` on each of the last
    ``wake.music_head_steps`` 80 ms embedding windows. ``wake.mel_net`` adds a
    third network (:mod:`speaker.wake_mel`) over the mel frames, firing at
    ``wake.mel_net_threshold`` on ``wake.mel_net_steps`` consecutive steps.
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
        self._mel: MelNet | None = None
        if settings.mel_net and mel_net_path(self.name).is_file():
            self._mel = MelNet.load(mel_net_path(self.name))
        elif settings.mel_net:
            logger.info("no mel network for wake word %s", self.name)
        pre = self._model.preprocessor
        noise = np.random.default_rng(_INIT_NOISE_SEED).integers(
            -1000, 1000, RATE_HZ * 4).astype(np.int16)
        # openwakeword seeds its feature history with unseeded noise; a fixed seed
        # makes every run and every reset() score identically.
        self._initial_features = pre._get_embeddings(noise)
        self._trigger = Trigger(
            settings.threshold,
            settings.music_head_threshold if self._head is not None else None,
            settings.refractory_s,
            settings.mel_net_threshold if self._mel is not None else None)
        self._next_t_s: float | None = None
        self._samples_fed = 0
        self._head_recent: deque[float] = deque(maxlen=settings.music_head_steps)
        self._mel_recent: deque[float] = deque(maxlen=settings.mel_net_steps)
        self.last_score = 0.0
        self.last_head_score = 0.0
        """Lowest head score of the last ``music_head_steps`` steps (0 without a head)."""
        self.last_mel_score = 0.0
        """Lowest mel network score of the last ``mel_net_steps`` steps (0 without)."""
        self.last_end_s = 0.0
        """End of the last frame processed, seconds of input audio."""
        self.reset()

    @property
    def head(self) -> WakeHead | None:
        """The music head scoring frames alongside the stock model, if any."""
        return self._head

    @property
    def mel_net(self) -> MelNet | None:
        """The mel-spectrogram network scoring frames alongside the stock model, if any."""
        return self._mel

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
        self._trigger.reject(detection.score, detection.head_score, detection.t_s,
                             detection.mel_score)

    def retry_after(self, detection: Detection) -> Detection | None:
        """The frame just processed, as a detection, if it would fire once ``detection``
        were rejected: it crosses a threshold with a higher score. While a check runs
        the refractory period hides such frames; the loop checks them if it must."""
        if not self._trigger.beats(
                (self.last_score, self.last_head_score, self.last_mel_score),
                (detection.score, detection.head_score, detection.mel_score)):
            return None
        return Detection(model=self.name, score=self.last_score, t_s=self.last_end_s,
                         head_score=self.last_head_score, mel_score=self.last_mel_score)

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
        self._mel_recent.clear()
        self.last_score = 0.0
        self.last_head_score = 0.0
        self.last_mel_score = 0.0

    def windows(self, count: int) -> np.ndarray:
        """The last ``count`` embedding windows (count, 16, 96), newest last.

        A window is what the models score for one 80 ms step; the training script
        reads them after each :meth:`process` call.
        """
        pre = self._model.preprocessor
        return np.concatenate([pre.get_features(WINDOW_FRAMES, start_ndx=-WINDOW_FRAMES - i)
                               for i in range(count - 1, -1, -1)])

    def mel_frames(self, count: int) -> np.ndarray:
        """The last ``count`` log-mel frames (count, 32), newest last; rows before the
        audio heard since the last reset are ones, as openWakeWord starts its buffer."""
        pre = self._model.preprocessor
        if count > pre.melspectrogram_max_len:
            raise ValueError(f"openWakeWord keeps {pre.melspectrogram_max_len} mel frames, "
                             f"not {count}; feed the detector shorter chunks")
        buffer = pre.melspectrogram_buffer
        if len(buffer) >= count:
            return np.asarray(buffer[-count:], np.float32)
        return np.concatenate([np.ones((count - len(buffer), buffer.shape[1]), np.float32),
                               np.asarray(buffer, np.float32)])

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
        if new_steps > 0:
            if self._head is not None:
                self.last_head_score = self._run_score(
                    self._head_recent, self._head.score(self.windows(new_steps)))
            if self._mel is not None:
                self.last_mel_score = self._run_score(self._mel_recent,
                                                      self._mel_scores(new_steps))
        end_s = frame.t_s + len(samples) / RATE_HZ
        self.last_end_s = end_s
        if not self._trigger.step(score, self.last_head_score, end_s, self.last_mel_score):
            return None
        logger.debug("wake word %s score %.3f (head %.3f, mel %.3f) at %.2f s", self.name,
                     score, self.last_head_score, self.last_mel_score, end_s)
        return Detection(model=self.name, score=score, t_s=end_s,
                         head_score=self.last_head_score, mel_score=self.last_mel_score)

    def _run_score(self, recent: deque[float], scores: np.ndarray) -> float:
        """Run score over the new steps' ``scores``, oldest first: the lowest of the last
        ``recent.maxlen`` steps; like the stock model, silent for the first 5 steps, and
        the max over several new steps."""
        first_step = self._samples_fed // FRAME_SAMPLES - len(scores) + 1
        best = 0.0
        for offset, score in enumerate(scores.tolist()):
            recent.append(score if first_step + offset > 5 else 0.0)
            if len(recent) == recent.maxlen:
                best = max(best, min(recent))
        return best

    def _mel_scores(self, new_steps: int) -> np.ndarray:
        assert self._mel is not None
        frames = self._mel.frames
        rows = self.mel_frames(frames + MEL_PER_STEP * (new_steps - 1))
        ends = len(rows) - MEL_PER_STEP * np.arange(new_steps - 1, -1, -1)
        return self._mel.score(np.stack([rows[end - frames : end] for end in ends]))

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
