"""Scoring of harness runs: wake, WER, intent, slots (spoken and library-resolved), latency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from speaker.report import markdown, score_clip, summarise

POSITIVE = {"file": "p.flac", "kind": "positive", "background": "music0",
            "expected_transcript": "play blue lantern trio",
            "expected": {"intent": "play", "slots": {"artist": "blue lantern trio"}}}
NEGATIVE = {"file": "n.flac", "kind": "negative", "background": "clean",
            "expected_transcript": "", "expected": None}


def records(text: str, intent: str | None, slots: dict[str, Any] | None = None,
            latency: float = 0.4) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"type": "wake", "t": 1.0}, {"type": "speech_end", "t": 2.0},
                                 {"type": "transcript", "t": 2.0, "text": text}]
    if intent is not None:
        out.append({"type": "intent", "t": 2.0, "intent": intent, "slots": slots or {}})
    out.append({"type": "reply", "t": 2.0, "text": "ok", "latency_seconds": latency})
    return out


def library(slots: Mapping[str, Any]) -> dict[str, str]:
    """A one-artist library that also hears 'blue london trio' as Blue Lantern Trio."""
    spoken = str(slots.get("artist", ""))
    return {"artist": "Blue Lantern Trio"} if spoken.startswith("blue l") else {}


def test_exact_request_passes_every_measure() -> None:
    o = score_clip(POSITIVE, records("Play Blue Lantern Trio.", "play",
                                     {"artist": "Blue Lantern Trio"}), library)
    assert o.passed and o.woke and o.intent_ok and o.slots_ok and o.resolved_ok
    assert (o.word_errors, o.reference_words) == (0, 4)


def test_misheard_name_counts_as_a_word_error_but_resolves_to_the_library() -> None:
    o = score_clip(POSITIVE, records("play blue london trio", "play",
                                     {"artist": "blue london trio"}), library)
    assert o.word_errors == 1
    assert o.intent_ok and not o.slots_ok and o.resolved_ok
    assert not o.passed  # the strict pass needs the words as expected


def test_no_wake_is_a_false_reject() -> None:
    o = score_clip(POSITIVE, [], library)
    assert not o.woke and not o.passed and o.reply_latency_s is None


def test_wake_on_a_negative_is_a_false_accept_and_any_intent_an_action() -> None:
    o = score_clip(NEGATIVE, records("hey travis", "unknown"))
    assert o.woke and o.acted and not o.passed
    clean = score_clip(NEGATIVE, [])
    assert clean.passed


def later_turn(text: str, intent: str, t: float = 6.0) -> list[dict[str, Any]]:
    """A follow-up turn (after "Say it again?") that heard ``text``."""
    return [{"type": "follow_up", "t": t - 3.0, "timeout_s": 5.0},
            {"type": "speech_end", "t": t}, {"type": "transcript", "t": t, "text": text},
            {"type": "intent", "t": t, "intent": intent, "slots": {}},
            {"type": "reply", "t": t, "text": "ok", "latency_seconds": 0.3}]


def test_only_the_first_turn_answers_the_clips_request() -> None:
    # The clip holds one request; a follow-up can only have heard the end of the clip.
    unread = records("Clakings to the sunrise.", "unknown")
    o = score_clip(POSITIVE, unread + later_turn("Play Blue Lantern Trio.", "play"), library)
    assert o.intent == "unknown" and not o.intent_ok and not o.passed
    assert o.acted_later and o.wrong_action  # acting on the clip's end is a wrong action
    quiet = score_clip(POSITIVE, unread + later_turn("Ours", "unknown"), library)
    assert not quiet.acted_later and not quiet.wrong_action


def test_summary_rates_and_percentiles_by_background() -> None:
    outcomes = [
        score_clip(POSITIVE, records("play blue lantern trio", "play",
                                     {"artist": "blue lantern trio"}, 0.2), library),
        score_clip(POSITIVE, records("play blue london trio", "play",
                                     {"artist": "blue london trio"}, 0.6), library),
        score_clip(POSITIVE, []),
        score_clip(POSITIVE, records("pause the music", "pause", latency=0.2)),
        score_clip(NEGATIVE, records("hey travis", "unknown", latency=0.3)),
        score_clip(NEGATIVE, []),
    ]
    summary = summarise(outcomes, audio_hours=0.01, trailing_silence_s=0.6)
    music0 = summary["groups"]["music0"]
    assert music0["positives"] == 4
    assert music0["wake_frr"] == pytest.approx(1 / 4, abs=1e-4)
    # one error, then four for "pause the music", over three woken 4-word references
    assert music0["wer"] == pytest.approx(5 / 12, abs=1e-4)
    assert music0["intent_accuracy"] == pytest.approx(2 / 4, abs=1e-4)
    assert music0["wrong_actions"] == 1  # "pause" for a play request
    assert music0["slot_accuracy"] == pytest.approx(1 / 4, abs=1e-4)
    assert music0["resolved_accuracy"] == pytest.approx(2 / 4, abs=1e-4)
    assert music0["latency_p50_s"] == pytest.approx(0.2)
    assert summary["groups"]["clean"]["false_accepts"] == 1
    assert summary["groups"]["all"]["negatives_with_action"] == 1
    assert [f["file"] for f in summary["failures"]] == ["p.flac"] * 3 + ["n.flac"]
    table = markdown(summary)
    assert "| music0 | 4 | 25.0 % | 41.7 % | 50.0 % (15–85 %) | 1 | 25.0 % | 50.0 % |" in table
    assert music0["intent_accuracy_ci95"] == pytest.approx([0.1500, 0.8500], abs=1e-4)
