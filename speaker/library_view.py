"""The dialogue's view of the library: tracks by name, genres by mood, the fuzzy matcher.

Built from the store's non-gone tracks and rebuilt when a scan changes them, so the
dialogue never queries SQLite on the request path more than once per change.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from recommender.normalize import normalize_name
from recommender.store import Track
from speaker.matching import LibraryMatcher

logger = logging.getLogger(__name__)

MOOD_GENRES: dict[str, tuple[str, ...]] = {
    "relaxing": ("ambient", "classical", "jazz", "lo-fi", "lofi", "folk", "chillout", "new age"),
    "energetic": ("rock", "electronic", "metal", "dance", "punk", "techno", "house",
                  "drum and bass"),
    "happy": ("reggae", "pop", "funk", "soul", "disco", "folk", "ska"),
    "sad": ("blues", "folk", "ambient", "classical", "soul"),
    "focus": ("ambient", "classical", "lo-fi", "lofi", "jazz", "electronic"),
    "party": ("electronic", "dance", "pop", "funk", "disco", "house", "hip hop"),
    "romantic": ("soul", "jazz", "r&b", "classical"),
}
MOOD_ALIASES: dict[str, str] = {
    "relaxing": "relaxing", "relax": "relaxing", "relaxed": "relaxing", "chill": "relaxing",
    "calm": "relaxing", "calming": "relaxing", "mellow": "relaxing", "soothing": "relaxing",
    "quiet": "relaxing", "peaceful": "relaxing", "sleepy": "relaxing", "sleep": "relaxing",
    "sleeping": "relaxing", "background": "relaxing", "quieter": "relaxing",
    "softer": "relaxing", "calmer": "relaxing", "mellower": "relaxing", "slower": "relaxing",
    "louder": "energetic", "livelier": "energetic", "faster": "energetic",
    "energetic": "energetic", "upbeat": "energetic", "workout": "energetic",
    "loud": "energetic", "fast": "energetic", "pumped": "energetic", "exciting": "energetic",
    "happy": "happy", "cheerful": "happy", "fun": "happy", "uplifting": "happy",
    "sad": "sad", "melancholy": "sad", "melancholic": "sad", "gloomy": "sad",
    "focus": "focus", "study": "focus", "studying": "focus", "concentration": "focus",
    "work": "focus", "working": "focus", "reading": "focus", "homework": "focus",
    "meditation": "relaxing", "meditating": "relaxing", "yoga": "relaxing",
    "dinner": "relaxing", "evening": "relaxing", "night": "relaxing",
    "running": "energetic", "exercise": "energetic", "gym": "energetic",
    "cleaning": "energetic", "driving": "energetic", "cooking": "happy", "morning": "happy",
    "kids": "happy", "children": "happy", "summer": "happy", "sunny": "happy",
    "party": "party", "dance": "party", "dancing": "party",
    "romantic": "romantic", "love": "romantic",
}

_MOOD_PHRASES = {
    "background": "background music", "gym": "music for the gym", "kids": "music for the kids",
    "children": "music for the children", "sleep": "music to sleep to",
    "focus": "music to focus to", "party": "party music", "dinner": "dinner music",
    "morning": "morning music", "evening": "evening music", "night": "night music",
    "late night": "late-night music", "summer": "summer music", "rainy day": "rainy-day music",
}
_ACTIVITIES = frozenset({
    "reading", "homework", "meditation", "meditating", "yoga", "cleaning", "cooking",
    "driving", "road trip", "running", "exercise", "workout", "study", "studying", "work",
    "working", "partying", "sleeping", "dancing",
})


def mood_phrase(mood: str) -> str:
    """How a reply names music for a spoken mood: "something relaxing", "music for cooking"."""
    if mood in _MOOD_PHRASES:
        return _MOOD_PHRASES[mood]
    return f"music for {mood}" if mood in _ACTIVITIES else f"something {mood}"


@dataclass(frozen=True)
class LibraryView:
    """An immutable snapshot of the library for one dialogue turn."""

    tracks: tuple[Track, ...]
    matcher: LibraryMatcher
    by_id: Mapping[int, Track]
    """The tracks by id."""

    @classmethod
    def build(cls, tracks: Sequence[Track]) -> LibraryView:
        live = tuple(t for t in tracks if not t.gone)
        genres = sorted({g for t in live for g in t.genres})
        matcher = LibraryMatcher(
            artists=sorted({t.artist for t in live if t.artist}),
            albums=sorted({t.album for t in live if t.album}),
            titles=sorted({t.title for t in live if t.title}),
            genres=genres,
        )
        logger.debug("library view: %d tracks, %d genres", len(live), len(genres))
        return cls(live, matcher, {t.id: t for t in live})

    @property
    def empty(self) -> bool:
        return not self.tracks

    def _by(self, attr: str, name: str) -> list[Track]:
        key = normalize_name(name)
        return [t for t in self.tracks if normalize_name(getattr(t, attr)) == key]

    def by_title(self, title: str, artist: str | None = None) -> list[Track]:
        found = self._by("title", title)
        if artist:
            same = [t for t in found if normalize_name(t.artist) == normalize_name(artist)]
            found = same or found
        return found

    def by_album(self, album: str) -> list[Track]:
        return sorted(self._by("album", album), key=lambda t: (t.track_no or 0, t.title))

    def by_artist(self, artist: str) -> list[Track]:
        return self._by("artist", artist)

    def album_by_year(self, artist: str, newest: bool = True) -> list[Track]:
        """The tracks of ``artist``'s album with the latest year (or, not ``newest``, the
        earliest), in album order; empty when none of the artist's albums has a year."""
        years: dict[str, int] = {}
        for track in self.by_artist(artist):
            if track.album and track.year:
                years[track.album] = max(years.get(track.album, 0), track.year)
        if not years:
            return []
        pick = max if newest else min
        chosen = pick(years, key=lambda album: (years[album], album))
        return [t for t in self.by_album(chosen) if normalize_name(t.artist)
                == normalize_name(artist)]

    def genres_for_mood(self, mood: str) -> tuple[str, ...]:
        """Library genres that suit a spoken mood word ("relaxing" -> ambient, jazz...)."""
        words = normalize_name(mood).split()
        wanted: set[str] = set()
        for word in words:
            canonical = MOOD_ALIASES.get(word)
            if canonical:
                wanted.update(MOOD_GENRES[canonical])
        have = {normalize_name(g): g for t in self.tracks for g in t.genres}
        return tuple(sorted(display for key, display in have.items()
                            if key in {normalize_name(w) for w in wanted}))

    def summary(self, listing: str = "") -> str:
        """The answer to "how many songs do I have"; with ``listing`` ("artists", "albums"
        or "genres") also the five with the most songs ("what artists do I have")."""
        songs = [t for t in self.tracks if t.duplicate_of is None]
        if not songs:
            return ("Your music library is empty. "
                    "Scan a music folder with: encore library scan.")
        names: dict[str, Counter[str]] = {
            "artists": Counter(t.artist for t in songs if t.artist),
            "albums": Counter(t.album for t in songs if t.album),
            "genres": Counter(g for t in songs for g in t.genres),
        }
        total = (f"Your library has {_count(len(songs), 'song')} by "
                 f"{_count(len(names['artists']), 'artist')}, on "
                 f"{_count(len(names['albums']), 'album')}.")
        counts = names.get(listing)
        if not counts:
            return total
        ranked = sorted(counts, key=lambda n: (-counts[n], n.casefold()))
        shown = ", ".join(ranked[:5]) + (f", and {len(ranked) - 5} more" if len(ranked) > 5
                                         else "")
        return f"{total} {listing.capitalize()}: {shown}."


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
