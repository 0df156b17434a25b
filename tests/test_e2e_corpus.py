"""End to end: the recorded corpus through the real loop (``encore simulate``'s code path).

Real wake-word model, real Silero VAD, real Whisper weights, the real parser, dialogue,
recommender (demo library + seeded profiles in a real SQLite file) and TTS. Every clip
runs alone with fresh player and dialogue state, as ``encore harness report`` does.
Failures name the clip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from speaker import config
from speaker.cli import main
from speaker.harness import EventLog, prepare_household, run_files
from speaker.intents import parse
from speaker.library_view import LibraryView
from speaker.report import ClipOutcome, load_manifest, score_clip, summarise
from speaker.runtime import Models

pytestmark = pytest.mark.slow

ASSETS = Path(__file__).resolve().parents[1] / "audio_assets"
LIBRARY = ASSETS / "library"
MANIFEST = ASSETS / "requests" / "manifest.jsonl"
ENTRIES = load_manifest(MANIFEST)
POSITIVES = [e["file"] for e in ENTRIES if e["kind"] == "positive"]
NEGATIVES = [e["file"] for e in ENTRIES if e["kind"] == "negative"]

# Floors measured on this corpus (BENCHMARKS.md has the numbers and the targets);
# they guard against regressions, they are not the targets.
MIN_INTENT_ACCURACY = {"clean": 0.9, "all": 0.8}


@dataclass
class CorpusRun:
    outcomes: dict[str, ClipOutcome]
    records: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRun]:
    settings = config.load()
    household = prepare_household(settings, LIBRARY, state_dir=tmp_path_factory.mktemp("state"),
                                  history=LIBRARY / "profiles.json")
    matcher = LibraryView.build(household.store.tracks()).matcher

    def resolve(slots: Mapping[str, Any]) -> dict[str, str]:
        return {kind: m.value for kind, m in matcher.match(slots).items()}

    models = Models.load(settings)
    run = CorpusRun({}, {})
    try:
        for entry in ENTRIES:
            log = EventLog()
            run_files(settings, models, household, [entry["path"]], user="alex", log=log,
                      gap_s=0.0)
            run.records[entry["file"]] = log.records
            run.outcomes[entry["file"]] = score_clip(entry, log.records, resolve)
    finally:
        models.close()
        household.close()
    yield run


def _explain(outcome: ClipOutcome) -> str:
    return (f"{outcome.file}: woke={outcome.woke} heard={outcome.transcript!r} -> "
            f"{outcome.intent} {outcome.slots}, expected {outcome.expected}")


@pytest.mark.parametrize("clip", NEGATIVES)
def test_negative_clip_causes_no_action(corpus: CorpusRun, clip: str) -> None:
    outcome = corpus.outcomes[clip]
    assert not outcome.acted, _explain(outcome)


@pytest.mark.parametrize("clip", [f for f in POSITIVES
                                  if next(e for e in ENTRIES if e["file"] == f)["background"]
                                  == "clean"])
def test_clean_request_wakes_and_gets_a_reply(corpus: CorpusRun, clip: str) -> None:
    outcome = corpus.outcomes[clip]
    types = [r["type"] for r in corpus.records[clip]]
    assert outcome.woke, _explain(outcome)
    assert "speech_end" in types and "reply" in types, types
    assert all(r["input"] == clip for r in corpus.records[clip])


@pytest.mark.parametrize("background", sorted(MIN_INTENT_ACCURACY))
def test_intent_accuracy_does_not_fall_below_the_measured_floor(
        corpus: CorpusRun, background: str) -> None:
    summary = summarise(corpus.outcomes.values(), 0.0, 0.6)
    accuracy = summary["groups"][background]["intent_accuracy"]
    wrong = [_explain(o) for o in corpus.outcomes.values()
             if o.kind == "positive" and not o.intent_ok
             and background in ("all", o.background)]
    assert accuracy >= MIN_INTENT_ACCURACY[background], "\n".join(wrong)


def test_garbled_requests_are_rescued_by_rescoring_in_the_real_loop(corpus: CorpusRun) -> None:
    """Rescoring and the grammar search replace what Whisper wrote (the transcript
    event's ``heard``) in the real loop. Which clips they rescue moves with the CPU's
    int8 kernels (on the earlier sessions' CPU "Cancel the sleep timer" was heard as
    "Consultant Sleep, Timor" and rescored; an AVX-512 one hears it well enough), so this checks
    that some request Whisper garbled was understood as asked only thanks to them. (Not
    every replacement is right: "Turn repeat off" over noise becomes "turn it up"; the
    accuracy floors above bound such losses.)"""
    rescued = [clip for clip, records in corpus.records.items()
               for heard in [r["heard"] for r in records if r["type"] == "transcript"][:1]
               if heard and corpus.outcomes[clip].intent_ok
               and parse(heard).intent != corpus.outcomes[clip].intent]
    assert len(rescued) >= 2, rescued


def test_an_unread_command_is_read_by_the_grammar_search_in_the_real_loop(
        corpus: CorpusRun) -> None:
    """tiny.en hears the clean "Pause." as "Os"; no similar command phrase fits, and the
    grammar search (on by default, shipped margins) reads it."""
    clip = "pos041_pause_pause_clean.flac"
    transcript = next(r for r in corpus.records[clip] if r["type"] == "transcript")
    assert transcript["heard"] and transcript["text"] == "Pause", transcript
    assert parse(transcript["heard"]).intent == "unknown"
    assert corpus.outcomes[clip].intent == "pause", _explain(corpus.outcomes[clip])


def test_a_play_of_a_name_the_library_lacks_is_searched_in_the_real_loop(
        corpus: CorpusRun) -> None:
    """tiny.en hears "Play Nora Vance." as "Play Norre Bants,": the parser reads a play
    request, but the library has no such artist, so the grammar search (shipped margins,
    ``stt.grammar_unknown_names``) looks for a better reading and finds the artist."""
    clip = "pos001_play_play-nora-vance_clean.flac"
    transcript = next(r for r in corpus.records[clip] if r["type"] == "transcript")
    assert parse(transcript["heard"]).intent == "play", transcript
    assert corpus.outcomes[clip].slots == {"artist": "nora vance"}, _explain(corpus.outcomes[clip])


# Whisper tiny.en hears the corpus's one clean "Pause." as "Os" and the other pause clip,
# over noise, as "Count the Mute"; since session 9 the grammar search reads one of them.
# Listed so a new gap fails and a fix is noticed.
KNOWN_UNHEARD: set[str] = set()


def test_every_intent_is_recognised_from_audio_at_least_once(corpus: CorpusRun) -> None:
    wanted = {e["expected"]["intent"] for e in ENTRIES if e["kind"] == "positive"}
    heard = {o.intent for o in corpus.outcomes.values() if o.intent_ok}
    assert wanted - heard == KNOWN_UNHEARD


def test_simulate_command_writes_events_and_speaker_output(tmp_path: Path) -> None:
    demo = ASSETS / "demo"
    clips = [demo / json.loads(line)["file"]
             for line in (demo / "script.jsonl").read_text().splitlines()[:2]]
    events, output = tmp_path / "events.jsonl", tmp_path / "out.wav"
    code = main(["simulate", "--library", str(LIBRARY), "--history",
                 str(LIBRARY / "profiles.json"), "--user", "alex", "--events", str(events),
                 "--output", str(output), "--quiet", *map(str, clips)])
    assert code == 0
    records = [json.loads(line) for line in events.read_text().splitlines()]
    assert all({"t", "input", "type"} <= r.keys() for r in records)
    assert [r["t"] for r in records] == sorted(r["t"] for r in records)
    by_type = {r["type"]: r for r in records}
    assert by_type["play"]["track_id"] > 0 and by_type["play"]["artist"]
    assert by_type["transcript"]["stt_seconds"] > 0
    assert -1.0 < by_type["transcript"]["logprob"] <= 0  # a clean demo request: Whisper is sure
    import soundfile as sf

    info = sf.info(str(output))
    assert info.samplerate == 22050 and info.duration > 5


def test_the_demo_conversation_goes_as_scripted(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`make demo` runs `encore demo`: every scripted turn is understood as written, and
    the playlist made by voice plays back what was added to it."""
    script = [json.loads(line) for line in (ASSETS / "demo" / "script.jsonl").open()]
    assert main(["demo", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    records = [json.loads(line) for line in (tmp_path / "demo-events.jsonl").open()]
    for row in script:
        mine = [r for r in records if r["input"] == row["file"]]
        understood = [(r["intent"], r["slots"]) for r in mine if r["type"] == "intent"]
        assert understood == [(row["expected"]["intent"], row["expected"]["slots"])], row["file"]
        assert [r for r in mine if r["type"] == "reply"], f"{row['file']}: no reply"
    replies = {r["input"]: r["text"] for r in records if r["type"] == "reply"}
    added = next(v for k, v in replies.items() if "add-this" in k)
    title = added.removeprefix("Added ").split(" to your dinner playlist")[0]
    played = next(v for k, v in replies.items() if "dinner-playlist" in k)
    assert played.startswith(f"Playing your dinner playlist: {title} by ")
    assert "Okay, Sam." in printed and (tmp_path / "demo.wav").stat().st_size > 0
