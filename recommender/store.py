"""The library database: tracks, household profiles and listening events in one SQLite file.

WAL mode with ``synchronous=FULL``: ``add_event`` returns only after its row is
durably committed, so an acknowledged event survives a crash of the process.
One connection guarded by a lock serves one writer thread and any number of
readers. Events name the track they were logged against; readers see the
canonical copy of a deduplicated recording (``duplicate_of`` is followed).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

from recommender.errors import StoreError
from recommender.migrations import SCHEMA_VERSION, migrate
from recommender.normalize import normalize_name
from recommender.playlists import PlaylistsMixin
from recommender.records import (
    DEFAULT_USER,
    EVENT_KINDS,
    PLAY_KINDS,
    FileState,
    LibraryNames,
    LibraryStats,
    ListeningEvent,
    Track,
    TrackFile,
)

__all__ = [
    "DEFAULT_USER",
    "EVENT_KINDS",
    "PLAY_KINDS",
    "FileState",
    "LibraryNames",
    "LibraryStats",
    "ListeningEvent",
    "Store",
    "Track",
    "TrackFile",
]

logger = logging.getLogger(__name__)

_TRACK_COLUMNS = ("id, path, title, artist, album, album_artist, genres, year, track_no, "
                  "duration_s, tags, gone, tag_source, codec, lossless, quality_bps, duplicate_of")


@lru_cache(maxsize=4096)
def _names(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(json.loads(text))


def _track(row: sqlite3.Row) -> Track:
    (id_, path, title, artist, album, album_artist, genres, year, track_no, duration_s, tags,
     gone, tag_source, codec, lossless, quality_bps, duplicate_of) = row
    return Track(id_, path, title, artist, album, album_artist, _names(genres), year, track_no,
                 duration_s, _names(tags), bool(gone), tag_source, codec, bool(lossless),
                 quality_bps, duplicate_of)


def _distinct_display(values: Iterable[str]) -> tuple[str, ...]:
    """One display form per normalised key (the most frequent), sorted case-insensitively."""
    by_key: dict[str, Counter[str]] = {}
    for value in values:
        key = normalize_name(value)
        if key:
            by_key.setdefault(key, Counter())[value] += 1
    chosen = [counts.most_common(1)[0][0] for counts in by_key.values()]
    return tuple(sorted(chosen, key=str.casefold))


class Store(PlaylistsMixin):
    """Opens (creating or migrating) the library database at ``path``.

    ``clock`` gives unix seconds for events logged without a time and for scan
    bookkeeping; tests inject one.
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.RLock()
        self._depth = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None,
                                         check_same_thread=False, timeout=10.0)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the library database {self.path}: {exc}; "
                             "check the data directory's permissions") from exc
        self._conn.row_factory = sqlite3.Row
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path} is not a usable Encore library database ({exc}); "
                             "move it aside and run `encore library scan` to rebuild it") from exc
        except StoreError:
            self._conn.close()
            raise

    def _open(self) -> None:
        conn = self._conn
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the library database {self.path} has schema version {version}, newer than "
                f"this Encore understands ({SCHEMA_VERSION}); upgrade Encore to open it")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            logger.warning("SQLite refused WAL mode for %s (got %s)", self.path, mode)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        start = migrate(conn)
        if start == 0:
            logger.info("created the library database %s", self.path)
        elif start != SCHEMA_VERSION:
            logger.info("library database %s migrated from schema %d to %d",
                        self.path, start, SCHEMA_VERSION)

    # -- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes into one transaction (one fsync); nested calls join the outer one."""
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    # -- tracks --------------------------------------------------------------------

    def tracks(self, include_gone: bool = False,
               include_duplicates: bool = False) -> list[Track]:
        """Tracks ordered by id; by default only the served ones (present, not duplicates)."""
        where = []
        if not include_gone:
            where.append("gone = 0")
        if not include_duplicates:
            where.append("duplicate_of IS NULL")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._query(f"SELECT {_TRACK_COLUMNS} FROM tracks{clause} ORDER BY id")
        return [_track(r) for r in rows]

    def track(self, track_id: int) -> Track | None:
        """Any track by id, gone or duplicate included."""
        rows = self._query(f"SELECT {_TRACK_COLUMNS} FROM tracks WHERE id = ?", (track_id,))
        return _track(rows[0]) if rows else None

    def file_states(self) -> dict[str, FileState]:
        """Path -> what was last recorded about that file, gone ones included."""
        rows = self._query("SELECT id, path, mtime_ns, size_bytes, gone FROM tracks")
        return {r["path"]: FileState(r["id"], r["mtime_ns"], r["size_bytes"], bool(r["gone"]))
                for r in rows}

    def find_gone_match(self, f: TrackFile, tolerance_s: float = 2.0) -> int | None:
        """A gone track that is the same recording as ``f`` (a moved or renamed file)."""
        rows = self._query(
            "SELECT id FROM tracks WHERE gone = 1 AND artist_key = ? AND title_key = ? "
            "AND album_key = ? AND abs(duration_s - ?) <= ? ORDER BY id DESC LIMIT 1",
            (normalize_name(f.artist), normalize_name(f.title), normalize_name(f.album),
             f.duration_s, tolerance_s))
        return int(rows[0]["id"]) if rows else None

    def upsert_track(self, f: TrackFile, reuse_id: int | None = None) -> int:
        """Insert or update the track at ``f.path`` (marking it present); return its id.

        ``reuse_id`` moves an existing (gone) row to this path, keeping its history.
        """
        now = self._clock()
        values = (f.path, f.mtime_ns, f.size_bytes, f.title, f.artist, f.album, f.album_artist,
                  json.dumps(list(f.genres)), f.year, f.track_no, f.duration_s,
                  normalize_name(f.title), normalize_name(f.artist), normalize_name(f.album),
                  f.tag_source, f.codec, int(f.lossless), f.quality_bps, json.dumps(list(f.tags)))
        assignments = ("path = ?, mtime_ns = ?, size_bytes = ?, title = ?, artist = ?, "
                       "album = ?, album_artist = ?, genres = ?, year = ?, track_no = ?, "
                       "duration_s = ?, title_key = ?, artist_key = ?, album_key = ?, "
                       "tag_source = ?, codec = ?, lossless = ?, quality_bps = ?, tags = ?, "
                       "gone = 0, updated_t = ?")
        with self.batch():
            if reuse_id is None:
                row = self._conn.execute("SELECT id FROM tracks WHERE path = ?",
                                         (f.path,)).fetchone()
                reuse_id = None if row is None else int(row["id"])
            if reuse_id is not None:
                self._conn.execute(f"UPDATE tracks SET {assignments} WHERE id = ?",
                                   (*values, now, reuse_id))
                return reuse_id
            cursor = self._conn.execute(
                "INSERT INTO tracks (path, mtime_ns, size_bytes, title, artist, album, "
                "album_artist, genres, year, track_no, duration_s, title_key, artist_key, "
                "album_key, tag_source, codec, lossless, quality_bps, tags, gone, added_t, "
                "updated_t) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "0, ?, ?)", (*values, now, now))
            return int(cursor.lastrowid or 0)

    def mark_gone(self, track_ids: Iterable[int]) -> None:
        """Mark tracks whose files vanished; their rows and events stay."""
        with self.batch():
            self._conn.executemany("UPDATE tracks SET gone = 1, duplicate_of = NULL, "
                                   "updated_t = ? WHERE id = ?",
                                   [(self._clock(), i) for i in track_ids])

    def set_duplicates(self, duplicate_of: Mapping[int, int]) -> None:
        """Replace all duplicate links: track id -> id of the copy served instead."""
        with self.batch():
            self._conn.execute("UPDATE tracks SET duplicate_of = NULL "
                               "WHERE duplicate_of IS NOT NULL")
            self._conn.executemany("UPDATE tracks SET duplicate_of = ? WHERE id = ?",
                                   [(canon, dup) for dup, canon in duplicate_of.items()])

    def set_last_scan(self, t: float | None = None) -> None:
        with self.batch():
            self._conn.execute("INSERT INTO meta (key, value) VALUES ('last_scan_t', ?) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               (repr(self._clock() if t is None else t),))

    def last_scan(self) -> float | None:
        """Unix seconds of the end of the last completed scan, or None if never scanned."""
        rows = self._query("SELECT value FROM meta WHERE key = 'last_scan_t'")
        return float(rows[0]["value"]) if rows else None

    def names(self) -> LibraryNames:
        served = self.tracks()
        genres = [g for t in served for g in t.genres]
        return LibraryNames(
            artists=_distinct_display([t.artist for t in served]
                                      + [t.album_artist for t in served]),
            albums=_distinct_display(t.album for t in served),
            titles=_distinct_display(t.title for t in served),
            genres=_distinct_display(genres),
        )

    # -- users ---------------------------------------------------------------------

    def ensure_user(self, name: str) -> int:
        """The id of profile ``name`` (matched case-insensitively), creating it if new."""
        name = name.strip()
        if not name:
            raise StoreError("a profile name must not be empty; use 'default' for the household")
        with self.batch():
            row = self._conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return int(row["id"])
            cursor = self._conn.execute("INSERT INTO users (name, created_t) VALUES (?, ?)",
                                        (name, self._clock()))
            logger.info("new listener profile %r", name)
            return int(cursor.lastrowid or 0)

    def users(self) -> list[str]:
        return [r["name"] for r in self._query("SELECT name FROM users ORDER BY id")]

    # -- events --------------------------------------------------------------------

    def add_event(self, user: str, kind: str, track_id: int | None = None,
                  position_s: float | None = None, t: float | None = None) -> int:
        """Log one event and return its id once it is durably committed.

        A profile seen for the first time is created; ``t`` defaults to the store's clock.
        """
        if kind not in EVENT_KINDS:
            raise StoreError(f"unknown event kind {kind!r}; use one of {', '.join(EVENT_KINDS)}")
        when = self._clock() if t is None else float(t)
        try:
            with self.batch():
                user_id = self.ensure_user(user)
                cursor = self._conn.execute(
                    "INSERT INTO events (user_id, track_id, kind, position_s, t) "
                    "VALUES (?, ?, ?, ?, ?)", (user_id, track_id, kind, position_s, when))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot log {kind!r} for track {track_id}: no such track; "
                             "rescan the library with `encore library scan`") from exc
        return int(cursor.lastrowid or 0)

    def _user_id(self, user: str) -> int | None:
        rows = self._query("SELECT id FROM users WHERE name = ?", (user.strip(),))
        return int(rows[0]["id"]) if rows else None

    def events(self, user: str | None = None, since_id: int = 0) -> list[ListeningEvent]:
        """Events with id > ``since_id`` in id order, for one profile or all."""
        sql = ("SELECT e.id, u.name, COALESCE(t.duplicate_of, e.track_id) AS track_id, e.kind, "
               "e.position_s, e.t FROM events e JOIN users u ON u.id = e.user_id "
               "LEFT JOIN tracks t ON t.id = e.track_id WHERE e.id > ?")
        params: list[Any] = [since_id]
        if user is not None:
            user_id = self._user_id(user)
            if user_id is None:
                return []
            sql += " AND e.user_id = ?"
            params.append(user_id)
        rows = self._query(sql + " ORDER BY e.id", params)
        return [ListeningEvent(r["id"], r["name"], r["track_id"], r["kind"], r["position_s"],
                               r["t"]) for r in rows]

    def now(self) -> float:
        """The store's clock (unix seconds): the time new events are stamped with."""
        return self._clock()

    def recent_track_ids(self, user: str, n: int, since_t: float | None = None) -> list[int]:
        """Distinct tracks ``user`` last played (started, completed or skipped), newest first.

        ``since_t`` (unix seconds) leaves out plays older than that.
        """
        user_id = self._user_id(user)
        if user_id is None or n <= 0:
            return []
        kinds = ", ".join(f"'{k}'" for k in PLAY_KINDS)
        recent: dict[int, None] = {}
        with self._lock:
            cursor = self._conn.execute(
                "SELECT COALESCE(t.duplicate_of, e.track_id), e.t FROM events e "
                "LEFT JOIN tracks t ON t.id = e.track_id WHERE e.user_id = ? "
                f"AND e.track_id IS NOT NULL AND e.kind IN ({kinds}) ORDER BY e.id DESC",
                (user_id,))
            for track_id, t in cursor:
                if since_t is not None and t < since_t:
                    break
                recent[int(track_id)] = None
                if len(recent) >= n:
                    break
            cursor.close()
        return list(recent)

    def event_count(self, since_id: int = 0) -> int:
        return int(self._query("SELECT count(*) FROM events WHERE id > ?", (since_id,))[0][0])

    def stats(self) -> LibraryStats:
        row = self._query(
            "SELECT sum(gone = 0 AND duplicate_of IS NULL), sum(gone), "
            "sum(gone = 0 AND duplicate_of IS NOT NULL), "
            "sum(gone = 0 AND duplicate_of IS NULL AND tag_source != 'tags') FROM tracks")[0]
        return LibraryStats(
            tracks=int(row[0] or 0), gone=int(row[1] or 0), duplicates=int(row[2] or 0),
            folder_fallbacks=int(row[3] or 0), users=len(self.users()),
            events=self.event_count(), last_scan_t=self.last_scan())
