"""A second, small classifier over openWakeWord's speech embeddings, trained for music.

openWakeWord scores a 16 x 96 window of its shared speech embedding (one row per
80 ms) with a small per-word network. The stock ``hey_jarvis`` network was trained
on data that rarely had loud music under it, so over music at 0-10 dB SNR it misses
most wake words. :class:`WakeHead` is another small network over the very same
window, trained by ``bench/train_wake_head.py`` on espeak-ng speech mixed with
synthetic music and noise; the detector fires when either network is sure, so the
stock model's recall on clean speech is kept.

The head is data with a version: an ``.npz`` (loaded with ``allow_pickle=False``)
holding the input normalisation, the weights, the wake model it belongs to and a
format version; its SHA-256 is checked before use.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speaker.errors import ModelError

__all__ = ["EMBEDDING_DIM", "HEAD_FORMAT_VERSION", "WINDOW_FRAMES", "WakeHead",
           "check_shipped_file", "head_path", "save_head"]

logger = logging.getLogger(__name__)

HEAD_FORMAT_VERSION = 1
WINDOW_FRAMES = 16
"""Embedding rows (80 ms each) the head reads, the same window as the stock model."""
EMBEDDING_DIM = 96

_ASSETS = Path(__file__).resolve().parent / "assets"
_SHIPPED_SHA256 = {
    "hey_jarvis_music_head.npz":
        "d384dbd8120210f6985a4fcf7e447e85cf791a0bdc96daa0148d5d133a8491e4",
}


def check_shipped_file(path: Path, pinned: Mapping[str, str], what: str, hint: str) -> None:
    """Refuse a missing file, or one whose SHA-256 differs from ``pinned[path.name]``
    (files not in ``pinned`` are not checked); ``hint`` is the fix, ending the message."""
    if not path.is_file():
        raise ModelError(f"{what} {path} is missing; {hint}.")
    expected = pinned.get(path.name)
    if expected is not None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != expected:
            raise ModelError(f"{what} {path} has SHA-256 {digest}, expected {expected}; "
                             f"{hint}.")


def head_path(wake_model: str) -> Path:
    """The shipped head file for ``wake_model`` (it may not exist)."""
    return _ASSETS / f"{wake_model}_music_head.npz"


@dataclass(frozen=True)
class WakeHead:
    """A one-hidden-layer network: ``sigmoid(w2 . relu(W1 (x - mean) / std + b1) + b2)``."""

    wake_model: str
    mean: np.ndarray
    """Per-input mean of the flattened 16 x 96 window, shape (1536,)."""
    scale: np.ndarray
    """Per-input 1 / standard deviation, shape (1536,)."""
    w1: np.ndarray
    """Hidden weights, shape (1536, hidden)."""
    b1: np.ndarray
    w2: np.ndarray
    """Output weights, shape (hidden,)."""
    b2: float

    @classmethod
    def load(cls, path: Path, check_sha256: bool = True) -> WakeHead:
        """Read a head saved by :func:`save_head`; refuse other versions or a changed file."""
        check_shipped_file(path, _SHIPPED_SHA256 if check_sha256 else {}, "Wake head",
                           "reinstall encore or set wake.music_head = false")
        try:
            with np.load(path, allow_pickle=False) as data:
                version = int(data["format_version"])
                if version != HEAD_FORMAT_VERSION:
                    raise ModelError(f"Wake head {path} has format version {version}; this "
                                     f"encore reads version {HEAD_FORMAT_VERSION}. Retrain it "
                                     "with bench/train_wake_head.py.")
                head = cls(wake_model=str(data["wake_model"]),
                           mean=data["mean"].astype(np.float32),
                           scale=data["scale"].astype(np.float32),
                           w1=data["w1"].astype(np.float32), b1=data["b1"].astype(np.float32),
                           w2=data["w2"].astype(np.float32), b2=float(data["b2"]))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"Cannot read wake head {path}: {exc}; retrain it with "
                             "bench/train_wake_head.py.") from exc
        inputs = WINDOW_FRAMES * EMBEDDING_DIM
        if head.w1.shape[0] != inputs or head.mean.shape != (inputs,):
            raise ModelError(f"Wake head {path} expects {head.w1.shape[0]} inputs, not "
                             f"{inputs}; retrain it with bench/train_wake_head.py.")
        return head

    def score(self, windows: np.ndarray) -> np.ndarray:
        """Probabilities (0-1) for embedding windows shaped (n, 16, 96)."""
        x = (windows.reshape(len(windows), -1).astype(np.float32) - self.mean) * self.scale
        hidden = np.maximum(x @ self.w1 + self.b1, 0.0)
        logit = hidden @ self.w2 + self.b2
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))))


def save_head(path: Path, head: WakeHead) -> str:
    """Write ``head`` as ``.npz``; returns the file's SHA-256 (to pin in this module)."""
    np.savez(path, format_version=np.int64(HEAD_FORMAT_VERSION),
             wake_model=np.str_(head.wake_model), mean=head.mean.astype(np.float32),
             scale=head.scale.astype(np.float32), w1=head.w1.astype(np.float32),
             b1=head.b1.astype(np.float32), w2=head.w2.astype(np.float32),
             b2=np.float32(head.b2))
    return hashlib.sha256(path.read_bytes()).hexdigest()
