"""The phrases a garbled transcript is rescored against (speaker.commands)."""

from __future__ import annotations

from speaker.commands import command_phrases
from speaker.intents import parse


def test_an_understood_transcript_offers_nothing() -> None:
    assert command_phrases("Pause the music.") == ()
    assert command_phrases("   ") == ()


def test_every_offered_phrase_is_itself_understood() -> None:
    phrases = command_phrases("State asleep, Time for twenty five minutes and 40")
    assert len(set(phrases)) == len(phrases)
    unknown = [p for p in phrases if parse(p).intent == "unknown"]
    assert unknown == []


def test_numbers_heard_as_words_or_digits_fill_the_timer_and_volume_templates() -> None:
    phrases = command_phrases("State asleep, Time for twenty five minutes and 40")
    assert "set a sleep timer for 25 minutes" in phrases
    assert "set the volume to 40" in phrases
    assert parse("set a sleep timer for 25 minutes").slots == {"minutes": 25}
    assert not any("minutes" in p and "for 0" in p for p in phrases)
    assert not any(p.startswith("set a sleep timer") for p in command_phrases("Ois"))
