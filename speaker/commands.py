"""The command phrases a garbled transcript is rescored against.

Whisper tiny.en sometimes turns a short command into words that mean nothing
("Previous track" -> "Premium Strag", "Cancel the sleep timer" -> "Can Sultness
Leap, Timor"). When the parser understands nothing, :func:`command_phrases` offers
the canonical phrasings of the control requests (plus the number templates filled
with any number heard) that look or sound like the transcript
(``stt.rescore_min_similarity``), and :meth:`speaker.stt.Transcriber.transcribe`
keeps the one the audio supports about as well as the free transcript, unless a
phrase that means something else (:func:`meaning`) fits nearly as well. Play
requests are not offered: a wrong name is worse than asking again.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from speaker.config import SttSettings
from speaker.intents import THIS_ALBUM, THIS_ARTIST, clean, parse
from speaker.intents_fuzzy import CONTROL_PHRASES, similarity
from speaker.intents_numbers import words_to_digits

if TYPE_CHECKING:
    from speaker.grammar import Vocabulary

__all__ = ["SHORT_COMMANDS", "Commands", "command_phrases", "command_prompt",
           "meaning", "phrases_for", "unread"]

SHORT_COMMANDS = ("pause", "stop", "resume", "next", "skip", "previous", "volume up",
                  "volume down", "turn it up", "turn it down", "louder", "quieter", "mute",
                  "shuffle", "what's playing", "i like this", "i don't like this",
                  "more like this")
"""The short forms smart speakers document for music (Alexa's "pause", "next",
"turn it up", ...)."""


def command_prompt() -> str:
    """The short commands as one sentence for Whisper's initial prompt ("Pause, Stop, ...").

    Whisper writes what it expects: with these words in its prompt it hears "Pause" rather
    than "Ois" (``stt.prompt_commands``)."""
    return ", ".join(c[:1].upper() + c[1:] for c in SHORT_COMMANDS) + "."


_TEMPLATES = ("set a sleep timer for {n} minutes", "set the volume to {n}")
_MAX_NUMBERS = 3


def _numbers(text: str) -> list[int]:
    """Numbers heard in ``text``, digits or words ("20", "twenty five"), first ones first."""
    found: list[int] = []
    for digits in re.findall(r"\d+", words_to_digits(clean(text))):
        value = int(digits)
        if 0 < value <= 180 and value not in found:
            found.append(value)
    return found[:_MAX_NUMBERS]


def command_phrases(text: str, min_similarity: float = 0.0) -> tuple[str, ...]:
    """Phrases to rescore ``text`` against; () when the parser already understands it.

    With ``min_similarity`` (0-100, ``stt.rescore_min_similarity``) only phrases that
    look or sound at least that much like ``text`` (:func:`similarity`) are offered:
    the audio must support the phrase *and* Whisper must have written something like
    it, so a request the list has no phrase for is not taken for the nearest one.
    """
    if not text.strip() or parse(text).understood:
        return ()
    filled = tuple(t.format(n=n) for n in _numbers(text) for t in _TEMPLATES)
    phrases = tuple(dict.fromkeys((*SHORT_COMMANDS, *CONTROL_PHRASES, *filled)))  # each once
    if min_similarity <= 0.0:
        return phrases
    cleaned = clean(text)
    return tuple(p for p in phrases if similarity(cleaned, p) >= min_similarity)


def phrases_for(settings: SttSettings) -> Callable[[str], tuple[str, ...]]:
    """:func:`command_phrases` with the similarity floor ``settings`` set."""
    return functools.partial(command_phrases, min_similarity=settings.rescore_min_similarity)


def unread(text: str) -> bool:
    """Whether the parser understands nothing in ``text`` (what the grammar search reads
    again when no library lookup is given)."""
    return not parse(text).understood


_LOOKED_UP = ("artist", "album", "track")
"""The slots a play request names library entries by."""


@dataclass(frozen=True)
class Commands:
    """What an unread transcript is checked against: the similar control phrases
    (called like :func:`command_phrases`), then every request of ``vocabulary``
    (:mod:`speaker.grammar`; None: not searched). With ``known`` (whether the library
    has a name, given its slot and value), a play request naming something it does not
    have is searched too ("Play Kingston's Turn Sun Light" -> "Play Kingston Sunrise")."""

    similar: Callable[[str], tuple[str, ...]]
    vocabulary: Vocabulary | None = None
    known: Callable[[str, str], bool] | None = None

    def __call__(self, text: str) -> tuple[str, ...]:
        return self.similar(text)

    def searches(self, text: str) -> bool:
        """Whether the grammar search should look for a better reading of ``text``."""
        request = parse(text)  # once: unread(text) would parse it again
        if not request.understood:
            return True
        if request.intent != "play" or self.known is None:
            return False
        names = {slot: request.slots.get(slot) for slot in _LOOKED_UP}
        return any(isinstance(name, str) and name not in (THIS_ALBUM, THIS_ARTIST)
                   and not self.known(slot, name) for slot, name in names.items())


@functools.lru_cache(maxsize=1024)
def meaning(phrase: str) -> str:
    """What a command phrase asks for, as one key: its intent and slots
    ("volume_set level=30"). Phrases with the same key are interchangeable."""
    parsed = parse(phrase)
    return " ".join([parsed.intent, *(f"{k}={v}" for k, v in sorted(parsed.slots.items()))])
