"""Spoken durations: a sleep timer's "half an hour", a jump's "a minute and a half"."""

from __future__ import annotations

import re

from speaker.intents_numbers import parse_number

__all__ = ["parse_minutes", "parse_seconds", "to_number"]


def parse_minutes(text: str) -> int | None:
    """Minutes in a spoken duration: "half an hour" -> 30, "an hour and a half" -> 90."""
    text = text.strip()
    fixed = {
        "half an hour": 30, "half hour": 30, "an hour and a half": 90,
        "one and a half hours": 90, "quarter of an hour": 15, "a quarter of an hour": 15,
        "one quarter of an hour": 15, "a quarter hour": 15, "an hour": 60, "one hour": 60,
        "a minute": 1, "a couple of hours": 120,
    }
    if text in fixed:
        return fixed[text]
    match = re.fullmatch(r"(.+?)( and a half)? (minutes?|mins?|hours?|hrs?)", text)
    if not match:
        return None
    value = _amount(match.group(1), match.group(2), match.group(3), "h")
    return None if value is None else round(value)


def to_number(text: str) -> float | None:
    """A spoken or written number: "12", "2.5", "twenty five"; None if it is not one."""
    try:
        return float(text)
    except ValueError:
        parsed = parse_number(text)
        return None if parsed is None else float(parsed)


def _amount(number: str, half: str | None, unit: str, larger: str) -> float | None:
    """"<number>[ and a half] <unit>" in the smaller unit; 60 of it when ``unit`` is the larger."""
    value = to_number(number)
    if value is None:
        return None
    if half:
        value += 0.5
    return value * 60 if unit.startswith(larger) else value


def parse_seconds(text: str) -> int | None:
    """Seconds in a spoken jump length: "thirty seconds" -> 30, "a minute and a half" -> 90."""
    text = text.strip()
    fixed = {"half a minute": 30, "a few seconds": 10, "a couple of seconds": 5,
             "a couple seconds": 5, "a minute": 60, "a min": 60, "a minute and a half": 90,
             "a min and a half": 90}
    if text in fixed:
        return fixed[text]
    match = re.fullmatch(r"(.+?)( and a half)? (seconds?|secs?|minutes?|mins?)"
                         r"(?:(?: and)? (.+?) (?:seconds?|secs?))?", text)
    if not match:
        return None
    value = _amount(match.group(1), match.group(2), match.group(3), "m")
    if value is None:
        return None
    if match.group(4):
        extra = to_number(match.group(4))
        if extra is None:
            return None
        value += extra
    return round(value)
