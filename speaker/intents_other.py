"""What people ask a kitchen speaker besides music: the time, and things Encore can't do.

"What time is it" and "what day is it" are ``now_playing`` questions (``detail:
"time"`` / ``"date"``), answered from the local clock. Alarms, the weather, the news,
jokes, reminders and other devices are ``unknown`` with a ``topic``, so the reply can
say plainly that Encore only plays music rather than "Sorry, I didn't catch that",
and nothing is played: "turn on the lights" is not a song called "The Lights".
Each rule matches the whole cleaned request. A request with a play verb ("play Stormy
Weather", "put on Northern Light") is never one of these, nor a device with no "the" or
"my" before it ("turn on Northern Light").
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["DEVICES", "TOPICS", "match_other"]

DEVICES = (r"(?:lights?|lamps?|heating|heater|thermostat|air con(?:ditioning)?|fans?|tv|"
           r"television|oven|kettle|blinds|curtains|coffee machine|dishwasher|washing machine)")
"""The household's other devices, which Encore does not control."""

TOPICS: dict[str, str] = {
    "alarm": (r"(?:set|make|create|start) (?:an |my |the |a new )?alarm(?: .+)?"
              r"|wake me(?: up)?(?: (?:at|in|tomorrow|at about|on) .+| tomorrow)?"
              r"|(?:cancel|delete|turn off|snooze) (?:the |my )?alarm(?: .+)?"),
    "weather": (r"(?:what(?:'s| is)|how(?:'s| is)|tell me|give me|check) (?:the |today'?s )?"
                r"(?:weather|forecast)(?: .+)?|weather(?: forecast)?(?: for)?"
                r" (?:today|tomorrow|tonight|this week|now)"
                r"|(?:is it|will it|is it going to) (?:rain|snow|be (?:sunny|cold|hot|warm|windy))"
                r"(?: .+)?|do i need an umbrella(?: .+)?"),
    "news": (r"what(?:'s| is) (?:the news|in the news|happening in the world)(?: today)?"
             r"|(?:read|tell|give) me the (?:news|headlines)(?: .+)?|(?:the )?news headlines"),
    "joke": r"tell me a (?:joke|story)|(?:say|tell me) something funny|make me laugh",
    "reminder": (r"remind me (?:to|about|at|in|that) .+|(?:set|create|add) a reminder(?: .+)?"
                 r"|(?:add|put) .+ (?:to|on) (?:my |the )?(?:shopping|to ?do|grocery) list"),
    # "the" or "my" before the device: "turn on Northern Light" is a song
    "devices": (rf"(?:turn|switch) (?:on|off) (?:the|my|all the) (?:[a-z]+ )?{DEVICES}"
                rf"(?: (?:in|for) .+)?|(?:turn|switch) (?:the|my|all the) (?:[a-z]+ )?{DEVICES}"
                rf" (?:on|off)(?: (?:in|for) .+)?"
                r"|(?:dim|brighten) (?:the )?lights?(?: .+)?"
                r"|(?:lock|unlock) the (?:front |back )?door"
                r"|(?:set|turn (?:up|down)) the (?:heating|thermostat)(?: .+)?"),
}
"""Topic -> what a request about it looks like (after :func:`speaker.intents.clean`)."""

_TOPICS = [(topic, re.compile(pattern)) for topic, pattern in TOPICS.items()]
_TIME = re.compile(r"what(?:'s| is) the time(?: now| right now)?"
                   r"|what time is it(?: now| right now)?"
                   r"|(?:tell me|do you know) (?:the time|what time it is)")
_DATE = re.compile(r"what(?:'s| is) (?:the date|today'?s date)(?: today)?"
                   r"|what (?:day|date) is (?:it|today)(?: today)?|what'?s the day today")


def match_other(cleaned: str) -> tuple[str, dict[str, Any]] | None:
    """(intent, slots) for a cleaned request about the time or about something Encore
    doesn't do, else None."""
    if _TIME.fullmatch(cleaned):
        return "now_playing", {"detail": "time"}
    if _DATE.fullmatch(cleaned):
        return "now_playing", {"detail": "date"}
    for topic, pattern in _TOPICS:
        if pattern.fullmatch(cleaned):
            return "unknown", {"topic": topic}
    return None
