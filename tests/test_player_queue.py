"""Player tests for seeking, restarting and queueing requests: real files in, output measured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from player_rig import RATE, Rig, Track, freq, three_tracks, tone

from speaker.events import Feedback, PlaybackStarted, Queued, Seeked, Stopped

FADE = RATE // 50  # skip the 10 ms de-click fade after a jump


@pytest.fixture
def tracks(tmp_path: Path) -> list[Track]:
    return three_tracks(tmp_path)


def source(track: Track) -> np.ndarray:
    samples, rate = sf.read(track.path, dtype="float32")
    assert rate == RATE
    return np.asarray(samples)


def test_seek_forward_and_back_plays_the_file_from_the_new_position(
        tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.run(1.0)
    assert rig.player.seek(2.5) is True
    assert rig.player.position_s == pytest.approx(3.5)
    ahead = rig.run(0.5)
    start = round(3.5 * RATE)
    np.testing.assert_allclose(ahead[FADE:], source(tracks[0])[start + FADE:start + len(ahead)],
                               atol=1e-4)
    rig.player.seek(-2.0)
    assert rig.player.position_s == pytest.approx(2.0)
    back = rig.run(0.5)
    start = 2 * RATE
    np.testing.assert_allclose(back[FADE:], source(tracks[0])[start + FADE:start + len(back)],
                               atol=1e-4)
    assert [e.position_s for e in rig.of(Seeked)] == [3.5, 2.0]
    assert [e.track_id for e in rig.of(PlaybackStarted)] == [1]  # the same track throughout


def test_seek_before_the_start_clamps_to_the_start(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.run(1.0)
    rig.player.seek(-30.0)
    assert rig.player.position_s == 0.0
    out = rig.run(0.5)
    np.testing.assert_allclose(out[FADE:], source(tracks[0])[FADE:len(out)], atol=1e-4)


def test_seek_past_the_end_goes_on_to_the_next_track_with_a_skip(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    rig.run(1.0)
    assert rig.player.seek(30.0) is True
    assert rig.player.now_playing == tracks[1]
    assert freq(rig.run(0.5)) == pytest.approx(660, abs=5)
    skips = [e for e in rig.of(Feedback) if e.kind == "skip"]
    assert [(e.track_id, e.position_s) for e in skips] == [(1, 1.0)]
    assert not [e for e in rig.of(Feedback) if e.kind == "complete"]


def test_seek_past_the_end_of_the_last_track_stops(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.player.seek(60.0)
    assert rig.player.state == "stopped" and len(rig.of(Stopped)) == 1
    assert rig.player.seek(10.0) is False  # nothing to seek in
    assert rig.player.restart() is False


def test_seek_while_paused_moves_the_position_and_stays_paused(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.run(1.0)
    rig.player.pause()
    rig.player.seek(10.0 / 3)
    assert rig.player.state == "paused"
    assert np.all(rig.run(0.3)[FADE:] == 0.0)
    rig.player.resume()
    out = rig.run(0.5)
    start = round((1.0 + 10.0 / 3) * RATE)
    np.testing.assert_allclose(out[FADE:], source(tracks[0])[start + FADE:start + len(out)],
                               atol=1e-4)


def test_restart_plays_the_current_track_from_its_start(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    rig.run(4.0)
    assert rig.player.restart() is True
    assert rig.player.now_playing == tracks[0] and rig.player.position_s == 0.0
    out = rig.run(0.5)
    np.testing.assert_allclose(out[FADE:], source(tracks[0])[FADE:len(out)], atol=1e-4)
    assert [e.position_s for e in rig.of(Seeked)] == [0.0]
    assert not [e for e in rig.of(Feedback) if e.kind == "skip"]


def test_queued_requests_keep_the_current_track_and_come_before_the_station(
        tracks: list[Track]) -> None:
    alpha, station, gamma = tracks
    also = Track(4, gamma.path, "Delta", "Di")
    urgent = Track(5, station.path, "Epsilon", "Ed")
    rig = Rig()
    rig.player.play([alpha, station])
    first = rig.run(1.0)
    rig.player.add_to_queue([gamma])
    rig.player.add_to_queue([also])
    rig.player.add_to_queue([urgent], play_next=True)
    rig.player.enqueue([Track(6, alpha.path, "Zeta", "Zo")])  # the recommender's refill
    assert [t.id for t in rig.player.queue] == [5, 3, 4, 2, 6]
    assert rig.player.now_playing == alpha and rig.player.position_s == pytest.approx(1.0)
    after = rig.run(0.5)
    assert freq(np.concatenate([first, after])) == pytest.approx(440, abs=5)  # not interrupted
    assert [e.track_id for e in rig.of(PlaybackStarted)] == [1]
    queued = rig.of(Queued)
    assert [(e.track_id, e.title, e.count, e.play_next) for e in queued] == [
        (3, "Gamma", 1, False), (4, "Delta", 1, False), (5, "Epsilon", 1, True)]
    rig.player.next()
    assert rig.player.now_playing == urgent
    rig.player.set_shuffle(True)
    rig.player.set_shuffle(False)  # queue order keeps the requests where they were put
    assert [t.id for t in rig.player.queue] == [3, 4, 2, 6]


def test_add_to_queue_starts_playing_when_stopped(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.add_to_queue(tracks[1:])
    assert rig.player.now_playing == tracks[1]
    assert [t.id for t in rig.player.queue] == [3]
    assert freq(rig.run(0.5)) == pytest.approx(660, abs=5)


def test_a_track_queued_next_is_decoded_ahead_and_plays_at_the_natural_end(
        tmp_path: Path) -> None:
    short = Track(1, tone(tmp_path / "s1.wav", 440, 0.5), "T1", "A")
    later = Track(2, tone(tmp_path / "s2.wav", 660, 0.5), "T2", "A")
    asked = Track(3, tone(tmp_path / "s3.wav", 880, 0.5), "T3", "A")
    rig = Rig(background=True)
    try:
        rig.player.play([short, later])
        rig.run(0.2)
        rig.player.add_to_queue([asked], play_next=True)
        assert rig.player.wait_decoded(10.0)  # the decoder thread, not the output path
        out = rig.run(0.6)
        assert freq(out[int(0.4 * RATE):]) == pytest.approx(880, abs=5)
        assert [e.track_id for e in rig.of(PlaybackStarted)] == [1, 3]
    finally:
        rig.player.close()
