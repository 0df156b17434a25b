"""The phrases a garbled transcript is rescored against (speaker.commands)."""

from __future__ import annotations

from pathlib import Path

from recommender.catalog import scan
from recommender.store import Store
from speaker.commands import (
    SHORT_COMMANDS,
    Commands,
    command_phrases,
    command_prompt,
    meaning,
    phrases_for,
)
from speaker.config import SttSettings, load
from speaker.intents import parse
from speaker.runtime import library_prompt

LIBRARY = Path(__file__).resolve().parents[1] / "audio_assets" / "library"


def test_an_understood_transcript_offers_nothing() -> None:
    assert command_phrases("Pause the music.") == ()
    assert command_phrases("   ") == ()
    assert "pause" in command_phrases("Thank you.")  # a courtesy is no request: rescored


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


def test_the_command_prompt_names_every_short_command_and_each_is_understood() -> None:
    prompt = command_prompt()
    assert prompt.startswith("Pause, Stop, Resume, Next") and prompt.endswith(".")
    words = [w.strip(" .") for w in prompt.split(",")]
    assert [w.lower() for w in words] == list(SHORT_COMMANDS)
    assert all(parse(w).intent != "unknown" for w in words)


def test_whispers_prompt_holds_the_commands_then_the_librarys_names(tmp_path: Path) -> None:
    with Store(tmp_path / "library.sqlite3") as store:
        scan(store, [LIBRARY])
        names_only = library_prompt(store, 5)
        both = library_prompt(store, 5, commands=True)
    assert len(names_only.split(", ")) == 5 and "Pause" not in names_only
    assert both == f"{command_prompt()} {names_only}"
    # Whisper keeps the end of a long prompt: the names nearest the audio, commands before.
    assert len(both) < 800


def test_a_similarity_floor_offers_only_phrases_like_what_whisper_wrote() -> None:
    """Without the floor, rescoring took "Plug it" (said: "pause it") for "thumbs down"
    on the development corpus; with it, that transcript competes with no phrase at all."""
    assert "thumbs down" in command_phrases("Plug it,")
    assert command_phrases("Plug it,", min_similarity=60) == ()
    near = command_phrases("Can Sultness Leap, Timor", min_similarity=60)
    assert "cancel the sleep timer" in near
    assert {parse(p).intent for p in near} == {"cancel"}


def test_the_shipped_settings_bind_their_floor() -> None:
    shipped = load().stt
    assert shipped.rescore_min_similarity > 0
    offered = phrases_for(shipped)
    assert offered("Plug it,") == () and offered("Pause the music.") == ()
    assert "pause" in offered("Paws.")
    assert "thumbs down" in phrases_for(SttSettings(rescore_min_similarity=0))("Plug it,")


def test_phrases_mean_the_same_when_intent_and_slots_agree() -> None:
    assert meaning("turn it up") == meaning("turn the volume up") == "volume_up"
    assert meaning("set the volume to 30") == "volume_set level=30"
    assert meaning("set the volume to 30") != meaning("set the volume to 40")
    assert meaning("turn shuffle on") != meaning("turn shuffle off")


def test_the_grammar_searches_unread_requests_and_plays_of_names_the_library_lacks() -> None:
    library = {("artist", "kingston sunrise"), ("artist", "kingston"), ("album", "slow tides")}
    asked: list[tuple[str, str]] = []

    def known(slot: str, name: str) -> bool:
        asked.append((slot, name))
        return (slot, name) in library

    commands = Commands(phrases_for(SttSettings()), None, known)
    assert commands.searches("Clakings to the sunrise.")  # unread
    assert commands.searches("Play Kingston's Turn Sun Light.")  # a track it lacks
    assert ("track", "turn sun light") in asked
    assert not commands.searches("Play Kingston Sunrise")
    assert not commands.searches("Play some jazz")  # a genre: no name to look up
    assert not commands.searches("pause the music")
    # "this album" and "this artist" are what is playing, not names to look up.
    assert not commands.searches("Play this album")
    assert not commands.searches("play more by this artist")
    # Without a library lookup only unread transcripts are searched.
    plain = Commands(phrases_for(SttSettings()))
    assert plain.searches("Clakings to the sunrise.")
    assert not plain.searches("Play Kingston's Turn Sun Light.")
