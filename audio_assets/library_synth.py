"""Synthesis for the demo library: instruments, a mono mix bus and one arranger per style.

Everything is made from oscillators, filtered noise and Karplus-Strong strings at 22050 Hz;
a renderer takes a :class:`Style` and a seeded generator and returns a :class:`Mix`, which
:func:`master` turns into a finished track. ``make_library.py`` holds the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

__all__ = ["QUALITIES", "RATE_HZ", "RENDERERS", "TRACK_S", "Chord", "Mix", "Style", "master"]

RATE_HZ = 22050
TRACK_S = 14.0

Chord = tuple[int, str]  # (root in semitones above the key, quality)
QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "5": (0, 7, 12), "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10), "m9": (0, 3, 7, 10, 14), "maj9": (0, 4, 7, 11, 14),
    "sus2": (0, 2, 7),
}


def hz(midi: float) -> float:
    return float(440.0 * 2 ** ((midi - 69) / 12))


def chord_notes(key: int, chord: Chord, octave: int = 4) -> list[int]:
    root = 12 * (octave + 1) + key + chord[0]
    return [root + i for i in QUALITIES[chord[1]]]


# ---------------------------------------------------------------- instruments (mono float)

def _t(dur_s: float) -> np.ndarray:
    return np.arange(int(dur_s * RATE_HZ)) / RATE_HZ


def env_adsr(n: int, a_s: float, r_s: float) -> np.ndarray:
    env = np.ones(n)
    a, r = min(n, int(a_s * RATE_HZ)), min(n, int(r_s * RATE_HZ))
    if a:
        env[:a] = np.linspace(0, 1, a)
    if r:
        env[n - r:] *= np.linspace(1, 0, r)
    return env


def lowpass(x: np.ndarray, cutoff_hz: float, order: int = 2) -> np.ndarray:
    sos = butter(order, min(cutoff_hz, RATE_HZ * 0.45), "low", fs=RATE_HZ, output="sos")
    return np.asarray(sosfilt(sos, x))


def highpass(x: np.ndarray, cutoff_hz: float, order: int = 2) -> np.ndarray:
    sos = butter(order, cutoff_hz, "high", fs=RATE_HZ, output="sos")
    return np.asarray(sosfilt(sos, x))


def saw(freq: float, t: np.ndarray) -> np.ndarray:
    return 2.0 * ((freq * t) % 1.0) - 1.0


def keys(freq: float, dur_s: float, bright: float = 1.0) -> np.ndarray:
    """Piano-ish tone: decaying harmonics, upper ones dying faster."""
    t = _t(dur_s)
    out = np.zeros_like(t)
    for h, amp in enumerate((1.0, 0.5, 0.3, 0.18, 0.1, 0.06), start=1):
        if freq * h < RATE_HZ / 2.2:
            partial = np.sin(2 * np.pi * freq * h * t) * np.exp(-t * (1.5 + h))
            out += amp * bright ** (h - 1) * partial
    return out * env_adsr(len(t), 0.004, 0.05)


def epiano(freq: float, dur_s: float) -> np.ndarray:
    """Electric piano: two-operator FM with a decaying index."""
    t = _t(dur_s)
    index = 1.8 * np.exp(-t * 4)
    return np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * freq * t)) * np.exp(
        -t * 1.6) * env_adsr(len(t), 0.005, 0.08)


def organ(freq: float, dur_s: float) -> np.ndarray:
    t = _t(dur_s)
    drawbars = ((0.5, 0.6), (1, 1), (2, 0.5), (3, 0.25))
    tone = sum(a * np.sin(2 * np.pi * freq * m * t) for m, a in drawbars)
    return np.asarray(tone) * env_adsr(len(t), 0.01, 0.03)


def pad(freq: float, dur_s: float, cutoff_hz: float = 1400.0) -> np.ndarray:
    """Slow detuned-saw pad for ambient beds."""
    t = _t(dur_s)
    tone = sum(saw(freq * d, t) for d in (0.996, 1.0, 1.004))
    return lowpass(np.asarray(tone) / 3, cutoff_hz) * env_adsr(len(t), dur_s * 0.35, dur_s * 0.4)


def bass(freq: float, dur_s: float, cutoff_hz: float = 600.0) -> np.ndarray:
    t = _t(dur_s)
    tone = 0.7 * np.sin(2 * np.pi * freq * t) + 0.3 * lowpass(saw(freq, t), cutoff_hz)
    return tone * np.exp(-t * 2.5) * env_adsr(len(t), 0.005, 0.03)


def pluck(freq: float, dur_s: float, rng: np.random.Generator, damp: float = 0.996) -> np.ndarray:
    """Karplus-Strong string: a noise burst through a damped delay line."""
    n = int(dur_s * RATE_HZ)
    period = max(2, round(RATE_HZ / freq))
    excite = np.zeros(n)
    excite[:period] = lowpass(rng.uniform(-1, 1, period), 3000)[: min(period, n)]
    a = np.zeros(period + 2)
    a[0], a[period], a[period + 1] = 1.0, -damp / 2, -damp / 2
    return np.asarray(lfilter([1.0], a, excite)) * env_adsr(n, 0.0, 0.03)


def power_chord(freq: float, dur_s: float, drive: float, muted: bool = False) -> np.ndarray:
    t = _t(dur_s)
    raw = sum(saw(freq * r * d, t) for r in (1.0, 1.4983, 2.0) for d in (0.997, 1.003))
    dist = np.tanh(drive * np.asarray(raw) / 3)
    dist = lowpass(dist, 1200 if muted else 3200, order=4)
    decay = np.exp(-t * (14 if muted else 0.8))
    return dist * decay * env_adsr(len(t), 0.003, 0.04)


def kick(rng: np.random.Generator, punch: float = 1.0) -> np.ndarray:
    t = _t(0.35)
    f = 45 + 110 * np.exp(-t * 30) * punch
    return np.sin(2 * np.pi * np.cumsum(f) / RATE_HZ) * np.exp(-t * 9)


def snare(rng: np.random.Generator, tone_hz: float = 190.0) -> np.ndarray:
    t = _t(0.22)
    noise = highpass(rng.uniform(-1, 1, len(t)), 1500) * np.exp(-t * 22)
    return 0.8 * noise + 0.5 * np.sin(2 * np.pi * tone_hz * t) * np.exp(-t * 30)


def hat(rng: np.random.Generator, open_: bool = False) -> np.ndarray:
    t = _t(0.3 if open_ else 0.06)
    return highpass(rng.uniform(-1, 1, len(t)), 7000, order=4) * np.exp(-t * (9 if open_ else 60))


def ride(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.5)
    metal = sum(np.sin(2 * np.pi * f * t) for f in (3150, 4270, 5030, 6410))
    hiss = highpass(rng.uniform(-1, 1, len(t)), 5000)
    return (0.075 * np.asarray(metal) + 0.4 * hiss) * np.exp(-t * 6)


# ---------------------------------------------------------------- arrangement


class Mix:
    """A mono buffer that instruments are added into at times given in seconds."""

    def __init__(self, dur_s: float) -> None:
        self.buf = np.zeros(int(dur_s * RATE_HZ) + RATE_HZ)

    def add(self, at_s: float, sig: np.ndarray, gain: float) -> None:
        start = int(at_s * RATE_HZ)
        if start >= len(self.buf):
            return
        end = min(len(self.buf), start + len(sig))
        self.buf[start:end] += gain * sig[: end - start]

    def echo(self, delay_s: float, feedback: float) -> None:
        d = int(delay_s * RATE_HZ)
        a = np.zeros(d + 1)
        a[0], a[d] = 1.0, -feedback
        self.buf = np.asarray(lfilter([1.0], a, self.buf))


@dataclass(frozen=True)
class Style:
    genre: str
    bpm: float
    key: int  # semitone above C
    progression: tuple[Chord, ...]
    variant: int = 0


def _arrangement(style: Style) -> tuple[Mix, float, list[tuple[int, Chord, float]]]:
    """An empty mix, the beat length in seconds, and (bar index, chord, bar start in s) for
    enough 4/4 bars to fill the track."""
    beat = 60.0 / style.bpm
    bars = int(np.ceil(TRACK_S / (4 * beat)))
    prog = style.progression
    return Mix(TRACK_S), beat, [(b, prog[b % len(prog)], b * 4 * beat) for b in range(bars)]


def render_jazz(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    swing = beat * 2 / 3
    for b, ch, t0 in bars:
        nxt = s.progression[(b + 1) % len(s.progression)]
        root = 36 + s.key + ch[0]
        approach = 36 + s.key + nxt[0] + rng.choice([-1, 1])
        walk = [root, root + QUALITIES[ch[1]][1], root + 7, approach]
        for i, note in enumerate(walk):
            m.add(t0 + i * beat, bass(hz(note), beat * 0.95, 900), 0.55)
        for i in range(4):
            m.add(t0 + i * beat, ride(rng), 0.18)
            if i % 2:
                m.add(t0 + (i - 1) * beat + swing, ride(rng), 0.12)
        for hit in (beat * 1 + swing, beat * 3 + swing) if b % 2 else (0.0, beat * 2 + swing):
            for note in chord_notes(s.key, ch, 4):
                m.add(t0 + hit, epiano(hz(note), beat * 1.2), 0.11)
        if s.variant:  # a sparse melody on top for the quartet tracks
            for i in range(0, 4, 2):
                note = chord_notes(s.key, ch, 5)[int(rng.integers(0, 4))]
                m.add(t0 + i * beat + rng.choice([0.0, swing]), keys(hz(note), beat * 1.5), 0.18)
    return m


def render_ambient(s: Style, rng: np.random.Generator) -> Mix:
    m = Mix(TRACK_S)
    chord_s = TRACK_S / 3
    for i in range(4):
        ch = s.progression[i % len(s.progression)]
        for note in chord_notes(s.key, ch, 3):
            tone = pad(hz(note), chord_s + 2.5, 900 + 400 * s.variant)
            m.add(i * chord_s - 1.0 * (i > 0), tone, 0.22)
    for _ in range(10 + 4 * s.variant):
        ch = s.progression[int(rng.integers(0, len(s.progression)))]
        note = chord_notes(s.key, ch, 6)[int(rng.integers(0, 3))]
        m.add(float(rng.uniform(0.5, TRACK_S - 2)), keys(hz(note), 2.5, 0.4), 0.08)
    m.echo(0.37 + 0.1 * s.variant, 0.45)
    return m


def _backbeat(m: Mix, t0: float, beat: float, rng: np.random.Generator, hats: int = 8,
              kicks: tuple[float, ...] = (0, 2), snares: tuple[float, ...] = (1, 3)) -> None:
    for k in kicks:
        m.add(t0 + k * beat, kick(rng), 0.7)
    for sn in snares:
        m.add(t0 + sn * beat, snare(rng), 0.45)
    for h in range(hats):
        m.add(t0 + h * 4 * beat / hats, hat(rng), 0.15 if h % 2 else 0.22)


def render_rock(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    for _b, ch, t0 in bars:
        f = hz(40 + s.key + ch[0])
        for i in range(0, 8, 2 if s.variant else 1):
            m.add(t0 + i * beat / 2, power_chord(f, beat * (1.0 if s.variant else 0.5), 6), 0.22)
            m.add(t0 + i * beat / 2, bass(f / 2, beat / 2), 0.4)
        _backbeat(m, t0, beat, rng, kicks=(0, 2, 2.5))
    return m


def render_metal(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    for _b, ch, t0 in bars:
        f = hz(28 + s.key + ch[0])
        for i in range(16):
            accent = i % 4 == 0 or (s.variant and i in (6, 14))
            m.add(t0 + i * beat / 4, power_chord(f * (1.5 if accent and i == 6 else 1.0),
                                                 beat / 4, 14, muted=not accent), 0.3)
            m.add(t0 + i * beat / 4, kick(rng, 0.7), 0.45)
        for sn in (1, 3):
            m.add(t0 + sn * beat, snare(rng, 230), 0.55)
        for h in range(4):
            m.add(t0 + h * beat, ride(rng), 0.15)
    return m


def render_electronic(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    for b, ch, t0 in bars:
        notes = chord_notes(s.key, ch, 4)
        for i in range(4):
            m.add(t0 + i * beat, kick(rng, 1.2), 0.8)
            m.add(t0 + i * beat + beat / 2, hat(rng, open_=True), 0.14)
            low = bass(hz(notes[0] - 24), beat / 2, 400 + 300 * s.variant)
            m.add(t0 + i * beat + beat / 2, low, 0.5)
        for sn in (1, 3):
            m.add(t0 + sn * beat, snare(rng, 300), 0.3)
        for i in range(16):  # 16th-note arpeggio of the chord
            n = notes[(i * (2 + s.variant)) % len(notes)] + 12 * (i % 8 >= 4)
            tone = lowpass(saw(hz(n), _t(beat / 4)), 1500 + 1200 * np.sin(b + i / 8) ** 2)
            m.add(t0 + i * beat / 4, tone * env_adsr(len(tone), 0.002, 0.05), 0.08)
    return m


def render_classical(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    for _b, ch, t0 in bars:
        low = chord_notes(s.key, ch, 3)
        alberti = [low[0], low[2], low[1], low[2]]
        pattern = alberti if s.variant else [low[0], low[1], low[2], low[1] + 12]
        for i in range(8):
            m.add(t0 + i * beat / 2, keys(hz(pattern[i % 4]), beat * 1.2, 0.7), 0.22)
        high = chord_notes(s.key, ch, 5)
        for i in range(4 if s.variant else 2):
            step = 4 // (4 if s.variant else 2)
            tune = keys(hz(high[int(rng.integers(0, 3))]), beat * step * 1.3)
            m.add(t0 + i * step * beat, tune, 0.3)
    return m


def render_folk(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    for _b, ch, t0 in bars:
        notes = chord_notes(s.key, ch, 3) + chord_notes(s.key, ch, 4)
        if s.variant:  # strummed
            for i, hit in enumerate((0, 1, 1.5, 2.5, 3, 3.5)):
                for j, n in enumerate(notes[:5] if i % 2 == 0 else notes[1:][::-1]):
                    m.add(t0 + hit * beat + j * 0.012, pluck(hz(n), beat * 1.5, rng), 0.12)
        else:  # travis-style fingerpicking
            for i in range(8):
                n = notes[0] if i % 2 == 0 else notes[2 + (i % 4)]
                m.add(t0 + i * beat / 2, pluck(hz(n), beat * 2, rng, 0.997), 0.3)
        m.add(t0 + 1 * beat, hat(rng), 0.05)
        m.add(t0 + 3 * beat, hat(rng), 0.05)
    return m


def render_reggae(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    for _b, ch, t0 in bars:
        for i in range(4):  # the skank: short chord on every offbeat
            for n in chord_notes(s.key, ch, 4):
                f = hz(n)
                tone = organ(f, beat * 0.22) if s.variant else pluck(f, beat * 0.3, rng, 0.98)
                m.add(t0 + i * beat + beat / 2, tone, 0.12)
        root = 36 + s.key + ch[0]
        for i, (off, n) in enumerate(((0, root), (1.5, root + 7), (2, root + 12), (3, root + 10))):
            m.add(t0 + off * beat, bass(hz(n), beat * 0.9, 500), 0.6 - 0.05 * i)
        m.add(t0 + 2 * beat, kick(rng), 0.6)  # one drop
        m.add(t0 + 2 * beat, snare(rng, 400), 0.25)
        for h in range(8):
            m.add(t0 + h * beat / 2 + (beat / 6 if h % 2 else 0), hat(rng), 0.1)
    return m


def render_lofi(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    for b, ch, t0 in bars:
        wobble = 1 + 0.004 * np.sin(b * 1.7)
        for n in chord_notes(s.key, ch, 4):
            m.add(t0, lowpass(epiano(hz(n) * wobble, beat * 3.5), 1800), 0.14)
            m.add(t0 + 2.5 * beat, lowpass(epiano(hz(n) * wobble, beat * 1.5), 1800), 0.08)
        m.add(t0, bass(hz(36 + s.key + ch[0]), beat * 1.8, 300), 0.55)
        _backbeat(m, t0, beat, rng, hats=8, kicks=(0, 1.75 if s.variant else 2.5, 2), snares=(1, 3))
    crackle = np.zeros(len(m.buf))
    spots = rng.integers(0, len(m.buf), int(TRACK_S * 40))
    crackle[spots] = rng.uniform(-0.3, 0.3, len(spots))
    m.buf = lowpass(m.buf, 5000) + highpass(crackle, 2000) + 0.004 * rng.standard_normal(len(m.buf))
    return m


def render_blues(s: Style, rng: np.random.Generator) -> Mix:
    m, beat, bars = _arrangement(s)
    twelve = (0, 0, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7)
    swing = beat * 2 / 3
    for b, _, t0 in bars:  # a 12-bar blues in the key, whatever the progression says
        deg = twelve[(b + 4 * s.variant) % 12]
        root = 36 + s.key + deg
        boogie = (root, root + 4, root + 7, root + 9, root + 10, root + 9, root + 7, root + 4)
        for i, n in enumerate(boogie):
            at = t0 + (i // 2) * beat + (swing if i % 2 else 0)
            m.add(at, bass(hz(n), beat * 0.45, 700), 0.5)
        for i in range(4):
            for n in chord_notes(s.key, (deg, "7"), 4):
                stab = (organ if s.variant else keys)(hz(n), beat * 0.3)
                m.add(t0 + i * beat + swing, stab, 0.09)
        _backbeat(m, t0, beat, rng, hats=0)
        for i in range(4):
            m.add(t0 + i * beat, ride(rng), 0.1)
            m.add(t0 + i * beat + swing, hat(rng), 0.1)
    return m


RENDERERS: dict[str, Callable[[Style, np.random.Generator], Mix]] = {
    "Jazz": render_jazz, "Ambient": render_ambient, "Rock": render_rock, "Metal": render_metal,
    "Electronic": render_electronic, "Classical": render_classical, "Folk": render_folk,
    "Reggae": render_reggae, "Hip Hop": render_lofi, "Blues": render_blues,
}


def master(m: Mix) -> np.ndarray:
    """Trim to TRACK_S, fade the ends, set a common loudness and soft-limit."""
    x = m.buf[: int(TRACK_S * RATE_HZ)]
    x = x - float(np.mean(x))
    x = x * env_adsr(len(x), 0.02, 1.5)
    x = x / (float(np.sqrt(np.mean(x**2))) or 1.0) * 0.11
    return (0.95 * np.tanh(x / 0.95)).astype(np.float32)
