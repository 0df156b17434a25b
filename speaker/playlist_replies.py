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
from typing import Any, Protocol

from recommender.store import Store, Track
from speaker.decoding import Playable
from speaker.library_view import LibraryView
from speaker.matching import best_name, name_key
from speaker.transport_replies import describe, spoken_list

__all__ = ["add_named", "add_playing", "add_tracks", "is_favourites", "list_playlists",
           "own_playlist", "remove_playing", "tell_playlist"]


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
    if not name.strip():
        return "Which playlist? Say, for example: add this to my workout playlist."
    playing = player.now_playing
    if playing is None:
        return "Nothing is playing, so there's nothing to add."
    return add_tracks(store, user, name, [playing.id], playing.title)


def add_tracks(store: Store, user: str, name: str, track_ids: list[int], what: str) -> str:
    """Add tracks (the one playing, or a song, album or artist named: ``what``) to
    ``user``'s playlist ``name``, in one commit; the reply."""
    spoken = name.strip()
    existing = _same_name(spoken, store.playlists(user))
    name = existing or spoken
    with store.batch():
        added = sum(store.add_to_playlist(user, name, i) for i in track_ids)
    if not added:
        return f"{what} is already on your {name} playlist."
    new = "" if existing else " That's a new playlist."
    return f"Added {what} to your {name} playlist.{new}"


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
    return f"You have {len(names)} playlists: {spoken_list(names)}."


def add_named(store: Store, engine: Any, library: LibraryView, user: str, name: str,
              slots: dict[str, Any]) -> str:
    """ "Add Velvet Hours to my workout playlist": a song, an album or an artist's songs,
    named in play slots, onto ``user``'s playlist ``name`` (liked, for "my favourites",
    through ``engine.feedback``); the reply."""
    matches = library.matcher.match(slots)
    track_m, album_m, artist_m = (matches.get(k) for k in ("track", "album", "artist"))
    if album_m is not None and not slots.get("album") and library.by_title(album_m.value):
        track_m, album_m = album_m, None  # "add Velvet Hours": the song, not its album
    songs = (library.by_title(track_m.value, artist_m.value if artist_m else None)[:1]
             if track_m else library.by_album(album_m.value) if album_m
             else library.by_artist(artist_m.value) if artist_m else [])
    if not songs:
        spoken = next((str(slots[k]) for k in ("track", "album", "artist") if k in slots), "")
        if spoken:
            return f"I couldn't find {spoken.title()} in your library."
        return ("I can add a song, an album or an artist. Say, for example: add Velvet Hours "
                f"to my {name or 'workout'} playlist, or add this while it plays.")
    first = songs[0]
    what = (describe(first) if track_m
            else f"the album {first.album} ({len(songs)} songs)" if album_m
            else f"{len(songs)} songs by {first.artist}")
    if is_favourites(name):
        with store.batch():
            for song in songs:
                engine.feedback(user, "like", song.id)
        return f"Added {what} to your favourites."
    return add_tracks(store, user, name, [t.id for t in songs], what)


def tell_playlist(store: Store, library: LibraryView, user: str, spoken: str) -> str:
    """ "What's on my workout playlist": how many songs and the first few."""
    found = own_playlist(store, library, user, spoken)
    if found is None:
        return f"You don't have a playlist called {spoken.strip() or 'that'}."
    tracks, said = found
    shown = tracks[:3] if len(tracks) > 4 else tracks
    named = [describe(t) for t in shown]
    if len(tracks) > len(shown):
        named.append(f"{len(tracks) - len(shown)} more")
    count = "one song" if len(tracks) == 1 else f"{len(tracks)} songs"
    return f"{said[0].upper()}{said[1:]} has {count}: {spoken_list(named)}."


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
