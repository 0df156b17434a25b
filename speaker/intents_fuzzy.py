"""Last resort for control requests Whisper garbled: "Cancel the sleep timor".

Only used when the rules understood nothing. The cleaned text is compared with
canonical phrasings of the control intents; a close enough match (rapidfuzz
``ratio``, 0-100) stands for that request. The bar is high because a wrong
control action is worse than asking again.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process

__all__ = ["CONTROL_PHRASES", "FUZZY_THRESHOLD", "fuzzy_control"]

FUZZY_THRESHOLD = 85.0
"""Lowest ``fuzz.ratio`` (0-100) that counts as the canonical phrase."""

CONTROL_PHRASES: dict[str, tuple[str, dict[str, Any]]] = {
    # canonical phrasing -> (intent, slots); also the phrases speaker.commands rescores
    "pause the music": ("pause", {}),
    "stop the music": ("stop", {}),
    "skip this song": ("next", {}),
    "play the next song": ("next", {}),
    "play the previous song": ("previous", {}),
    "resume the music": ("resume", {}),
    "turn the volume up": ("volume_up", {}),
    "turn the volume down": ("volume_down", {}),
    "make it louder": ("volume_up", {}),
    "make it quieter": ("volume_down", {}),
    "what song is this": ("now_playing", {}),
    "what is playing": ("now_playing", {}),
    "i like this song": ("like", {}),
    "i love this song": ("like", {}),
    "i don't like this song": ("dislike", {}),
    "i hate this song": ("dislike", {}),
    "turn shuffle on": ("shuffle", {"on": True}),
    "turn on shuffle": ("shuffle", {"on": True}),
    "turn shuffle off": ("shuffle", {"on": False}),
    "turn off shuffle": ("shuffle", {"on": False}),
    "repeat this one": ("repeat", {"on": True}),
    "repeat this song": ("repeat", {"on": True}),
    "turn repeat on": ("repeat", {"on": True}),
    "turn repeat off": ("repeat", {"on": False}),
    "cancel the sleep timer": ("cancel", {"target": "sleep_timer"}),
    "play something similar": ("play_similar", {}),
    "play more songs like this": ("play_similar", {}),
    "restart this song": ("restart", {}),
    "start this song over": ("restart", {}),
    "fast forward": ("seek", {"seconds": 30}),
    "skip forward thirty seconds": ("seek", {"seconds": 30}),
    "rewind thirty seconds": ("seek", {"seconds": -30}),
    "what song is next": ("up_next", {}),
    "what's coming up next": ("up_next", {}),
}


def fuzzy_control(cleaned: str) -> tuple[str, dict[str, Any]] | None:
    """The control intent and slots ``cleaned`` is a near miss of, if any."""
    if len(cleaned) < 8:  # short words sound alike too easily ("ours", "pause")
        return None
    best = process.extractOne(cleaned, CONTROL_PHRASES.keys(), scorer=fuzz.ratio,
                              score_cutoff=FUZZY_THRESHOLD)
    if best is None:
        return None
    intent, slots = CONTROL_PHRASES[best[0]]
    return intent, dict(slots)
