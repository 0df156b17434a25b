"""The household's own playlists by voice: "add this to my workout playlist", then
"play my workout playlist".

Each profile has its own playlists in the library database
(:meth:`recommender.store.Store.add_to_playlist`). A spoken name is matched to the
profile's playlists with the library's tolerance for mishearing, so "add this to my
work out playlist" adds to "workout" instead of starting a second playlist.
"""

from __future__ import annotations

from typing import Any

from recommender.store import Store, Track
from speaker.library_view import LibraryView
from speaker.matching import best_name

__all__ = ["add_playing", "own_playlist"]


def add_playing(store: Store, player: Any, user: str, slots: dict[str, Any]) -> str:
    """Add the track playing to ``user``'s playlist named in ``slots``; the reply."""
    spoken = str(slots.get("playlist") or "").strip()
    if not spoken:
        return "Which playlist? Say, for example: add this to my workout playlist."
    playing = player.now_playing
    if playing is None:
        return "Nothing is playing, so there's nothing to add."
    existing = best_name(spoken, store.playlists(user))
    name = existing or spoken
    if not store.add_to_playlist(user, name, playing.id):
        return f"{playing.title} is already on your {name} playlist."
    new = "" if existing else " That's a new playlist."
    return f"Added {playing.title} to your {name} playlist.{new}"


def own_playlist(store: Store, library: LibraryView, user: str,
                 spoken: str) -> tuple[list[Track], str] | None:
    """The tracks of ``user``'s playlist a spoken name stands for, in order, and how to
    say it ("your workout playlist"); None if there is no such playlist with tracks."""
    name = best_name(spoken, store.playlists(user))
    if name is None:
        return None
    by_id = {t.id: t for t in library.tracks}
    tracks = [by_id[i] for i in store.playlist_track_ids(user, name) if i in by_id]
    return (tracks, f"your {name} playlist") if tracks else None
