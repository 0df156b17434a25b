"""The player's engine: the current track's samples, track changes, decoding and the output path.

:class:`Playback` holds the state :class:`speaker.player.Player` drives: the play
order, the decoded samples and position of the current track, the mixer and the
sleep timer, all under one lock. Its :meth:`Playback.render` is what the output
thread calls for every block; it only copies decoded samples and applies gains
(see :mod:`speaker.mixer`), never decodes and never waits for anything but that
lock. Decoding happens in :mod:`speaker.decoding`: in the thread that changed
the track (``_resolve``), in the decoder thread ahead of time, or, without
``decode_in_background`` (the deterministic headless simulation), in ``render``
at a track boundary.

Events go to ``emit`` after the lock is released, from whichever thread caused
them (caller, output or decoder thread), so ``emit`` must be thread-safe.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import Literal

import numpy as np

from speaker.config import PlayerSettings
from speaker.decoding import DecoderThread, Playable, TrackCache
from speaker.events import Error, Event, Feedback, PlaybackStarted, Stopped
from speaker.mixer import Mixer
from speaker.playorder import PlayOrder

__all__ = ["Playback", "PlayerState"]

logger = logging.getLogger(__name__)

PlayerState = Literal["stopped", "playing", "paused"]


class Playback:
    """The mechanism under :class:`speaker.player.Player`; the *_locked methods need the lock."""

    def __init__(self, settings: PlayerSettings, rate_hz: int, clock: Callable[[], float],
                 emit: Callable[[Event], None], *, decode_in_background: bool = True,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self.rate_hz = rate_hz
        self._clock = clock
        self._emit = emit
        self._background = decode_in_background
        self._lock = threading.Lock()
        self._plays: PlayOrder[Playable] = PlayOrder(rng or random.Random())
        self._audio: np.ndarray | None = None
        self._pos = 0
        self._state: PlayerState = "stopped"
        self._generation = 0
        self._failures = 0
        self._cache = TrackCache(self._lock, rate_hz)
        self._volume = settings.volume
        self._muted_from: int | None = None
        self._mixer = Mixer(rate_hz, settings.volume, settings.duck_db, settings.fade_s)
        self._sleep_at_s: float | None = None
        self._stop_after: int | None = None
        """The ``_generation`` of the track to stop after ("stop after this song")."""
        self._stopped_at: tuple[int, int] | None = None
        """Play-order position and sample of a stop "resume" can undo (see ``Player.stop``)."""
        self._kicked_generation = -1
        self._decoder = DecoderThread(self._decode_ahead) if decode_in_background else None

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
        if kick and self._decoder is not None:
            self._decoder.kick()
        self._emit_all(events)
        return out

    def wait_decoded(self, timeout_s: float) -> bool:
        """Wait until the current and the upcoming track are decoded; False on timeout."""
        return self._cache.wait_for(self._needed, timeout_s)

    def close(self) -> None:
        """Stop the decoder thread."""
        if self._decoder is not None:
            self._decoder.close()

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

    def _remember_stop_locked(self) -> None:
        self._stopped_at = (self._plays.position, self._pos)

    def _cut_locked(self) -> None:
        """Leave the current sound with a short fade-out tail instead of a click."""
        audio = self._audio if self._state == "playing" else None
        self._mixer.cut(None if audio is None else audio[self._pos:])

    def _settle_locked(self, events: list[Event]) -> None:
        """Install decoded audio for the current track, skipping tracks that failed to decode."""
        while self._state != "stopped" and self._audio is None:
            track = self._current()
            entry = None if track is None else self._cache.get(track)
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
        return None if self._cache.has(track) else track

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
                if self._stop_after == self._generation:
                    self._stop_locked(events)  # "stop after this song"
                elif self._plays.repeat_track:  # "repeat this song": from the start again
                    self._begin_locked()
                    self._mixer.open_at_once()
                    self._settle_locked(events)
                elif self._step_locked(events):
                    self._mixer.open_at_once()  # a natural change needs no fade-in
                    self._settle_locked(events)
        return filled

    def _mix_locked(self, music: np.ndarray, events: list[Event]) -> np.ndarray:
        out = self._mixer.mix(music)
        if self._mixer.faded_out:
            if self._state != "stopped":
                self._remember_stop_locked()  # the sleep timer: "resume" picks up from here
                self._stop_locked(events)
            self._cancel_sleep_locked()
        return out

    def _check_sleep_locked(self) -> None:
        if (self._sleep_at_s is not None and not self._mixer.fading
                and self._clock() >= self._sleep_at_s):
            self._mixer.start_fade_out()

    def _cancel_sleep_locked(self) -> None:
        self._sleep_at_s = None
        self._stop_after = None
        self._mixer.cancel_fade_out()

    def _needed(self) -> tuple[Playable | None, Playable | None]:
        """The tracks worth keeping decoded: the current and the upcoming one."""
        return (self._current(), self._upcoming())

    def _decode(self, track: Playable) -> None:
        """Decode ``track`` into the cache; never called with the lock held."""
        self._cache.decode(track, self._needed)

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
        if self._decoder is not None and wake_decoder:
            self._decoder.kick()  # to decode the upcoming track ahead

    def _decode_ahead(self) -> None:
        """Decoder-thread work: settle a pending track change, then decode the next track."""
        self._resolve([], wake_decoder=False)
        with self._lock:
            upcoming = self._upcoming()
            needed = upcoming is not None and not self._cache.has(upcoming)
        if needed and upcoming is not None:
            self._decode(upcoming)

    def _emit_all(self, events: list[Event]) -> None:
        for event in events:
            self._emit(event)
