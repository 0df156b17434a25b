"""Each profile's own playlists in the library database (schema version 3).

A mixin of :class:`recommender.store.Store`: it uses the store's connection, lock
and transactions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from recommender.errors import StoreError

__all__ = ["PlaylistsMixin"]


class PlaylistsMixin:
    """Playlist methods of the store."""

    _conn: sqlite3.Connection
    _clock: Callable[[], float]

    if TYPE_CHECKING:  # provided by Store
        def batch(self) -> AbstractContextManager[None]: ...
        def ensure_user(self, name: str) -> int: ...
        def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]: ...

    def playlists(self, user: str) -> list[str]:
        """The names of ``user``'s playlists, oldest first."""
        rows = self._query("SELECT p.name FROM playlists p JOIN users u ON u.id = p.user_id "
                           "WHERE u.name = ? ORDER BY p.id", (user.strip(),))
        return [r["name"] for r in rows]

    def playlist_track_ids(self, user: str, name: str) -> list[int]:
        """The tracks of ``user``'s playlist ``name`` in order, those still in the library."""
        rows = self._query(
            "SELECT COALESCE(t.duplicate_of, t.id) AS id FROM playlist_items i "
            "JOIN playlists p ON p.id = i.playlist_id JOIN users u ON u.id = p.user_id "
            "JOIN tracks t ON t.id = i.track_id WHERE u.name = ? AND p.name = ? AND t.gone = 0 "
            "ORDER BY i.position", (user.strip(), " ".join(name.split())))
        return [int(r["id"]) for r in rows]

    def remove_from_playlist(self, user: str, name: str, track_id: int) -> bool:
        """Take a track (or its duplicates) off ``user``'s playlist ``name``; False if it
        was not on it. The playlist stays, empty or not."""
        with self.batch():
            cursor = self._conn.execute(
                "DELETE FROM playlist_items WHERE playlist_id IN (SELECT p.id FROM playlists p "
                "JOIN users u ON u.id = p.user_id WHERE u.name = ? AND p.name = ?) AND track_id IN "
                "(SELECT id FROM tracks WHERE id = ? OR duplicate_of = ?)",
                (user.strip(), " ".join(name.split()), track_id, track_id))
        return cursor.rowcount > 0

    def add_to_playlist(self, user: str, name: str, track_id: int) -> bool:
        """Append a track to ``user``'s playlist ``name``, creating the playlist if new;
        False (and nothing written) if the track is already on it."""
        name = " ".join(name.split())
        if not name:
            raise StoreError("a playlist needs a name")
        try:
            with self.batch():
                user_id = self.ensure_user(user)
                conn = self._conn
                row = conn.execute("SELECT id FROM playlists WHERE user_id = ? AND name = ?",
                                   (user_id, name)).fetchone()
                playlist_id = int(row["id"]) if row is not None else int(conn.execute(
                    "INSERT INTO playlists (user_id, name, created_t) VALUES (?, ?, ?)",
                    (user_id, name, self._clock())).lastrowid or 0)
                if conn.execute("SELECT 1 FROM playlist_items WHERE playlist_id = ? AND "
                                "track_id = ?", (playlist_id, track_id)).fetchone():
                    return False
                conn.execute(
                    "INSERT INTO playlist_items (playlist_id, position, track_id, added_t) "
                    "SELECT ?, COALESCE(MAX(position), -1) + 1, ?, ? FROM playlist_items "
                    "WHERE playlist_id = ?", (playlist_id, track_id, self._clock(), playlist_id))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot add track {track_id} to the playlist {name!r}: no such "
                             "track; rescan the library with `encore library scan`") from exc
        return True

