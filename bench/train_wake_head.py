"""Train the music head for ``hey_jarvis`` (``speaker/assets/hey_jarvis_music_head.npz``).

The head is a one-hidden-layer network over the same 16 x 96 openWakeWord embedding
window the stock model scores (see :mod:`speaker.wake_head`). Training data is made
here and never overlaps the test material:

* voices: espeak-ng base voices combined with variants no test uses (``+m1``,
  ``+klatt3``, ``+Andy`` ...) at other speeds and pitches; every voice of
  ``bench.voices.VOICES``, ``bench.wake_audio.NEGATIVE_VOICES`` and
  ``audio_assets/corpus_voices.py`` (plus its Piper voice, not used at all) is
  excluded, and no test variant (``f2 f3 f4 m3``) is used with any base voice;
* music: :func:`bench.wake_train_data.train_music`, a different generator from the bench's
  ``synth_music`` (other instruments: band-limited saw/square pads, plucked
  Karplus-Strong arpeggios, swept kicks, a formant-synthesised "singer"; other
  drum patterns; random low-pass and echo), seeds drawn from this script's own
  generator; the library tracks are never read; plus white/pink/brown noise and
  babble of training voices;
* text: its own requests, its own negative sentences, and "hey <name>, <request>"
  sound-alikes from ``CONFUSABLE_NAMES`` (a quarter of the names held out).

The material lives in :mod:`bench.wake_train_data`; this module extracts features,
fits and reports.

Voices are split once into training and held-out voices; the head threshold is
chosen on the held-out voices' clips (false accepts on held-out negatives first,
then recall over music), never on the bench or the corpus.

Since session 5 the head has 128 hidden units and 1,200 extra training positives at
-8 to 5 dB SNR (the hard case: music as loud as the voice), with 150 held-out ones
reported as "low SNR"; with ``--hidden 64 --extra-positives 0 --extra-held 0`` it trains
the session 2-4 head.

Run: ``python -m bench.train_wake_head`` (about 25 min on one core; ``--cache``,
``--confusable-cache`` and ``--extra-cache`` keep the features for refits); it prints the
SHA-256 to pin in ``speaker/wake_head.py`` and the held-out table.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

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
from speaker.wake_head import WakeHead, head_path, save_head
from speaker.wakeword import WakeWordDetector

__all__ = ["main"]

logger = logging.getLogger(__name__)


@dataclass
class _Clip:
    windows: np.ndarray  # (frames, 16, 96)
    stock: np.ndarray  # (frames,)
    label: np.ndarray  # 1 positive, 0 negative, -1 ignore
    group: str  # "pos-clean", "pos-music", "neg"


def _stream(detector: WakeWordDetector, pcm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    detector.reset()
    wins, stock = [], []
    for start in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        detector.process(Frame(pcm[start : start + FRAME_SAMPLES], start / RATE_HZ, "train"))
        wins.append(detector.windows(1)[0])
        stock.append(detector.last_score)
    return np.asarray(wins, np.float16), np.asarray(stock, np.float32)


def _embedded(detector: WakeWordDetector, clip: Rendered) -> _Clip:
    wins, stock = _stream(detector, clip.pcm)
    return _Clip(wins, stock, step_labels(clip, len(stock)), clip.group)


def _positive(detector: WakeWordDetector, voice: Voice, rng: np.random.Generator,
              voices: Sequence[Voice], snr_db: float | None) -> _Clip:
    return _embedded(detector, positive(voice, rng, voices, snr_db))


def _negative(detector: WakeWordDetector, voice: Voice, rng: np.random.Generator,
              voices: Sequence[Voice]) -> _Clip:
    return _embedded(detector, negative(voice, rng, voices))


def _confusable(detector: WakeWordDetector, voice: Voice, rng: np.random.Generator,
                voices: Sequence[Voice], name: str, snr_db: float | None) -> _Clip:
    return _embedded(detector, confusable(voice, rng, voices, name, snr_db))


def _confusables(voices: Sequence[Voice], names: Sequence[str], count: int,
                 seed: int) -> list[_Clip]:
    rng = np.random.default_rng(seed)
    detector = WakeWordDetector(WakeSettings(music_head=False, mel_net=False))
    return [_confusable(detector, voices[k % len(voices)], rng, voices,
                        names[int(rng.integers(len(names)))],
                        None if k % 2 == 0 else float(rng.uniform(-5, 20)))
            for k in range(count)]


def _low_snr_positives(voices: Sequence[Voice], count: int, snr_db: tuple[float, float],
                       seed: int, group: str) -> list[_Clip]:
    """``count`` positives over training music/noise at SNR uniform in ``snr_db``."""
    rng = np.random.default_rng(seed)
    detector = WakeWordDetector(WakeSettings(music_head=False, mel_net=False))
    clips = []
    for k in range(count):
        clip = _positive(detector, voices[k % len(voices)], rng, voices,
                         float(rng.uniform(*snr_db)))
        clip.group = group
        clips.append(clip)
    return clips


def _cached(path: Path | None, make: Callable[[], tuple[list[_Clip], list[_Clip]]]
            ) -> tuple[list[_Clip], list[_Clip]]:
    if path is not None and path.is_file():
        return _load_clips(path)
    train, held = make()
    if path is not None:
        _save_clips(path, train, held)
    return train, held


def _dataset(voices: Sequence[Voice], n_pos: int, n_neg: int, seed: int) -> list[_Clip]:
    rng = np.random.default_rng(seed)
    detector = WakeWordDetector(WakeSettings(music_head=False, mel_net=False))
    clips = []
    for k in range(n_pos):
        snr = None if k % 4 == 0 else float(rng.uniform(-5, 20))
        clips.append(_positive(detector, voices[k % len(voices)], rng, voices, snr))
    for k in range(n_neg):
        clips.append(_negative(detector, voices[k % len(voices)], rng, voices))
    return clips


def _save_clips(path: Path, train: list[_Clip], held: list[_Clip]) -> None:
    clips = train + held
    np.savez(path, windows=np.concatenate([c.windows for c in clips]),
             stock=np.concatenate([c.stock for c in clips]),
             label=np.concatenate([c.label for c in clips]),
             lengths=np.array([len(c.stock) for c in clips]),
             groups=np.array([c.group for c in clips]), n_train=np.int64(len(train)))


def _load_clips(path: Path) -> tuple[list[_Clip], list[_Clip]]:
    with np.load(path, allow_pickle=False) as data:
        bounds = np.concatenate([[0], np.cumsum(data["lengths"])])
        windows, stock, label = data["windows"], data["stock"], data["label"]
        clips = [_Clip(windows[a:b], stock[a:b], label[a:b], str(g))
                 for a, b, g in zip(bounds[:-1], bounds[1:], data["groups"], strict=True)]
        n_train = int(data["n_train"])
    return clips[:n_train], clips[n_train:]


def _fit(clips: list[_Clip], hidden: int, epochs: int, seed: int,
         neg_emphasis: float = 4.0) -> WakeHead:
    """Train on every labelled window; positives weigh 1/``neg_emphasis`` of balance."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    x = np.concatenate([c.windows[c.label >= 0] for c in clips]).reshape(-1, 1536)
    y = np.concatenate([c.label[c.label >= 0] for c in clips]).astype(np.float32)
    x32 = x.astype(np.float32)
    mean = x32.mean(axis=0)
    scale = 1.0 / (x32.std(axis=0) + 1e-3)
    xt = torch.from_numpy((x32 - mean) * scale)
    yt = torch.from_numpy(y)
    lin1, lin2 = torch.nn.Linear(1536, hidden), torch.nn.Linear(hidden, 1)
    net = torch.nn.Sequential(lin1, torch.nn.ReLU(), torch.nn.Dropout(0.3), lin2)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    pos_weight = torch.tensor(float((y == 0).sum()) / max(1.0, float(y.sum())) / neg_emphasis)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(order), 256):
            idx = order[i : i + 256]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]).squeeze(1), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        logger.info("epoch %d loss %.4f", epoch, total / len(xt))
    net.eval()
    return WakeHead(wake_model="hey_jarvis", mean=mean, scale=scale,
                    w1=lin1.weight.detach().numpy().T.copy(), b1=lin1.bias.detach().numpy(),
                    w2=lin2.weight.detach().numpy()[0].copy(),
                    b2=float(lin2.bias.detach().numpy()[0]))


def _report(head: WakeHead, clips: list[_Clip], stock_threshold: float, frames: int,
            thresholds: Sequence[float]) -> None:
    neg_hours = sum(len(c.stock) for c in clips if c.group == "neg") * STEP_S / 3600
    print(f"held-out: {sum(c.group != 'neg' for c in clips)} positives, "
          f"{neg_hours:.2f} h negatives")
    groups = ("pos-clean", "pos-music") + (("pos-low",) if any(
        c.group == "pos-low" for c in clips) else ())
    low = " FRR low SNR |" if len(groups) == 3 else ""
    print(f"| detector ({frames} steps) | FRR clean | FRR music/noise |{low} false accepts |")
    print("|---|---|---|---|" + ("---|" if low else ""))
    scored = [(c, run_min(head.score(c.windows.astype(np.float32)), frames))
              for c in clips]
    for t in (None, *thresholds):
        cells = []
        for group in groups:
            group_clips = [(c, h) for c, h in scored if c.group == group]
            miss = sum(not _fires(c, h, stock_threshold, t, c.label != 0)
                       for c, h in group_clips)
            cells.append(f"{miss}/{len(group_clips)}")
        fa = sum(_accepts(c, h, stock_threshold, t) for c, h in scored if c.group == "neg")
        name = "stock" if t is None else f"stock or head >= {t:.3f}"
        print(f"| {name} | {' | '.join(cells)} | {fa} |")


def _fires(clip: _Clip, head: np.ndarray, stock_t: float, head_t: float | None,
           mask: np.ndarray) -> bool:
    hit = clip.stock >= stock_t
    if head_t is not None:
        hit = hit | (head >= head_t)
    hit[:5] = False
    return bool(np.any(hit & mask))


def _accepts(clip: _Clip, head: np.ndarray, stock_t: float, head_t: float | None) -> int:
    hit = clip.stock >= stock_t
    if head_t is not None:
        hit = hit | (head >= head_t)
    hit[:5] = False
    return count_fires(hit, WakeSettings().refractory_s)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="train_wake_head", description=__doc__.split("\n")[0])
    parser.add_argument("--voices", type=int, default=72, help="training-side voices")
    parser.add_argument("--held-out-voices", type=int, default=16)
    parser.add_argument("--positives", type=int, default=1200)
    parser.add_argument("--negatives", type=int, default=600,
                        help="negative clips (~17 s each; held-out: half as many)")
    parser.add_argument("--confusables", type=int, default=800,
                        help="'hey <name>' negative clips (held-out: half as many)")
    parser.add_argument("--hidden", type=int, default=128, help="session 2-4 heads: 64")
    parser.add_argument("--neg-emphasis", type=float, default=64.0,
                        help="positives weigh 1/this of a balanced loss")
    parser.add_argument("--frames", type=int, default=2,
                        help="consecutive 80 ms steps the head must agree on")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--out", type=Path, default=head_path("hey_jarvis"))
    parser.add_argument("--cache", type=Path, default=None,
                        help="reuse/store extracted features in this .npz")
    parser.add_argument("--confusable-cache", type=Path, default=None,
                        help="reuse/store the confusables' features in this .npz")
    parser.add_argument("--extra-positives", type=int, default=1200,
                        help="extra training positives at --extra-snr (hard case)")
    parser.add_argument("--extra-held", type=int, default=150,
                        help="held-out positives at --extra-snr, reported as 'low SNR'")
    parser.add_argument("--extra-snr", type=float, nargs=2, default=(-8.0, 5.0),
                        metavar=("LO_DB", "HI_DB"))
    parser.add_argument("--extra-cache", type=Path, default=None,
                        help="reuse/store the extra positives' features in this .npz")
    parser.add_argument("--eval", type=Path, default=None,
                        help="report this saved head on the held-out clips instead of training")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = np.random.default_rng(args.seed)
    voices = train_voices(rng, args.voices + args.held_out_voices)
    train_v, held_v = voices[: args.voices], voices[args.voices :]
    if args.cache is not None and args.cache.is_file():
        train, held = _load_clips(args.cache)
    else:
        logger.info("rendering and embedding training clips")
        train = _dataset(train_v, args.positives, args.negatives, args.seed + 1)
        logger.info("rendering and embedding held-out clips")
        held = _dataset(held_v, args.positives // 4, args.negatives // 2, args.seed + 2)
        if args.cache is not None:
            _save_clips(args.cache, train, held)
    if args.confusables > 0:
        def confusables() -> tuple[list[_Clip], list[_Clip]]:
            logger.info("rendering and embedding confusables")
            return (_confusables(train_v, TRAIN_NAMES, args.confusables, args.seed + 3),
                    _confusables(held_v, HELD_OUT_NAMES, args.confusables // 2, args.seed + 4))

        conf_train, conf_held = _cached(args.confusable_cache, confusables)
        train += conf_train
        held += conf_held
    if args.extra_positives > 0 or args.extra_held > 0:
        snr = (args.extra_snr[0], args.extra_snr[1])

        def extra() -> tuple[list[_Clip], list[_Clip]]:
            logger.info("rendering and embedding extra positives at %s dB", snr)
            return (_low_snr_positives(train_v, args.extra_positives, snr, args.seed + 5,
                                       "pos-music"),
                    _low_snr_positives(held_v, args.extra_held, snr, args.seed + 6,
                                       "pos-low"))

        extra_train, extra_held = _cached(args.extra_cache, extra)
        train += extra_train[: args.extra_positives]
        held += extra_held[: args.extra_held]
    if args.eval is not None:
        _report(WakeHead.load(args.eval, check_sha256=False), held,
                WakeSettings().threshold, args.frames,
                (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999))
        return 0
    head = _fit(train, args.hidden, args.epochs, args.seed, args.neg_emphasis)
    _report(head, held, WakeSettings().threshold, args.frames,
            (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999))
    digest = save_head(args.out, head)
    print(f"wrote {args.out} sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
