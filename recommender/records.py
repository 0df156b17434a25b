"""The library's records: tracks, scanned files, listening events, name lists, counts.

Plain frozen dataclasses shared by the store, the scanner and the recommender;
``recommender.store`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from recommender.normalize import normalize_name

__all__ = [
    "DEFAULT_USER",
    "EVENT_KINDS",
    "PLAY_KINDS",
    "FileState",
    "LibraryNames",
    "LibraryStats",
    "ListeningEvent",
    "Track",
    "TrackFile",
]

EVENT_KINDS = ("request", "play_start", "complete", "skip", "like", "dislike")
PLAY_KINDS = ("play_start", "complete", "skip")
"""Event kinds that mean a track was actually played (used by ``recent_track_ids``)."""
DEFAULT_USER = "default"


@dataclass(frozen=True)
class Track:
    """One audio file of the library, with its names in display form.

    ``tag_source`` says where the names came from: ``"tags"``, ``"folder"`` (all
    from the Artist/Album/NN Title path) or ``"mixed"``. ``duplicate_of`` is the
    id of the better copy of the same recording that is served instead.
    ``quality_bps`` is the bitrate (lossy) or the PCM-equivalent rate (lossless).
    """

    id: int
    path: str
    title: str
    artist: str
    album: str
    album_artist: str
    genres: tuple[str, ...]
    year: int | None
    track_no: int | None
    duration_s: float
    tags: tuple[str, ...] = ()
    gone: bool = False
    tag_source: str = "tags"
    codec: str = ""
    lossless: bool = False
    quality_bps: int = 0
    duplicate_of: int | None = None

    @cached_property
    def title_key(self) -> str:
        return normalize_name(self.title)

    @cached_property
    def artist_key(self) -> str:
        return normalize_name(self.artist)

    @cached_property
    def album_key(self) -> str:
        return normalize_name(self.album)

    @cached_property
    def album_artist_key(self) -> str:
        return normalize_name(self.album_artist)

    @cached_property
    def genre_keys(self) -> tuple[str, ...]:
        return tuple(normalize_name(g) for g in self.genres)

    @property
    def decade(self) -> int | None:
        """The decade of ``year`` (1994 -> 1990), or None when the year is unknown."""
        return None if self.year is None else self.year // 10 * 10


@dataclass(frozen=True)
class TrackFile:
    """What the scanner read from one file: the input of ``Store.upsert_track``."""

    path: str
    mtime_ns: int
    size_bytes: int
    title: str
    artist: str
    album: str
    album_artist: str
    genres: tuple[str, ...]
    year: int | None
    track_no: int | None
    duration_s: float
    tag_source: str = "tags"
    codec: str = ""
    lossless: bool = False
    quality_bps: int = 0
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileState:
    """What the database remembers of a file, for incremental rescans."""

    track_id: int
    mtime_ns: int
    size_bytes: int
    gone: bool


@dataclass(frozen=True)
class ListeningEvent:
    """One thing a listener did; ``t`` is unix seconds, ``position_s`` seconds into the track."""

    id: int
    user: str
    track_id: int | None
    kind: str
    position_s: float | None
    t: float


@dataclass(frozen=True)
class LibraryNames:
    """Distinct display names of the served (not gone, not duplicate) tracks, sorted."""

    artists: tuple[str, ...]
    albums: tuple[str, ...]
    titles: tuple[str, ...]
    genres: tuple[str, ...]


@dataclass(frozen=True)
class LibraryStats:
    """Counts of served tracks, gone files, duplicate copies, profiles and events."""

    tracks: int
    gone: int
    duplicates: int
    folder_fallbacks: int
    users: int
    events: int
    last_scan_t: float | None
