"""The player's queue and play order: cursor, shuffle and repeat.

Not thread-safe on its own: :class:`speaker.player.Player` holds its lock around
every call.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["PlayOrder"]


class PlayOrder(Generic[T]):
    """Tracks in queue order, the order they play in, and where playback is."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.tracks: list[T] = []
        self._order: list[int] = []
        self._cursor = -1
        self.shuffle = False
        self.repeat = False
        self.repeat_track = False
        """Play the current track again when it ends ("repeat this song"); a new queue ends it."""
        self._asked: set[int] = set()
        """Indices into ``tracks`` the listener queued (see :meth:`insert`)."""

    def __len__(self) -> int:
        return len(self._order)

    @property
    def current(self) -> T | None:
        if 0 <= self._cursor < len(self._order):
            return self.tracks[self._order[self._cursor]]
        return None

    @property
    def upcoming(self) -> T | None:
        """The track after the current one (the first again with repeat), if any."""
        if not self._order:
            return None
        following = self._cursor + 1
        if following >= len(self._order):
            if not self.repeat:
                return None
            following = 0
        return self.tracks[self._order[following]]

    @property
    def remaining(self) -> tuple[T, ...]:
        """The tracks still to come after the current one, in play order."""
        return tuple(self.tracks[i] for i in self._order[self._cursor + 1:])

    @property
    def can_go_back(self) -> bool:
        return self._cursor > 0 or self.repeat

    def replace(self, tracks: Sequence[T]) -> None:
        """A new queue, positioned before its first track (shuffled if shuffle is on)."""
        self.tracks = list(tracks)
        self.repeat_track = False
        self._order = list(range(len(self.tracks)))
        if self.shuffle:
            self._rng.shuffle(self._order)
        self._cursor = -1
        self._asked = set()

    def extend(self, tracks: Sequence[T], *, stopped: bool) -> int:
        """Add ``tracks`` after the queue; returns how many were added.

        When ``stopped``, tracks already played are dropped from the order so the
        next :meth:`advance` starts the new ones.
        """
        first = len(self.tracks)
        self.tracks.extend(tracks)
        added = list(range(first, len(self.tracks)))
        if self.shuffle:
            self._rng.shuffle(added)
        if stopped:
            self._order = self._order[:max(self._cursor, -1) + 1]
            self._cursor = len(self._order) - 1
        self._order.extend(added)
        return len(added)

    def insert(self, tracks: Sequence[T], *, play_next: bool) -> int:
        """Queue tracks the listener asked for while one plays; returns how many were added.

        ``play_next`` puts them right after the current track; otherwise they go
        after the tracks the listener queued before but ahead of what the
        recommender added, which would otherwise keep them waiting for a whole
        station's worth of songs. The cursor stays on the current track.
        """
        count = len(tracks)
        if not count:
            return 0
        at = self._cursor + 1
        if not play_next:
            asked = [p for p in range(at, len(self._order)) if self._order[p] in self._asked]
            at = asked[-1] + 1 if asked else at
        first = self._order[at - 1] + 1 if at > 0 else 0  # in queue order, after its predecessor
        self._order = [i + count if i >= first else i for i in self._order]
        self._asked = {i + count if i >= first else i for i in self._asked}
        new = list(range(first, first + count))
        self.tracks[first:first] = list(tracks)
        self._order[at:at] = new
        self._asked.update(new)
        return count

    def clear_upcoming(self) -> int:
        """Drop the tracks still to come after the current one; returns how many.

        The tracks already played stay (so "previous" still goes back), in queue order.
        """
        kept = self._order[:self._cursor + 1] if self._cursor >= 0 else []
        dropped = len(self._order) - len(kept)
        if not dropped:
            return 0
        index = {old: new for new, old in enumerate(sorted(kept))}
        self.tracks = [self.tracks[old] for old in sorted(kept)]
        self._order = [index[old] for old in kept]
        self._asked = {index[old] for old in self._asked if old in index}
        return dropped

    @property
    def position(self) -> int:
        """Where the cursor is in play order: -1 before the first track, the length past the end."""
        return self._cursor

    def return_to(self, position: int) -> bool:
        """Make the track at play-order ``position`` current again (resuming after a stop);
        False if the order no longer reaches it."""
        if not 0 <= position < len(self._order):
            return False
        self._cursor = position
        return True

    def drop(self, unwanted: Callable[[T], bool]) -> int:
        """Take the tracks for which ``unwanted`` is true out of the play order, except the
        current one: neither "next" nor "previous" nor repeat reaches them. Returns how many."""
        gone = [n != self._cursor and unwanted(self.tracks[i]) for n, i in enumerate(self._order)]
        self._cursor -= sum(gone[:max(0, self._cursor)])
        self._order = [i for i, out in zip(self._order, gone, strict=True) if not out]
        return sum(gone)

    def advance(self) -> bool:
        """Move to the next track; at the end wrap (repeat) or return False."""
        self._cursor += 1
        if self._cursor >= len(self._order):
            if not (self.repeat and self._order):
                self._cursor = len(self._order)
                return False
            self._cursor = 0
        return True

    def back(self) -> None:
        """Move to the track before (the last one with repeat)."""
        self._cursor = (self._cursor - 1) % len(self._order)

    def finish(self) -> None:
        """Past the end: nothing is current."""
        self._cursor = len(self._order)

    def set_shuffle(self, on: bool) -> None:
        """Shuffle the tracks still to come; off restores queue order after the current."""
        if on and not self.shuffle:
            rest = self._order[self._cursor + 1:]
            self._rng.shuffle(rest)
            self._order = self._order[:self._cursor + 1] + rest
        elif not on and self.shuffle:
            valid = 0 <= self._cursor < len(self._order)
            index = self._order[self._cursor] if valid else len(self.tracks)
            self._order = list(range(len(self.tracks)))
            self._cursor = index if valid else min(self._cursor, len(self._order))
        self.shuffle = on
