"""Times of day in spoken requests: "eleven", "10:30 pm", "half past ten", "midnight".

A sleep timer can end at a time of day ("stop the music at 11", "play some jazz until
midnight"). The parser reads the time into the slot ``until``: ``{"hour": 23,
"minute": 0}`` on the 24-hour clock when the half of the day was said or is plain
("11 pm", "23:00", "midnight", "eleven tonight"), else ``{"hour": 11, "minute": 0,
"12h": True}``, which means the next time a 12-hour clock shows it.
:func:`minutes_until` turns the slot into minutes from a local time of day, and
:func:`spoken_clock` says it back ("11 PM", "10:30 PM", "midnight").
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from speaker.intents_numbers import parse_number

__all__ = ["CLOCK", "minutes_until", "parse_clock", "spoken_clock", "spoken_minutes"]

_HOUR_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
               "eleven", "twelve")
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_HOUR = rf"(?:[01]?\d|2[0-3]|{'|'.join(_HOUR_WORDS)})"
_MINUTE_WORDS = (rf"(?:oh (?:{_UNITS})|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
                 rf"|seventeen|eighteen|nineteen"
                 rf"|(?:twenty|thirty|forty|fifty)(?:[ -](?:{_UNITS}))?)")
_MINUTE = rf"(?:[0-5]\d|oh \d|{_MINUTE_WORDS})"
_AM = r"(?:a\.? ?m\.?|in the morning|this morning)"
_PM = (r"(?:p\.? ?m\.?|tonight|this evening|in the evening|at night|this afternoon"
       r"|in the afternoon)")
_PART = rf"(?:{_AM}|{_PM}|o'?clock)"
_OFFSET = rf"(?:half|(?:a )?quarter|(?:[1-5]?\d|{_UNITS}|{_MINUTE_WORDS})(?: minutes)?)"

_NAMED_HOURS = {"midnight": 0, "noon": 12, "midday": 12}
_NAMED = "|".join(_NAMED_HOURS)

CLOCK = (rf"(?:{_NAMED}"
         rf"|{_OFFSET} (?:past|after|to|till|before) (?:{_HOUR}|{_NAMED})(?: ?{_PART}){{0,2}}"
         rf"|{_HOUR}(?:[ :.]{_MINUTE})?(?: ?{_PART}){{0,2}})")
"""A time of day as Whisper writes it after :func:`speaker.intents.clean` (no groups)."""

_OFFSET_RE = re.compile(rf"(?P<o>{_OFFSET}) (?P<rel>past|after|to|till|before)"
                        rf" (?P<h>{_HOUR}|{_NAMED})"
                        rf"(?P<part>(?: ?{_PART}){{0,2}})")
_PLAIN_RE = re.compile(rf"(?P<h>{_HOUR})(?:[ :.](?P<m>{_MINUTE}))?(?P<part>(?: ?{_PART}){{0,2}})")


def _number(text: str) -> int | None:
    text = re.sub(r" minutes$", "", text).replace("-", " ").strip()
    if text.isdigit():
        return int(text)
    if text.startswith("oh "):
        text = text[3:]
    return parse_number(text)


def parse_clock(text: str) -> dict[str, Any] | None:
    """The ``until`` slot for a spoken time of day (a :data:`CLOCK` match), else None."""
    text = text.strip()
    if text in _NAMED_HOURS:
        return {"hour": _NAMED_HOURS[text], "minute": 0}
    offset = _OFFSET_RE.fullmatch(text)
    plain = None if offset else _PLAIN_RE.fullmatch(text)
    match = offset or plain
    if match is None:
        return None
    hour = _number(match.group("h"))
    if offset:
        spoken = offset.group("o")
        minutes = 30 if spoken == "half" else 15 if spoken.endswith("quarter") else _number(spoken)
        named = _NAMED_HOURS.get(offset.group("h"))
        if named is not None and minutes and minutes < 60:  # "quarter to midnight": 23:45
            before = offset.group("rel") in ("to", "till", "before")
            total = (named * 60 + (-minutes if before else minutes)) % 1440
            return {"hour": total // 60, "minute": total % 60}
        if hour is None or not minutes or minutes >= 60 or not 1 <= hour <= 12:
            return None
        if offset.group("rel") in ("to", "till", "before"):
            hour, minute = (hour - 2) % 12 + 1, 60 - minutes  # "quarter to one": 12:45
        else:
            minute = minutes
    else:
        said = _number(plain.group("m")) if plain and plain.group("m") else 0
        if hour is None or said is None or said >= 60:
            return None
        minute = said
    return _with_half_of_day(hour, minute, match.group("part"))


def _with_half_of_day(hour: int, minute: int, part: str) -> dict[str, Any] | None:
    if hour > 12 or hour == 0:  # "23:00", "0:30": the 24-hour clock
        return None if re.search(_AM, part) else {"hour": hour, "minute": minute}
    if re.search(_PM, part):
        if re.search(r"tonight|at night", part) and (hour == 12 or hour <= 5):
            return {"hour": hour % 12, "minute": minute}  # "twelve tonight", "1 at night"
        return {"hour": hour % 12 + 12, "minute": minute}
    if re.search(_AM, part):
        return {"hour": hour % 12, "minute": minute}
    return {"hour": hour, "minute": minute, "12h": True}


def minutes_until(until: dict[str, Any], now: datetime) -> float:
    """Minutes from ``now`` (local time) to the next time the clock shows ``until``;
    a time just passed is the next day's. Always more than zero."""
    now_min = now.hour * 60 + now.minute + now.second / 60.0
    hours = [int(until["hour"]) % 12, int(until["hour"]) % 12 + 12] if until.get("12h") \
        else [int(until["hour"]) % 24]
    waits = [(h * 60 + int(until.get("minute", 0)) - now_min) % 1440 for h in hours]
    return min(w if w > 0 else 1440.0 for w in waits)


def spoken_clock(at: datetime) -> str:
    """ "11 PM", "10:30 PM", "midnight", "noon": a time of day as the reply says it."""
    if at.minute == 0 and at.hour in (0, 12):
        return "midnight" if at.hour == 0 else "noon"
    hour = at.hour % 12 or 12
    half = "AM" if at.hour < 12 else "PM"
    return f"{hour} {half}" if at.minute == 0 else f"{hour}:{at.minute:02d} {half}"


def spoken_minutes(minutes: float) -> str:
    """ "45 minutes", "1 hour", "2 hours 5 minutes": a wait rounded to the minute."""
    hours, rest = divmod(max(1, round(minutes)), 60)
    parts = [f"{hours} hour" + ("s" if hours != 1 else "")] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)
