"""Name normalisation for matching library names against each other and against speech.

The display form ("The Beatles", "Beyoncé feat. Jay-Z") is kept for showing and
speaking; the normalised key ("beatles", "beyonce") is what catalog
deduplication and the dialogue's name lookup compare. ``normalize_name`` is
idempotent: a key normalises to itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalize_name"]

_FEAT_WORDS = frozenset({"feat", "ft", "featuring"})
_BRACKETED_FEAT = re.compile(r"[(\[{]\s*(?:feat|ft|featuring)\b[^)\]}]*[)\]}]?", re.IGNORECASE)
_TRAILING_THE = re.compile(r",\s*the\s*$", re.IGNORECASE)
_DROPPED = re.compile(r"['’‘`´ʼ.]")
_TOKEN = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    """Casefold and strip accents, repeated until stable (compatibility forms can cascade)."""
    for _ in range(4):
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if folded == text:
            break
        text = folded
    return text


@lru_cache(maxsize=1 << 16)
def normalize_name(text: str) -> str:
    """Return the matching key of an artist, album, track title or genre name.

    Casefolds, strips accents, turns "&" into "and", drops apostrophes and dots
    ("R.E.M." -> "rem", "Guns N' Roses" -> "guns n roses"), treats other
    punctuation as a word break, drops "feat."/"ft."/"featuring" parts and leading
    "the " words (and a library-style trailing ", The"), and collapses whitespace.
    A name that is only "The" stays "the".
    """
    text = _TRAILING_THE.sub("", _BRACKETED_FEAT.sub(" ", text))
    text = _fold(text)
    text = text.replace("&", " and ")
    text = _DROPPED.sub("", text)
    tokens = _TOKEN.findall(text)
    for index, token in enumerate(tokens):
        if index > 0 and token in _FEAT_WORDS:
            tokens = tokens[:index]
            break
    while len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)
