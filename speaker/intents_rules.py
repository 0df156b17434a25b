"""What the parser's rule modules share: a :class:`Rule` is a regular expression that
must match the whole cleaned request (lowercase, no punctuation, politeness removed)
and a function turning the match into slots, or refusing it with None.

Also the pattern pieces more than one module uses: numbers, "this song", the sleep
timer as Whisper writes it, and a playlist's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from speaker.intents_numbers import NUMBER_WORDS

__all__ = ["NUM", "NUMBER_WORD", "PLAYLIST_NAME", "THIS", "TIMER", "Rule", "Slots", "detail",
           "match_rules", "no_slots", "playlist_slots", "rule"]

Slots = Callable[[str, dict[str, str]], dict[str, Any] | None]
"""(whole match, named groups without their digit suffixes) -> slots, or None: no match."""

NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUM = rf"(?:\d+(?:\.\d+)?|(?:{NUMBER_WORD})(?:[\s-]+(?:and[\s-]+)?(?:{NUMBER_WORD}))*)"
"""A number as digits or words: "12", "2.5", "twenty five"."""
THIS = (r"(?:this|that|it|the song|the track|this song|this track|that song|this one"
        r"|that one)")
"""The song playing, as a request names it."""
TIMER = r"(?:sleep timer|a?sleep (?:time|timor|timour|timer))"
"""Whisper tiny.en often writes "sleep timer" as "Sleep, Time", "Sleep Timor", "asleep, Time"
(seen on the held-out dev corpus, bench/make_dev_corpus.py)."""
PLAYLIST_NAME = (r"(?:my |the |our )?"
                 r"(?:playlist(?: (?:called|named))? (?P<p>[a-z0-9][a-z0-9' &-]*)"
                 r"|(?P<p2>[a-z0-9][a-z0-9' &-]*?) playlist|playlist)")
"""A playlist as spoken: "my workout playlist", "the playlist called road trip"."""


@dataclass(frozen=True)
class Rule:
    intent: str
    pattern: re.Pattern[str]
    slots: Slots


def no_slots(whole: str, groups: dict[str, str]) -> dict[str, Any]:
    return {}


def rule(intent: str, pattern: str, slots: Slots = no_slots) -> Rule:
    return Rule(intent, re.compile(pattern), slots)


def detail(what: str) -> Slots:
    """Slots of a question about one thing ("what album is this": ``album``)."""
    return lambda whole, groups: {"detail": what}


def playlist_slots(text: str, groups: dict[str, str]) -> dict[str, Any]:
    """``playlist`` from a :data:`PLAYLIST_NAME` match, unless it names nothing ("my")."""
    name = groups.get("p", "").strip()
    named = name and name not in ("my", "the", "our", "a", "called", "named")
    return {"playlist": name} if named else {}


def match_rules(rules: Iterable[Rule], cleaned: str) -> tuple[str, dict[str, Any]] | None:
    """(intent, slots) of the first rule that matches the whole cleaned request."""
    for one in rules:
        match = one.pattern.fullmatch(cleaned)
        if match is None:
            continue
        groups: dict[str, str] = {}
        for key, value in match.groupdict().items():
            if value is not None:
                groups.setdefault(key.rstrip("0123456789"), value)
        slots = one.slots(match.group(0), groups)
        if slots is not None:
            return one.intent, slots
    return None
