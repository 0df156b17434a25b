"""The recommender engine over a real SQLite store: filters, cold start, real-time feedback."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.engine import Engine, Query, select_diverse
from recommender.model import Hyperparameters
from recommender.store import Store, Track, TrackFile

PARAMS = Hyperparameters(components=8, epochs=20, threads=1, seed=0)
GROUPS = (("rock", "Rock", 1975), ("jazz", "Jazz", 1995))


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


def _add(store: Store, group: str, genre: str, artist: int, n: int, year: int,
         album: str = "") -> int:
    return store.upsert_track(TrackFile(
        path=f"/music/{group}{artist}/{album or 'a'}/{n}.mp3", mtime_ns=1, size_bytes=1,
        title=f"{group} {artist} {n}", artist=f"{group.title()} Artist {artist}",
        album=album or f"{group.title()} Album {artist}", album_artist="", genres=(genre,),
        year=year, track_no=n, duration_s=200.0))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """80 tracks: 5 rock and 5 jazz artists with 8 tracks each.

    alice completes rock tracks, bob jazz tracks; six other listeners all play one rock
    and one jazz "hit" (track 7 of artist 0), which makes those two the most popular.
    """
    st = Store(tmp_path / "library.sqlite3", clock=Clock())
    ids: dict[tuple[str, int, int], int] = {}
    for group, genre, year in GROUPS:
        for artist in range(5):
            for n in range(8):
                ids[(group, artist, n)] = _add(st, group, genre, artist, n, year + artist)
    with st.batch():
        for artist in range(5):
            for n in range(5):
                for _ in range(2):
                    st.add_event("alice", "complete", ids[("rock", artist, n)])
                    st.add_event("bob", "complete", ids[("jazz", artist, n)])
        for listener in range(6):
            for group in ("rock", "jazz"):
                st.add_event(f"fan{listener}", "complete", ids[(group, 0, 7)])
    yield st
    st.close()


@pytest.fixture
def engine(store: Store, tmp_path: Path) -> Iterator[Engine]:
    eng = Engine(store, tmp_path / "model", PARAMS, recent_window=10, background=False)
    yield eng
    eng.close()


def genre(track: Track) -> str:
    return track.genres[0]


def test_without_a_model_a_fresh_profile_gets_the_most_popular_tracks(engine: Engine) -> None:
    assert engine.using_fallback
    top = engine.recommend("newcomer", n=2)
    assert {t.title for t in top} == {"rock 0 7", "jazz 0 7"}


def test_without_a_model_history_still_personalises_by_content(engine: Engine) -> None:
    hits = {"rock 0 7", "jazz 0 7"}
    assert {genre(t) for t in engine.recommend("alice", n=6) if t.title not in hits} == {"Rock"}
    assert {genre(t) for t in engine.recommend("bob", n=6) if t.title not in hits} == {"Jazz"}


def test_trained_model_keeps_each_listener_in_their_taste(engine: Engine) -> None:
    engine.train()
    assert not engine.using_fallback
    hits = {"rock 0 7", "jazz 0 7"}  # everyone's hits may be suggested to anyone
    assert {genre(t) for t in engine.recommend("alice", n=8) if t.title not in hits} == {"Rock"}
    assert {genre(t) for t in engine.recommend("bob", n=8) if t.title not in hits} == {"Jazz"}


def test_new_profile_gets_popularity_blended_with_the_request(engine: Engine) -> None:
    engine.train()
    assert {t.title for t in engine.recommend("carol", n=2)} == {"rock 0 7", "jazz 0 7"}
    jazz = engine.recommend("carol", n=3, query=Query(genre="jazz"))
    assert jazz[0].title == "jazz 0 7" and {genre(t) for t in jazz} == {"Jazz"}


def test_each_filter_only_returns_matching_tracks(engine: Engine) -> None:
    engine.train()
    by_artist = engine.recommend("alice", n=5, query=Query(artist="the jazz artist 2"))
    assert len(by_artist) == 5 and {t.artist for t in by_artist} == {"Jazz Artist 2"}
    by_album = engine.recommend("alice", n=20, query=Query(album="Rock Album 3"))
    assert len(by_album) == 8 and {t.album for t in by_album} == {"Rock Album 3"}
    assert {genre(t) for t in engine.recommend("alice", n=5, query=Query(genre="JAZZ"))} == \
        {"Jazz"}
    assert {t.year for t in engine.recommend("bob", n=5, query=Query(decade=1970))} <= \
        set(range(1970, 1980))
    assert {t.year for t in engine.recommend("bob", n=5, query=Query(year=1977))} == {1977}
    assert engine.recommend("bob", n=5, query=Query(artist="Nobody")) == []


def test_like_this_track_or_artist_finds_its_group(engine: Engine, store: Store) -> None:
    engine.train()
    seed = next(t for t in store.tracks() if t.title == "jazz 1 1")
    liked = engine.recommend("alice", n=5, query=Query(like_track_id=seed.id))
    assert seed.id not in {t.id for t in liked}
    assert {genre(t) for t in liked} == {"Jazz"}
    like_artist = engine.recommend("alice", n=5, query=Query(like_artist="Rock Artist 2"))
    assert {genre(t) for t in like_artist} == {"Rock"}
    assert "Rock Artist 2" not in {t.artist for t in like_artist}
    assert {genre(t) for t in engine.similar(seed.id, n=5)} == {"Jazz"}


def test_recently_played_excluded_and_no_artist_twice_in_a_row(engine: Engine,
                                                               store: Store) -> None:
    engine.train()
    recent = set(store.recent_track_ids("alice", 10))
    recs = engine.recommend("alice", n=10)
    assert not recent & {t.id for t in recs}
    artists = [t.artist for t in recs]
    assert all(a != b for a, b in itertools.pairwise(artists))
    assert max(artists.count(a) for a in artists) <= 3
    excluded = frozenset(t.id for t in recs[:3])
    assert not excluded & {t.id for t in engine.recommend("alice", 10, Query(
        exclude_track_ids=excluded))}


def test_plays_older_than_the_recent_window_come_back(engine: Engine, store: Store) -> None:
    engine.train()
    played = {t.id for t in engine.recommend("alice", n=5)}
    for track_id in played:
        store.add_event("alice", "complete", track_id)
    assert not played & {t.id for t in engine.recommend("alice", n=10)}
    engine.recent_s = 0.5  # the store's clock ticks a second per event
    store.add_event("alice", "request")
    assert played & {t.id for t in engine.recommend("alice", n=10)}


def test_select_diverse_relaxes_only_when_nothing_else_is_left() -> None:
    import numpy as np

    scores = np.asarray([5.0, 4.0, 3.0, 2.0, 1.0])
    artists = np.asarray(["a", "a", "a", "b", "c"], dtype=object)
    assert select_diverse(scores, artists, 5) == [0, 3, 1, 4, 2]


def test_a_new_track_is_scored_from_its_content_at_once(engine: Engine, store: Store) -> None:
    engine.train()
    new_rock = _add(store, "rock", "Rock", 1, 99, 2021, album="New Rock Album")
    new_jazz = _add(store, "jazz", "Jazz", 1, 99, 2021, album="New Jazz Album")
    store.set_last_scan()  # what the end of `encore library scan` does
    only_new = Query(year=2021)
    assert next(t.id for t in engine.recommend("alice", n=2, query=only_new)) == new_rock
    assert next(t.id for t in engine.recommend("bob", n=2, query=only_new)) == new_jazz


def test_a_skip_changes_the_very_next_recommendation(engine: Engine) -> None:
    engine.train()
    before = engine.recommend("alice", n=6)
    skipped = before[0]
    start = time.perf_counter()
    engine.feedback("alice", "skip", skipped.id, position_s=4.0)
    after = engine.recommend("alice", n=6)
    elapsed_s = time.perf_counter() - start
    assert skipped.id not in {t.id for t in after}
    assert after[0].artist != skipped.artist
    assert elapsed_s < 1.0  # ~1 ms unloaded; generous for a busy CI machine


def test_a_like_pulls_a_new_profile_towards_that_taste(engine: Engine, store: Store) -> None:
    engine.train()
    jazz = next(t for t in store.tracks() if t.title == "jazz 3 3")
    for _ in range(3):
        engine.feedback("dora", "like", jazz.id)
    assert genre(engine.recommend("dora", n=1)[0]) == "Jazz"


def test_a_disliked_track_is_never_recommended_again(engine: Engine, store: Store) -> None:
    engine.train()
    target = engine.recommend("alice", n=1, query=Query(artist="Rock Artist 4"))[0]
    engine.feedback("alice", "dislike", target.id)
    for eng in (engine, Engine(store, engine.model_dir, PARAMS, background=False)):
        picks = eng.recommend("alice", n=8, query=Query(artist="Rock Artist 4"))
        assert target.id not in {t.id for t in picks} and len(picks) == 7


def test_saved_model_is_reloaded_and_a_corrupt_one_falls_back(engine: Engine, store: Store,
                                                               caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    engine.train()
    again = Engine(store, engine.model_dir, PARAMS, recent_window=10, background=False)
    assert not again.using_fallback
    assert [t.id for t in again.recommend("bob", 5)] == [t.id for t in engine.recommend("bob", 5)]
    (engine.model_dir / "lightfm.npz").write_bytes(b"garbage")
    with caplog.at_level("INFO"):
        broken = Engine(store, engine.model_dir, PARAMS, background=False)
    assert broken.using_fallback and "corrupt" in caplog.text
    assert len(broken.recommend("bob", 5)) == 5


def test_background_retrain_runs_after_enough_new_events(store: Store, tmp_path: Path) -> None:
    with Engine(store, tmp_path / "bg", PARAMS, retrain_after_events=3) as eng:
        assert eng.using_fallback
        track = store.tracks()[0]
        for _ in range(3):
            eng.feedback("erin", "complete", track.id)
        assert eng.retrained.wait(timeout=60)
        assert not eng.using_fallback
        assert (tmp_path / "bg" / "lightfm.json").is_file()
