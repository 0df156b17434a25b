"""Times of day: reading "half past ten" and counting the minutes to it."""

from __future__ import annotations

from datetime import datetime

import pytest

from speaker.intents_clock import minutes_until, parse_clock, spoken_clock, spoken_minutes

EVENING = datetime(2026, 11, 29, 21, 30)


@pytest.mark.parametrize(("spoken", "until"), [
    ("11", {"hour": 11, "minute": 0, "12h": True}),
    ("eleven o'clock", {"hour": 11, "minute": 0, "12h": True}),
    ("11pm", {"hour": 23, "minute": 0}),
    ("11 p.m.", {"hour": 23, "minute": 0}),
    ("10 30", {"hour": 10, "minute": 30, "12h": True}),  # "10:30" after clean()
    ("ten oh five", {"hour": 10, "minute": 5, "12h": True}),
    ("eleven forty-five", {"hour": 11, "minute": 45, "12h": True}),
    ("quarter past 11 tonight", {"hour": 23, "minute": 15}),
    ("twenty to eight", {"hour": 7, "minute": 40, "12h": True}),
    ("quarter to one", {"hour": 12, "minute": 45, "12h": True}),
    ("twelve tonight", {"hour": 0, "minute": 0}),
    ("half past one tonight", {"hour": 1, "minute": 30}),  # after midnight, not 13:30
    ("9 tonight", {"hour": 21, "minute": 0}),
    ("quarter to midnight", {"hour": 23, "minute": 45}),
    ("five to noon", {"hour": 11, "minute": 55}),
    ("11 oh 5", {"hour": 11, "minute": 5, "12h": True}),
    ("12 am", {"hour": 0, "minute": 0}),
    ("noon", {"hour": 12, "minute": 0}),
    ("7 in the morning", {"hour": 7, "minute": 0}),
    ("23:00", {"hour": 23, "minute": 0}),
    ("25", None),
    ("11 60", None),
    ("23 am", None),
    ("the end", None),
])
def test_parse_clock(spoken: str, until: dict[str, object] | None) -> None:
    assert parse_clock(spoken) == until


@pytest.mark.parametrize(("until", "minutes"), [
    ({"hour": 11, "minute": 0, "12h": True}, 90.0),  # 11 PM, not tomorrow's 11 AM
    ({"hour": 9, "minute": 0, "12h": True}, 690.0),  # 9 PM has passed: 9 AM
    ({"hour": 23, "minute": 0}, 90.0),
    ({"hour": 21, "minute": 0}, 1410.0),  # just passed: tomorrow
    ({"hour": 21, "minute": 30}, 1440.0),  # now: a day from now, never zero
    ({"hour": 0, "minute": 0}, 150.0),
])
def test_minutes_until_the_next_time_the_clock_shows_it(until: dict[str, object],
                                                        minutes: float) -> None:
    assert minutes_until(until, EVENING) == minutes


def test_times_and_waits_as_the_reply_says_them() -> None:
    assert spoken_clock(datetime(2026, 1, 1, 23, 0)) == "11 PM"
    assert spoken_clock(datetime(2026, 1, 1, 0, 30)) == "12:30 AM"
    assert spoken_clock(datetime(2026, 1, 1, 9, 5)) == "9:05 AM"
    assert spoken_clock(datetime(2026, 1, 1, 0, 0)) == "midnight"
    assert spoken_clock(datetime(2026, 1, 1, 12, 0)) == "noon"
    assert spoken_minutes(45) == "45 minutes"
    assert spoken_minutes(60) == "1 hour"
    assert spoken_minutes(125.4) == "2 hours 5 minutes"
    assert spoken_minutes(0.2) == "1 minute"
