"""Training clips for wake-word heads, as audio with the wake phrase's position.

The clip makers of :mod:`bench.train_wake_head` (the embedding head) and
:mod:`bench.train_wake_mel` (the mel-spectrogram model) share these; each script
turns a :class:`Rendered` clip into its own features, reads the per-step labels from
:func:`step_labels` and replays the detector's rules with :func:`run_min` and
:func:`count_fires`. The random draws are in the order the head script made them
before these were shared, so its seeds still render the same clips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench.voices import Voice, speak
from bench.wake_train_data import NEG_TEXT, REQUESTS, WAKE_FORMS, background, mix, wake_speech
from speaker.audio import FRAME_SAMPLES, RATE_HZ, to_int16

__all__ = ["STEP_S", "Rendered", "confusable", "count_fires", "negative", "positive", "run_min",
           "step_labels"]

STEP_S = FRAME_SAMPLES / RATE_HZ
"""One detector step (80 ms)."""

POSITIVE_AFTER_S = 0.56
"""Steps ending up to this long after the wake phrase ends are positives."""
IGNORE_AFTER_S = 1.6
"""Steps from the phrase's start to this long after its end, other than positives, are
neither positive nor negative (a partial phrase, or the request right after it)."""


@dataclass(frozen=True)
class Rendered:
    pcm: np.ndarray
    """int16, 16 kHz mono."""
    group: str
    """"pos-clean", "pos-music" or "neg" (callers may relabel, e.g. "pos-low")."""
    wake_s: tuple[float, float] | None = None
    """Start and end of the wake phrase in seconds of ``pcm``; None for negatives."""


def positive(voice: Voice, rng: np.random.Generator, voices: Sequence[Voice],
             snr_db: float | None) -> Rendered:
    """"hey jarvis[, request]" after 0.6-2.5 s, clean or over training background."""
    wake = wake_speech(str(rng.choice(WAKE_FORMS)), voice)
    gap = np.zeros(int(rng.uniform(0.05, 0.4) * RATE_HZ), np.float32)
    request = speak(str(rng.choice(REQUESTS)), voice) if rng.random() < 0.8 else gap
    lead_s = float(rng.uniform(0.6, 2.5))
    lead = int(lead_s * RATE_HZ)
    speech = np.concatenate([np.zeros(lead, np.float32), wake, gap, request,
                             np.zeros(RATE_HZ, np.float32)])
    bg = None if snr_db is None else background(len(speech) / RATE_HZ + 1, rng, voices)
    pcm = to_int16(mix(speech, bg, snr_db or 0.0, lead, rng))
    return Rendered(pcm, "pos-clean" if snr_db is None else "pos-music",
                    (lead_s, lead_s + len(wake) / RATE_HZ))


def negative(voice: Voice, rng: np.random.Generator, voices: Sequence[Voice]) -> Rendered:
    """Background alone (a quarter) or training sentences, half of them over background."""
    kind = rng.random()
    if kind < 0.25:
        audio = background(float(rng.uniform(20, 40)), rng, voices)
        audio = audio * float(rng.uniform(0.2, 1.0))
    else:
        text = ". ".join(str(t) for t in rng.choice(NEG_TEXT, 6))
        audio = np.concatenate([np.zeros(RATE_HZ // 2, np.float32), speak(text, voice),
                                np.zeros(RATE_HZ // 2, np.float32)])
        if kind > 0.45:
            bg = background(len(audio) / RATE_HZ + 1, rng, voices)
            audio = mix(audio, bg, float(rng.uniform(-5, 20)), RATE_HZ // 2, rng)
    return Rendered(to_int16(audio), "neg")


def confusable(voice: Voice, rng: np.random.Generator, voices: Sequence[Voice], name: str,
               snr_db: float | None) -> Rendered:
    """A sound-alike said like the wake word: "hey <name>, <request>" and variants."""
    form = rng.integers(0, 4)
    request = str(rng.choice(REQUESTS))
    text = (f"hey {name}, {request}", f"hey {name}", f"{name}, {request}",
            f"oh hey {name}")[form]
    lead = int(rng.uniform(0.5, 1.5) * RATE_HZ)
    speech = np.concatenate([np.zeros(lead, np.float32), speak(text, voice),
                             np.zeros(RATE_HZ, np.float32)])
    bg = None if snr_db is None else background(len(speech) / RATE_HZ + 1, rng, voices)
    return Rendered(to_int16(mix(speech, bg, snr_db or 0.0, lead, rng)), "neg")


def step_labels(clip: Rendered, steps: int) -> np.ndarray:
    """Per 80 ms step: 1 positive, 0 negative, -1 ignored (see the constants above)."""
    label = np.zeros(steps, np.int8)
    if clip.wake_s is None:
        return label
    start_s, end_s = clip.wake_s
    ends = (np.arange(steps) + 1) * STEP_S
    label[(ends > start_s) & (ends < end_s + IGNORE_AFTER_S)] = -1
    label[(ends >= end_s) & (ends <= end_s + POSITIVE_AFTER_S)] = 1
    return label


def run_min(scores: np.ndarray, steps: int) -> np.ndarray:
    """Per step, the lowest score of the last ``steps`` steps, the first 5 steps' scores
    taken as 0: the detector's run rule for a music network, replayed."""
    raw = scores.copy()
    raw[:5] = 0.0
    out = raw.copy()
    for lag in range(1, steps):
        out[lag:] = np.minimum(out[lag:], raw[:-lag])
        out[:lag] = 0.0
    return out


def count_fires(hit: np.ndarray, refractory_s: float) -> int:
    """Firings of a per-step ``hit`` mask when each firing silences ``refractory_s``."""
    count, quiet = 0, -1
    for i in np.nonzero(hit)[0].tolist():
        if i >= quiet:
            count += 1
            quiet = i + int(refractory_s / STEP_S)
    return count
