"""Sample-level building blocks of the player's mix: gain ramps and the speech queue.

Music reaches the output as ``music * volume * duck * gate * fade + speech``.
Each factor is a :class:`GainRamp` so that changing it never clicks: volume and
duck glide over :data:`RAMP_S`, pause/resume/stop gate over :data:`GATE_S`,
and the sleep-timer fade over ``player.fade_s``. Volume and duck are separate
factors, so ducking never forgets the volume and a volume change while ducked
lands at the right level when the duck lifts.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

__all__ = [
    "GATE_S", "RAMP_S", "GainRamp", "Mixer", "SpeechQueue", "db_to_gain", "volume_to_gain",
]

RAMP_S = 0.08
"""Glide time of volume and duck changes, in seconds."""

GATE_S = 0.01
"""Fade time of pause, resume and stop, in seconds: short enough to feel instant, long
enough not to click."""


def db_to_gain(gain_db: float) -> float:
    """Amplitude factor for a gain in dB."""
    return float(10.0 ** (gain_db / 20.0))


def volume_to_gain(percent: int) -> float:
    """Amplitude factor for a volume in percent: ``(percent/100)**2``.

    The square spreads the loudness steps more evenly than a linear map (each
    10 % step near the top is about 2 dB) and reaches true silence at 0.
    """
    return (max(0, min(100, percent)) / 100.0) ** 2


class GainRamp:
    """A gain that glides linearly to its target over ``ramp_s`` seconds of samples."""

    def __init__(self, value: float, rate_hz: int, ramp_s: float) -> None:
        self.value = float(value)
        self.target = float(value)
        self.rate_hz = rate_hz
        self.ramp_s = ramp_s
        self._step = 0.0

    def set(self, target: float, ramp_s: float | None = None) -> None:
        """Glide from the present value to ``target`` over ``ramp_s`` (default: the ramp's own)."""
        self.target = float(target)
        length = (self.ramp_s if ramp_s is None else ramp_s) * self.rate_hz
        self._step = abs(self.target - self.value) / length if length >= 1 else math.inf

    def jump(self, value: float) -> None:
        """Set value and target at once, without a glide."""
        self.value = self.target = float(value)
        self._step = 0.0

    @property
    def settled(self) -> bool:
        return self.value == self.target

    def block(self, n: int) -> np.ndarray:
        """Per-sample gains for the next ``n`` samples; advances the glide."""
        if self.settled or n <= 0:
            return np.full(n, self.value, dtype=np.float32)
        direction = 1.0 if self.target > self.value else -1.0
        steps = self.value + direction * self._step * np.arange(1, n + 1, dtype=np.float64)
        gains = np.minimum(steps, self.target) if direction > 0 else np.maximum(steps, self.target)
        self.value = float(gains[-1])
        if self.value == self.target:
            self._step = 0.0
        return gains.astype(np.float32)


class SpeechQueue:
    """Replies waiting to be spoken, all at the player's rate; pulled block by block."""

    def __init__(self) -> None:
        self._clips: deque[np.ndarray] = deque()
        self._offset = 0

    def __bool__(self) -> bool:
        return bool(self._clips)

    def push(self, samples: np.ndarray) -> None:
        if len(samples):
            self._clips.append(np.asarray(samples, dtype=np.float32))

    def clear(self) -> None:
        self._clips.clear()
        self._offset = 0

    def remaining(self) -> int:
        """Samples of speech still to play."""
        return sum(len(c) for c in self._clips) - self._offset

    def pull(self, n: int) -> np.ndarray:
        """The next ``n`` samples of speech, zero-padded once the queue runs dry."""
        out = np.zeros(n, dtype=np.float32)
        filled = 0
        while filled < n and self._clips:
            clip = self._clips[0]
            take = min(n - filled, len(clip) - self._offset)
            out[filled:filled + take] = clip[self._offset:self._offset + take]
            filled += take
            self._offset += take
            if self._offset >= len(clip):
                self._clips.popleft()
                self._offset = 0
        return out


class Mixer:
    """Music gains, de-click tail and speech overlay for one output stream.

    Not thread-safe by itself: the player calls it with its lock held.
    """

    def __init__(self, rate_hz: int, volume_percent: int, duck_db: float, fade_s: float) -> None:
        self.rate_hz = rate_hz
        self._duck_gain = db_to_gain(duck_db)
        self._volume = GainRamp(volume_to_gain(volume_percent), rate_hz, RAMP_S)
        self._duck = GainRamp(1.0, rate_hz, RAMP_S)
        self._gate = GainRamp(0.0, rate_hz, GATE_S)
        self._fade = GainRamp(1.0, rate_hz, fade_s)
        self._duck_requested = False
        self._fading = False
        self._tail = np.zeros(0, dtype=np.float32)
        self._speech = SpeechQueue()

    @property
    def speaking(self) -> bool:
        return bool(self._speech)

    @property
    def fading(self) -> bool:
        return self._fading

    @property
    def faded_out(self) -> bool:
        """True once a fade-out has reached silence."""
        return self._fading and self._fade.settled

    def set_volume(self, percent: int) -> None:
        self._volume.set(volume_to_gain(percent))

    def set_duck(self, requested: bool) -> None:
        self._duck_requested = requested
        self._update_duck()

    def say(self, clip: np.ndarray) -> None:
        self._speech.push(clip)
        self._update_duck()

    def cancel_speech(self) -> None:
        self._speech.clear()
        self._update_duck()

    def fade_in(self) -> None:
        """Music (re)starts: open the gate over :data:`GATE_S`, from silence if it was shut."""
        self._gate.set(1.0)

    def open_at_once(self) -> None:
        """Music continues seamlessly (a natural track change): no fade-in."""
        self._gate.jump(1.0)

    def cut(self, upcoming: np.ndarray | None) -> None:
        """Music stops here: shut the gate; ``upcoming`` samples become a short fade-out tail."""
        if upcoming is not None and self._gate.value > 0.0:
            tail = upcoming[:round(GATE_S * self.rate_hz)] * self._gate.value
            self._tail = (tail * np.linspace(1.0, 0.0, len(tail))).astype(np.float32)
        self._gate.jump(0.0)

    def start_fade_out(self) -> None:
        self._fading = True
        self._fade.set(0.0)

    def cancel_fade_out(self) -> None:
        """End a fade-out (finished or not) and restore full level for the next music."""
        if self._fading:
            self._fading = False
            self._fade.jump(1.0)
            self._tail = np.zeros(0, dtype=np.float32)

    def mix(self, music: np.ndarray) -> np.ndarray:
        """Output for one block: gained music plus speech, clipped to [-1, 1]."""
        n = len(music)
        music = music * self._gate.block(n)
        if len(self._tail):
            take = min(n, len(self._tail))
            music[:take] += self._tail[:take]
            self._tail = self._tail[take:]
        spoken = min(n, self._speech.remaining())
        speech = self._speech.pull(n)
        duck = self._duck.block(spoken)
        if spoken < n:  # the speech ended inside this block: lift the duck from that sample
            self._update_duck()
            duck = np.concatenate([duck, self._duck.block(n - spoken)])
        gains = self._volume.block(n) * duck * self._fade.block(n)
        out = music * gains + speech
        return np.clip(out, -1.0, 1.0).astype(np.float32)

    def _update_duck(self) -> None:
        ducked = self._duck_requested or bool(self._speech)
        target = self._duck_gain if ducked else 1.0
        if target != self._duck.target:
            self._duck.set(target)
