"""Leaving music out for a profile: "I don't like this", "... this artist", "... Nora Vance".

Each dislike is stored as feedback for every song it covers, so the recommender leaves
them out (an artist still plays when asked for by name); the songs leave the queue at
once, and if one of them is playing the player moves on to someone else's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from recommender.normalize import normalize_name
from recommender.store import Store, Track
from speaker.library_view import LibraryView
from speaker.picks import EngineLike

__all__ = ["NAME_MIN_SCORE", "Dislikes"]

NAME_MIN_SCORE = 93.0
"""How close (0-100) a name must match before a lasting dislike is stored for it: "nora
vans" (95) is Nora Vance, "blue lantern" (93) Blue Lantern Trio; "the tapes" (91) is only
probably Dusty Tapes, so Encore asks for the whole name."""


@dataclass
class Dislikes:
    """The dislikes of one request by ``user``; ``refill`` tops the queue up."""

    engine: EngineLike
    store: Store
    player: Any
    library: LibraryView
    user: str
    refill: Callable[[], None]

    def song(self, track: Track) -> str:
        """ "I don't like this": this song, skipped if it is playing."""
        self._leave_out([track], lambda t: t.id == track.id)
        return "Okay, I won't play that again."

    def artist(self, track: Track) -> str:
        """ "I don't like this artist": each of the artist's songs."""
        key = normalize_name(track.artist)
        self._leave_out(self.library.by_artist(track.artist) or [track],
                        lambda t: normalize_name(t.artist) == key)
        return (f"Okay, no more {track.artist}. I'll only play them when you ask for them "
                "by name.")

    def named(self, name: str) -> str:
        """ "I don't like Nora Vance" / "never play Velvet Hours again": an artist's songs,
        or an album's or a song's, looked up by name; a genre is too much to leave out."""
        found = self.library.matcher.match_one("artist", name)
        if found is None:
            return f"I couldn't find {name.title()} in your library."
        if found.score < NAME_MIN_SCORE:
            return (f"I'm not sure which you mean. Say the whole name, for example: "
                    f"I don't like {found.value}.")
        if found.slot == "artist" and self.library.by_artist(found.value):
            return self.artist(self.library.by_artist(found.value)[0])
        songs = (self.library.by_title(found.value) if found.slot == "track"
                 else self.library.by_album(found.value) if found.slot == "album" else [])
        if not songs:  # a genre
            return (f"I can't leave out all {found.value}. Say: I don't like this song, "
                    "while one plays.")
        ids = {t.id for t in songs}
        self._leave_out(songs, lambda t: t.id in ids)
        return f"Okay, I won't play {found.value} again."

    def _leave_out(self, songs: Iterable[Track], unwanted: Callable[[Any], bool]) -> None:
        with self.store.batch():  # one commit for all of them
            for song in songs:
                self.engine.feedback(self.user, "dislike", song.id)
        self.player.drop(unwanted)
        playing = self.player.now_playing
        if playing is not None and unwanted(playing):
            self.refill()  # something else to skip to
            self.player.next()
