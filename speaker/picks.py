"""Choosing the tracks for a play or queue request from its slots and library matches.

A :class:`Picker` is made for one request: it knows the library, the listener and
what played lately, asks the recommender engine, and says how to name what it found
("some Jazz", "your most played songs") and what it could not find.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import zip_longest
from typing import Any, Protocol

from recommender.engine import Query
from recommender.normalize import normalize_name
from recommender.store import Store, Track
from speaker.intents_cues import MOST_PLAYED
from speaker.library_view import LibraryView, mood_phrase
from speaker.matching import Match
from speaker.playlist_replies import is_favourites, own_playlist
from speaker.transport_replies import spoken_list

__all__ = ["QUEUE_BATCH", "EngineLike", "Picker"]

QUEUE_BATCH = 10
"""Tracks a play request queues (and a refill adds)."""
LATELY_DAYS = 30
"""How far back "something I haven't heard in a while" looks."""


class EngineLike(Protocol):
    def recommend(self, user: str, n: int = 10, query: Query | None = None) -> list[Track]: ...
    def similar(self, track_id: int, n: int = 10) -> list[Track]: ...
    def feedback(self, user: str, kind: str, track_id: int,
                 position_s: float | None = None) -> int: ...


@dataclass
class Picker:
    """Picks for one request of ``user``; ``recent`` are the track ids played lately."""

    engine: EngineLike
    store: Store
    library: LibraryView
    user: str
    recent: frozenset[int] = frozenset()
    station: Query | None = None
    """What refills should go on with after the pick; None leaves it as it was."""
    heard: frozenset[int] = frozenset()
    """Tracks left out because the request asked for music the listener hasn't heard."""
    note: str = ""
    """A sentence the reply adds about the pick ("You haven't heard it before.")."""

    def pick(self, slots: dict[str, Any], matches: dict[str, Match]
             ) -> tuple[list[Track], str, str]:
        """Tracks for a request's slots and their library matches: (tracks, how to say
        what was asked, what was asked for and missing)."""
        unheard = slots.get("unheard")
        if not unheard:
            return self._pick(slots, matches)
        recent = self.recent
        lately = unheard == "lately"
        since_t = self.store.now() - LATELY_DAYS * 86400.0 if lately else None
        self.heard = frozenset(self.store.recent_track_ids(
            self.user, len(self.library.by_id) + 1, since_t=since_t))
        self.recent = recent | self.heard
        tracks, what, missing = self._pick(slots, matches)
        fresh = [t for t in tracks if t.id not in self.heard]
        if fresh and not missing:  # refills leave the heard songs out too
            base = self.station or Query()
            self.station = replace(base, exclude_track_ids=base.exclude_track_ids | self.heard)
            self.note = ("You haven't heard it in a while." if lately
                         else "You haven't heard it before.")
            return fresh, what, ""
        # everything asked for has played (lately): what was asked, heard or not
        self.heard, self.recent, self.station = frozenset(), recent, None
        tracks, what, missing = self._pick(slots, matches)
        heard = "anything you haven't heard" + (" lately" if lately else "")
        return tracks, "", missing or heard + (" like that" if what else "")

    def _pick(self, slots: dict[str, Any], matches: dict[str, Match]
              ) -> tuple[list[Track], str, str]:
        user, recent = self.user, self.recent
        if slots.get("playlist"):  # the profile's own playlist comes before library names
            own = own_playlist(self.store, self.library, user, str(slots["playlist"]))
            if own is not None:
                return own[0], own[1], ""
        track_m, album_m = matches.get("track"), matches.get("album")
        artist_m = matches.get("artist")
        genre_m = matches.get("genre")
        if track_m is not None:
            found = self.library.by_title(track_m.value, artist_m.value if artist_m else None)
            if found:
                rest = self.engine.similar(found[0].id, QUEUE_BATCH)
                return [found[0], *[t for t in rest if t.id != found[0].id]], "", ""
        if album_m is not None:
            album = self.library.by_album(album_m.value)
            if album and slots.get("track_no"):  # "track three of Slow Tides"
                return _from_track(album, int(slots["track_no"]))
            if album:
                return album, f"{album[0].album} by {album[0].artist}", ""
        listed = _artist_list(slots, matches, self.library)
        mixed = self._several("artist", listed) if listed else None
        if mixed:  # "play Nora Vance and Clara Whitfield"
            return mixed
        if slots.get("genre") and genre_m is None:
            mixed = self._several("genre", str(slots["genre"]))
            if mixed:  # "play some jazz and blues"
                return mixed
        if artist_m is not None and (slots.get("newest") or slots.get("oldest")):
            oldest = bool(slots.get("oldest"))
            album = self.library.album_by_year(artist_m.value, newest=not oldest)
            if album:
                which = "first" if oldest else "newest"
                return album, f"{artist_m.value}'s {which} album, {album[0].album}", ""
        query = Query(exclude_track_ids=recent)
        what = ""
        if artist_m is not None:
            query = Query(artist=artist_m.value, exclude_track_ids=self.heard)
            what = artist_m.value
        elif genre_m is not None:
            query = Query(genre=genre_m.value, exclude_track_ids=recent)
            what = f"some {genre_m.value}"
        elif slots.get("year") is not None:
            year = int(slots["year"])
            if slots.get("decade"):
                query = Query(decade=year - year % 10, exclude_track_ids=recent)
                what = f"music from the {year - year % 10}s"
            else:
                query = Query(year=year, exclude_track_ids=recent)
                what = f"music from {year}"
        elif slots.get("mood"):
            return self._by_mood(str(slots["mood"]))
        elif slots.get("playlist"):
            return self._playlist(str(slots["playlist"]))
        missing = _unmatched(slots, matches)
        tracks = [] if missing else self.engine.recommend(user, QUEUE_BATCH, query)
        if tracks:
            self.station = query
            return tracks, what, ""
        self.station = Query()
        fallback = self.engine.recommend(user, QUEUE_BATCH, Query(exclude_track_ids=recent))
        return fallback, "", missing or what or "that"

    def _by_mood(self, mood: str) -> tuple[list[Track], str, str]:
        genres = {g.casefold() for g in self.library.genres_for_mood(mood)}
        ranked = self.engine.recommend(self.user, 200, Query(exclude_track_ids=self.recent))
        fitting = [t for t in ranked if genres & {g.casefold() for g in t.genres}]
        if fitting:
            return fitting[:QUEUE_BATCH], mood_phrase(mood), ""
        return ranked[:QUEUE_BATCH], "", f"{mood} music"

    def _playlist(self, name: str) -> tuple[list[Track], str, str]:
        if name == MOST_PLAYED:
            return self.most_played, "your most played songs", ""
        liked = self._liked_tracks()
        if liked and is_favourites(name):
            return liked, "your favourites", ""
        radio = self._artist_radio(name)
        if radio:
            return radio
        ranked = self.engine.recommend(self.user, QUEUE_BATCH, None)
        return ranked, "", f"a playlist called {name}"

    def _several(self, kind: str, spoken: str) -> tuple[list[Track], str, str] | None:
        """ "Nora Vance and Clara Whitfield", "jazz and blues": the songs of each artist
        (``kind`` "artist") or genre ("genre") the listener likes best, taking turns;
        None unless every part names one of the library's (a band called "Simon and
        Garfunkel" matches whole before this is tried)."""
        parts = [p for p in re.split(r",? (?:and|&) |, ", spoken) if p.strip()]
        if len(parts) < 2:
            return None
        found = [self.library.matcher.match_one(kind, p) for p in parts]
        names = list(dict.fromkeys(m.value for m in found if m is not None and m.slot == kind))
        if len(names) != len(parts):
            return None
        queries = [Query(artist=name) if kind == "artist"
                   else Query(genre=name, exclude_track_ids=self.recent) for name in names]
        per_name = [self.engine.recommend(self.user, QUEUE_BATCH, q) for q in queries]
        turns = [t for group in zip_longest(*per_name) for t in group if t is not None]
        if not turns:
            return None
        self.station = Query()  # refills go on with the listener's taste
        return turns[:QUEUE_BATCH * 2], spoken_list(names), ""

    def _artist_radio(self, name: str) -> tuple[list[Track], str, str] | None:
        """ "Nora Vance radio": the artist's songs the listener likes best, each followed
        by one like it from elsewhere in the library; None if no artist is named."""
        spoken = re.fullmatch(r"(?:the |a )?(.+?)(?:'s)? (?:radio|station)", name.strip())
        artist = spoken and self.library.matcher.match_one("artist", spoken.group(1))
        if not artist or artist.slot != "artist":
            return None
        own = self.engine.recommend(self.user, QUEUE_BATCH // 2, Query(artist=artist.value))
        if not own:
            return None
        mixed: dict[int, Track] = {}
        for track in own:
            mixed.setdefault(track.id, track)
            like = next((t for t in self.engine.similar(track.id, QUEUE_BATCH)
                         if t.id not in mixed and t.artist != track.artist), None)
            if like is not None:
                mixed[like.id] = like
        self.station = Query(artist=artist.value)
        return list(mixed.values()), f"{artist.value} radio", ""

    def other_artist(self, station: Query, artist: str) -> list[Track]:
        """ "Play a different artist": songs by anyone but ``artist``, of the kind
        ``station`` asked for if others have them, else anything like that artist (played
        lately or not); ``station`` is then that kind, like the artist but without them."""
        key = normalize_name(artist)
        kinds = [Query()] if station.artist or station.album else [station, Query()]
        self.station = replace(kinds[0], like_artist=artist)
        for kind, exclude in [(k, self.recent) for k in kinds] + [(Query(), frozenset())]:
            query = replace(kind, like_artist=artist)
            found = self.engine.recommend(self.user, QUEUE_BATCH,
                                          replace(query, exclude_track_ids=exclude))
            others = [t for t in found if normalize_name(t.artist) != key]
            if others:
                self.station = query
                return others
        return []

    @cached_property
    def completes(self) -> Counter[int]:
        """How often each of the library's songs played to the end for this profile."""
        by_id = self.library.by_id
        return Counter(e.track_id for e in self.store.events(self.user)
                       if e.kind == "complete" and e.track_id is not None
                       and e.track_id in by_id)

    @cached_property
    def most_played(self) -> list[Track]:
        """The profile's songs by how often they played to the end, most first."""
        by_id = self.library.by_id
        return [by_id[i] for i, _ in self.completes.most_common(QUEUE_BATCH)]

    def _liked_tracks(self) -> list[Track]:
        by_id = self.library.by_id
        liked: dict[int, Track] = {}
        for event in reversed(self.store.events(self.user)):
            if event.kind == "like" and event.track_id is not None and event.track_id in by_id:
                liked.setdefault(event.track_id, by_id[event.track_id])
        return list(liked.values())

def _artist_list(slots: dict[str, Any], matches: dict[str, Match],
                 library: LibraryView) -> str:
    """The spoken names that may list several artists: an artist the library lacks as one
    name ("nora vance and clara whitfield"), or an artist and a "song" the library lacks
    ("Play Nora Vance and Clara Whitfield." reads as a song Clara Whitfield by Nora Vance);
    "" when the request names an album or a song the library has."""
    artist, track = str(slots.get("artist") or ""), str(slots.get("track") or "")
    track_m = matches.get("track")
    if slots.get("album") or (track and track_m is not None and library.by_title(track_m.value)):
        return ""
    if track:
        return f"{artist} and {re.sub(r'^and ', '', track)}" if artist else ""
    return artist if artist and "artist" not in matches else ""


def _from_track(album: list[Track], number: int) -> tuple[list[Track], str, str]:
    """An album (in track order) from its track ``number`` on, and how to say it; the
    whole album, and what was missing, when it has no such track."""
    numbered = [t.track_no for t in album]
    if not any(numbered):  # untagged: count the songs
        numbered = list(range(1, len(album) + 1))
    name = album[0].album
    if number not in numbered:
        return album, "", f"track {number} of {name}"
    return album[numbered.index(number):], f"{name}, track {number}", ""


def _unmatched(slots: dict[str, Any], matches: dict[str, Match]) -> str:
    """The first spoken name that matched nothing in the library, as it was spoken."""
    matched = {m.spoken for m in matches.values()}
    for slot in ("track", "album", "artist", "genre"):
        spoken = slots.get(slot)
        if spoken and str(spoken) not in matched:
            return str(spoken).title()
    return ""
