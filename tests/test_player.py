"""Player tests: real audio files in, rendered audio out, measured.

The rig (tone files, a sample clock, output measures) is in ``player_rig``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from player_rig import AMP, RATE, Rig, Track, band_level, db, freq, rms, three_tracks, tone

from speaker.audio import WavSink
from speaker.config import PlayerSettings
from speaker.earcon import chime, load_earcon
from speaker.events import (
    Error,
    Feedback,
    Paused,
    PlaybackStarted,
    Resumed,
    Stopped,
    VolumeChanged,
)
from speaker.mixer import volume_to_gain


@pytest.fixture
def tracks(tmp_path: Path) -> list[Track]:
    return three_tracks(tmp_path)


def test_ducking_lowers_music_15_db_in_the_written_output_and_restores_it(
        tracks: list[Track], tmp_path: Path) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    wav = tmp_path / "out.wav"
    with WavSink(wav, RATE) as sink:
        sink.write(rig.run(1.0))
        rig.player.duck(True)
        sink.write(rig.run(1.0))
        rig.player.duck(False)
        sink.write(rig.run(1.0))
    out, rate = sf.read(str(wav), dtype="float32")
    assert rate == RATE
    normal = rms(out[int(0.2 * RATE):RATE])
    ducked = rms(out[int(1.2 * RATE):2 * RATE])
    restored = rms(out[int(2.2 * RATE):3 * RATE])
    assert db(ducked / normal) == pytest.approx(-15.0, abs=1.0)
    assert db(restored / normal) == pytest.approx(0.0, abs=0.2)


def test_volume_and_duck_are_kept_apart(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.player.duck(True)
    rig.player.set_volume(50)
    ducked_half = rms(rig.run(1.0)[RATE // 5:])
    rig.player.duck(False)
    half = rms(rig.run(1.0)[RATE // 5:])
    assert db(ducked_half / half) == pytest.approx(-15.0, abs=1.0)
    assert half == pytest.approx(AMP / np.sqrt(2) * volume_to_gain(50), rel=0.02)


def test_volume_changes_are_measured_in_the_output_and_emitted(tracks: list[Track]) -> None:
    rig = Rig(PlayerSettings(volume=100, volume_step=10))
    rig.player.play(tracks[:1])
    full = rms(rig.run(0.5)[RATE // 10:])
    rig.player.set_volume(50)
    half = rms(rig.run(0.5)[RATE // 10:])
    rig.player.volume_down()
    lower = rms(rig.run(0.5)[RATE // 10:])
    assert db(half / full) == pytest.approx(db(volume_to_gain(50)), abs=0.2)  # about -12 dB
    assert lower < half
    assert rig.player.volume == 40
    assert [e.level for e in rig.of(VolumeChanged)] == [50, 40]
    rig.player.set_volume(0)
    assert rms(rig.run(0.5)[RATE // 10:]) < 1e-4


def test_pause_freezes_position_and_resume_continues_the_same_samples(
        tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.run(1.0)
    rig.player.pause()
    assert rig.player.state == "paused"
    paused_at = rig.player.position_s
    quiet = rig.run(0.5)
    assert rig.player.position_s == paused_at == pytest.approx(1.0)
    assert rms(quiet[RATE // 50:]) == 0.0  # after the 10 ms de-click tail: silence
    rig.player.resume()
    resumed = rig.run(0.5)
    source, _ = sf.read(tracks[0].path, dtype="float32")
    start = round(paused_at * RATE)
    expect = source[start:start + len(resumed)]
    # after the 10 ms fade-in the output is the file's samples from where it paused
    np.testing.assert_allclose(resumed[RATE // 50:], expect[RATE // 50:], atol=1e-4)
    assert rig.player.position_s == pytest.approx(1.5)
    assert [type(e) for e in rig.events[1:]] == [Paused, Resumed]


def test_next_records_a_skip_with_its_position_and_plays_the_next_track(
        tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    assert freq(rig.run(2.5)) == pytest.approx(440, abs=5)
    rig.player.next()
    skips = [e for e in rig.of(Feedback) if e.kind == "skip"]
    assert len(skips) == 1
    assert skips[0].track_id == 1
    assert skips[0].position_s == pytest.approx(2.5)
    assert rig.player.now_playing == tracks[1]
    assert freq(rig.run(0.5)) == pytest.approx(660, abs=5)  # resampled from 44.1 kHz
    started = [e.track_id for e in rig.of(PlaybackStarted)]
    assert started == [1, 2]


def test_skipping_two_tracks_feeds_back_only_the_one_that_was_heard(
        tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    rig.run(1.0)
    assert rig.player.next(2)
    assert rig.player.now_playing == tracks[2]
    assert [e.track_id for e in rig.of(Feedback) if e.kind == "skip"] == [1]
    rig.run(0.5)
    assert [e.track_id for e in rig.of(PlaybackStarted)] == [1, 3]  # track 2 never started
    rig.player.previous(2)  # two back, however far into the track
    assert rig.player.now_playing == tracks[0]
    assert rig.player.position_s == 0.0


def test_skipping_past_the_end_stops(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    assert not rig.player.next(5)
    assert rig.player.now_playing is None


def test_previous_goes_back_early_and_restarts_the_track_late(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks)
    rig.player.next()
    rig.run(1.0)
    rig.player.previous()
    assert rig.player.now_playing == tracks[0]
    assert freq(rig.run(3.5)) == pytest.approx(440, abs=5)
    rig.player.previous()  # 3.5 s in: restart
    assert rig.player.now_playing == tracks[0]
    assert rig.player.position_s == 0.0
    rig.player.previous()  # first track, at its start: stays
    assert rig.player.now_playing == tracks[0]


def test_a_corrupt_file_is_skipped_with_an_error_and_the_next_track_plays(
        tracks: list[Track], tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"ID3\x03\x00\x00\x00" + bytes(range(256)) * 40)
    corrupt = Track(9, str(bad), "Broken", "Nobody")
    missing = Track(8, str(tmp_path / "gone.flac"), "Gone", "Nobody")
    rig = Rig()
    rig.player.play([corrupt, missing, tracks[1]])
    errors = rig.of(Error)
    assert len(errors) == 2
    assert "broken.mp3" in errors[0].message
    assert rig.player.now_playing == tracks[1]
    assert freq(rig.run(0.5)) == pytest.approx(660, abs=5)
    assert [e.track_id for e in rig.of(PlaybackStarted)] == [2]


def test_a_corrupt_track_reached_during_playback_is_skipped(tracks: list[Track],
                                                             tmp_path: Path) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" * 10)
    rig = Rig()
    rig.player.play([Track(1, tone(tmp_path / "short.wav", 440, 0.5), "S", "A"),
                     Track(9, str(bad), "Broken", "Nobody"), tracks[2]])
    out = rig.run(1.5)
    assert len(rig.of(Error)) == 1
    assert freq(out[RATE:]) == pytest.approx(880, abs=5)


def test_every_track_failing_stops_instead_of_spinning(tmp_path: Path) -> None:
    rig = Rig()
    rig.player.set_repeat(True)
    rig.player.play([Track(i, str(tmp_path / f"missing{i}.mp3"), "x", "y") for i in range(3)])
    assert rig.player.state == "stopped"
    assert len(rig.of(Error)) == 3
    assert rms(rig.run(0.2)) == 0.0


def test_natural_end_completes_then_plays_on_and_stops_after_the_last(tmp_path: Path) -> None:
    short = [Track(i, tone(tmp_path / f"s{i}.wav", f, 0.5), f"T{i}", "A")
             for i, f in ((1, 440), (2, 660))]
    rig = Rig()
    rig.player.play(short)
    out = rig.run(1.5)
    completes = [e for e in rig.of(Feedback) if e.kind == "complete"]
    assert [e.track_id for e in completes] == [1, 2]
    assert completes[0].position_s == pytest.approx(0.5)
    assert freq(out[int(0.6 * RATE):RATE]) == pytest.approx(660, abs=5)
    assert rig.player.state == "stopped" and len(rig.of(Stopped)) == 1
    assert rms(out[int(1.05 * RATE):]) == 0.0


def test_repeat_wraps_to_the_first_track(tmp_path: Path) -> None:
    short = [Track(i, tone(tmp_path / f"s{i}.wav", f, 0.5), f"T{i}", "A")
             for i, f in ((1, 440), (2, 660))]
    rig = Rig()
    rig.player.set_repeat(True)
    rig.player.play(short)
    out = rig.run(1.5)
    assert freq(out[int(1.1 * RATE):]) == pytest.approx(440, abs=5)
    assert rig.player.state == "playing"


def test_sleep_timer_fades_to_silence_then_stops(tracks: list[Track]) -> None:
    rig = Rig(PlayerSettings(volume=100, fade_s=1.0))
    rig.player.play(tracks[:1])
    rig.player.set_sleep_timer(1.0 / 60)  # one second
    out = rig.run(3.0)
    before = rms(out[int(0.5 * RATE):RATE])
    mid = rms(out[int(1.4 * RATE):int(1.6 * RATE)])
    late = rms(out[int(1.85 * RATE):int(1.95 * RATE)])
    assert before == pytest.approx(AMP / np.sqrt(2), rel=0.02)
    assert late < mid < before
    assert mid == pytest.approx(before / 2, rel=0.15)  # linear fade: half way at 1.5 s
    assert rms(out[int(2.05 * RATE):]) == 0.0
    assert rig.player.state == "stopped" and rig.player.sleep_at_s is None
    assert isinstance(rig.events[-1], Stopped)
    assert rig.events[-1].t_s == pytest.approx(2.0, abs=0.03)


def test_speech_is_heard_over_ducked_music_and_the_music_comes_back(
        tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    music_alone = band_level(rig.run(0.5), 440)
    t = np.arange(RATE) / 16000
    speech = (0.3 * np.sin(2 * np.pi * 1500 * t)).astype(np.float32)  # 1.38 s at 16 kHz
    rig.player.say(speech, 16000)
    assert rig.player.speaking
    during = rig.run(1.0)[RATE // 5:]
    assert band_level(during, 1500) == pytest.approx(0.3, rel=0.05)
    assert db(band_level(during, 440) / music_alone) == pytest.approx(-15.0, abs=1.0)
    rig.run(0.5)
    assert not rig.player.speaking
    after = rig.run(0.5)
    assert band_level(after, 1500) < 1e-3
    assert db(band_level(after, 440) / music_alone) == pytest.approx(0.0, abs=0.2)


def test_cancel_speech_and_stop_silence_speech_at_once(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:1])
    rig.player.say(np.full(RATE * 3, 0.2, dtype=np.float32), RATE)
    rig.run(0.2)
    rig.player.cancel_speech()
    assert not rig.player.speaking
    after = rig.run(0.3)
    assert freq(after) == pytest.approx(440, abs=5)
    rig.player.say(np.full(RATE * 3, 0.2, dtype=np.float32), RATE)
    rig.player.stop()
    assert not rig.player.speaking and rig.player.now_playing is None
    assert rms(rig.run(0.2)[RATE // 50:]) == 0.0


def test_shuffle_reorders_what_is_left_and_off_restores_it(tmp_path: Path) -> None:
    many = [Track(i, str(tmp_path / f"{i}.wav"), str(i), "A") for i in range(1, 11)]
    tone(tmp_path / "1.wav", 440, 1.0)
    rig = Rig(seed=3)
    rig.player.play(many)
    rig.player.set_shuffle(True)
    shuffled = [t.id for t in rig.player.queue]
    assert sorted(shuffled) == list(range(2, 11)) and shuffled != list(range(2, 11))
    rig.player.set_shuffle(False)
    assert [t.id for t in rig.player.queue] == list(range(2, 11))
    assert rig.player.now_playing == many[0]


def test_enqueue_starts_when_stopped_and_appends_when_playing(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.enqueue(tracks[:1])
    assert rig.player.now_playing == tracks[0]
    rig.player.enqueue(tracks[1:])
    assert [t.id for t in rig.player.queue] == [2, 3]


def test_background_decoding_plays_through_track_changes(tmp_path: Path) -> None:
    short = [Track(i, tone(tmp_path / f"s{i}.wav", f, 0.5), f"T{i}", "A")
             for i, f in ((1, 440), (2, 660))]
    rig = Rig(background=True)
    try:
        rig.player.play(short)
        assert rig.player.now_playing == short[0]
        out = rig.run(0.4)
        assert freq(out) == pytest.approx(440, abs=5)
        assert rig.player.wait_decoded(10.0)  # the decoder thread has the next track ready
        out = rig.run(0.5)
        assert freq(out[int(0.15 * RATE):]) == pytest.approx(660, abs=5)
        assert [e.track_id for e in rig.of(PlaybackStarted)] == [1, 2]
    finally:
        rig.player.close()


def test_earcon_is_a_short_two_tone_chime() -> None:
    earcon = load_earcon(22050)
    assert 0.1 < len(earcon) / 22050 <= 0.3
    np.testing.assert_allclose(earcon, chime(22050), atol=1 / 32767 + 1e-6)
    spectrum = np.abs(np.fft.rfft(earcon))
    bins = np.fft.rfftfreq(len(earcon), 1 / 22050)
    peaks = sorted(bins[np.argsort(spectrum)[-40:]])
    assert any(abs(p - 784) < 30 for p in peaks) and any(abs(p - 1046.5) < 30 for p in peaks)


def test_next_past_the_last_track_reports_false_and_stops(tracks: list[Track]) -> None:
    rig = Rig()
    rig.player.play(tracks[:2])
    assert rig.player.next() is True
    assert rig.player.upcoming == ()
    assert rig.player.next() is False
    assert rig.player.state == "stopped" and rig.player.now_playing is None
    assert rig.player.next() is False
    assert len(rig.of(Stopped)) == 1
    assert [e.track_id for e in rig.of(Feedback) if e.kind == "skip"] == [1, 2]


def test_block_size_does_not_change_the_output(tmp_path: Path) -> None:
    short = [Track(i, tone(tmp_path / f"s{i}.wav", f, 0.3), f"T{i}", "A")
             for i, f in ((1, 440), (2, 660))]
    speech = np.linspace(-0.2, 0.2, 5000, dtype=np.float32)
    outputs = []
    for block in (64, 441, 1000):
        rig = Rig()
        rig.player.play(short)
        rig.player.say(speech, RATE)
        rig.player.set_volume(60)
        outputs.append(np.concatenate([rig.player.render(block)
                                       for _ in range(round(0.8 * RATE) // block)]))
    n = min(len(o) for o in outputs)
    np.testing.assert_allclose(outputs[0][:n], outputs[1][:n], atol=1e-6)
    np.testing.assert_allclose(outputs[0][:n], outputs[2][:n], atol=1e-6)


def test_controls_from_another_thread_while_rendering_stay_consistent(
        tracks: list[Track]) -> None:
    import threading

    rig = Rig(background=True)
    failures: list[BaseException] = []
    done = threading.Event()

    def output() -> None:
        try:
            while not done.is_set():
                block = rig.player.render(256)
                assert block.shape == (256,) and np.all(np.isfinite(block))
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=output)
    thread.start()
    try:
        rng = random.Random(7)
        actions: list[Callable[[], object]] = [
                   lambda: rig.player.play(tracks), rig.player.next, rig.player.previous,
                   rig.player.pause, rig.player.resume, rig.player.volume_up,
                   rig.player.volume_down, lambda: rig.player.duck(rng.random() < 0.5),
                   lambda: rig.player.say(np.full(500, 0.1, dtype=np.float32), RATE),
                   rig.player.cancel_speech, lambda: rig.player.set_shuffle(rng.random() < 0.5),
                   lambda: rig.player.seek(rng.uniform(-8.0, 8.0)), rig.player.restart,
                   lambda: rig.player.add_to_queue(tracks[1:], play_next=rng.random() < 0.5),
                   rig.player.stop]
        for _ in range(300):
            rng.choice(actions)()
    finally:
        done.set()
        thread.join()
        rig.player.close()
    assert not failures
    started = rig.of(PlaybackStarted)
    assert started and all(e.track_id in (1, 2, 3) for e in started)
