"""The held-out development corpus: nothing in common with the test corpus, every intent."""

from __future__ import annotations

from pathlib import Path

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
