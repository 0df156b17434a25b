"""Answers to questions ("what's playing", "how long is left on the sleep timer", "what's
my most played song", "what time is it"): ``now_playing`` requests, by their ``detail``
slot (:mod:`speaker.intents_questions`). Nothing here changes the player or the library.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from recommender.normalize import normalize_name
from recommender.store import Store, Track
from speaker.intents_clock import spoken_clock, spoken_minutes
from speaker.library_view import LibraryView
from speaker.picks import Picker
from speaker.playlist_replies import list_playlists, tell_playlist
from speaker.transport_replies import describe, spoken_list, spoken_span, spoken_times

__all__ = ["Answers"]


class _State(Protocol):
    user: str
    last_reply: str
    last_played: Track | None
    history: list[int]


@dataclass
class Answers:
    """What a question needs: the player, the store, the library, the dialogue's state,
    the local clock and the request's picker (for what played most)."""

    player: Any
    store: Store
    library: LibraryView
    state: _State
    local_time: Callable[[], datetime]
    picker: Picker

    def answer(self, slots: dict[str, Any]) -> str:
        """The reply to a ``now_playing`` request, by its ``detail``."""
        playing = self.player.now_playing
        if slots.get("detail") == "previous":
            return self._previous_song(playing)
        if slots.get("detail") == "remaining":
            return self._time_left(playing)
        if slots.get("detail") == "volume":
            return f"The volume is {self.player.volume}."
        if slots.get("detail") == "sleep_timer":
            return self._sleep_timer_left()
        if slots.get("detail") == "playlist" and slots.get("playlist"):  # "what's on my
            return tell_playlist(self.store, self.library, self.state.user,  # X playlist"
                                 str(slots["playlist"]))
        if slots.get("detail") in ("playlists", "playlist"):
            return list_playlists(self.store, self.state.user)
        if slots.get("detail") == "most_played":  # "what's my most played song"
            return self._most_played(str(slots.get("what") or "song"))
        if slots.get("detail") == "library":  # "how many songs do I have"
            return self.library.summary(str(slots.get("what") or ""))
        if slots.get("detail") in ("time", "date"):  # "what time is it"
            now = self.local_time()
            return (f"It's {spoken_clock(now)}." if slots["detail"] == "time"
                    else f"It's {now:%A}, {now:%B} {now.day}.")
        if slots.get("detail") == "said":  # "say that again": the last answer, word for word
            return self.state.last_reply or "I haven't said anything yet."
        shown = playing or self.state.last_played
        if shown is None:
            return "Nothing is playing right now."
        lead = f"{'This is' if playing else 'That was'} {describe(shown)}"
        detail = slots.get("detail")
        if detail == "plays":  # "how many times have I played this"
            kinds = Counter(e.kind for e in self.store.events(self.state.user)
                            if e.track_id == shown.id)  # a seeded history has no starts
            played = max(kinds["play_start"],
                         kinds["complete"] + kinds["skip"] + (playing is not None))
            if played <= 1:
                return f"{lead}. It's the first time this profile has played it."
            return f"{lead}. This profile has played it {spoken_times(played)}."
        if detail == "album":
            return (f"{lead}, from the album {shown.album}." if shown.album
                    else f"{lead}. I don't know which album it is from.")
        if detail == "genre":
            names = list(getattr(shown, "genres", ()) or ())
            genres = spoken_list(names)
            return (f"{lead}. It's {genres}." if genres
                    else f"{lead}. I don't know its genre.")
        if detail == "year":
            return (f"{lead}, from {shown.year}." if shown.year
                    else f"{lead}. I don't know what year it is from.")
        return f"{lead}."

    def _time_left(self, playing: Track | None) -> str:
        """How long the song playing (or paused) has to go."""
        if playing is None:
            return "Nothing is playing right now."
        left_s = self.player.remaining_s
        if left_s is None:
            return f"This is {describe(playing)}. I don't know yet how long it is."
        if left_s < 1.0:
            return f"{describe(playing)} is just ending."
        return f"This is {describe(playing)}, with {spoken_span(round(left_s))} to go."

    def _most_played(self, what: str) -> str:
        """The profile's songs (or artists) that played to the end most often; a tie
        names up to three."""
        completes = self.picker.completes
        if not completes:
            return "No song has played to the end yet."
        by_id = self.library.by_id
        counts: Counter[str] = Counter()
        names: dict[str, str] = {}
        for track_id, count in completes.items():
            track = by_id[track_id]
            key = normalize_name(track.artist) if what == "artist" else str(track_id)
            counts[key] += count
            names.setdefault(key, track.artist if what == "artist" else describe(track))
        ranked = counts.most_common()
        top = ranked[0][1]
        best = [names[key] for key, count in ranked if count == top][:3]
        times = spoken_times(top)
        kind = "artist" if what == "artist" else "song"
        if len(best) == 1:
            return f"Your most played {kind} is {best[0]}, played to the end {times}."
        return (f"Your most played {kind}s are {spoken_list(best)}, each played to the end "
                f"{times}.")

    def _sleep_timer_left(self) -> str:
        left_s = self.player.sleep_left_s
        if self.player.stops_after_track:
            song_s = self.player.remaining_s
            if song_s is None:
                return "The music stops after this song."
            return f"The music stops after this song, in {spoken_span(max(1, round(song_s)))}."
        if left_s is None:
            return "There's no sleep timer. Say, for example: stop in 20 minutes."
        if left_s < 120.0:  # "1 minute 30 seconds"
            return f"The music stops in {spoken_span(max(1, round(left_s)))}."
        return f"The music stops in {spoken_minutes(left_s / 60.0)}."

    def _previous_song(self, playing: Track | None) -> str:
        """The song that played before this one (or, with nothing playing, the last)."""
        started = list(self.state.history)
        while playing is not None and started and started[-1] == playing.id:
            started.pop()  # on repeat the song playing may have started several times
        by_id = self.library.by_id
        before = next((by_id[i] for i in reversed(started) if i in by_id), None)
        if before is None:
            return "I haven't played anything before this." if playing else (
                "I haven't played anything yet.")
        if playing is not None:
            return f"Before this one, I played {describe(before)}."
        return f"The last song was {describe(before)}."
