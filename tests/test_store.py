"""The library database: profiles, events, durability across a kill -9, migrations."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.errors import StoreError
from recommender.migrations import SCHEMA_VERSION, migrate
from recommender.store import DEFAULT_USER, EVENT_KINDS, Store, TrackFile

ROOT = Path(__file__).resolve().parents[1]


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _file(path: str, title: str, artist: str = "The Band", album: str = "Album",
          duration_s: float = 180.0, **extra: object) -> TrackFile:
    return TrackFile(path=path, mtime_ns=1, size_bytes=100, title=title, artist=artist,
                     album=album, album_artist=artist, genres=("Rock",), year=1994, track_no=1,
                     duration_s=duration_s, **extra)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "library.sqlite3", clock=FakeClock()) as s:
        yield s


def test_new_database_has_default_profile_wal_and_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "library.sqlite3"
    with Store(path) as store:
        assert store.users() == [DEFAULT_USER]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_profiles_are_created_once_and_matched_case_insensitively(store: Store) -> None:
    anna = store.ensure_user("Anna")
    assert store.ensure_user("anna") == anna
    assert store.users() == [DEFAULT_USER, "Anna"]
    with pytest.raises(StoreError, match="must not be empty"):
        store.ensure_user("  ")


def test_events_round_trip_with_clock_and_since_id(store: Store) -> None:
    tid = store.upsert_track(_file("/m/a.flac", "Song"))
    first = store.add_event("default", "request", None)
    second = store.add_event("Anna", "skip", tid, position_s=12.5)
    third = store.add_event("default", "like", tid, t=42.0)
    events = store.events()
    assert [e.id for e in events] == [first, second, third]
    assert events[1].user == "Anna" and events[1].kind == "skip"
    assert events[1].position_s == 12.5 and events[1].track_id == tid
    assert events[2].t == 42.0
    assert events[0].t < events[1].t  # stamped by the injected clock
    assert [e.id for e in store.events(user="default")] == [first, third]
    assert [e.id for e in store.events(since_id=first)] == [second, third]
    assert store.event_count() == 3 and store.event_count(since_id=second) == 1
    assert set(EVENT_KINDS) == {"request", "play_start", "complete", "skip", "like", "dislike"}


def test_bad_events_are_refused_with_a_useful_message(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown event kind 'played'"):
        store.add_event("default", "played", None)
    with pytest.raises(StoreError, match="no such track"):
        store.add_event("default", "play_start", 999)
    assert store.event_count() == 0


def test_recent_tracks_are_distinct_plays_newest_first(store: Store) -> None:
    a, b, c = (store.upsert_track(_file(f"/m/{n}.flac", n)) for n in "abc")
    for kind, track in [("play_start", a), ("complete", a), ("play_start", b),
                        ("skip", b), ("like", c), ("play_start", a)]:
        store.add_event("default", kind, track)
    store.add_event("Anna", "play_start", c)
    assert store.recent_track_ids("default", 10) == [a, b]  # a like is not a play
    assert store.recent_track_ids("default", 1) == [a]
    assert store.recent_track_ids("Anna", 10) == [c]
    assert store.recent_track_ids("nobody", 10) == []


def test_recent_tracks_can_be_limited_to_a_time_window(store: Store) -> None:
    a, b = (store.upsert_track(_file(f"/m/{n}.flac", n)) for n in "ab")
    store.add_event("default", "complete", a, t=store.now() - 3600)
    store.add_event("default", "complete", b, t=store.now() - 60)
    assert store.recent_track_ids("default", 10) == [b, a]
    assert store.recent_track_ids("default", 10, since_t=store.now() - 600) == [b]


def test_events_on_a_duplicate_copy_count_for_the_served_copy(store: Store) -> None:
    mp3 = store.upsert_track(_file("/m/song.mp3", "Song"))
    store.add_event("default", "complete", mp3)
    flac = store.upsert_track(_file("/m/song.flac", "Song"))
    store.set_duplicates({mp3: flac})
    assert [t.id for t in store.tracks()] == [flac]
    assert store.track(mp3) is not None and store.track(mp3).duplicate_of == flac  # type: ignore[union-attr]
    assert [e.track_id for e in store.events()] == [flac]
    assert store.recent_track_ids("default", 5) == [flac]


def test_gone_tracks_leave_the_catalog_but_keep_their_history(store: Store) -> None:
    tid = store.upsert_track(_file("/m/a.flac", "Song"))
    store.add_event("default", "complete", tid)
    store.mark_gone([tid])
    assert store.tracks() == []
    assert [t.id for t in store.tracks(include_gone=True)] == [tid]
    assert store.events()[0].track_id == tid
    assert store.upsert_track(_file("/m/a.flac", "Song")) == tid  # back again, same id
    assert [t.id for t in store.tracks()] == [tid]


def test_track_has_display_forms_and_matching_keys(store: Store) -> None:
    tid = store.upsert_track(_file("/m/a.flac", "Crazy (feat. X)", artist="The Beatles"))
    track = store.track(tid)
    assert track is not None
    assert (track.artist, track.artist_key) == ("The Beatles", "beatles")
    assert track.title_key == "crazy" and track.album_key == "album"
    assert track.genres == ("Rock",) and track.decade == 1990


def test_names_are_distinct_display_forms_of_served_tracks(store: Store) -> None:
    store.upsert_track(_file("/m/1.flac", "One", artist="The Beatles"))
    store.upsert_track(_file("/m/2.flac", "Two", artist="The Beatles"))
    store.upsert_track(_file("/m/3.flac", "Three", artist="the beatles"))
    gone = store.upsert_track(_file("/m/4.flac", "Four", artist="Gone Band"))
    store.mark_gone([gone])
    names = store.names()
    assert names.artists == ("The Beatles",)
    assert names.titles == ("One", "Three", "Two")
    assert names.albums == ("Album",) and names.genres == ("Rock",)


def test_last_scan_is_recorded(store: Store) -> None:
    assert store.last_scan() is None
    store.set_last_scan(1234.5)
    assert store.last_scan() == 1234.5


def test_one_writer_thread_and_a_reader_share_a_store(store: Store) -> None:
    tid = store.upsert_track(_file("/m/a.flac", "Song"))
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(200):
                store.add_event("default", "play_start", tid)
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    seen = 0
    while writer.is_alive():
        count = len(store.events())
        assert count >= seen
        seen = count
    writer.join()
    assert errors == [] and store.event_count() == 200


# -- migrations ------------------------------------------------------------------------


def test_a_version_1_database_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    conn.execute(
        "INSERT INTO tracks (path, mtime_ns, size_bytes, title, artist, album, album_artist, "
        "genres, year, track_no, duration_s, title_key, artist_key, album_key, added_t, "
        "updated_t) VALUES ('/m/a.mp3', 1, 2, 'Song', 'Band', 'LP', 'Band', '[\"Pop\"]', "
        "1999, 3, 200.0, 'song', 'band', 'lp', 0, 0)")
    conn.execute("INSERT INTO events (user_id, track_id, kind, position_s, t) "
                 "VALUES (1, 1, 'skip', 3.0, 10.0)")
    conn.close()
    with Store(path) as store:
        track = store.track(1)
        assert track is not None and track.title == "Song" and track.genres == ("Pop",)
        assert track.tag_source == "tags" and track.duplicate_of is None  # v2 defaults
        assert [(e.kind, e.position_s) for e in store.events()] == [("skip", 3.0)]
        assert store.playlists(DEFAULT_USER) == []  # v3: the playlist tables exist
        assert store.add_to_playlist(DEFAULT_USER, "kitchen", 1)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_playlists_belong_to_a_profile_and_keep_their_order(store: Store) -> None:
    a = store.upsert_track(_file("/m/a.mp3", "Alpha"))
    b = store.upsert_track(_file("/m/b.mp3", "Beta"))
    assert store.add_to_playlist("Anna", "Workout", b)
    assert store.add_to_playlist("anna", "  workout ", a)  # names match case-insensitively
    assert not store.add_to_playlist("Anna", "WORKOUT", b)  # already on it: not twice
    assert store.playlists("Anna") == ["Workout"]
    assert store.playlist_track_ids("ANNA", "workout") == [b, a]
    assert store.playlists("Ben") == [] and store.playlist_track_ids("Ben", "workout") == []
    store.mark_gone([b])
    assert store.playlist_track_ids("Anna", "Workout") == [a]  # gone tracks drop out


def test_a_playlist_refuses_unknown_tracks_and_empty_names(store: Store) -> None:
    a = store.upsert_track(_file("/m/a.mp3", "Alpha"))
    with pytest.raises(StoreError, match="no such track"):
        store.add_to_playlist("Anna", "Workout", 999)
    with pytest.raises(StoreError, match="needs a name"):
        store.add_to_playlist("Anna", "  ", a)
    assert store.playlists("Anna") == []  # the failed insert left nothing behind


def test_a_database_from_a_newer_encore_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="upgrade Encore"):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable Encore library database"):
        Store(path)


# -- durability ------------------------------------------------------------------------

_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from recommender.store import Store
    store = Store(Path(sys.argv[1]))
    for i in range(100_000):
        kind = ("play_start", "skip", "like")[i % 3]
        event_id = store.add_event("default", kind, None, position_s=float(i))
        print(event_id, flush=True)
""")


def test_acknowledged_events_survive_kill_9_of_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    Store(path).close()
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    acknowledged = [int(proc.stdout.readline()) for _ in range(300)]
    proc.send_signal(signal.SIGKILL)
    acknowledged += [int(line) for line in proc.stdout.read().split()]
    proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-stream, not finished
    with Store(path) as store:
        stored = {e.id for e in store.events()}
    assert set(acknowledged) <= stored
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
