"""A small convolutional network over openWakeWord's mel spectrogram, trained for music.

The stock model and the music head (:mod:`speaker.wake_head`) both read openWakeWord's
speech embedding, a network trained on speech that was mostly clean: with music as loud
as the voice, the embedding of "hey jarvis" no longer looks like the wake word and
neither head fires. :class:`MelNet` reads the log-mel frames the embedding is computed
from (32 bands, 10 ms apart, the detector makes them anyway) over the last
:attr:`MelNet.frames` frames, so it can learn to hear a voice through the music
itself. ``bench/train_wake_mel.py`` trains it on the music head's training material.

Like the head it is versioned data: an ``.npz`` (``allow_pickle=False``) with the
layers, the input normalisation, the wake model it belongs to and a format version;
its SHA-256 is checked before use. Inference is numpy only (im2col and one matrix
product per layer), about 6 million multiply-adds per 80 ms step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from speaker.errors import ModelError
from speaker.wake_head import check_shipped_file

__all__ = ["MEL_BANDS", "MEL_FORMAT_VERSION", "MEL_PER_STEP", "ConvLayer", "MelNet",
           "mel_net_path", "save_mel_net"]

MEL_FORMAT_VERSION = 1
MEL_BANDS = 32
MEL_PER_STEP = 8
"""Mel frames openWakeWord adds per 80 ms step."""

_ASSETS = Path(__file__).resolve().parent / "assets"
_SHIPPED_SHA256 = {
    "hey_jarvis_mel_net.npz":
        "a58b036bd58de40ebbb8b01886a6c7593ce5ca8332f2526309dba70b4c1581b2",
}


def mel_net_path(wake_model: str) -> Path:
    """The shipped network file for ``wake_model`` (it may not exist)."""
    return _ASSETS / f"{wake_model}_mel_net.npz"


@dataclass(frozen=True)
class ConvLayer:
    """``maxpool(relu(conv(x)))``: 2-D convolution over (time, band) with zero padding."""

    weight: np.ndarray
    """(out_channels, in_channels, kernel_time, kernel_band)."""
    bias: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int]
    pool: tuple[int, int]
    """Non-overlapping max pooling over (time, band); (1, 1) for none."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out_c, in_c, kt, kb = self.weight.shape
        pt, pb = self.padding
        x = np.pad(x, ((0, 0), (0, 0), (pt, pt), (pb, pb)))
        patches = sliding_window_view(x, (kt, kb), axis=(2, 3))
        patches = patches[:, :, :: self.stride[0], :: self.stride[1]]
        n, _, t, b = patches.shape[:4]
        cols = patches.transpose(0, 2, 3, 1, 4, 5).reshape(n * t * b, in_c * kt * kb)
        y = cols @ self.weight.reshape(out_c, -1).T + self.bias
        y = np.maximum(y, 0.0).reshape(n, t, b, out_c).transpose(0, 3, 1, 2)
        qt, qb = self.pool
        if (qt, qb) != (1, 1):
            y = y[:, :, : t - t % qt, : b - b % qb]
            y = y.reshape(n, out_c, t // qt, qt, b // qb, qb).max(axis=(3, 5))
        return y


@dataclass(frozen=True)
class MelNet:
    """Convolutions, a max over time, then one linear unit and a sigmoid."""

    wake_model: str
    frames: int
    """Mel frames (10 ms each) in a window, newest last."""
    mean: float
    scale: float
    """Input normalisation: ``(mel - mean) * scale``."""
    layers: tuple[ConvLayer, ...]
    w_out: np.ndarray
    """(channels * bands left after the last layer,)."""
    b_out: float

    @classmethod
    def load(cls, path: Path, check_sha256: bool = True) -> MelNet:
        """Read a network saved by :func:`save_mel_net`; refuse other versions or a
        changed file."""
        check_shipped_file(path, _SHIPPED_SHA256 if check_sha256 else {}, "Wake mel network",
                           "reinstall encore or set wake.mel_net = false")
        try:
            with np.load(path, allow_pickle=False) as data:
                version = int(data["format_version"])
                if version != MEL_FORMAT_VERSION:
                    raise ModelError(f"Wake mel network {path} has format version {version};"
                                     f" this encore reads version {MEL_FORMAT_VERSION}. "
                                     "Retrain it with bench/train_wake_mel.py.")
                layers = tuple(
                    ConvLayer(weight=data[f"w{i}"].astype(np.float32),
                              bias=data[f"b{i}"].astype(np.float32),
                              stride=(int(data[f"s{i}"][0]), int(data[f"s{i}"][1])),
                              padding=(int(data[f"p{i}"][0]), int(data[f"p{i}"][1])),
                              pool=(int(data[f"q{i}"][0]), int(data[f"q{i}"][1])))
                    for i in range(int(data["n_layers"])))
                net = cls(wake_model=str(data["wake_model"]), frames=int(data["frames"]),
                          mean=float(data["mean"]), scale=float(data["scale"]),
                          layers=layers, w_out=data["w_out"].astype(np.float32),
                          b_out=float(data["b_out"]))
            net.score(np.ones((1, net.frames, MEL_BANDS), np.float32))  # shapes fit
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"Cannot read wake mel network {path}: {exc}; retrain it with "
                             "bench/train_wake_mel.py.") from exc
        return net

    def score(self, windows: np.ndarray) -> np.ndarray:
        """Probabilities (0-1) for mel windows shaped (n, frames, 32)."""
        if windows.shape[1:] != (self.frames, MEL_BANDS):
            raise ValueError(f"expected windows of ({self.frames}, {MEL_BANDS}) mel frames, "
                             f"got {windows.shape[1:]}")
        x = ((windows.astype(np.float32) - self.mean) * self.scale)[:, None]
        for layer in self.layers:
            x = layer(x)
        pooled = x.max(axis=2).reshape(len(x), -1)
        logit = pooled @ self.w_out + self.b_out
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))))


def save_mel_net(path: Path, net: MelNet) -> str:
    """Write ``net`` as ``.npz``; returns the file's SHA-256 (to pin in this module)."""
    arrays: dict[str, Any] = {
        "format_version": np.int64(MEL_FORMAT_VERSION), "wake_model": np.str_(net.wake_model),
        "frames": np.int64(net.frames), "mean": np.float32(net.mean),
        "scale": np.float32(net.scale), "n_layers": np.int64(len(net.layers)),
        "w_out": net.w_out.astype(np.float32), "b_out": np.float32(net.b_out)}
    for i, layer in enumerate(net.layers):
        arrays |= {f"w{i}": layer.weight.astype(np.float32),
                   f"b{i}": layer.bias.astype(np.float32),
                   f"s{i}": np.array(layer.stride, np.int64),
                   f"p{i}": np.array(layer.padding, np.int64),
                   f"q{i}": np.array(layer.pool, np.int64)}
    np.savez(path, **arrays)
    return hashlib.sha256(path.read_bytes()).hexdigest()
