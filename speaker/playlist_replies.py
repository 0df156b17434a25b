"""The household's own playlists by voice: "add this to my workout playlist", then
"play my workout playlist".

Each profile has its own playlists in the library database
(:mod:`recommender.playlists`). Adding lands on a playlist the profile has only when
the spoken name is the same name spaced or punctuated differently ("work out" is
"workout"), so "rain" next to "train", "gym" next to "Jim" or "workout 2" next to
"workout" start new playlists; playing takes the closest of the profile's playlists
with the same numbers in it, with the library's tolerance for mishearing.
Favourites are the profile's likes, not a playlist.
"""

from __future__ import annotations

import re
from typing import Protocol

from recommender.store import Store, Track
from speaker.decoding import Playable
from speaker.library_view import LibraryView
from speaker.matching import best_name, name_key

__all__ = ["add_playing", "is_favourites", "list_playlists", "own_playlist", "remove_playing"]


class _Player(Protocol):
    @property
    def now_playing(self) -> Playable | None: ...


def is_favourites(name: str) -> bool:
    """Whether a spoken playlist name means the profile's likes ("my favourites")."""
    return any(w in name.casefold() for w in ("like", "favo", "love", "best"))


def _digits(name: str) -> list[str]:
    return re.findall(r"\d+", name)


def _same_name(spoken: str, names: list[str]) -> str | None:
    key = name_key(spoken).replace(" ", "")
    return next((n for n in names if name_key(n).replace(" ", "") == key), None)


def _closest(store: Store, user: str, spoken: str) -> str | None:
    """The profile's playlist a spoken name stands for: the closest with the same numbers
    in it, with the library's tolerance for mishearing (spacing aside, the same name
    scores 100)."""
    return best_name(spoken, [n for n in store.playlists(user) if _digits(n) == _digits(spoken)])


def add_playing(store: Store, player: _Player, user: str, name: str) -> str:
    """Add the track playing to ``user``'s playlist ``name``; the reply."""
    spoken = name.strip()
    if not spoken:
        return "Which playlist? Say, for example: add this to my workout playlist."
    playing = player.now_playing
    if playing is None:
        return "Nothing is playing, so there's nothing to add."
    existing = _same_name(spoken, store.playlists(user))
    name = existing or spoken
    if not store.add_to_playlist(user, name, playing.id):
        return f"{playing.title} is already on your {name} playlist."
    new = "" if existing else " That's a new playlist."
    return f"Added {playing.title} to your {name} playlist.{new}"


def remove_playing(store: Store, player: _Player, user: str, name: str) -> str:
    """Take the track playing off ``user``'s playlist ``name`` (the closest of the
    profile's playlists with the same numbers in its name); the reply."""
    spoken = name.strip()
    if not spoken:
        return "Which playlist? Say, for example: take this off my workout playlist."
    playing = player.now_playing
    if playing is None:
        return "Nothing is playing, so there's nothing to take off a playlist."
    found = _closest(store, user, spoken)
    if found is None:
        return f"You don't have a playlist called {spoken}."
    if not store.remove_from_playlist(user, found, playing.id):
        return f"{playing.title} isn't on your {found} playlist."
    return f"Took {playing.title} off your {found} playlist."


def list_playlists(store: Store, user: str) -> str:
    """ "What playlists do I have": ``user``'s playlists by name, oldest first."""
    names = store.playlists(user)
    if not names:
        return "You have no playlists yet. Say, for example: add this to my workout playlist."
    if len(names) == 1:
        return f"You have one playlist: {names[0]}."
    return f"You have {len(names)} playlists: {', '.join(names[:-1])} and {names[-1]}."


def own_playlist(store: Store, library: LibraryView, user: str,
                 spoken: str) -> tuple[list[Track], str] | None:
    """The tracks of ``user``'s playlist a spoken name stands for, in order, and how to
    say it ("your workout playlist"); None if there is no such playlist with tracks."""
    name = _closest(store, user, spoken)
    if name is None:
        return None
    by_id = library.by_id
    tracks = [by_id[i] for i in store.playlist_track_ids(user, name) if i in by_id]
    return (tracks, f"your {name} playlist") if tracks else None
