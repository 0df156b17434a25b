"""Train the mel-spectrogram wake network (``speaker/assets/hey_jarvis_mel_net.npz``).

The material is the music head's (:mod:`bench.train_wake_head` explains why it shares
nothing with the bench or the corpus): the same 72 training and 16 held-out voices,
the same kinds of clips (:mod:`bench.wake_train_clips`), here each clip drawn from its
own seed so two worker processes can render them. Each clip is streamed through the
shipped detector, which records per 80 ms step the stock score, the music head's score
and the newest 8 mel frames (the first step after a reset adds only 5; the other 3 are
the buffer's starting ones, which is also what windows are padded with). The network
(:class:`speaker.wake_mel.MelNet`) is trained with torch on windows of those frames and
reported, through its numpy inference, on the held-out voices against the detector as
it ships. The cache keeps the frames as float16, so the held-out table can differ from
the speaker's float32 scores in the last digits.

Run: ``python -m bench.train_wake_mel --cache out/mel.npz`` (rendering about 9 min on two
cores, once; training about 15 min on two threads); it prints the held-out table and the
SHA-256 to pin in ``speaker/wake_mel.py``. Training with two torch threads is not
bit-for-bit repeatable, so a retrained network has another SHA-256.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.voices import Voice
from bench.wake_train_clips import (
    STEP_S,
    Rendered,
    confusable,
    count_fires,
    negative,
    positive,
    run_min,
    step_labels,
)
from bench.wake_train_data import HELD_OUT_NAMES, TRAIN_NAMES, train_voices
from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame
from speaker.config import WakeSettings
from speaker.wake_mel import MEL_BANDS, MEL_PER_STEP, ConvLayer, MelNet, mel_net_path, save_mel_net
from speaker.wakeword import WakeWordDetector

__all__ = ["main", "to_mel_net", "torch_net"]

logger = logging.getLogger(__name__)

_KINDS = ("positive", "low", "negative", "confusable")


@dataclass(frozen=True)
class _Job:
    kind: str
    index: int
    held: bool
    seed: int


@dataclass
class _Clip:
    mel: np.ndarray  # (steps * 8, 32) float16
    stock: np.ndarray  # (steps,)
    head: np.ndarray  # (steps,) the shipped music head, run-scored as the detector does
    label: np.ndarray  # 1 positive, 0 negative, -1 ignore
    group: str


_worker: dict[str, Any] = {}


def _render(job: _Job, voices: Sequence[Voice]) -> Rendered:
    rng = np.random.default_rng([job.seed, _KINDS.index(job.kind), int(job.held), job.index])
    voice = voices[job.index % len(voices)]
    if job.kind == "positive":
        snr = None if job.index % 4 == 0 else float(rng.uniform(-5, 20))
        return positive(voice, rng, voices, snr)
    if job.kind == "low":
        clip = positive(voice, rng, voices, float(rng.uniform(-8, 5)))
        return Rendered(clip.pcm, "pos-low" if job.held else "pos-music", clip.wake_s)
    if job.kind == "negative":
        return negative(voice, rng, voices)
    names = HELD_OUT_NAMES if job.held else TRAIN_NAMES
    return confusable(voice, rng, voices, names[int(rng.integers(len(names)))],
                      None if job.index % 2 == 0 else float(rng.uniform(-5, 20)))


def _features(job: _Job) -> _Clip:
    voices = _worker["held" if job.held else "train"]
    detector: WakeWordDetector = _worker["detector"]
    clip = _render(job, voices)
    detector.reset()
    mel, stock, head = [], [], []
    for start in range(0, len(clip.pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        detector.process(Frame(clip.pcm[start : start + FRAME_SAMPLES], start / RATE_HZ, "t"))
        mel.append(detector.mel_frames(MEL_PER_STEP))
        stock.append(detector.last_score)
        head.append(detector.last_head_score)
    return _Clip(np.concatenate(mel).astype(np.float16), np.asarray(stock, np.float32),
                 np.asarray(head, np.float32), step_labels(clip, len(stock)), clip.group)


def _init_worker(train: list[Voice], held: list[Voice]) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    detector = WakeWordDetector(WakeSettings(mel_net=False))
    _worker.update(train=train, held=held, detector=detector)


def _jobs(counts: dict[str, int], held: bool, seed: int) -> list[_Job]:
    return [_Job(kind, k, held, seed) for kind in _KINDS for k in range(counts[kind])]


def _render_all(jobs: list[_Job], train: list[Voice], held: list[Voice],
                workers: int) -> list[_Clip]:
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(train, held)) as pool:
        clips = []
        for k, clip in enumerate(pool.map(_features, jobs, chunksize=8)):
            clips.append(clip)
            if k % 200 == 0:
                logger.info("rendered %d/%d clips", k, len(jobs))
        return clips


def _save(path: Path, clips: list[_Clip], n_train: int) -> None:
    np.savez(path, mel=np.concatenate([c.mel for c in clips]),
             stock=np.concatenate([c.stock for c in clips]),
             head=np.concatenate([c.head for c in clips]),
             label=np.concatenate([c.label for c in clips]),
             lengths=np.array([len(c.stock) for c in clips]),
             groups=np.array([c.group for c in clips]), n_train=np.int64(n_train))


def _load(path: Path) -> tuple[list[_Clip], list[_Clip]]:
    with np.load(path, allow_pickle=False) as data:
        bounds = np.concatenate([[0], np.cumsum(data["lengths"])])
        mel, stock, head, label = data["mel"], data["stock"], data["head"], data["label"]
        clips = [_Clip(mel[a * MEL_PER_STEP : b * MEL_PER_STEP], stock[a:b], head[a:b],
                       label[a:b], str(g))
                 for a, b, g in zip(bounds[:-1], bounds[1:], data["groups"], strict=True)]
        n_train = int(data["n_train"])
    return clips[:n_train], clips[n_train:]


class _Windows:
    """Every step's window of ``frames`` mel rows, the rows before a clip being ones
    (what the detector's buffer holds after a reset)."""

    def __init__(self, clips: list[_Clip], frames: int) -> None:
        pad = np.ones((frames, MEL_BANDS), np.float16)
        parts, ends, labels = [], [], []
        offset = 0
        for clip in clips:
            parts += [pad, clip.mel]
            steps = len(clip.label)
            ends.append(offset + frames + (np.arange(steps) + 1) * MEL_PER_STEP)
            labels.append(clip.label)
            offset += frames + len(clip.mel)
        self.rows = np.concatenate(parts)
        self.ends = np.concatenate(ends)
        self.labels = np.concatenate(labels)
        self.frames = frames

    def take(self, steps: np.ndarray) -> np.ndarray:
        index = self.ends[steps, None] - self.frames + np.arange(self.frames)
        return self.rows[index].astype(np.float32)


def torch_net(frames: int) -> Any:
    """The trained architecture; :func:`to_mel_net` turns it into a :class:`MelNet`."""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.convs = nn.ModuleList([
                nn.Conv2d(1, 16, (5, 3), stride=(2, 1), padding=(2, 1)),
                nn.Conv2d(16, 32, 3, padding=1), nn.Conv2d(32, 32, 3, padding=1),
                nn.Conv2d(32, 64, 3, padding=1)])
            self.pools = [(2, 2), (2, 2), (2, 2), (1, 1)]
            self.drop = nn.Dropout(0.3)
            self.out = nn.Linear(64 * MEL_BANDS // 8, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = x[:, None]
            for conv, pool in zip(self.convs, self.pools, strict=True):
                x = torch.relu(conv(x))
                if pool != (1, 1):
                    x = nn.functional.max_pool2d(x, pool)
            x = x.amax(dim=2).flatten(1)
            return self.out(self.drop(x)).squeeze(1)

    return Net()


def to_mel_net(net: Any, frames: int, mean: float, scale: float) -> MelNet:
    layers = tuple(
        ConvLayer(weight=conv.weight.detach().numpy().copy(),
                  bias=conv.bias.detach().numpy().copy(),
                  stride=tuple(conv.stride), padding=tuple(conv.padding), pool=pool)
        for conv, pool in zip(net.convs, net.pools, strict=True))
    return MelNet(wake_model="hey_jarvis", frames=frames, mean=mean, scale=scale,
                  layers=layers, w_out=net.out.weight.detach().numpy()[0].copy(),
                  b_out=float(net.out.bias.detach().numpy()[0]))


def _fit(windows: _Windows, epochs: int, seed: int, neg_emphasis: float,
         neg_fraction: float) -> MelNet:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    sample = windows.take(rng.choice(len(windows.ends), 2000))
    mean, scale = float(sample.mean()), float(1.0 / (sample.std() + 1e-3))
    net = torch_net(windows.frames)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    pos = np.nonzero(windows.labels == 1)[0]
    neg = np.nonzero(windows.labels == 0)[0]
    pos_weight = torch.tensor(len(neg) / len(pos) / neg_emphasis)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    for epoch in range(epochs):
        net.train()
        steps = np.concatenate([pos, rng.choice(neg, int(len(neg) * neg_fraction), False)])
        rng.shuffle(steps)
        total = 0.0
        for i in range(0, len(steps), 256):
            batch = steps[i : i + 256]
            x = torch.from_numpy((windows.take(batch) - mean) * scale)
            y = torch.from_numpy((windows.labels[batch] == 1).astype(np.float32))
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        logger.info("epoch %d loss %.4f", epoch, total / len(steps))
    net.eval()
    return to_mel_net(net, windows.frames, mean, scale)


def _report(net: MelNet, clips: list[_Clip], steps: int, thresholds: Sequence[float]) -> None:
    windows = _Windows(clips, net.frames)
    scores = np.concatenate([net.score(windows.take(np.arange(i, min(i + 512, len(windows.ends)))))
                             for i in range(0, len(windows.ends), 512)])
    bounds = np.concatenate([[0], np.cumsum([len(c.label) for c in clips])])
    mel = [run_min(scores[a:b], steps) for a, b in itertools.pairwise(bounds)]
    settings = WakeSettings()
    groups = ("pos-clean", "pos-music", "pos-low")
    neg_h = sum(len(c.label) for c in clips if c.group == "neg") * STEP_S / 3600
    print(f"held-out: {sum(c.group != 'neg' for c in clips)} positives, {neg_h:.2f} h negatives")
    print(f"| first stage ({steps} mel steps) | " + " | ".join(f"FRR {g}" for g in groups)
          + " | false accepts |")
    print("|---|---|---|---|---|")
    for t in (None, *thresholds):
        cells = []
        for group in groups:
            members = [(c, m) for c, m in zip(clips, mel, strict=True) if c.group == group]
            miss = 0
            for clip, m in members:
                hit = (clip.stock >= settings.threshold) | (
                    clip.head >= settings.music_head_threshold)
                if t is not None:
                    hit = hit | (m >= t)
                miss += not bool(np.any(hit & (clip.label != 0)))
            cells.append(f"{miss}/{len(members)}")
        fa = 0
        for clip, m in zip(clips, mel, strict=True):
            if clip.group != "neg":
                continue
            hit = (clip.stock >= settings.threshold) | (clip.head >= settings.music_head_threshold)
            fa += count_fires(hit | (m >= t) if t is not None else hit, settings.refractory_s)
        name = "stock or head (no mel network)" if t is None else f"+ mel >= {t:.3f}"
        print(f"| {name} | {' | '.join(cells)} | {fa} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="train_wake_mel", description=__doc__.split("\n")[0])
    parser.add_argument("--voices", type=int, default=72)
    parser.add_argument("--held-out-voices", type=int, default=16)
    parser.add_argument("--positives", type=int, default=1200)
    parser.add_argument("--low-positives", type=int, default=1200,
                        help="positives at -8..5 dB SNR (held-out: 150)")
    parser.add_argument("--negatives", type=int, default=600)
    parser.add_argument("--confusables", type=int, default=800)
    parser.add_argument("--frames", type=int, default=160, help="mel frames per window")
    parser.add_argument("--steps", type=int, default=WakeSettings().mel_net_steps,
                        help="consecutive 80 ms steps the network must agree on")
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--neg-emphasis", type=float, default=16.0)
    parser.add_argument("--neg-fraction", type=float, default=0.4,
                        help="share of negative windows drawn afresh each epoch")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=mel_net_path("hey_jarvis"))
    parser.add_argument("--eval", type=Path, default=None,
                        help="report this saved network on the held-out clips instead")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.cache is not None and args.cache.is_file():
        train, held = _load(args.cache)
    else:
        rng = np.random.default_rng(args.seed)
        voices = train_voices(rng, args.voices + args.held_out_voices)
        train_v, held_v = voices[: args.voices], voices[args.voices :]
        train_jobs = _jobs({"positive": args.positives, "low": args.low_positives,
                            "negative": args.negatives, "confusable": args.confusables},
                           False, args.seed)
        held_jobs = _jobs({"positive": args.positives // 4, "low": 150,
                           "negative": args.negatives // 2,
                           "confusable": args.confusables // 2}, True, args.seed)
        clips = _render_all(train_jobs + held_jobs, train_v, held_v, args.workers)
        train, held = clips[: len(train_jobs)], clips[len(train_jobs) :]
        if args.cache is not None:
            _save(args.cache, clips, len(train_jobs))
    thresholds = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995)
    if args.eval is not None:
        _report(MelNet.load(args.eval, check_sha256=False), held, args.steps, thresholds)
        return 0
    import torch

    torch.set_num_threads(args.workers)
    net = _fit(_Windows(train, args.frames), args.epochs, args.seed, args.neg_emphasis,
               args.neg_fraction)
    _report(net, held, args.steps, thresholds)
    digest = save_mel_net(args.out, net)
    print(f"wrote {args.out} sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
