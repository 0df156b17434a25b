"""The music player: a play queue, decoding, and the mix the audio output pulls from.

The output thread calls :meth:`Player.render` for every block; it only copies
decoded samples and applies gains (see :mod:`speaker.mixer`), never decodes and
never waits for anything but one short lock. Control methods come from the
dialogue thread. ``play``, ``next``, ``previous`` and ``enqueue`` decode the new
track in the calling thread (outside the lock), so when they return
``now_playing`` really plays and any ``PlaybackStarted``/``Error`` events are out.
With ``decode_in_background`` a decoder thread handles natural track changes and
decodes the upcoming track ahead of time; without it (the deterministic headless
simulation) ``render`` decodes at a track boundary itself.

Events go to ``emit`` after the lock is released, from whichever thread caused
them (caller, output or decoder thread), so ``emit`` must be thread-safe.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

import numpy as np

from speaker.audio import load_audio, resample
from speaker.config import PlayerSettings
from speaker.events import (
    Error,
    Event,
    Feedback,
    Paused,
    PlaybackStarted,
    Resumed,
    Stopped,
    VolumeChanged,
)
from speaker.mixer import Mixer
from speaker.playorder import PlayOrder

__all__ = ["PREVIOUS_RESTART_S", "Playable", "Player", "PlayerState"]

logger = logging.getLogger(__name__)

PlayerState = Literal["stopped", "playing", "paused"]

PREVIOUS_RESTART_S = 3.0
"""``previous()`` further into a track than this restarts it instead, in seconds."""


class Playable(Protocol):
    """A track the player can play; ``recommender.store.Track`` is one."""

    @property
    def id(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def artist(self) -> str: ...


def _key(track: Playable) -> tuple[int, str]:
    return (track.id, track.path)


class Player:
    """Queue, transport, volume, ducking, sleep timer and speech overlay at ``rate_hz``."""

    def __init__(self, settings: PlayerSettings, rate_hz: int, clock: Callable[[], float],
                 emit: Callable[[Event], None], *, decode_in_background: bool = True,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self.rate_hz = rate_hz
        self._clock = clock
        self._emit = emit
        self._background = decode_in_background
        self._lock = threading.Lock()
        self._decoded = threading.Condition(self._lock)
        self._plays: PlayOrder[Playable] = PlayOrder(rng or random.Random())
        self._audio: np.ndarray | None = None
        self._pos = 0
        self._state: PlayerState = "stopped"
        self._generation = 0
        self._failures = 0
        self._cache: dict[tuple[int, str], np.ndarray | str] = {}
        self._volume = settings.volume
        self._mixer = Mixer(rate_hz, settings.volume, settings.duck_db, settings.fade_s)
        self._sleep_at_s: float | None = None
        self._kicked_generation = -1
        self._wake = threading.Event()
        self._closing = False
        self._worker: threading.Thread | None = None
        if decode_in_background:
            self._worker = threading.Thread(target=self._decode_loop, name="encore-decoder",
                                            daemon=True)
            self._worker.start()

    # ----- properties -------------------------------------------------------------------

    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def now_playing(self) -> Playable | None:
        """The current track, also while paused; None when stopped."""
        with self._lock:
            return None if self._state == "stopped" else self._current()

    @property
    def position_s(self) -> float:
        """Seconds into the current track."""
        return self._pos / self.rate_hz

    @property
    def volume(self) -> int:
        """Music volume, percent."""
        return self._volume

    @property
    def speaking(self) -> bool:
        """True while queued speech is still being played out."""
        with self._lock:
            return self._mixer.speaking

    @property
    def queue(self) -> tuple[Playable, ...]:
        """The tracks still to come after the current one, in play order."""
        with self._lock:
            return self._plays.remaining

    upcoming = queue

    @property
    def shuffle(self) -> bool:
        return self._plays.shuffle

    @property
    def repeat(self) -> bool:
        return self._plays.repeat

    @property
    def sleep_at_s(self) -> float | None:
        """Clock time at which the sleep-timer fade starts; None without a timer."""
        return self._sleep_at_s

    # ----- transport ----------------------------------------------------------------------

    def play(self, tracks: Sequence[Playable]) -> None:
        """Replace the queue with ``tracks`` and start the first (a random one with shuffle)."""
        events: list[Event] = []
        with self._lock:
            self._cut_locked()
            self._plays.replace(tracks)
            self._failures = 0
            if self._step_locked(events):
                self._settle_locked(events)
        self._resolve(events)

    def enqueue(self, tracks: Sequence[Playable]) -> None:
        """Add ``tracks`` after the queue; start them if nothing is playing."""
        events: list[Event] = []
        with self._lock:
            stopped = self._state == "stopped"
            added = self._plays.extend(tracks, stopped=stopped)
            if stopped:
                self._failures = 0
                if added and self._step_locked(events):
                    self._settle_locked(events)
        self._resolve(events)

    def next(self) -> bool:
        """Skip to the next track, with a ``skip`` feedback at the position left.

        Returns True if a track plays now; False when stopped or past the last
        track (then the player has stopped).
        """
        events: list[Event] = []
        with self._lock:
            track = self._current()
            if self._state == "stopped" or track is None:
                return False
            if self._audio is not None:
                events.append(Feedback(t_s=self._clock(), kind="skip", track_id=track.id,
                                       position_s=round(self.position_s, 3)))
            self._cut_locked()
            self._failures = 0
            if self._step_locked(events):
                self._settle_locked(events)
        self._resolve(events)
        return self._state != "stopped"

    def previous(self) -> None:
        """Restart the track if more than 3 s in, else go to the one before it."""
        events: list[Event] = []
        with self._lock:
            if self._state == "stopped" or self._current() is None:
                return
            self._cut_locked()
            if self.position_s <= PREVIOUS_RESTART_S and self._plays.can_go_back:
                self._plays.back()
                self._begin_locked()
                self._settle_locked(events)
            else:
                self._pos = 0
                if self._state == "playing":
                    self._mixer.fade_in()
        self._resolve(events)

    def pause(self) -> None:
        events: list[Event] = []
        with self._lock:
            if self._state == "playing":
                self._cut_locked()
                self._state = "paused"
                events.append(Paused(t_s=self._clock()))
        self._emit_all(events)

    def resume(self) -> None:
        events: list[Event] = []
        with self._lock:
            if self._state == "paused":
                self._state = "playing"
                self._mixer.fade_in()
                events.append(Resumed(t_s=self._clock()))
        self._emit_all(events)

    def stop(self) -> None:
        """Stop music at once, drop queued speech and cancel the sleep timer."""
        events: list[Event] = []
        with self._lock:
            self._mixer.cancel_speech()
            self._cancel_sleep_locked()
            if self._state != "stopped":
                self._cut_locked()
                self._stop_locked(events)
        self._emit_all(events)

    # ----- settings -----------------------------------------------------------------------

    def set_volume(self, percent: int) -> None:
        events: list[Event] = []
        with self._lock:
            self._volume = max(0, min(100, int(percent)))
            self._mixer.set_volume(self._volume)
            events.append(VolumeChanged(t_s=self._clock(), level=self._volume))
        self._emit_all(events)

    def volume_up(self) -> None:
        self.set_volume(self._volume + self.settings.volume_step)

    def volume_down(self) -> None:
        self.set_volume(self._volume - self.settings.volume_step)

    def set_shuffle(self, on: bool) -> None:
        """Shuffle the tracks still to come; off restores the queue's order after the current."""
        with self._lock:
            self._plays.set_shuffle(on)

    def set_repeat(self, on: bool) -> None:
        """Repeat the whole queue: after the last track the first plays again."""
        with self._lock:
            self._plays.repeat = on

    def set_sleep_timer(self, minutes: float | None) -> None:
        """After ``minutes``, fade out over ``player.fade_s`` and stop; None cancels."""
        with self._lock:
            self._cancel_sleep_locked()
            if minutes is not None:
                self._sleep_at_s = self._clock() + max(0.0, minutes) * 60.0

    def duck(self, on: bool) -> None:
        """Lower music by ``player.duck_db`` while Encore listens (speech ducks by itself)."""
        with self._lock:
            self._mixer.set_duck(on)

    # ----- speech ---------------------------------------------------------------------------

    def say(self, samples: np.ndarray, rate_hz: int) -> None:
        """Queue speech to play over the music, which ducks until the speech is done."""
        clip = resample(np.asarray(samples, dtype=np.float32), rate_hz, self.rate_hz)
        with self._lock:
            self._mixer.say(clip)

    def cancel_speech(self) -> None:
        """Drop speech being played and queued, at once."""
        with self._lock:
            self._mixer.cancel_speech()

    # ----- the output path ----------------------------------------------------------------

    def render(self, n_samples: int) -> np.ndarray:
        """The next ``n_samples`` of output (music and speech), float32 mono at ``rate_hz``."""
        n = int(n_samples)
        music = np.zeros(n, dtype=np.float32)
        events: list[Event] = []
        filled = 0
        while True:
            with self._lock:
                self._check_sleep_locked()
                filled = self._fill_locked(music, filled, events)
                pending = self._pending_locked()
                if pending is None or self._background or filled >= n:
                    out = self._mix_locked(music, events)
                    kick = self._background and self._generation != self._kicked_generation
                    if kick:
                        self._kicked_generation = self._generation
                    break
            self._decode(pending)
        if kick:
            self._wake.set()
        self._emit_all(events)
        return out

    def wait_decoded(self, timeout_s: float) -> bool:
        """Wait until the current and the upcoming track are decoded; False on timeout."""

        def ready() -> bool:
            return all(t is None or _key(t) in self._cache
                       for t in (self._current(), self._upcoming()))

        with self._decoded:
            return self._decoded.wait_for(ready, timeout_s)

    def close(self) -> None:
        """Stop the decoder thread."""
        self._closing = True
        self._wake.set()
        if self._worker is not None:
            self._worker.join(timeout=5.0)

    # ----- internals (the *_locked methods run with the lock held) ------------------------

    def _current(self) -> Playable | None:
        return self._plays.current

    def _upcoming(self) -> Playable | None:
        return self._plays.upcoming

    def _begin_locked(self) -> None:
        """Make the track under the cursor current, from its start, fading in."""
        self._generation += 1
        self._audio = None
        self._pos = 0
        self._state = "playing"
        self._mixer.cut(None)
        self._mixer.fade_in()

    def _step_locked(self, events: list[Event]) -> bool:
        """Move to the next track in play order; at the end wrap (repeat) or stop."""
        if not self._plays.advance():
            self._stop_locked(events)
            return False
        self._begin_locked()
        return True

    def _stop_locked(self, events: list[Event]) -> None:
        if self._state != "stopped":
            events.append(Stopped(t_s=self._clock()))
        self._state = "stopped"
        self._generation += 1
        self._audio = None
        self._pos = 0
        self._plays.finish()

    def _cut_locked(self) -> None:
        """Leave the current sound with a short fade-out tail instead of a click."""
        audio = self._audio if self._state == "playing" else None
        self._mixer.cut(None if audio is None else audio[self._pos:])

    def _settle_locked(self, events: list[Event]) -> None:
        """Install decoded audio for the current track, skipping tracks that failed to decode."""
        while self._state != "stopped" and self._audio is None:
            track = self._current()
            entry = None if track is None else self._cache.get(_key(track))
            if track is None or entry is None:
                return
            if isinstance(entry, np.ndarray):
                self._audio = entry
                self._failures = 0
                events.append(PlaybackStarted(t_s=self._clock(), track_id=track.id,
                                              title=track.title, artist=track.artist))
                return
            logger.warning("skipping %s: %s", track.path, entry)
            events.append(Error(t_s=self._clock(), message=entry))
            self._failures += 1
            if self._failures >= len(self._plays):
                self._stop_locked(events)
                return
            self._step_locked(events)

    def _pending_locked(self) -> Playable | None:
        """The current track if it still needs decoding."""
        track = self._current()
        if self._state == "stopped" or self._audio is not None or track is None:
            return None
        return None if _key(track) in self._cache else track

    def _fill_locked(self, music: np.ndarray, filled: int, events: list[Event]) -> int:
        self._settle_locked(events)
        n = len(music)
        while filled < n and self._state == "playing" and self._audio is not None:
            audio = self._audio
            take = min(n - filled, len(audio) - self._pos)
            music[filled:filled + take] = audio[self._pos:self._pos + take]
            filled += take
            self._pos += take
            if self._pos >= len(audio):
                track = self._current()
                assert track is not None
                events.append(Feedback(t_s=self._clock(), kind="complete", track_id=track.id,
                                       position_s=round(len(audio) / self.rate_hz, 3)))
                if self._step_locked(events):
                    self._mixer.open_at_once()  # a natural change needs no fade-in
                    self._settle_locked(events)
        return filled

    def _mix_locked(self, music: np.ndarray, events: list[Event]) -> np.ndarray:
        out = self._mixer.mix(music)
        if self._mixer.faded_out:
            if self._state != "stopped":
                self._stop_locked(events)
            self._cancel_sleep_locked()
        return out

    def _check_sleep_locked(self) -> None:
        if (self._sleep_at_s is not None and not self._mixer.fading
                and self._clock() >= self._sleep_at_s):
            self._mixer.start_fade_out()

    def _cancel_sleep_locked(self) -> None:
        self._sleep_at_s = None
        self._mixer.cancel_fade_out()

    def _decode(self, track: Playable) -> None:
        """Decode ``track`` into the cache; never called with the lock held."""
        try:
            audio = load_audio(track.path, self.rate_hz)
            entry: np.ndarray | str = audio
            if len(audio) == 0:
                entry = f"Cannot play {track.path}: the file has no audio."
        except Exception as exc:  # any decoder failure skips the track, never the loop
            entry = str(exc)
        with self._lock:
            self._cache[_key(track)] = entry
            self._decoded.notify_all()
            keep = {_key(t) for t in (self._current(), self._upcoming(), track) if t is not None}
            for key in list(self._cache):
                if key not in keep:
                    del self._cache[key]

    def _resolve(self, events: list[Event], *, wake_decoder: bool = True) -> None:
        """Decode the current track in the calling thread until it plays or the queue ends."""
        while True:
            with self._lock:
                self._settle_locked(events)
                pending = self._pending_locked()
            if pending is None:
                break
            self._decode(pending)
        self._emit_all(events)
        if self._background and wake_decoder:
            self._wake.set()  # to decode the upcoming track ahead

    def _decode_loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closing:
                return
            try:
                self._resolve([], wake_decoder=False)
                with self._lock:
                    upcoming = self._upcoming()
                    needed = upcoming is not None and _key(upcoming) not in self._cache
                if needed and upcoming is not None:
                    self._decode(upcoming)
            except Exception:
                logger.exception("decoder thread failed; the next track change retries")

    def _emit_all(self, events: list[Event]) -> None:
        for event in events:
            self._emit(event)
