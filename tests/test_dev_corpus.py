"""The held-out development corpus: nothing in common with the test corpus, every intent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import soundfile as sf

from audio_assets.corpus_script import REQUESTS
from bench import make_dev_corpus as dev
from speaker.intents import parse


def test_it_shares_no_phrasing_and_no_voice_with_the_test_corpus() -> None:
    dev._check_held_out()  # raises SystemExit otherwise
    assert {text.lower() for text, _, _ in dev.DEV_REQUESTS}.isdisjoint(
        text.lower() for text, _, _ in REQUESTS)


def test_every_intent_of_the_test_corpus_is_asked_in_every_background() -> None:
    wanted = {intent for _, intent, _ in REQUESTS}
    by_background: dict[str, set[str]] = {}
    for _, intent, _, _, background in dev.plan():
        by_background.setdefault(background, set()).add(intent)
    assert set(by_background) == set(dev.BACKGROUNDS)
    assert all(intents >= wanted for intents in by_background.values())


def test_expectations_are_what_the_parser_reads_from_the_clean_text() -> None:
    # Two phrasings are kept on purpose as known parser misses (see DEV_REQUESTS); any
    # other disagreement is a wrong expectation (or a parser regression).
    known = {"Play music that Alex likes.", "Go back one song."}
    misses = {text for text, intent, slots in dev.DEV_REQUESTS
              if (parse(text).intent, dict(parse(text).slots)) != (intent, slots)}
    assert misses <= known, misses - known


@pytest.mark.slow
def test_a_build_writes_clips_and_a_manifest_the_harness_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dev, "DEV_REQUESTS", dev.DEV_REQUESTS[:1])
    monkeypatch.setattr(dev, "DEV_NEGATIVES", dev.DEV_NEGATIVES[:1])
    rows = dev.build(tmp_path, seed=3, lead_in_s=2.0)
    assert [r["kind"] for r in rows] == ["positive"] * 4 + ["negative"]
    assert rows[0]["wake_start_s"] == 2.0
    for row in rows:
        info = sf.info(tmp_path / row["file"])
        assert (info.samplerate, info.channels) == (16000, 1)
    assert len((tmp_path / "manifest.jsonl").read_text().splitlines()) == 5


def test_wake_only_clips_hold_the_wake_word_then_background_past_the_time_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import make_wake_only
    from speaker.config import VadSettings

    monkeypatch.setattr(make_wake_only, "PER_BACKGROUND", 1)
    rows = make_wake_only.build(tmp_path, seed=5)
    assert [r["background"] for r in rows] == list(make_wake_only.BACKGROUNDS)
    assert all(r["kind"] == "negative" and r["expected"] is None for r in rows)
    manifest = (tmp_path / "manifest.jsonl").read_text().splitlines()
    assert len(manifest) == len(rows)
    for row in rows:
        info = sf.info(str(tmp_path / str(row["file"])))
        assert info.samplerate == 16000
        assert info.duration > 1.0 + make_wake_only.AFTER_S > VadSettings().start_timeout_s


def test_the_second_try_bench_plays_the_clips_own_music_on_under_the_same_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from bench import bench_follow_up as follow_up
    from speaker.audio import RATE_HZ, load_audio

    monkeypatch.setattr(dev, "DEV_REQUESTS", dev.DEV_REQUESTS[:1])
    monkeypatch.setattr(dev, "DEV_NEGATIVES", ())
    rows = {r["background"]: r for r in dev.build(tmp_path, seed=3)}
    music = rows["music0"]
    clip = load_audio(tmp_path / music["file"])
    rng = np.random.default_rng(0)
    # The bench's model of the background is the clip's own: after the request, where
    # only music is left, the clip is that music (to a sample: the manifest keeps the
    # track's start to 0.1 ms).
    tail = round(0.15 * RATE_HZ)
    again = follow_up._background(music, 0.0, len(clip) + 2, rng)
    assert any(np.allclose(clip[-tail:], again[len(clip) - tail + lag: len(clip) + lag],
                           atol=2e-4) for lag in (-1, 0, 1))
    longer = follow_up.extend(music, clip, 2.0, 0.5, rng)
    assert len(longer) > len(clip) + 2.5 * RATE_HZ
    gap = longer[len(clip): len(clip) + RATE_HZ]
    assert np.std(gap) > 0.01  # the music plays on between the tries
    ducked = follow_up.extend(music, clip, 2.0, 0.5, np.random.default_rng(0), duck_db=-20.0)
    assert np.std(ducked[len(clip): len(clip) + RATE_HZ]) == pytest.approx(np.std(gap) / 10,
                                                                            rel=1e-3)
    clean = rows["clean"]
    quiet = follow_up.extend(clean, load_audio(tmp_path / clean["file"]), 2.0, 0.5, rng)
    assert not np.any(quiet[-round(0.4 * RATE_HZ):])  # nothing under a clean second try
    records = [{"type": "intent", "t": 2.0, "intent": "unknown"},
               {"type": "follow_up", "t": 5.0}, {"type": "intent", "t": 8.0, "intent": "play"}]
    assert follow_up.second_try({"expected": {"intent": "play"}}, records) == "right"
    assert follow_up.second_try({"expected": {"intent": "next"}}, records) == "wrong"
    assert follow_up.second_try({"expected": {"intent": "play"}}, records[:2]) == "unread"
    assert follow_up.second_try({"expected": {"intent": "play"}}, records[:1]) == "none"


def test_the_second_try_bench_replays_bars_on_second_tries_saved_with_none() -> None:
    from bench import bench_follow_up as follow_up

    records = [{"type": "transcript", "t": 2.0, "text": "Ours", "logprob": -0.4},
               {"type": "follow_up", "t": 5.0},
               {"type": "transcript", "t": 8.0, "text": "Thumbs up.", "logprob": -1.01}]
    assert follow_up.second_heard(records) == records[2]
    assert follow_up.second_heard(records[:2]) is None
    rows: list[dict[str, Any]] = [
        {"second": "right", "second_logprob": -1.01}, {"second": "wrong", "second_logprob": -1.4},
        {"second": "right", "second_logprob": -0.3}, {"second": "unread", "second_logprob": -0.1},
        {"second": "none", "second_logprob": None}]
    assert follow_up.replay_bars(rows, [-1.0, -1.1, -2.0]) == [(-1.0, 1, 0), (-1.1, 2, 0),
                                                               (-2.0, 2, 1)]
