"""Intent -> actions on the player and the recommender -> a short, truthful spoken reply.

The dialogue never says "playing" unless the player has been handed tracks, and
every piece of feedback (requests, play starts, skips with position, completes,
likes, dislikes) goes to the recommender's engine, which stores it and updates
the model at once.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from recommender.engine import Query
from recommender.normalize import normalize_name
from recommender.store import Store, Track
from speaker.dislikes import Dislikes
from speaker.events import Event, Feedback, PlaybackStarted
from speaker.intents import MUSIC_SLOTS, THIS_ALBUM, THIS_ARTIST, ParsedRequest, parse
from speaker.intents_clock import minutes_until, spoken_clock
from speaker.intents_cues import MOST_PLAYED
from speaker.library_view import LibraryView
from speaker.matching import Match
from speaker.picks import QUEUE_BATCH, EngineLike, Picker
from speaker.playlist_replies import (
    add_named,
    add_playing,
    is_favourites,
    remove_playing,
)
from speaker.question_replies import Answers
from speaker.transport_replies import TRANSPORT_REPLIES, describe, stop_time

logger = logging.getLogger(__name__)

REFILL_BELOW = 3
_CANT = {"alarm": "set alarms", "weather": "tell you the weather", "news": "read the news",
         "joke": "tell jokes", "reminder": "keep reminders or lists",
         "devices": "control other devices"}
"""What Encore says it can't do, by the ``topic`` of an ``unknown`` request."""
_NOT_MUSIC = re.compile(r"\b(?:podcasts?|audio ?books?|bbc)\b|\bradio (?:station|\d+|one|two|"
                        r"three|four|five|six)\b|^(?:the |a |my )?(?:radio|news)$")
"""A name asked for and missing from the library that is no music at all ("BBC Radio 4",
"the news"); "Good News" or "Video Killed the Radio Star" are songs the library lacks."""
QUEUE_ADD = 5
"""Tracks "add some jazz to the queue" adds (an album adds all its tracks, a song one)."""


@dataclass
class DialogueState:
    """What the speaker remembers between turns."""

    user: str
    last_reply: str = ""
    last_played: Track | None = None
    history: list[int] = field(default_factory=list)
    """Track ids started in this session, most recent last."""
    station: Query = field(default_factory=Query)
    """What the current queue was asked for; refills continue it."""


class Dialogue:
    """Turns one parsed request into actions and the sentence to say."""

    def __init__(self, engine: EngineLike, player: Any, store: Store, *, user: str,
                 local_time: Callable[[], datetime] = datetime.now) -> None:
        """``local_time`` is the wall clock's time of day, for "stop the music at 11"."""
        self._engine = engine
        self._local_time = local_time
        self._player = player
        self._store = store
        self.state = DialogueState(user=user)
        self.library = LibraryView.build(store.tracks())

    def refresh_library(self) -> None:
        self.library = LibraryView.build(self._store.tracks())

    def knows(self, slot: str, name: str) -> bool:
        """Whether the library has something by that name for a spoken ``slot``
        ("artist", "album", "track"), as a play request would look it up."""
        return self.library.matcher.match_one(slot, name) is not None

    # --- requests -------------------------------------------------------------------

    def handle(self, request: ParsedRequest) -> str:
        handler = getattr(self, f"_on_{request.intent}", None)
        transport = TRANSPORT_REPLIES.get(request.intent)
        slots = self._until_to_minutes(request.slots)
        if handler is not None:
            reply = handler(slots)
        elif transport is not None:
            reply = transport(self._player, slots)
        else:
            reply = self._on_unknown(slots)
        if request.intent != "now_playing" or reply != self.state.last_reply:
            self.state.last_reply = reply
        return reply

    def _until_to_minutes(self, slots: dict[str, Any]) -> dict[str, Any]:
        """ "until 11": ``minutes`` from now and ``at``, the time as the reply says it."""
        if "until" not in slots:
            return slots
        now = self._local_time()
        minutes = minutes_until(slots["until"], now)
        rest = {k: v for k, v in slots.items() if k != "until"}
        return {**rest, "minutes": minutes, "at": spoken_clock(now + timedelta(minutes=minutes))}

    def _on_add_to_playlist(self, slots: dict[str, Any]) -> str:
        name = str(slots.get("playlist") or "")
        if slots.get("create"):  # "make a new playlist"
            return ("A playlist starts with its first song. While a song you want on it "
                    f"plays, say: add this to my {name or 'new'} playlist.")
        if MUSIC_SLOTS & slots.keys():  # "add Velvet Hours to my workout playlist"
            return add_named(self._store, self._engine, self.library, self.state.user, name,
                             slots)
        if slots.get("remove"):  # "take this off my workout playlist"
            if is_favourites(name):
                return ("Your favourites are the songs you like. To hear this one less, "
                        "say: I don't like this.")
            return remove_playing(self._store, self._player, self.state.user, name)
        if is_favourites(name):  # "add this to my favourites playlist" is a like
            return self._on_like({})
        return add_playing(self._store, self._player, self.state.user, name)

    def _on_help(self, slots: dict[str, Any]) -> str:
        """A few things to say, with a genre and an album of this library that Encore
        would understand back as examples."""
        tracks = self.library.tracks
        genres = islice(dict.fromkeys(g for t in tracks for g in t.genres), 20)
        genre = next((g for g in genres
                      if parse(f"play some {g}").slots.get("genre") == g.casefold()), "")
        albums = islice(dict.fromkeys(t.album for t in tracks if t.album), 20)
        album = next((a for a in albums
                      if parse(f"play the album {a}").slots.get("album") == a.casefold()), "")
        examples = [f"play some {genre}" if genre else "play some music",
                    *([f"play the album {album}"] if album else []), "play something I like",
                    "skip this", "what's playing", "turn it down"]
        return ("I play music from your library. Try: " + ", ".join(examples)
                + ", or add this to my workout playlist.")

    def _on_next(self, slots: dict[str, Any]) -> str:
        """ "Next"; "play a different artist" first takes this artist's songs out of the
        queue and makes sure someone else's come next: the same kind of music if the
        library has it by others, else anything like this artist."""
        playing = self._player.now_playing
        if not slots.get("other_artist") or playing is None:
            return TRANSPORT_REPLIES["next"](self._player, slots)
        key = normalize_name(playing.artist)
        picker = self._picker(frozenset(self.state.history[-QUEUE_BATCH * 2:])
                              | {t.id for t in self._player.queue})
        others = picker.other_artist(self.state.station, playing.artist)
        if not others and all(normalize_name(t.artist) == key for t in self._player.queue):
            return f"I have nothing by anyone other than {playing.artist} to play."
        self._player.drop(lambda t: normalize_name(t.artist) == key)
        if len(self._player.queue) < REFILL_BELOW:
            self._player.enqueue(others)
        self.state.station = picker.station or self.state.station  # refills: without them
        self._player.next()
        return f"Here's someone else: {describe(self._player.now_playing or playing)}."

    def _on_unknown(self, slots: dict[str, Any]) -> str:
        if slots.get("topic") in _CANT:  # "what's the weather": understood, not done
            return (f"Sorry, I can't {_CANT[slots['topic']]}. I play music from your "
                    "library: say, for example, play some jazz.")
        if slots.get("greeting"):
            return "Hello. Say, for example: play some jazz."
        return "Sorry, I didn't catch that. You can say things like: play some jazz."

    def _on_resume(self, slots: dict[str, Any]) -> str:
        """Paused: play on. Stopped: pick up where the music stopped ("stop", then
        "resume"), or, with nothing to pick up, start something as "play" does."""
        if self._player.state == "playing":
            return "The music is already playing."
        if self._player.state == "paused":
            self._player.resume()
            return "Resuming."
        track = self._player.resume_stopped()
        if track is not None:
            return f"Resuming {describe(track)}."
        return self._on_play({})

    def _on_play(self, slots: dict[str, Any]) -> str:
        minutes = slots.get("minutes")  # "play some jazz for twenty minutes"
        if slots and set(slots) <= {"minutes", "at", "level"} and self._player.state != "stopped":
            self._player.resume()  # "play for an hour", "play it at volume 3": this music
            said = [TRANSPORT_REPLIES[intent](self._player, slots)
                    for intent, slot in (("volume_set", "level"), ("sleep_timer", "minutes"))
                    if slot in slots]
            return " ".join(said)
        prefix = ""
        if slots.get("service"):
            prefix = (f"I can't use {str(slots['service']).title()}; "
                      "I play the music in your library. ")
        if slots.get("room"):  # "play some jazz in the kitchen"
            prefix += "I can only play on this speaker. "
        if slots.get("user"):
            prefix += self._switch_user(str(slots["user"]))
        if self.library.empty:
            return prefix + ("Your music library is empty, so there's nothing to play. "
                             "Scan a music folder with encore library scan.")
        more_of = self._player.now_playing if slots.get("artist") == THIS_ARTIST else None
        slots, unknown = self._current_names(slots)
        if unknown:
            return prefix + unknown
        picker = self._picker()
        if slots.get("playlist") == MOST_PLAYED and not picker.most_played:
            prefix += "No song has played to the end yet, so here's something you might like. "
            slots = {k: v for k, v in slots.items() if k != "playlist"}
        matches = self.library.matcher.match(slots)
        tracks, what, missing = picker.pick(slots, matches)
        if _NOT_MUSIC.search(missing.casefold()):  # "play BBC Radio 4", not in the library
            return prefix + ("Sorry, I can't play radio, podcasts, audiobooks or the news. "
                             "I play the music in your library.")
        self._store.add_event(self.state.user, "request")
        self.state.station = picker.station if picker.station is not None else Query()
        if more_of is not None:  # "more by this artist": not this song again
            tracks = [t for t in tracks if t.id != more_of.id] or tracks
        if not tracks:
            return prefix + "I couldn't find anything to play in your library."
        shuffled = bool(slots.get("shuffle"))
        if shuffled:  # "shuffle songs by Nora Vance": the order is random from the first
            self._player.set_shuffle(True)
        self._player.play(tracks)
        first = self._player.now_playing or tracks[0]
        timer = f" {picker.note}" if picker.note else ""
        if slots.get("level") is not None:  # "play some jazz quietly", "... at volume 3"
            timer += " " + TRANSPORT_REPLIES["volume_set"](self._player, slots)
        if minutes:
            self._player.set_sleep_timer(float(minutes))
            timer += f" I'll stop the music {stop_time(slots)}."
        if missing:
            return prefix + (f"I couldn't find {missing} in your library. "
                             f"Here's something close: {describe(first)}.{timer}")
        verb = "Shuffling" if shuffled else "Playing"
        if what:
            return prefix + f"{verb} {what}: {describe(first)}.{timer}"
        return prefix + f"{verb} {describe(first)}.{timer}"

    def _on_enqueue(self, slots: dict[str, Any]) -> str:
        """Add what was asked for after the current track or earlier requests; never interrupt."""
        prefix = ""
        if slots.get("service"):
            prefix = (f"I can't use {str(slots['service']).title()}; "
                      "I play the music in your library. ")
        if self.library.empty:
            return prefix + ("Your music library is empty, so there's nothing to add. "
                             "Scan a music folder with encore library scan.")
        playing = self._player.now_playing is not None
        slots, unknown = self._current_names(slots)
        if unknown:
            return prefix + unknown
        matches = self.library.matcher.match(slots)
        self._store.add_event(self.state.user, "request")
        station = self.state.station
        picker = self._picker()
        tracks, what, missing = picker.pick(slots, matches)
        if picker.station is not None:
            self.state.station = picker.station
        if playing:
            self.state.station = station  # the refill goes on with what was playing
        if missing or not tracks:
            return prefix + (f"I couldn't find {missing or 'that'} in your library, "
                             "so I didn't add anything.")
        if not (slots.get("playlist") and what.startswith("your ")):
            tracks = self._to_add(tracks, matches)  # the profile's own lists go in whole
        if not tracks:
            return prefix + "Everything I found for that is already in the queue."
        play_next = bool(slots.get("next"))
        self._player.add_to_queue(tracks, play_next=play_next)
        first, start = tracks[0], ""
        if len(tracks) > 1 and "artist" in matches and not {"track", "album"} & matches.keys():
            what = f"{len(tracks)} songs by {matches['artist'].value}"
        what = what or (describe(first) if len(tracks) == 1 else f"{len(tracks)} songs")
        if what != describe(first):
            start = (", starting with " if len(tracks) > 1 else ": ") + describe(first)
        if not playing:
            return prefix + f"Playing {what}{start}."
        if play_next:
            return prefix + f"Okay, playing {what} next{start}."
        return prefix + f"Added {what} to the queue{start}."

    def _current_names(self, slots: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Slots with "this album" / "this artist" made the playing track's; or why not."""
        wanted = [k for k, v in (("album", THIS_ALBUM), ("artist", THIS_ARTIST))
                  if slots.get(k) == v]
        if not wanted:
            return slots, ""
        track = self._player.now_playing or self.state.last_played
        if track is None:
            return slots, f"Nothing is playing, so I don't know which {wanted[0]} you mean."
        named = {k: v for k, v in slots.items() if k not in ("album", "artist", "track")}
        if "album" in wanted:
            if not track.album:
                return slots, f"I don't know which album {track.title} is from."
            named["album"] = track.album
        if track.artist:
            named["artist"] = track.artist
        return named, ""

    def _to_add(self, tracks: list[Track], matches: dict[str, Match]) -> list[Track]:
        """The part of a pick worth queueing: the song, the album, or a few not queued yet."""
        if "track" in matches and self.library.by_title(matches["track"].value):
            return tracks[:1]
        if "album" in matches and self.library.by_album(matches["album"].value):
            return tracks
        current = self._player.now_playing
        queued = {t.id for t in self._player.queue} | ({current.id} if current else set())
        return [t for t in tracks if t.id not in queued][:QUEUE_ADD]

    def _picker(self, recent: frozenset[int] | None = None) -> Picker:
        """A picker for this request; ``recent`` (default: the last songs played) are
        left out of its picks."""
        if recent is None:
            recent = frozenset(self.state.history[-QUEUE_BATCH:])
        return Picker(self._engine, self._store, self.library, self.state.user, recent)

    def _switch_user(self, name: str) -> str:
        wanted = name.strip().casefold()
        for known in self._store.users():
            if known.casefold() == wanted:
                self.state.user = known
                return f"Okay, {known.capitalize()}. "
        self._store.ensure_user(wanted)
        self.state.user = wanted
        return f"I don't know {name} yet, so I'll start a new profile. "

    def _on_play_similar(self, slots: dict[str, Any]) -> str:
        seed = self._player.now_playing or self.state.last_played
        if seed is None:
            return "Nothing is playing, so I don't know what to match. Say: play something."
        played = frozenset(self.state.history)
        like_this = Query(like_track_id=seed.id, exclude_track_ids=played)
        tracks = self._engine.recommend(self.state.user, QUEUE_BATCH, like_this)
        if not tracks:  # everything like it was heard already: allow repeats
            tracks = [t for t in self._engine.similar(seed.id, QUEUE_BATCH) if t.id != seed.id]
        else:
            self.state.station = dataclasses.replace(like_this, exclude_track_ids=frozenset())
        if not tracks:
            return f"I couldn't find anything like {describe(seed)}."
        self._player.play(tracks)
        return f"Here's something like {seed.title}: {describe(tracks[0])}."

    # --- about the music ------------------------------------------------------------

    def _on_now_playing(self, slots: dict[str, Any]) -> str:
        return Answers(self._player, self._store, self.library, self.state, self._local_time,
                       self._picker()).answer(slots)

    def _on_like(self, slots: dict[str, Any]) -> str:
        track = self._player.now_playing or self.state.last_played
        if track is None:
            return "Nothing is playing, so I don't know what you like."
        self._engine.feedback(self.state.user, "like", track.id)
        return f"Glad you like it. I'll play more like {track.artist or track.title}."

    def _on_dislike(self, slots: dict[str, Any]) -> str:
        dislikes = Dislikes(self._engine, self._store, self._player, self.library,
                            self.state.user, self._refill)
        named = str(slots.get("artist") or "")
        if named and named != THIS_ARTIST:  # "I don't like Nora Vance"
            return dislikes.named(named)
        track = self._player.now_playing or self.state.last_played
        if track is None:
            return "Nothing is playing, so I don't know what you dislike."
        if named == THIS_ARTIST and track.artist:
            return dislikes.artist(track)
        return dislikes.song(track)

    # --- feedback from the player ---------------------------------------------------

    def on_player_event(self, event: Event) -> None:
        """Route player events to the recommender and keep the queue topped up."""
        if isinstance(event, PlaybackStarted):
            track = self._player.now_playing
            if track is not None and track.id == event.track_id:
                self.state.last_played = track
            self.state.history.append(event.track_id)
            self._engine.feedback(self.state.user, "play_start", event.track_id)
            self._refill()
        elif isinstance(event, Feedback) and event.kind in ("complete", "skip"):
            self._engine.feedback(self.state.user, event.kind, event.track_id, event.position_s)

    def _refill(self) -> None:
        upcoming = list(self._player.queue)
        if len(upcoming) >= REFILL_BELOW:
            return
        exclude = (frozenset(self.state.history[-QUEUE_BATCH * 2:]) | {t.id for t in upcoming}
                   | self.state.station.exclude_track_ids)  # e.g. the songs already heard
        station = dataclasses.replace(self.state.station, exclude_track_ids=exclude)
        more = self._engine.recommend(self.state.user, QUEUE_BATCH, station)
        if not more and station != Query(exclude_track_ids=exclude):
            # The request is exhausted: carry on with the listener's own taste.
            more = self._engine.recommend(self.state.user, QUEUE_BATCH,
                                          Query(exclude_track_ids=exclude))
        if more:
            self._player.enqueue(more)

