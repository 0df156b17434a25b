"""Requests as Whisper writes them -> intent and slots (``speaker.intents.parse``).

One table row per phrasing (the tables are in ``intent_cases_play`` and
``intent_cases_control``); the expected slots must match exactly, so a rule that
starts leaking carrier words into names ("play some" -> artist "some") fails
here.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from intent_cases_control import CONTROL_CASES
from intent_cases_play import PLAY_CASES

from bench.bench_snips import DEFAULT_DATA, load_queries, score
from bench.wake_train_data import NEG_TEXT
from speaker.intents import INTENTS, ParsedRequest, clean, parse
from speaker.intents_durations import parse_minutes, parse_seconds
from speaker.intents_fuzzy import CONTROL_PHRASES
from speaker.intents_numbers import parse_decade, parse_number, words_to_digits

CASES = [*PLAY_CASES, *CONTROL_CASES]


def test_table_has_enough_phrasings_covering_every_intent() -> None:
    assert len(CASES) >= 150
    assert {intent for _text, intent, _slots in CASES} == set(INTENTS)


@pytest.mark.parametrize(("text", "intent", "slots"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_parse_phrasing(text: str, intent: str, slots: dict[str, Any]) -> None:
    parsed = parse(text)
    assert (parsed.intent, parsed.slots) == (intent, slots)
    assert parsed.text == text


def test_parsed_request_is_frozen_and_serialisable() -> None:
    parsed = parse("play jazz")
    assert isinstance(parsed, ParsedRequest)
    with pytest.raises(AttributeError):
        parsed.intent = "stop"  # type: ignore[misc]
    assert parsed.to_dict() == {"intent": "play", "slots": {"genre": "jazz"}, "text": "play jazz"}


def test_clean_keeps_name_punctuation_and_drops_sentence_punctuation() -> None:
    assert clean("Hey Jarvis, play AC/DC, please!") == "play ac/dc"
    assert clean("Play Sgt. Pepper's.") == "play sgt. pepper's"
    assert clean("play blink-182.") == "play blink-182"
    assert clean("Could you play “Hurt”?") == "play hurt"


@pytest.mark.parametrize(("words", "value"), [
    ("one eighty two", 182), ("nineteen eighty four", 1984), ("twenty one", 21),
    ("two thousand and three", 2003), ("twenty twenty one", 2021), ("nineteen oh five", 1905),
    ("one hundred eighty two", 182), ("182", 182), ("seven", 7), ("blue", None),
    ("19 hundred and 88", 1988), ("nineteen hundred and eighty eight", 1988),
])
def test_number_words(words: str, value: int | None) -> None:
    assert parse_number(words) == value


def test_number_words_become_digits_inside_names() -> None:
    assert words_to_digits("blink one eighty two") == "blink 182"
    assert words_to_digits("Twenty One Pilots") == "21 Pilots"
    assert words_to_digits("oh what a night") == "oh what a night"


@pytest.mark.parametrize(("spoken", "start"), [
    ("the eighties", 1980), ("80s", 1980), ("the '80s", 1980), ("1980s", 1980),
    ("nineteen eighties", 1980), ("fourties", 1940), ("the 00s", 2000), ("1985", None),
])
def test_decades(spoken: str, start: int | None) -> None:
    assert parse_decade(spoken) == start


@pytest.mark.parametrize(("spoken", "minutes"), [
    ("half an hour", 30), ("an hour", 60), ("an hour and a half", 90), ("20 minutes", 20),
    ("twenty five minutes", 25), ("2 hours", 120), ("one and a half hours", 90),
    ("quarter of an hour", 15), ("soon", None),
])
def test_durations(spoken: str, minutes: int | None) -> None:
    assert parse_minutes(spoken) == minutes


@pytest.mark.parametrize(("spoken", "seconds"), [
    ("thirty seconds", 30), ("10 secs", 10), ("a minute", 60), ("a minute and a half", 90),
    ("two minutes", 120), ("1 minute 30 seconds", 90), ("one minute and twenty seconds", 80),
    ("half a minute", 30), ("a while", None),
])
def test_jump_lengths(spoken: str, seconds: int | None) -> None:
    assert parse_seconds(spoken) == seconds


def test_every_canonical_control_phrase_parses_to_its_own_intent() -> None:
    """The rescorer and the fuzzy match offer these; each must mean what its entry says."""
    for phrase, (intent, slots) in CONTROL_PHRASES.items():
        assert (parse(phrase).intent, parse(phrase).slots) == (intent, slots), phrase


@pytest.mark.skipif(not DEFAULT_DATA.exists(), reason="SNIPS PlayMusic file not beside the repo")
def test_no_music_request_or_chatter_is_taken_for_a_control_command() -> None:
    """The fuzzy match by sound must not turn a play request or a sentence into an action."""
    texts = [q.text for q in load_queries(DEFAULT_DATA)] + list(NEG_TEXT)
    controls = {intent for intent, _ in CONTROL_PHRASES.values()} - {"play_similar"}
    taken = [t for t in texts if parse(t).intent in controls]
    assert taken == []


def test_parse_is_fast_enough_for_a_batch() -> None:
    """The bench parses 2,000 requests in one process; a slow rule would show here."""
    texts = [c[0] for c in CASES] * 5
    results = [parse(t) for t in texts]
    assert len(results) == len(texts)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_never_raises_on_any_transcript(text: str) -> None:
    parsed = parse(text)
    assert parsed.intent in INTENTS
    assert all(isinstance(k, str) for k in parsed.slots)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["play", "the", "by", "from", "on", "spotify", "80s", "jazz",
                                 "'s", "my", "playlist", "song", "album", "for", "sam", "top",
                                 "newest", "one", "eighty", "two", ",", ".", "please", "and"]),
                max_size=12))
@example(words=["play", "song", "please", "please", "play", "play"])  # once gave track ""
def test_parse_never_raises_on_cue_word_soup(words: list[str]) -> None:
    parsed = parse(" ".join(words))
    assert parsed.intent in INTENTS
    assert all(value != "" for value in parsed.slots.values())


@pytest.mark.skipif(not DEFAULT_DATA.exists(), reason="SNIPS PlayMusic file not beside the repo")
def test_snips_development_split_keeps_its_quality() -> None:
    """Regression floor on the 1,600 development requests (the test split stays unread)."""
    queries = [q for q in load_queries(DEFAULT_DATA) if q.index % 5 != 4]
    report = score(queries, "dev")
    assert report.counts["artist"].f1() >= 0.93
    assert report.counts["year"].f1() >= 0.97
    assert report.counts["service"].f1() >= 0.98
    assert report.play / report.queries >= 0.98
