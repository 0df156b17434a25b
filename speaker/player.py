"""The music player's controls: queue, transport, volume, ducking, sleep timer and speech.

Control methods come from the dialogue thread; the output thread calls
:meth:`Player.render`, inherited with the state and track changes from
:mod:`speaker.playback`. ``play``, ``next``, ``previous``, ``enqueue``,
``add_to_queue`` and ``seek`` (past the end) decode a new track in the calling
thread (outside the lock), so when they return ``now_playing`` really plays and
any ``PlaybackStarted``/``Error`` events are out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from speaker.audio import resample
from speaker.decoding import Playable
from speaker.events import Event, Feedback, Paused, Queued, Resumed, Seeked, VolumeChanged
from speaker.playback import Playback, PlayerState

__all__ = ["PREVIOUS_RESTART_S", "Playable", "Player", "PlayerState"]

PREVIOUS_RESTART_S = 3.0
"""``previous()`` further into a track than this restarts it instead, in seconds."""


class Player(Playback):
    """Queue, transport, volume, ducking, sleep timer and speech overlay at ``rate_hz``."""

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
    def remaining_s(self) -> float | None:
        """Seconds left of the current track, playing or paused; None when stopped or
        while the track is still being decoded."""
        with self._lock:
            if self._state == "stopped" or self._audio is None:
                return None
            return max(0, len(self._audio) - self._pos) / self.rate_hz

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
    def repeat_track(self) -> bool:
        """True while the current track plays again and again ("repeat this song")."""
        return self._plays.repeat_track

    @property
    def sleep_at_s(self) -> float | None:
        """Clock time at which the sleep-timer fade starts; None without a timer."""
        return self._sleep_at_s

    @property
    def stops_after_track(self) -> bool:
        """True when the music stops at the end of the current track ("stop after this song")."""
        with self._lock:
            return (self._stop_after is not None and self._stop_after == self._generation
                    and self._state != "stopped")

    @property
    def muted_from(self) -> int | None:
        """The volume before the last change to 0 (what "unmute" restores); None if not muted."""
        return self._muted_from if self._volume == 0 else None

    @property
    def sleep_left_s(self) -> float | None:
        """Seconds until the sleep-timer fade starts (0 once fading); None without a timer."""
        at = self._sleep_at_s
        return None if at is None else max(0.0, at - self._clock())

    # ----- transport ----------------------------------------------------------------------

    def play(self, tracks: Sequence[Playable]) -> None:
        """Replace the queue with ``tracks`` and start the first (a random one with shuffle)."""
        events: list[Event] = []
        with self._lock:
            self._cut_locked()
            self._stopped_at = None
            self._plays.replace(tracks)
            self._failures = 0
            if self._step_locked(events):
                self._settle_locked(events)
        self._resolve(events)

    def enqueue(self, tracks: Sequence[Playable]) -> None:
        """Add ``tracks`` after the queue; start them if nothing is playing."""
        events: list[Event] = []
        with self._lock:
            self._extend_locked(tracks, events)
        self._resolve(events)

    def add_to_queue(self, tracks: Sequence[Playable], *, play_next: bool = False) -> None:
        """Queue tracks the listener asked for, never interrupting the current one.

        ``play_next`` plays them right after the current track; otherwise they
        follow earlier requests, ahead of what the recommender queued (see
        :meth:`speaker.playorder.PlayOrder.insert`). If nothing plays they start.
        """
        if not tracks:
            return
        events: list[Event] = []
        with self._lock:
            first = tracks[0]
            events.append(Queued(t_s=self._clock(), track_id=first.id, title=first.title,
                                 artist=first.artist, count=len(tracks), play_next=play_next))
            if self._state == "stopped":
                self._extend_locked(tracks, events)
            else:
                self._plays.insert(tracks, play_next=play_next)
        self._resolve(events)  # also wakes the decoder for a new upcoming track

    def _extend_locked(self, tracks: Sequence[Playable], events: list[Event]) -> None:
        stopped = self._state == "stopped"
        added = self._plays.extend(tracks, stopped=stopped)
        if stopped:
            self._stopped_at = None  # new music after a stop: nothing to resume
            self._failures = 0
            if added and self._step_locked(events):
                self._settle_locked(events)

    def next(self, count: int = 1) -> bool:
        """Skip ``count`` tracks ahead, with a ``skip`` feedback at the position left
        (only for the track that was playing: the ones jumped over were never heard).

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
            stepped = all(self._step_locked(events) for _ in range(max(1, count)))
            if stepped:
                self._settle_locked(events)
        self._resolve(events)
        return self._state != "stopped"

    def previous(self, count: int = 1) -> None:
        """Restart the track if more than 3 s in, else go to the one before it; with a
        ``count`` above 1, go that many tracks back (as far as the queue reaches)."""
        events: list[Event] = []
        with self._lock:
            if self._state == "stopped" or self._current() is None:
                return
            self._cut_locked()
            steps = count if count > 1 else int(self.position_s <= PREVIOUS_RESTART_S)
            if steps and self._plays.can_go_back:
                for _ in range(steps):
                    if not self._plays.can_go_back:
                        break
                    self._plays.back()
                self._begin_locked()
                self._settle_locked(events)
            else:
                self._pos = 0
                if self._state == "playing":
                    self._mixer.fade_in()
        self._resolve(events)

    def seek(self, delta_s: float) -> bool:
        """Move ``delta_s`` seconds within the current track (negative: back), playing or paused.

        Before the start clamps to the start. Past the end goes on as at the end
        of the track (the next one, the first again with repeat, or stop), with a
        ``skip`` feedback at the position left, as :meth:`next`: the listener did
        not hear the rest. Returns False when there is no decoded track to move in.
        """
        with self._lock:
            audio = self._audio
            if self._state == "stopped" or audio is None:
                return False
            target = self._pos + round(delta_s * self.rate_hz)
            past_end = target >= len(audio)
            events = [] if past_end else self._jump_locked(max(0, target))
        if past_end:
            self.next()
            return True
        self._emit_all(events)
        return True

    def restart(self) -> bool:
        """Play the current track from its start; False when nothing is decoded to restart."""
        with self._lock:
            if self._state == "stopped" or self._audio is None:
                return False
            events = self._jump_locked(0)
        self._emit_all(events)
        return True

    def _jump_locked(self, pos: int) -> list[Event]:
        """Continue the current track at sample ``pos``, with a short fade instead of a click."""
        track = self._current()
        assert track is not None
        self._cut_locked()
        self._pos = pos
        if self._state == "playing":
            self._mixer.fade_in()
        return [Seeked(t_s=self._clock(), track_id=track.id,
                       position_s=round(pos / self.rate_hz, 3))]

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
        """Stop music at once, drop queued speech and cancel the sleep timer.

        The queue and the place in the track are kept for :meth:`resume_stopped`
        (on a smart speaker "stop" then "resume" picks up where the music was).
        """
        events: list[Event] = []
        with self._lock:
            self._mixer.cancel_speech()
            self._cancel_sleep_locked()
            if self._state != "stopped":
                self._cut_locked()
                self._remember_stop_locked()
                self._stop_locked(events)
        self._emit_all(events)

    def resume_stopped(self) -> Playable | None:
        """After a stop (or the sleep timer's), play the stopped track again from where it
        stopped, with the rest of its queue; returns it. None when nothing was stopped,
        something new was queued since, or the player is not stopped."""
        events: list[Event] = []
        with self._lock:
            mark, self._stopped_at = self._stopped_at, None
            if self._state != "stopped" or mark is None or not self._plays.return_to(mark[0]):
                return None
            self._failures = 0
            self._begin_locked()
        self._resolve(events)
        with self._lock:
            track = self._current()
            audio = self._audio
            if self._state == "stopped" or track is None or audio is None:
                return None
            events = self._jump_locked(mark[1]) if 0 < mark[1] < len(audio) else []
        self._emit_all(events)
        return track

    # ----- settings -----------------------------------------------------------------------

    def set_volume(self, percent: int) -> None:
        events: list[Event] = []
        with self._lock:
            level = max(0, min(100, int(percent)))
            if level == 0 and self._volume > 0:
                self._muted_from = self._volume
            self._volume = level
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
        """Repeat the whole queue: after the last track the first plays again. Off also
        ends repeating the one track."""
        with self._lock:
            self._plays.repeat = on
            self._plays.repeat_track = self._plays.repeat_track and on

    def set_repeat_track(self, on: bool) -> bool:
        """Play the current track over and over until something else is asked for (a new
        queue or "repeat off"); "next" still moves on, and that track repeats. False if
        nothing plays."""
        with self._lock:
            if on and self._state == "stopped":
                return False
            self._plays.repeat_track = on
            return True

    def clear_queue(self) -> int:
        """Drop the tracks still to come (the current one plays on); returns how many."""
        with self._lock:
            dropped = self._plays.clear_upcoming()
        if dropped and self._decoder is not None:
            self._decoder.kick()  # its upcoming track is gone
        return dropped

    def drop(self, unwanted: Callable[[Playable], bool]) -> int:
        """Take the tracks ``unwanted`` picks out of the queue, except the one playing
        ("I don't like this artist"); returns how many."""
        with self._lock:
            dropped = self._plays.drop(unwanted)
        if dropped and self._decoder is not None:
            self._decoder.kick()  # its upcoming track may be gone
        return dropped

    def stop_after_track(self) -> bool:
        """Stop when the current track ends (cancels a sleep timer); False if nothing plays."""
        with self._lock:
            if self._state == "stopped":
                return False
            self._cancel_sleep_locked()
            self._stop_after = self._generation
            return True

    def set_sleep_timer(self, minutes: float | None) -> None:
        """After ``minutes``, fade out over ``player.fade_s`` and stop; None cancels (also
        a stop after the current track)."""
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
