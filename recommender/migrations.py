"""Ordered schema migrations of the library database.

The schema version lives in ``PRAGMA user_version``. Migration ``n`` takes a
database at version ``n - 1`` to version ``n``; each runs in its own
transaction together with the version bump, so a crash leaves the database at
a whole version. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

_EVENT_KINDS_SQL = "'request', 'play_start', 'complete', 'skip', 'like', 'dislike'"

_V1 = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_t REAL NOT NULL
);
INSERT INTO users (name, created_t) VALUES ('default', (julianday('now') - 2440587.5) * 86400.0);
CREATE TABLE tracks (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    mtime_ns INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    title TEXT NOT NULL,
    artist TEXT NOT NULL,
    album TEXT NOT NULL,
    album_artist TEXT NOT NULL,
    genres TEXT NOT NULL DEFAULT '[]',
    year INTEGER,
    track_no INTEGER,
    duration_s REAL NOT NULL,
    title_key TEXT NOT NULL,
    artist_key TEXT NOT NULL,
    album_key TEXT NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0,
    added_t REAL NOT NULL,
    updated_t REAL NOT NULL
);
CREATE INDEX tracks_by_keys ON tracks (artist_key, title_key);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    track_id INTEGER REFERENCES tracks (id),
    kind TEXT NOT NULL CHECK (kind IN ({_EVENT_KINDS_SQL})),
    position_s REAL,
    t REAL NOT NULL
);
CREATE INDEX events_by_user ON events (user_id, id);
"""

# Version 2: where each track's names came from, its quality, and deduplication.
_V2 = """
ALTER TABLE tracks ADD COLUMN tag_source TEXT NOT NULL DEFAULT 'tags';
ALTER TABLE tracks ADD COLUMN codec TEXT NOT NULL DEFAULT '';
ALTER TABLE tracks ADD COLUMN lossless INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracks ADD COLUMN quality_bps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracks ADD COLUMN duplicate_of INTEGER REFERENCES tracks (id);
ALTER TABLE tracks ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
CREATE INDEX events_by_track ON events (track_id);
"""

# Version 3: each profile's own playlists, made by voice ("add this to my workout playlist").
_V3 = """
CREATE TABLE playlists (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL COLLATE NOCASE,
    created_t REAL NOT NULL,
    UNIQUE (user_id, name)
);
CREATE TABLE playlist_items (
    playlist_id INTEGER NOT NULL REFERENCES playlists (id),
    position INTEGER NOT NULL,
    track_id INTEGER NOT NULL REFERENCES tracks (id),
    added_t REAL NOT NULL,
    PRIMARY KEY (playlist_id, position)
);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring ``conn`` (in autocommit mode) from its version up to ``target``; return the start.

    The caller checks for a database newer than this code before calling.
    """
    start = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for version in range(start + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return start
