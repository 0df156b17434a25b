"""Understanding a transcribed request: ``parse("play kind of blue by miles davis")``.

Offline and rule-based. A request is cleaned (lowercase, Whisper punctuation,
wake-word leftovers and politeness removed), then tried against whole-request
control rules (``speaker.intents_control``), then against play carriers ("play",
"put on", "I want to hear", ...) whose remainder is split into slots:
``speaker.intents_cues`` peels off service, profile, playlist, year and ranking
words, ``speaker.intents_play`` sorts the names. Anything else is ``unknown``.
Number words live in ``speaker.intents_numbers``, word lists in
``speaker.intents_lexicon``.

Intents: play, play_similar, enqueue, next, previous, restart, seek, pause,
resume, stop, volume_up, volume_down, volume_set, now_playing, up_next, like,
dislike, shuffle, repeat, sleep_timer, cancel, add_to_playlist, help, unknown. Slot values are the
words as spoken (lowercase); ``year`` is an int (decade start with ``decade:
True``), ``level`` is 0-100, ``minutes`` an int, ``on`` a bool. A bare "play"
is ``resume`` (the dialogue starts something personal when nothing is paused or
stopped);
"play something" is ``play`` with no slots.

``enqueue`` ("add Kind of Blue to the queue", "queue up some jazz", "play Miles
Davis next") has play's slots and ``next: True`` when it should play right after
the current track. ``seek`` ("skip forward thirty seconds", "rewind ten
seconds") has ``seconds``, signed: forward positive, back negative; a bare
"fast forward" or "rewind" is 30 s, as on Alexa. ``restart`` is "start this
song over"; ``up_next`` is "what's next".

Some requests are an intent with a slot that says which kind: ``cancel`` with
``target: "queue"`` ("clear the queue") or ``"sleep_timer"``, or ``courtesy:
"thanks"`` / ``"goodnight"`` (answered, nothing done); ``sleep_timer`` with
``end_of_track: True`` ("stop after this song") or ``until`` ("stop the music at 11");
``volume_up`` with ``unmute:
True``; ``add_to_playlist`` with ``remove: True`` ("take this off my workout
playlist"), with a play request's slots ("add Slow Tides to my road trip playlist") or
with ``create: True`` ("make a new playlist"); ``play`` with ``newest: True`` ("the
latest album by X") or ``oldest: True`` ("X's first album"), with
``level`` ("play some jazz quietly", "... at volume 3"), ``minutes`` ("play some jazz
for twenty minutes": then a sleep timer) or ``until``
("play some jazz until midnight", a time of day: :mod:`speaker.intents_clock`), or with
``playlist: "most played"`` ("play my top songs"), with ``unheard: "ever"`` ("something
I haven't heard") or ``"lately"`` ("... in a while"), or ``album`` and ``track_no``
("track three of Slow Tides"); ``repeat`` with ``one: True`` ("repeat this song", not
the whole queue); ``next`` with ``other_artist: True`` ("play a different artist");
``dislike`` with ``artist: "this
artist"`` ("I don't like this artist") or a name ("I don't like Nora Vance");
``now_playing`` with ``detail: "plays"`` ("how many times have I played this"),
``"most_played"`` and ``what`` ("who's my favourite artist") or ``"library"``
and maybe ``what: "artists"`` ("how many songs do I have", "what artists do I have");
``unknown`` with ``greeting: True`` ("hello", asked back what to play) or with ``topic``
("what's the weather", "turn on the lights": what Encore doesn't do, said plainly;
:mod:`speaker.intents_other`, which also reads "what time is it" as ``now_playing`` with
``detail: "time"``). After a stop,
``resume`` ("pick up where I left off") plays on from where the music stopped.

"Play this album" and "play more by this artist" name what is playing: the slot
is ``album: "this album"`` or ``artist: "this artist"`` (:data:`THIS_ALBUM`,
:data:`THIS_ARTIST`), which the dialogue resolves to the current track's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from speaker.intents_control import THIS_ALBUM, THIS_ARTIST, match_control
from speaker.intents_cues import MOST_PLAYED, names_most_played, take_service
from speaker.intents_fuzzy import fuzzy_control
from speaker.intents_other import match_other
from speaker.intents_play import play_slots

__all__ = ["INTENTS", "MUSIC_SLOTS", "THIS_ALBUM", "THIS_ARTIST", "ParsedRequest", "clean",
           "parse"]

INTENTS = (
    "play", "play_similar", "enqueue", "next", "previous", "restart", "seek", "pause", "resume",
    "stop", "volume_up", "volume_down", "volume_set", "now_playing", "up_next", "like",
    "dislike", "shuffle", "repeat", "sleep_timer", "cancel", "add_to_playlist", "help",
    "unknown",
)


@dataclass(frozen=True)
class ParsedRequest:
    """What a request asks for: an intent from ``INTENTS`` and its slots."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"intent": self.intent, "slots": dict(self.slots), "text": self.text}

    @property
    def courtesy(self) -> bool:
        """ "Thank you", "good night", "hello": said to the speaker, but no request (and
        Whisper's favourite invention over music)."""
        return "courtesy" in self.slots or "greeting" in self.slots

    @property
    def understood(self) -> bool:
        """A request was read: not ``unknown`` and not a courtesy. Speech to text keeps
        looking for a better reading of anything else (rescoring, the grammar search,
        rehearings), as "Thank you." is what Whisper often writes for a garbled request."""
        return self.intent != "unknown" and not self.courtesy


_ABBREVIATIONS = {"sgt", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vol", "feat", "ft", "vs",
                  "no", "op", "pt", "mt"}
_WAKE = re.compile(
    r"^(?:(?:hey|hi|hello|ok|okay|yo|oi)[\s,]+)?(?:jarvis|travis|jervis|jarvis's|encore|"
    r"on core|mycroft|alexa|computer|speaker)\b[\s,.!?:-]*"
)
_LEAD = re.compile(
    r"^(?:please|pls|kindly|could you|can you|would you|will you|would you mind|"
    r"could you please|can you please|i'd like you to|i would like you to|i want you to|"
    r"i need you to|go ahead and|just|um+|uh+|er+|erm|so|okay|ok|alright|all right|right|"
    r"hey|now|and|then|yes|yeah|oh|well|hmm+|"
    # a greeting or thanks before the request: "Good morning, play some jazz."
    r"hello|hi|hiya|good morning|good afternoon|good evening|thanks|thank you|cheers)\b[\s,]*"
)
_TRAIL = re.compile(
    r"[\s,]*\b(?:please|pls|thanks|thank you|thank you very much|for me|for me please|"
    r"right now|now|if you can|if you could|would you|could you|will you|can you|okay|ok|"
    r"mate|buddy|jarvis|encore|again please|would ya)$"
)


def _tokens(text: str) -> list[str]:
    """Words of a transcript with their case, sentence punctuation removed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", " ")
    text = text.replace("\u201d", " ").replace("\u2026", " ").replace("\u2013", "-")
    text = re.sub(r"[\"“”!?;:,()\[\]{}…]", " ", text)
    tokens = []
    for token in text.split():
        lower = token.lower()
        if token.startswith("'") and not token[1:2].isdigit():
            token, lower = token[1:], lower[1:]
        if token.endswith("'") and not re.search(r"(?:s|\b[a-z])'$", lower):
            token, lower = token[:-1], lower[:-1]
        if re.fullmatch(r"(?:um+|uh+|erm+|er+|hmm+|uhm+)", lower):
            continue
        initials = re.fullmatch(r"(?:[a-z]\.)+", lower)
        if lower.endswith(".") and not initials and lower.rstrip(".") not in _ABBREVIATIONS:
            token = token.rstrip(".")
        token = token.strip("-")
        if token:
            tokens.append(token)
    return tokens


_NAME = r"(?: (?:jarvis|encore|mate|buddy))?"
_COURTESY = re.compile(
    r"(?P<thanks>(?:(?:ok|okay|great|perfect|lovely|brilliant|awesome|cool|nice|that'?s "
    r"(?:great|perfect|lovely|better|it)|that'?s all),? )*(?:thank you|thanks|thank you very much"
    r"|thank you so much|thanks a lot|thanks a million|many thanks|cheers|ta)" + _NAME
    + r"(?: that'?s all)?)"
    r"|(?P<goodnight>(?:good ?night|night night|sleep well)" + _NAME + r")"
    r"|(?P<greeting>(?:hello|hi|hey|hiya|good (?:morning|afternoon|evening)|how are you"
    r"(?: doing)?|what'?s up)" + _NAME + r")"
)
"""Courtesies, not requests: thanks and good night are answered, a greeting asks back."""

#: Whisper's usual mishearings of a leading "play" ("Place some jazz").
_MISHEARD_PLAY = re.compile(r"^(?:place|plate|plays|blade|blame)\b(?= \w)")


def clean(text: str) -> str:
    """Lowercase the request and drop punctuation, wake word and politeness.

    Keeps the punctuation that belongs to names: "ac/dc", "blink-182",
    "sgt. pepper's", "r&b", "'80s".
    """
    text = " ".join(_tokens(text)).lower()
    text = _WAKE.sub("", text)
    for _ in range(6):
        stripped = _TRAIL.sub("", _LEAD.sub("", text)).strip()
        if stripped == text:
            break
        text = stripped
    return _MISHEARD_PLAY.sub("play", text)


def _trim_to_capitals(text: str, value: str) -> str:
    """Drop lowercase carrier words around a capitalised name.

    Whisper (and people typing) capitalise names: in "play Lee Mellor good
    songs" the slot "lee mellor good" keeps only "lee mellor". Only done when at
    least two capitalised words remain, so "Stairway to heaven" stays whole.
    """
    original = _tokens(text)
    lowered = [t.lower() for t in original]
    words = value.split()
    size = len(words)
    for start in range(len(lowered) - size + 1):
        if lowered[start:start + size] != words:
            continue
        capital = [t[:1].isupper() or t[:1].isdigit() for t in original[start:start + size]]
        if not any(capital) or all(capital):
            return value
        first = capital.index(True)
        last = size - 1 - capital[::-1].index(True)
        if last - first + 1 >= 2:
            return " ".join(words[first:last + 1])
        return value
    return value


def _with_capitals(text: str, slots: dict[str, Any]) -> dict[str, Any]:
    """Name slots as written in ``text``; a name that was all filler words ("play song
    please play") is dropped."""
    for name in ("artist", "track", "album", "playlist"):
        value = slots.get(name)
        if name == "playlist" and re.search(r" (?:radio|station)$", str(value)):
            continue  # "Nora Vance radio": the station word is part of what was asked
        if isinstance(value, str):
            slots[name] = _trim_to_capitals(text, value)
    return {k: v for k, v in slots.items() if v != ""}


_CARRIER = re.compile(
    r"^(?:(?:i'd|i would|i'll|i will) like to |i (?:want|need|wanna|wish|would love|'d love) to |"
    r"i wanna |let me |let's |let us |can i |could i |may i |we (?:want|need|wanna) to |"
    r"(?:i )?wish to |i'd love to |i would love to |lets |(?:i )?want to |"
    r"(?:i'm |i am )?looking for |i'd like |i would like |"
    r"i want |i need |i'd like |give me |get me |)"
    r"(?:play|paly|playing|plays|put on|puts on|throw on|stick on|pop on|slap on|put|queue up|"
    r"queue|"
    r"line up|cue up|start playing|start|spin|blast|hear|listen to|listen|pull up|bring up|"
    r"find|search for|look up|search|turn on|crank|open up|open|give me|(?<=i )(?:get|have)|"
    r"some music|"
    r"music)\b"
    r"(?: (?:me|us|for me)\b)?"
)
# Also matched against what follows any play verb ("i wanna hear music like Radiohead"),
# with filler words as tiny.en writes "find me more music like this" ("find the more music
# like this", "find me for music like this"); "song" is singular in titles ("the song
# Nothing Like This"), so only plural music words count.
_SIMILAR = re.compile(
    r"^(?:play |give me |put on |i want |i need |i'd like |find )?"
    r"(?:(?:me|us|for|the|some|a few|other|new|good) ){0,3}"
    r"(?:more|something|anything|songs|music|stuff|tracks|tunes|more music|more songs|"
    r"more stuff|"
    r"similar (?:songs|music|stuff|tracks|artists)|songs and artists|artists)"
    r"(?: that (?:sounds?|is)| that are)? (?:like|similar to|in the style of|that sounds? like)"
    r" (?P<what>.+)$"
    r"|^(?:play )?(?:some )?(?:more )?(?:something|anything|songs|music|stuff) (?:similar|like it)$"
    r"|^(?:play )?more (?:of )?(?:the same|this|that)(?: kind of music| please)?$"
    r"|^keep (?:this|that|the same) (?:vibe|mood|style|kind of music) (?:going|up)$"
    r"|^(?:play )?(?:similar|related) (?:songs|music|stuff|tracks|artists)$"
    # "start a station based on this song", "play this song's radio"
    r"|^(?:start |play |make |create )?(?:a |the )?(?:radio station|station|radio|mix)"
    r" (?:based on|from|for|like|of|with) (?:this|this song|this track|this one|what'?s playing)$"
    r"|^(?:play )?(?:this song'?s|this track'?s) (?:radio|station)$"
)
_QUEUE_VERB = r"(?:add|put|stick|throw|pop|place|append|queue(?: up)?|cue up|line up)"
_TO_QUEUE = re.compile(
    rf"^{_QUEUE_VERB} (?P<what>.+?) (?:to|in|on|onto|into|at the end of|on to|in to)"
    r" (?:the |my |our |your )?(?:play ?)?(?:queue|q|up next list)(?: too| as well)?$"
)
# "shuffle songs by Nora Vance", "play the album Slow Tides on shuffle": a play request with
# shuffle on (after the shuffle controls: "shuffle my music" only turns shuffle on)
_SHUFFLED = re.compile(r"shuffle(?: play| up)? (?P<what>.+)|(?:play|put on) (?P<what2>.+?) "
                       r"(?:on shuffle|in shuffle mode|shuffled|in random order|on random)")
# After a bare "shuffle", only what names music for certain: "songs by X", "the album X",
# a genre, a decade, a playlist; not "shuffle own" or "shuffle things up".
_SHUFFLE_CUE = re.compile(r"(?:all |some )?(?:songs|music|tracks|stuff|everything|anything) "
                          r"(?:by|from|of) ")
_SHUFFLE_SLOTS = frozenset({"album", "genre", "year", "mood", "playlist", "user"})
_QUEUE_CARRIER = re.compile(r"^(?:queue up|queue|cue up|line up)(?: (?P<what>.+))?$")
_NEXT_TAIL = re.compile(
    r"^(?P<head>.+?) (?:next|up next|after this(?: one| song| track)?"
    r"|after (?:the|this) (?:current )?(?:song|track|one)"
    r"|when (?:this|the) (?:one|song|track) (?:ends|is over|finishes))$"
)
_ANAPHOR = re.compile(r"^(?:this|that|it|this one|that one|this song|that song|this track|"
                      r"the current song|what'?s playing|this artist|this band|"
                      r"this kind of music)$")


_CURRENT_ALBUM = re.compile(
    r"^(?:the )?(?:rest of |whole |entire |full |complete )?(?:the |this |that |the current )?"
    r"(?:album|record|lp)(?: (?:that )?(?:this|it|this song|this track)(?: one)?(?: is|'s)"
    r" (?:on|from)| it'?s (?:on|from))?(?: from the (?:start|beginning|top))?$"
)
_CURRENT_ARTIST = re.compile(
    r"^(?:some )?(?:more|other)?(?: songs| music| tracks| stuff)? ?(?:by|from|of) "
    r"(?:this|that|the current|the same) (?:artist|band|singer|group|musician)$"
    r"|^(?:more|other songs|more songs|more music) (?:by|from) (?:them|him|her)$"
    r"|^(?:this|that|the same) (?:artist|band|singer|group)$"
)


def _request_slots(remainder: str) -> dict[str, Any]:
    """Slots of the remainder; two clauses are merged.

    "search for scott miller and play some of his songs", "I want to hear Aki
    Nawaz, play the song Fair Annie": the second clause adds to the first.
    """
    if _CURRENT_ALBUM.match(remainder):
        return {"album": THIS_ALBUM}
    if _CURRENT_ARTIST.match(remainder):
        return {"artist": THIS_ARTIST}
    if names_most_played(remainder):  # not two clauses: "what I listen to most"
        return {"playlist": MOST_PLAYED}
    parts = re.split(r"(?: and)? (?:then )?(?:play|start playing|put on|listen to) ", remainder,
                     maxsplit=1)
    slots = play_slots(parts[0])
    if len(parts) == 2:
        slots.update(play_slots(parts[1]))
    return slots


_TO_PLAYLIST = re.compile(
    r"^(?:add|put|save|stick) (?P<what>.+) (?:to|on|in|into|onto) (?:my |the |our )"
    r"(?:playlist (?:called|named) (?P<p>.+)|(?P<p2>(?!playlist$).+?) playlist)$")
MUSIC_SLOTS = frozenset({"track", "album", "artist", "genre", "mood", "year", "user"})
"""Slots that say which music a request means ("add Slow Tides to my playlist")."""


def _to_playlist(text: str, rest: str) -> dict[str, Any] | None:
    """Slots of "add Prelude in C to my workout playlist": what to add, as a play
    request's slots, and ``playlist``; None for "add this ..." (a control request) and
    for words that name nothing ("add the last song ...")."""
    found = _TO_PLAYLIST.match(rest)
    if found is None or _ANAPHOR.match(found.group("what")):
        return None
    slots = _with_capitals(text, _request_slots(found.group("what")))
    if not MUSIC_SLOTS & slots.keys():
        return None
    slots["playlist"] = (found.group("p") or found.group("p2")).strip()
    return slots


def _enqueue(text: str, rest: str) -> dict[str, Any] | None:
    """Slots of a queueing request ("add X to the queue", "play X next"), else None.

    "Play X next" needs a name: "play the next song" is a control request, caught
    before this.
    """
    tail = _NEXT_TAIL.match(rest)
    body = tail.group("head") if tail else rest
    found = _TO_QUEUE.match(body) or _QUEUE_CARRIER.match(body)
    what = found.group("what") if found else None
    if found and what is None:  # "queue up": something personal
        return {"next": True} if tail else {}
    if what is None and tail:
        carrier = _CARRIER.match(body)
        if carrier is not None and body[carrier.end():carrier.end() + 1] == " ":
            what = re.sub(r"^(?:and |to )?(?:play|put on)\b ?", "", body[carrier.end():].strip())
    current = what is not None and bool(_CURRENT_ALBUM.match(what) or _CURRENT_ARTIST.match(what))
    if not what or (_ANAPHOR.match(what) and not current):
        return None  # "add this song to the queue" names nothing new
    slots = _with_capitals(text, _request_slots(what))
    if tail:
        slots["next"] = True
    return slots


def _control_clause(text: str, cleaned: str) -> tuple[str, dict[str, Any]] | None:
    """A control request in the first clause: "Skip this song, I hate it." -> next."""
    if _CARRIER.match(cleaned) and not cleaned.startswith(("play the next", "play the previous")):
        return None
    clauses = [c for c in (clean(part) for part in re.split(r"[,.;!?]+\s", text + " ")) if c]
    if not clauses:
        return None
    first = match_control(clauses[0])
    if first is not None and first[0] == "help":  # "Help, stop the music!" asks to stop
        later = (match_control(clause) for clause in clauses[1:])
        return next((found for found in later if found is not None), first)
    return first


def parse(text: str, near_misses: bool = True) -> ParsedRequest:
    """The intent and slots of one transcribed request; never raises. Without
    ``near_misses`` only the rules read it, not the fuzzy match of control phrasings."""
    parsed = _parse(text)
    if parsed.intent == "unknown":
        # a misheard wake word before a comma: "Hey Charles, turn it up."
        greeting = re.match(r"^\s*(?:hey|hi|ok|okay|hello)\s+[\w'-]+\s*[,.!:]\s*(\S.*)$", text,
                            re.IGNORECASE)
        if greeting:
            inner = _parse(greeting.group(1))
            return ParsedRequest(inner.intent, inner.slots, text)
        near = fuzzy_control(clean(text)) if near_misses else None
        if near is not None:
            return ParsedRequest(near[0], near[1], text)
    return parsed


def _similar(similar: re.Match[str], text: str, service: str | None) -> ParsedRequest:
    slots: dict[str, Any] = {}
    what = similar.group("what")
    if what and not _ANAPHOR.match(what):
        slots = _with_capitals(text, play_slots(what))
    if service:
        slots["service"] = service
    return ParsedRequest("play_similar", slots, text)


def _courtesy(text: str) -> dict[str, Any] | None:
    """ "Thank you", "good night" (a ``cancel``: nothing to do) or "hello" (``unknown``:
    a request is still to come): the slots that say which, else None."""
    words = " ".join(_tokens(text)).lower()
    said = _WAKE.sub("", words).strip() or re.sub(r"^(?:ok|okay|hey|yo|oi) ", "", words)
    found = _COURTESY.fullmatch(said)
    if found is None:
        return None
    return {"courtesy": found.lastgroup} if found.lastgroup != "greeting" else {"greeting": True}


def _parse(text: str) -> ParsedRequest:
    courtesy = _courtesy(text)
    if courtesy is not None:
        return ParsedRequest("unknown" if "greeting" in courtesy else "cancel", courtesy, text)
    cleaned = clean(text)
    if not cleaned:
        return ParsedRequest("unknown", {}, text)
    control = match_control(cleaned) or match_other(cleaned) or _control_clause(text, cleaned)
    if control is not None:
        return ParsedRequest(control[0], control[1], text)
    shuffled = _SHUFFLED.fullmatch(cleaned)
    if shuffled and fuzzy_control(cleaned) is None:  # "shuffle of" is shuffle off, misheard
        what = shuffled.group("what") or shuffled.group("what2")
        inner = _parse("play " + what)
        cued = (shuffled.group("what2") is not None or _SHUFFLE_CUE.match(what) is not None
                or bool(_SHUFFLE_SLOTS & inner.slots.keys()))
        if inner.intent == "play" and cued:
            return ParsedRequest("play", {**inner.slots, "shuffle": True}, text)
    without_service, service = take_service(cleaned)
    while True:  # "music from lastfm and deezer": one service is enough
        without_service, other = take_service(without_service)
        if other is None:
            break
    rest = clean(without_service)
    listed = _to_playlist(text, rest)
    if listed is not None:
        return ParsedRequest("add_to_playlist", listed, text)
    queued = _enqueue(text, rest)
    if queued is not None:
        if service:
            queued["service"] = service
        return ParsedRequest("enqueue", queued, text)
    similar = _SIMILAR.match(rest)
    if similar:
        return _similar(similar, text, service)
    carrier = _CARRIER.match(rest)
    if carrier is None or (carrier.end() < len(rest) and rest[carrier.end()] not in " "):
        if service and not rest:
            return ParsedRequest("play", {"service": service}, text)
        return ParsedRequest("unknown", {}, text)
    remainder = rest[carrier.end():].strip()
    remainder = re.sub(r"^(?:and |to )?(?:play|start playing|put on)\b ?", "", remainder)
    similar = _SIMILAR.match(remainder)
    if similar:
        return _similar(similar, text, service)
    slots = _with_capitals(text, _request_slots(remainder))
    if service:
        slots["service"] = service
    return ParsedRequest("play", slots, text)
