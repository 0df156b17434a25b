"""Player controls for "clear the queue", "stop after this song", "unmute" and "resume"
after a stop: real tone files in, the rendered output and the events checked."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from player_rig import RATE, Rig, Track, freq, rms, three_tracks, tone

from speaker.config import PlayerSettings
from speaker.events import Feedback, PlaybackStarted, Seeked, Stopped
from speaker.playorder import PlayOrder


@pytest.fixture
def tracks(tmp_path: Path) -> list[Track]:
    return three_tracks(tmp_path)


def short_tracks(tmp_path: Path) -> list[Track]:
    return [Track(i, tone(tmp_path / f"s{i}.wav", f, 0.5), f"T{i}", "A")
            for i, f in ((1, 440), (2, 660), (3, 880))]


def test_clearing_the_queue_keeps_the_song_playing_and_then_stops(tmp_path: Path) -> None:
    rig = Rig()
    rig.player.play(short_tracks(tmp_path))
    rig.run(0.2)
    assert rig.player.clear_queue() == 2
    assert rig.player.queue == () and rig.player.now_playing is not None
    out = rig.run(1.0)
    assert freq(out[:int(0.25 * RATE)]) == pytest.approx(440, abs=5)  # the song plays out
    assert rms(out[int(0.35 * RATE):]) == 0.0
    assert rig.player.state == "stopped" and len(rig.of(Stopped)) == 1
    assert [e.track_id for e in rig.of(PlaybackStarted)] == [1]
    assert rig.player.clear_queue() == 0  # nothing left to clear


def test_a_cleared_queue_still_goes_back_and_takes_new_tracks(tmp_path: Path) -> None:
    songs = short_tracks(tmp_path)
    rig = Rig()
    rig.player.play(songs)
    rig.player.next()
    rig.player.clear_queue()
    rig.player.add_to_queue(songs[2:])
    assert [t.id for t in rig.player.queue] == [3]
    rig.player.previous()
    assert rig.player.now_playing == songs[0]


def test_clear_upcoming_keeps_what_played_in_queue_order_with_shuffle() -> None:
    order: PlayOrder[str] = PlayOrder(random.Random(3))
    order.shuffle = True
    order.replace(list("abcdef"))
    for _ in range(3):
        order.advance()
    played = [order.current]
    assert order.clear_upcoming() == 3
    assert order.remaining == () and order.current == played[0]
    assert sorted(order.tracks) == order.tracks and len(order.tracks) == 3
    order.set_shuffle(False)  # restores queue order: only the kept tracks come back
    assert order.current == played[0] and len(order.tracks) == 3


def test_stop_after_the_track_plays_it_to_the_end_with_a_complete(tmp_path: Path) -> None:
    rig = Rig()
    rig.player.play(short_tracks(tmp_path))
    assert rig.player.stop_after_track() is True
    assert rig.player.stops_after_track
    out = rig.run(1.0)
    assert freq(out[:int(0.45 * RATE)]) == pytest.approx(440, abs=5)
    assert rms(out[int(0.55 * RATE):]) == 0.0
    completes = [e.track_id for e in rig.of(Feedback) if e.kind == "complete"]
    assert completes == [1] and rig.player.state == "stopped"
    assert not rig.player.stops_after_track
    assert rig.player.stop_after_track() is False  # nothing plays


def test_a_skip_or_a_sleep_timer_replaces_stopping_after_the_track(tmp_path: Path) -> None:
    rig = Rig()
    rig.player.play(short_tracks(tmp_path))
    rig.player.stop_after_track()
    rig.player.next()  # the song it was to stop after is gone: the music plays on
    assert not rig.player.stops_after_track
    out = rig.run(0.8)
    assert freq(out[int(0.55 * RATE):]) == pytest.approx(880, abs=5)
    rig.player.stop_after_track()
    rig.player.set_sleep_timer(10.0)
    assert not rig.player.stops_after_track and rig.player.sleep_at_s is not None
    rig.player.stop_after_track()
    assert rig.player.sleep_at_s is None  # the other way round too
    rig.player.set_sleep_timer(None)
    assert not rig.player.stops_after_track


def test_seeking_keeps_the_stop_after_the_track(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    rig.player.stop_after_track()
    rig.player.seek(5.0)
    rig.player.restart()
    assert rig.player.stops_after_track


def test_mute_remembers_the_level_until_the_volume_moves(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.player.set_volume(60)
    assert rig.player.muted_from is None
    rig.player.set_volume(0)
    assert rig.player.muted_from == 60
    rig.player.set_volume(0)  # muting twice keeps the level from before the first
    assert rig.player.muted_from == 60
    rig.player.set_volume(30)
    assert rig.player.muted_from is None


def test_resume_after_a_stop_plays_on_from_where_the_music_stopped(
        tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    rig.player.next()  # Beta, 660 Hz
    rig.run(2.0)
    rig.player.stop()
    assert rig.player.state == "stopped" and rig.player.now_playing is None
    assert rms(rig.run(0.5)[int(0.1 * RATE):]) == 0.0  # after the cut's short fade
    assert rig.player.resume_stopped() == tracks[1]
    assert rig.player.state == "playing"
    assert rig.of(Seeked)[-1].position_s == pytest.approx(2.0, abs=0.05)
    assert [t.id for t in rig.player.queue] == [3]  # the rest of the queue comes back too
    out = rig.run(4.5)
    assert freq(out[int(0.5 * RATE):int(3.5 * RATE)]) == pytest.approx(660, abs=5)
    assert freq(out[int(4.2 * RATE):]) == pytest.approx(880, abs=5)  # 4 s were left of Beta
    assert rig.player.resume_stopped() is None  # playing: nothing to pick up


def test_nothing_to_resume_after_new_music_the_end_of_the_queue_or_a_second_resume(
        tmp_path: Path, tracks: list[Track]) -> None:
    rig = Rig()
    assert rig.player.resume_stopped() is None  # nothing ever played
    rig.player.play(tracks)
    rig.player.stop()
    rig.player.play(tracks[2:])  # something new after the stop
    rig.player.stop()
    assert rig.player.resume_stopped() == tracks[2]
    rig.player.stop()
    rig.player.add_to_queue(tracks[:1])  # queued after a stop: that starts, and is new
    assert rig.player.now_playing == tracks[0]
    rig.player.stop()
    rig.player.resume_stopped()
    rig.player.stop()
    rig.player.enqueue(tracks[1:2])
    rig.player.stop()
    assert rig.player.resume_stopped() == tracks[1]
    rig.player.play(short_tracks(tmp_path)[:1])
    rig.run(1.0)  # the queue ran out by itself
    assert rig.player.state == "stopped"
    assert rig.player.resume_stopped() is None


def test_resume_after_the_sleep_timer_picks_up_where_it_faded(tracks: list[Track]) -> None:
    rig = Rig(PlayerSettings(volume=100, fade_s=0.5))
    rig.player.play(tracks)
    rig.player.set_sleep_timer(1.0 / 60)
    rig.run(2.0)
    assert rig.player.state == "stopped"
    assert rig.player.resume_stopped() == tracks[0]
    assert rig.of(Seeked)[-1].position_s == pytest.approx(1.5, abs=0.05)
    assert rig.player.sleep_at_s is None  # the timer does not come back
    assert freq(rig.run(1.0)[int(0.3 * RATE):]) == pytest.approx(440, abs=5)


def test_dropping_tracks_keeps_the_current_one_and_the_place_in_the_order() -> None:
    order: PlayOrder[str] = PlayOrder(random.Random(3))
    order.replace(["a1", "b1", "a2", "c1", "a3", "b2"])
    for _ in range(3):
        order.advance()  # a2 plays; a1 and b1 have played
    assert order.drop(lambda t: t.startswith("a")) == 2  # a1 and a3; a2 plays on
    assert order.current == "a2" and order.remaining == ("c1", "b2")
    order.repeat = True
    seen = []
    for _ in range(5):
        order.advance()
        seen.append(order.current)
    assert seen == ["c1", "b2", "b1", "a2", "c1"]  # a1 never comes round again
    order.back()
    assert order.current == "a2"
    assert order.drop(lambda t: t == "zz") == 0


def test_repeating_the_track_plays_it_again_until_a_new_queue_or_repeat_off(
        tmp_path: Path) -> None:
    songs = short_tracks(tmp_path)  # half a second each
    rig = Rig()
    assert rig.player.set_repeat_track(True) is False  # nothing plays
    rig.player.play(songs)
    assert rig.player.set_repeat_track(True)
    out = rig.run(1.6)
    assert freq(out[int(1.1 * RATE):int(1.45 * RATE)]) == pytest.approx(440, abs=5)
    assert [e.track_id for e in rig.of(PlaybackStarted)] == [1, 1, 1, 1]
    assert [e.kind for e in rig.of(Feedback)] == ["complete"] * 3
    rig.player.next()  # "next" moves on, and the next song repeats
    assert rig.player.repeat_track
    out = rig.run(1.2)
    assert freq(out[int(0.6 * RATE):int(0.95 * RATE)]) == pytest.approx(660, abs=5)
    assert [e.track_id for e in rig.of(PlaybackStarted)][4:] == [2, 2, 2]
    rig.player.set_repeat(False)  # "repeat off" ends both kinds
    assert not rig.player.repeat_track
    rig.player.set_repeat_track(True)
    rig.player.play(songs[1:])
    assert not rig.player.repeat_track  # a new queue
