"""Last resort for control requests Whisper garbled: "Cancel the sleep timor", "Next Trap".

Only used when the rules understood nothing. The cleaned text is compared with common
phrasings of the control intents, both as written and as it sounds (Metaphone codes,
:func:`speaker.matching.sound_key`: "next trap" and "next track" differ in one sound).
By sound only when both open with the same sound: the verb leads a command and the
codes are short ("bored this on" is not "repeat this one"). A close enough match
(rapidfuzz ``ratio``, 0-100, the better of the two) stands for that request. The bar
is high because a wrong control action is worse than asking again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from speaker.matching import sound_key

__all__ = ["CONTROL_PHRASES", "FUZZY_THRESHOLD", "fuzzy_control", "similarity"]

FUZZY_THRESHOLD = 85.0
"""Lowest ``fuzz.ratio`` (0-100), of the words or of their sounds, that counts as the phrase.

Chosen on the held-out development corpora (``bench/make_dev_corpus.py``, two sets): of
the 270 transcripts the rules could not read, 85 matched 23 to the right control and none
to a wrong one, nor any of 2,042 SNIPS PlayMusic queries and wake-word training sentences;
80 matched 31 right and 2 wrong, 90 matched 16 right."""

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
    "repeat this one": ("repeat", {"on": True, "one": True}),
    "repeat this song": ("repeat", {"on": True, "one": True}),
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
    # short everyday phrasings, as Alexa documents its music commands
    "pause the song": ("pause", {}),
    "pause playback": ("pause", {}),
    "stop playing": ("stop", {}),
    "stop the song": ("stop", {}),
    "resume playing": ("resume", {}),
    "continue playing": ("resume", {}),
    "unpause": ("resume", {}),
    "next song": ("next", {}),
    "next track": ("next", {}),
    "skip this track": ("next", {}),
    "skip song": ("next", {}),
    "previous song": ("previous", {}),
    "previous track": ("previous", {}),
    "go back a song": ("previous", {}),
    "go back one song": ("previous", {}),
    "play the last song again": ("previous", {}),
    "volume up": ("volume_up", {}),
    "volume down": ("volume_down", {}),
    "turn it up": ("volume_up", {}),
    "turn it down": ("volume_down", {}),
    "raise the volume": ("volume_up", {}),
    "lower the volume": ("volume_down", {}),
    "increase the volume": ("volume_up", {}),
    "decrease the volume": ("volume_down", {}),
    "who sings this song": ("now_playing", {}),
    "what's playing": ("now_playing", {}),
    "what is this song": ("now_playing", {}),
    "thumbs up": ("like", {}),
    "thumbs down": ("dislike", {}),
    "shuffle on": ("shuffle", {"on": True}),
    "shuffle off": ("shuffle", {"on": False}),
    "stop shuffling": ("shuffle", {"on": False}),
    "loop this song": ("repeat", {"on": True, "one": True}),
    "put this song on repeat": ("repeat", {"on": True, "one": True}),
    "repeat off": ("repeat", {"on": False}),
    "stop repeating": ("repeat", {"on": False}),
    "cancel the timer": ("cancel", {"target": "sleep_timer"}),
    "cancel that": ("cancel", {}),
    "never mind": ("cancel", {}),
}

@lru_cache(maxsize=4096)
def _sound(text: str) -> str:
    return sound_key(text)


def similarity(cleaned: str, phrase: str, same_first_sound: bool = False) -> float:
    """How alike two cleaned phrases look or sound: ``fuzz.ratio`` (0-100), the better of
    the words' and the Metaphone codes'. With ``same_first_sound`` the codes count only
    when both open with the same sound."""
    sounds, other = _sound(cleaned), _sound(phrase)
    by_sound = (fuzz.ratio(sounds, other)
                if not same_first_sound or sounds[:1] == other[:1] else 0.0)
    return max(fuzz.ratio(cleaned, phrase), by_sound)


def fuzzy_control(cleaned: str) -> tuple[str, dict[str, Any]] | None:
    """The control intent and slots ``cleaned`` is a near miss of, if any."""
    if len(cleaned) < 8:  # short words sound alike too easily ("ours", "pause")
        return None
    score, phrase = max((similarity(cleaned, phrase, same_first_sound=True), phrase)
                        for phrase in CONTROL_PHRASES)
    if score < FUZZY_THRESHOLD:
        return None
    intent, slots = CONTROL_PHRASES[phrase]
    return intent, dict(slots)
