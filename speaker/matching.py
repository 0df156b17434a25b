"""Match spoken names to the names in the household's library.

Whisper mishears names ("beetles"), writes numbers either way ("blink one eighty
two" / "blink-182") and drops punctuation ("panic at the disco"). A spoken name
and every library name are reduced to a key (``recommender.normalize``: casefold,
accents, punctuation, leading "the", "&" -> "and"; then number words -> digits),
and scored with rapidfuzz on four views of the key: as written, without spaces
("ac dc" = "acdc"), as Metaphone codes per word (sounds-alike, scaled by 0.95 so
a spelling match wins a tie), and with words sorted ("davis miles", scaled by
0.9 so "sunday morning" does not become "Morning Study"). A match needs ``threshold`` (default 82)
of 100; below it the name is reported as not in the library. For artists a
part of the name counts too ("bowie" -> David Bowie: 86 plus up to 10 for the
share of the name said).

When a spoken slot has no good match in its own kind, the other kinds are tried
(a spoken "artist" that is an album title becomes an ``album`` match), and a
clearly better match in another kind (by 10 points) wins over a weak own match.
The library has no playlists, so a spoken ``playlist`` ("play punk essentials")
is only looked up among artists, albums and titles.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jellyfish
from rapidfuzz import fuzz, process

from recommender.normalize import normalize_name
from speaker.intents_numbers import words_to_digits

__all__ = ["DEFAULT_THRESHOLD", "LibraryMatcher", "Match", "best_name", "name_key", "sound_key"]

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 86.0
_PHONETIC_WEIGHT = 0.95
_REORDER_WEIGHT = 0.9
_CROSS_SLOT_MARGIN = 10.0
_SHORTLIST = 12
#: Which library kinds a spoken slot may fall back to, in order of preference.
_FALLBACK = {
    "artist": ("album", "track", "genre"),
    "track": ("album", "artist"),
    "album": ("track", "artist"),
    "genre": (),
    "playlist": ("artist", "album", "track", "genre"),
}


@dataclass(frozen=True)
class Match:
    """A spoken name resolved to a library name. ``score`` is 0-100 (100 = same key)."""

    slot: str
    spoken: str
    value: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"slot": self.slot, "spoken": self.spoken, "value": self.value,
                "score": round(self.score, 1)}


def name_key(name: str) -> str:
    """The comparison key of a name: normalised, number words as digits."""
    return normalize_name(words_to_digits(normalize_name(name)))


def sound_key(key: str) -> str:
    """How ``key`` sounds: each word as its Metaphone code ("next track" -> "NKST TRK")."""
    return " ".join(jellyfish.metaphone(word) if word.isalpha() else word for word in key.split())


@dataclass(frozen=True)
class _Index:
    displays: tuple[str, ...]
    keys: tuple[str, ...]
    compact: tuple[str, ...]
    sounds: tuple[str, ...]

    @classmethod
    def build(cls, names: Iterable[str]) -> _Index:
        by_key: dict[str, str] = {}
        for name in names:
            if not name or not name.strip():
                continue
            key = name_key(name)
            if key and key not in by_key:
                by_key[key] = name
        keys = tuple(by_key)
        return cls(tuple(by_key.values()), keys, tuple(k.replace(" ", "") for k in keys),
                   tuple(sound_key(k) for k in keys))

    def best(self, spoken: str, limit: int = 1, partial: bool = False) -> list[tuple[str, float]]:
        """The best (display name, score) pairs for a spoken name, highest first."""
        key = name_key(spoken)
        if not key or not self.keys:
            return []
        compact, sound = key.replace(" ", ""), sound_key(key)
        shortlist: set[int] = set()
        for query, choices, scorer in (
            (key, self.keys, fuzz.ratio), (compact, self.compact, fuzz.ratio),
            (sound, self.sounds, fuzz.ratio), (key, self.keys, fuzz.token_sort_ratio),
            *([(key, self.keys, fuzz.token_set_ratio)] if partial else []),
        ):
            for _choice, _score, index in process.extract(query, choices, scorer=scorer,
                                                          limit=_SHORTLIST):
                shortlist.add(index)
        scored = []
        for index in shortlist:
            score = max(
                fuzz.ratio(key, self.keys[index]),
                fuzz.ratio(compact, self.compact[index]),
                _REORDER_WEIGHT * fuzz.token_sort_ratio(key, self.keys[index]),
                _PHONETIC_WEIGHT * fuzz.ratio(sound, self.sounds[index]),
                _part_score(key, self.keys[index]) if partial else 0.0,
            )
            scored.append((self.displays[index], float(score)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:limit]


def best_name(spoken: str, names: Iterable[str], threshold: float = DEFAULT_THRESHOLD
              ) -> str | None:
    """The one of ``names`` a spoken name stands for (the library's tolerance for
    mishearing: spelling, spacing, sound), or None below ``threshold``."""
    best = _Index.build(names).best(spoken)
    return best[0][0] if best and best[0][1] >= threshold else None


def _part_score(key: str, candidate: str) -> float:
    """Score of a spoken key that is some whole words of the candidate ("bowie")."""
    words = key.split()
    if len(key) < 4 or not set(words) <= set(candidate.split()):
        return 0.0
    return DEFAULT_THRESHOLD + 10.0 * len(key) / len(candidate)


class LibraryMatcher:
    """Resolves the name slots of a parsed request against the library's display names."""

    def __init__(self, artists: Iterable[str], albums: Iterable[str], titles: Iterable[str],
                 genres: Iterable[str], threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0 <= threshold <= 100:
            raise ValueError(f"threshold must be within 0-100, got {threshold}")
        self.threshold = threshold
        self._indexes = {
            "artist": _Index.build(artists), "album": _Index.build(albums),
            "track": _Index.build(titles), "genre": _Index.build(genres),
        }

    def candidates(self, slot: str, spoken: str, limit: int = 5) -> list[Match]:
        """The closest library names of kind ``slot``, even below the threshold.

        For "I couldn't find Nirvana; here's something close".
        """
        index = self._indexes.get(slot)
        if index is None:
            raise ValueError(f"unknown slot {slot!r}; use one of {sorted(self._indexes)}")
        return [Match(slot, spoken, value, score)
                for value, score in index.best(spoken, limit, partial=slot == "artist")]

    def match_one(self, slot: str, spoken: str) -> Match | None:
        """The library name for one spoken slot value, trying other kinds when needed."""
        if slot not in _FALLBACK:
            return None
        own = self._best(slot, spoken) if slot in self._indexes else None
        if own is not None and own.score > 100.0 - _CROSS_SLOT_MARGIN:
            return own  # no other kind can beat it by the margin
        others = [m for m in (self._best(kind, spoken) for kind in _FALLBACK[slot])
                  if m is not None and m.score >= self.threshold]
        best_other = max(others, key=lambda m: m.score, default=None)
        if own is not None and own.score >= self.threshold:
            if best_other is not None and best_other.score >= own.score + _CROSS_SLOT_MARGIN:
                return best_other
            return own
        return best_other

    def match(self, slots: Mapping[str, Any]) -> dict[str, Match]:
        """Library matches for the name slots of a request, keyed by the library kind.

        Slots with no match above the threshold are left out. When two spoken
        slots land on the same kind, the better-scoring match is kept.
        """
        found: dict[str, Match] = {}
        for slot in ("artist", "album", "track", "genre", "playlist"):
            spoken = slots.get(slot)
            if not isinstance(spoken, str) or not spoken.strip():
                continue
            match = self.match_one(slot, spoken)
            if match is None:
                logger.debug("no library match for %s %r", slot, spoken)
                continue
            if match.slot not in found or found[match.slot].score < match.score:
                found[match.slot] = match
        return found

    def _best(self, slot: str, spoken: str) -> Match | None:
        best = self._indexes[slot].best(spoken, 1, partial=slot == "artist")
        if not best:
            return None
        value, score = best[0]
        return Match(slot, spoken, value, score)
