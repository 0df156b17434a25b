"""The committed audio assets are what the harness, the demo and the recommender rely on.

Covers audio_assets/requests (the recorded corpus and its manifest), audio_assets/demo (the
scripted conversation) and audio_assets/library (the synthesised demo library and the two
listening profiles).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import mutagen
import numpy as np
import pytest
import soundfile as sf

from speaker.intents import parse

ASSETS = Path(__file__).resolve().parent.parent / "audio_assets"
REQUESTS = ASSETS / "requests"
DEMO = ASSETS / "demo"
LIBRARY = ASSETS / "library"

INTENTS = {
    "play", "play_similar", "next", "previous", "pause", "resume", "stop", "volume_up",
    "volume_down", "volume_set", "now_playing", "like", "dislike", "shuffle", "repeat",
    "sleep_timer", "cancel",
}
PLAY_SLOTS = {"artist", "album", "track", "genre", "year", "mood", "playlist", "user"}
BACKGROUNDS = {"clean", "noise", "music10", "music0"}
NEGATIVE_KINDS = {"silence", "noise", "music", "speech", "confusable", "reply"}
TAGS = ("title", "artist", "album", "albumartist", "genre", "date", "tracknumber")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _name(text: str) -> str:
    """Library names and spoken slot values compared as words: lowercase, hyphen = space."""
    return " ".join(text.lower().replace("-", " ").split())


@pytest.fixture(scope="module")
def manifest() -> list[dict[str, Any]]:
    return _jsonl(REQUESTS / "manifest.jsonl")


@pytest.fixture(scope="module")
def positives(manifest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in manifest if row["kind"] == "positive"]


@pytest.fixture(scope="module")
def library() -> dict[Path, dict[str, str]]:
    tags = {}
    for path in sorted(LIBRARY.glob("*/*/*.ogg")):
        info = mutagen.File(path, easy=True)
        assert info is not None, f"mutagen cannot read {path}"
        tags[path] = {key: info[key][0] for key in TAGS if key in info}
    return tags


def test_every_manifest_clip_exists_as_16k_mono(manifest: list[dict[str, Any]]) -> None:
    for row in manifest:
        path = REQUESTS / row["file"]
        assert path.is_file(), f"{row['file']} is listed but missing"
        info = sf.info(path)
        assert (info.samplerate, info.channels) == (16000, 1), row["file"]
        assert row["kind"] in ("positive", "negative"), row["file"]
        assert row["background"] in BACKGROUNDS, row["file"]
    assert len({row["file"] for row in manifest}) == len(manifest), "duplicate file names"
    listed = {row["file"] for row in manifest}
    assert {p.name for p in REQUESTS.glob("*.flac")} == listed, "clips not in the manifest"


def test_corpus_stays_small() -> None:
    corpus_mb = sum(p.stat().st_size for p in REQUESTS.glob("*.flac")) / 1e6
    library_mb = sum(p.stat().st_size for p in LIBRARY.rglob("*.ogg")) / 1e6
    assert corpus_mb < 8.0 and library_mb < 4.0, (corpus_mb, library_mb)


def test_positives_cover_every_intent_play_slot_and_background(
        positives: list[dict[str, Any]]) -> None:
    assert len(positives) >= 60
    assert {row["expected"]["intent"] for row in positives} == INTENTS
    clean_intents = {row["expected"]["intent"] for row in positives if row["background"] == "clean"}
    assert clean_intents == INTENTS, "every intent needs a clean clip"
    play_slots = {key for row in positives if row["expected"]["intent"] == "play"
                  for key in row["expected"]["slots"]}
    assert play_slots >= PLAY_SLOTS
    assert any(row["expected"] == {"intent": "play", "slots": {}} for row in positives)
    per_background = Counter(row["background"] for row in positives)
    assert set(per_background) == BACKGROUNDS
    assert min(per_background.values()) >= 10, per_background
    assert len({row["voice"] for row in positives}) >= 8


def test_negatives_cover_every_kind_and_expect_no_action(manifest: list[dict[str, Any]]) -> None:
    negatives = [row for row in manifest if row["kind"] == "negative"]
    assert {row["category"] for row in negatives} == NEGATIVE_KINDS
    for row in negatives:
        assert row["expected"] is None and row["expected_transcript"] == "", row["file"]
        assert "jarvis" not in row["text"].lower(), row["file"]


def test_expected_transcripts_are_normalised_text(positives: list[dict[str, Any]]) -> None:
    for row in positives:
        transcript = row["expected_transcript"]
        assert re.fullmatch(r"[a-z0-9']+(?: [a-z0-9']+)*", transcript), row["file"]
        assert transcript.replace("'", "") == re.sub(
            r"[^a-z0-9 ]", "", row["text"].lower().replace("-", " ").replace("%", " percent")
        ).strip().replace("  ", " "), row["file"]


def test_positive_timings_leave_background_around_the_speech(
        positives: list[dict[str, Any]]) -> None:
    for row in positives:
        duration_s = sf.info(REQUESTS / row["file"]).duration
        assert 0.9 <= row["wake_start_s"] < row["wake_end_s"], row["file"]
        assert 0.3 <= row["request_start_s"] - row["wake_end_s"] <= 0.5 + 1e-3, row["file"]
        assert duration_s - row["request_end_s"] >= 1.4, row["file"]


def test_named_slots_are_names_in_the_library(positives: list[dict[str, Any]],
                                              library: dict[Path, dict[str, str]]) -> None:
    names = {key: {_name(tags[key]) for tags in library.values()}
             for key in ("artist", "album", "title")}
    genres = {_name(tags["genre"]) for tags in library.values()}
    for row in positives:
        slots = row["expected"]["slots"]
        for slot, tag in (("artist", "artist"), ("album", "album"), ("track", "title")):
            if slot in slots:
                assert slots[slot] in names[tag], (row["file"], slots[slot])
        if "genre" in slots and slots["genre"] != "heavy metal":
            assert slots["genre"] in genres, row["file"]


def test_written_requests_parse_to_the_expected_intent_and_slots(
        positives: list[dict[str, Any]]) -> None:
    """Keeps the corpus's slot conventions and speaker.intents in step (text, not audio)."""
    for row in positives + _jsonl(DEMO / "script.jsonl"):
        got = parse(row["text"])
        slots = {k: _name(v) if isinstance(v, str) else v for k, v in got.slots.items()}
        assert (got.intent, slots) == (row["expected"]["intent"], row["expected"]["slots"]), \
            row["file"]


def test_library_tracks_are_short_tagged_and_laid_out_by_artist_and_album(
        library: dict[Path, dict[str, str]]) -> None:
    assert len(library) >= 30
    for path, tags in library.items():
        assert set(TAGS) <= set(tags), (path, tags)
        info = sf.info(path)
        assert 10.0 <= info.duration <= 30.0 and info.channels == 1, path
        assert path.parent.name == tags["album"] and path.parent.parent.name == tags["artist"]
        assert path.stem.split(" ", 1)[1] == tags["title"]
        assert re.fullmatch(r"\d+/\d+", tags["tracknumber"]), path
        assert re.fullmatch(r"\d{4}", tags["date"]), path


def test_library_spans_genres_artists_and_decades(library: dict[Path, dict[str, str]]) -> None:
    tags = list(library.values())
    assert len({t["genre"] for t in tags}) >= 8
    assert len({t["artist"] for t in tags}) >= 10
    decades = {int(t["date"]) // 10 * 10 for t in tags}
    assert {1960, 1970, 1980, 1990, 2000, 2010, 2020} <= decades
    assert any(re.search(r"[0-9]", t["artist"]) for t in tags)
    assert any("-" in t["artist"] for t in tags)


def test_profiles_name_library_tracks_and_favour_different_genres(
        library: dict[Path, dict[str, str]]) -> None:
    profiles = json.loads((LIBRARY / "profiles.json").read_text())
    genre_of = {(t["artist"], t["title"]): t["genre"] for t in library.values()}
    plays: dict[str, Counter[str]] = {}
    for event in profiles["events"]:
        key = (event["artist"], event["title"])
        assert key in genre_of, f"profiles.json names {key}, which is not in the library"
        assert event["kind"] in ("complete", "skip", "like", "dislike")
        assert isinstance(event["count"], int) and event["count"] > 0
        if event["kind"] in ("complete", "like"):
            plays.setdefault(event["user"], Counter())[genre_of[key]] += event["count"]
    assert set(plays) == {"alex", "sam"} == set(profiles["users"])
    top = {user: {g for g, _ in counts.most_common(3)} for user, counts in plays.items()}
    assert not top["alex"] & top["sam"], top


def test_demo_script_is_clean_16k_speech_with_expectations() -> None:
    script = _jsonl(DEMO / "script.jsonl")
    intents = [row["expected"]["intent"] for row in script]
    assert {"play", "next", "like", "play_similar", "now_playing", "volume_down", "pause"} <= set(
        intents)
    assert {"intent": "play", "slots": {"user": "sam"}} in [row["expected"] for row in script]
    for row in script:
        audio, rate = sf.read(DEMO / row["file"], dtype="float32")
        assert rate == 16000 and audio.ndim == 1, row["file"]
        assert float(np.max(np.abs(audio[: int(0.4 * rate)]))) == 0.0, "demo clips start silent"


def _load(name: str) -> ModuleType:
    """Import a generator script by path (audio_assets is not an installed package)."""
    module_name = f"_encore_assets_{name}"
    spec = importlib.util.spec_from_file_location(module_name, ASSETS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


def test_library_generator_renders_the_same_samples_for_the_same_seed() -> None:
    make_library = _load("make_library")
    album = make_library.ALBUMS[0]
    _, style = album.tracks[0]

    def render(seed: int) -> np.ndarray:
        mix = make_library.RENDERERS[style.genre](style, np.random.default_rng([seed, 0, 1]))
        return np.asarray(make_library.master(mix))

    first = render(1)
    assert np.array_equal(first, render(1))
    assert not np.array_equal(first, render(2))
    assert len(first) == int(make_library.TRACK_S * make_library.RATE_HZ)
