"""Slots of a play request: what to play, by whom, from when, for whom, where.

Works on the cleaned request with the carrier phrase ("play", "I want to hear")
removed, peeling off the parts with strong cues first (service, playlist, year,
"for Sam"), then splitting the rest at "by", "from" and "'s".

Policy for a bare name with no cue ("play imogen heap"): it is ``playlist``
when it has two or more words and one is a genre or playlist word ("punk
essentials", "latin dinner"); else ``track`` when it has more than three words
or a function word such as "of", "my", "love" (a leading "the" does not count:
"the beatles" is an artist); else ``artist``. A would-be track is an artist
when the request also names a year ("play kings of leon from 1985"): on the
SNIPS development split a year came with an artist 222 times, a track once.
On that split (1,600 requests) bare names were 35 % artists, 27 % tracks, 27 %
playlists, 11 % albums, and artist / track / playlist F1 were (before the
capitalisation step in ``speaker.intents``): this policy 0.925 / 0.648 /
0.694; always artist 0.905 / 0.617 / 0.640; always track 0.894 / 0.537 / 0.640;
a generic unscored ``query`` slot 0.894 / 0.617 / 0.640. Counting a leading
"the" as a title word scored 0.002 higher on SNIPS but makes "play the beatles"
a track. The library matcher falls back across kinds when the guess is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from speaker.intents_clock import CLOCK, parse_clock
from speaker.intents_control import THIS_ALBUM, THIS_ARTIST, volume_level
from speaker.intents_cues import (
    ALBUMISH,
    FILLER,
    ITEM,
    SAFE_FILLER,
    fix_cue_typos,
    squash,
    strip_sort,
    take_genre_phrase,
    take_playlist,
    take_user,
    take_year,
    tidy,
)
from speaker.intents_durations import parse_minutes
from speaker.intents_lexicon import GENRES, MOODS, TITLE_WORDS
from speaker.intents_numbers import parse_number, words_to_digits

__all__ = ["play_slots"]

#: Words typical of playlist names ("Punk Essentials", "Latin Dinner", "Party Anthems").
_PLAYLIST_WORDS = frozenset({
    "essentials", "anthems", "hits", "mix", "favorites", "favourites", "classics", "vibes",
    "picks", "jams", "radio", "playlist", "party", "chill", "relaxing", "workout", "dinner",
    "focus", "study", "lounge", "acoustic", "throwback", "throwbacks", "covers", "unplugged",
})
#: Genre names that are also everyday words, too common in names to mark a playlist.
_COMMON_WORDS = frozenset({
    "dream", "space", "game", "bass", "beat", "world", "global", "club", "score", "surf", "cult",
    "speech", "vocal", "duet", "chorus", "musical", "abstract", "terror", "acid", "trailer",
    "revival", "retro", "humour", "humor", "comedy", "garage", "emo", "dub", "swing", "drill",
    "trap", "bop", "house", "ethnic", "other", "tribal", "primus", "satire", "noise", "dance",
})
#: Pronouns that never name an artist ("him" and "her" can: the bands HIM and Her).
_PRONOUNS = frozenset({"them", "it", "this", "that", "these", "those", "me", "us", "you"})
#: What "another song by x", "the next one by this artist" leave where a title would be (a
#: bare "next" is dropped only as a title: SNIPS has an EP called "Next").
_NOT_NAMES = frozenset({
    "another", "another one", "one more", "next one", "the next one", "a different one",
    "different", "something different", "something else", "a new one",
})
#: "the latest album by x": a ranking word before an album word (read before the ranking
#: words are dropped as carriers).
_ALBUM_BY_AGE = re.compile(r"\b(?:(?P<new>newest|latest|most recent|new|last)"
                           r"|(?P<old>first|earliest|oldest|debut))"
                           r"(?: (?:studio|full length))? (?:album|record|lp)\b")
_ACTIVITY_MOODS = {"fall asleep": "sleep", "go to sleep": "sleep", "get to sleep": "sleep"}
_GENERIC_ITEMS = frozenset({"music", "stuff", "songs", "tracks", "tunes", "hits", "numbers"})
_GENRE_WORD = re.compile(r"^(?:the )?(.+?) (?:genre|style|type)(?: of)?(?: music| songs)?$"
                         r"|^(?:the )?(?:genre|style) (?:of )?(.+)$")
_CREDIT = re.compile(r"^(?:.*? )?(?:that|which) (.+?) (?:wrote|did|made|recorded|performed|sang|"
                     r"sung|contributed to|contributed|composed|released|played on|played|produced|"
                     r"featured on|featured in|appeared on|worked on)\b.*$")


def _bare_kind(name: str) -> str:
    """Artist or track for a name with no cue (see the module docstring)."""
    words = words_to_digits(re.sub(r"^the ", "", name)).split()
    if len(words) >= 2 and any(w in _PLAYLIST_WORDS or (w in GENRES and w not in _COMMON_WORDS)
                               for w in words):
        return "playlist"
    if len(words) > 3 or any(w in TITLE_WORDS for w in words):
        return "track"
    return "artist"


def _titleish(name: str) -> bool:
    """Three or more words or a title word: "today and tomorrow", not "heinz strobl"."""
    words = name.split()
    return len(words) >= 3 or any(w in TITLE_WORDS for w in words)


def _clean_name(text: str, title: bool = False) -> str:
    """Drop carrier words around a name; a title keeps leading "a", "my", "all"."""
    fillers = SAFE_FILLER if title else FILLER
    text = re.sub(rf"^(?:(?:{fillers}) )+", "", text.strip() + " ").strip()
    text = re.sub(r"\s*\b(?:please|now|then|again|too|also|instead|for me|for us)$", "", text)
    return text.strip(" '-")


_LEAD_ITEM = re.compile(
    rf"^(?:(?:{FILLER}|the|this|that) )*({ITEM})(?: called| named| titled)?(?: |$)")


def _strip_items(text: str, title: bool = False) -> tuple[str, str | None, bool]:
    """Remove item words at either end: "the song x" -> ("x", "song", True).

    The flag says the item word came first ("the album x"), which makes x a title.
    """
    item = None
    leading = False
    lead = _LEAD_ITEM.match(text.strip())
    if lead:
        item, leading = lead.group(1), True
        text = text.strip()[lead.end():]
        text = re.sub(r"^(?:off|of|from|on)(?: the| an| a| this| that| their| his| her)?\b",
                      "", text)
    text = _clean_name(text, title=title or leading)
    kept = text
    while True:
        trail = re.search(rf"(?:^| )({ITEM})$", text)
        if not trail:
            break
        item = item or trail.group(1)
        text = tidy(text[: trail.start()])
    text = _clean_name(text, title=title or leading)
    if title and text and text not in GENRES and text not in MOODS and not leading:
        # "the singer and the song by x": a trailing item word after a determiner stays
        # inside the title; "the hello song by x" is the song hello
        trailing_cue = re.search(rf" (?:{ALBUMISH})$|(?<!\bthe)(?<!\ba)(?<!\bmy)(?<!\byour)"
                                 r" (?:song|track|tune|single)$", kept)
        if not trailing_cue:
            return _clean_name(kept, title=True), item, leading
        text = re.sub(r"^the ", "", text)
    return text, item, leading


def _kind_for_item(item: str | None) -> str:
    if item and re.fullmatch(ALBUMISH, item):
        return "album"
    return "track"


_ALBUM_SOURCE = re.compile(
    rf"(?:(?:{FILLER}|the) )*(?:(?:{ITEM}) )?(?:from|off|on) (?:the |their |his |her |its |an |a )?"
    rf"(?:{ALBUMISH} (?:called |named )?(.+)|(.+?) {ALBUMISH})")


def _describe(text: str, slots: dict[str, Any], has_artist: bool) -> None:
    """Put a span with no by/from cue into genre, mood, album, track or artist."""
    text = tidy(text)
    genre = _GENRE_WORD.match(text)
    if genre and (genre.group(1) or genre.group(2)) in GENRES:
        slots["genre"] = genre.group(1) or genre.group(2)
        return
    source = _ALBUM_SOURCE.fullmatch(text)
    if source and (source.group(1) or source.group(2)) not in ("a", "an", "the", "their"):
        slots["album"] = _clean_name(source.group(1) or source.group(2), title=True)
        return  # "music from the album x (by y)", "songs off the x record"
    credit = _CREDIT.match(text)
    if credit and not has_artist:
        slots["artist"] = _clean_name(credit.group(1))  # "the soundtrack that X wrote"
        return
    had_the = text.startswith("the ")
    had_filler = bool(re.match(rf"^(?:{FILLER}) ", text))
    plain, _item, _leading = _strip_items(text)
    if plain in GENRES and not _leading:
        slots["genre"] = plain  # "a rock ballad (from x)"
        return
    genres = re.split(r",? (?:and|or|&) |, ", plain)
    if len(genres) > 1 and all(g in GENRES for g in genres):
        slots["genre"] = " and ".join(genres)  # "some jazz and blues": they take turns
        return
    name, item, leading = _strip_items(text, title=has_artist)
    bare = re.sub(r"^(?:from|by|of|off) ", "", name)
    if not name or name in ("all", "some") or (bare in _PRONOUNS and re.search(
            rf"\b(?:from|by|of|off) {bare}$", text)):
        return  # "music from 2003 from them"; "play Him", "play It by X" keep their names
    if leading and item not in _GENERIC_ITEMS:
        if re.search(rf" (?:{ITEM})$", text) and name not in GENRES:
            slots["artist"] = name  # "the chant doda songs": item words on both sides
        else:
            slots[_kind_for_item(item)] = name  # "the album thriller", "the song gangsta"
        return
    if name in GENRES:
        slots["genre"] = name  # "some jazz", "soul songs"
        return
    if name in MOODS:
        slots["mood"] = name
        return
    words = name.split()
    for cut in (1, len(words) - 1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if len(words) >= 2 and head in MOODS and tail in GENRES:
            slots["mood"], slots["genre"] = head, tail  # "relaxing jazz"
            return
    if has_artist:
        slots[_kind_for_item(item)] = name
        return
    inner = re.fullmatch(rf"(?:the )?(.+?) ({ALBUMISH}|song|track|single) (?:called |named )?(.+)",
                         name)
    if inner:
        slots["artist"] = inner.group(1)  # "the ricky wilson album spectral dusk"
        slots[_kind_for_item(inner.group(2))] = inner.group(3)
        return
    if item is not None:
        if had_the and re.fullmatch(ALBUMISH, item) and _titleish(re.sub(r"^the ", "", name)):
            slots["album"] = name  # "the today and tomorrow album"; "the ocelot ep" is by ocelot
        else:
            slots["artist"] = re.sub(r"^the ", "", name)  # "miles davis songs"
        return
    if had_filler:
        own_list = re.match(r"(?:my|our) ", text) and _bare_kind(name) == "playlist"
        slots["playlist" if own_list else "artist"] = name  # "some prabha atre", "my indie mix"
        return
    if len(words) >= 4 and not set(words[:2]) & TITLE_WORDS and set(words[2:]) & TITLE_WORDS:
        slots["artist"] = " ".join(words[:2])  # "moustapha amar make it rain"
        slots["track"] = " ".join(words[2:])
        return
    # with a year the name is whose music it is, not a title: SNIPS development requests
    # with a year name an artist 222 times, a track once ("play kings of leon from 1985")
    kind = _bare_kind(name)
    slots["artist" if kind == "track" and "year" in slots else kind] = name


def _split_last(rest: str, word: str) -> tuple[str, str] | None:
    parts = list(re.finditer(rf"(?:^| ){word} ", rest))
    for match in reversed(parts):
        left, right = rest[: match.start()].strip(), rest[match.end():].strip()
        if right and right not in ("me", "you", "us", "it", "them", "him", "her"):
            return left, right
    return None


_ALBUM_TAIL = re.compile(
    rf" (?:from|off|on) (?:the |their |his |her |its )?(?:{ALBUMISH}) (.+)$"
    rf"| (?:from|off|on) (?:the |their |his |her |its )?(.+?) {ALBUMISH}$")
_ARTIST_PREFIX = re.compile(
    r"^(?:the )?(?:musical |music )?(?:artist|band|group|singer|composer|musician|rapper|"
    r"dj named|songwriter)"
    r"(?: called| named)? ")


#: Item words that close a request after a name ("jeff irwin record", "tei concert");
#: "music" and "records" are left alone as they end names ("Avispa Music", "X Records").
_ITEM_TAIL = (r"(?:album|record|ep|lp|concert|concerto|song|track|tune|single|ballad|soundtrack|"
              r"albums|concerts|concertos|songs|tracks|tunes|singles|ballads|stuff)")


def _drop_item_tail(name: str) -> str:
    """ "jeff irwin record" -> "jeff irwin", "the ocelot ep" -> "ocelot"; "the song" stays."""
    trail = re.fullmatch(rf"(?:the )?(\w.*?) {_ITEM_TAIL}", name)
    if trail and trail.group(1) != "the":
        return trail.group(1)
    return name


def _artist_side(right: str, slots: dict[str, Any], after_song: bool = False,
                 after_album: bool = False) -> None:
    """The words after "by"/"from": an artist, maybe followed by "from their X album".

    After "a song by X", a further "from Y" names the album Y.
    """
    album = _ALBUM_TAIL.search(right)
    if album is None and after_song:
        album = re.search(r" (?:from|off) (?:the |their |his |her )?()(.+)$", right)
    if album:
        slots["album"] = _clean_name(album.group(1) or album.group(2), title=True)
        right = right[: album.start()]
    right = _ARTIST_PREFIX.sub("", tidy(right))
    called = re.fullmatch(r"(.+?) (?:called|named|titled) (.+)", right)
    if called and "album" not in slots:
        right = called.group(1)  # "a track by adele called hello"
        slots["album" if after_album else "track"] = _clean_name(called.group(2), title=True)
    inner = re.fullmatch(rf"(?:the )?(.+?) ({ALBUMISH}) (?:called |named )?(.+)", right)
    if inner:
        slots["artist"], slots["album"] = inner.group(1), inner.group(3)
        return
    right = _clean_name(_drop_item_tail(right))
    if right in GENRES and " " in right:
        slots["genre"] = right  # "something by new wave of american heavy metal"
    elif right:
        slots["artist"] = right


def _possessive(rest: str, slots: dict[str, Any]) -> bool:
    """ "miles davis's music", "nas's greatest ballads", "brenda kahn's rushall station"."""
    match = re.match(r"^(.+?)(?:'s|(?<=s)')(?: (.*))?$", rest)
    if not match or re.match(r"^(?:sgt|st|dr|mr|mrs)\.? ", match.group(1)):
        return False
    head = _clean_name(re.sub(r"^one of ", "", match.group(1)))  # "one of x's songs"
    tail, item, _leading = _strip_items(strip_sort(match.group(2) or ""), title=True)
    if not head:
        return False
    slots["artist"] = head
    if tail in GENRES:
        slots["genre"] = tail
    elif tail:
        slots[_kind_for_item(item)] = tail
    return True


def _take_duration(rest: str, slots: dict[str, Any]) -> str:
    """ "some jazz for twenty minutes": ``minutes`` of music, then a sleep timer."""
    match = re.search(r"(?:^| )for (?:the next |another |about |around )?(\S.*?)$", rest)
    minutes = None if match is None else parse_minutes(match.group(1))
    if match is None or not minutes:
        return rest
    slots["minutes"] = minutes
    return squash(rest[: match.start()])


_UNHEARD = re.compile(
    r"(?:^| )(?:(?:that|which) )?(?:(?:i|we)(?:'ve| have)? (?:never|not)|(?:i|we) haven'?t)"
    r"(?: (?:ever|yet|already))? (?:heard|listened to|played|had on)"
    r"(?: (?:it|them|before|yet|already|at all))*"
    r"(?P<w> (?:in|for) (?:a (?:long |little )?while|ages|a long time|months|weeks|a bit)"
    r"| lately| recently| this (?:week|month)| in the last \w+(?: \w+)?)?(?: before)?$"
    r"|(?:^| )(?:that |which )?(?:(?:is|are) )?new to (?:me|us)$"
    r"|(?:^| )(?:that )?(?:i|we) (?:don'?t|do not) know(?: yet)?$")


_MUSIC_WORDS = r"(?:something|anything|music|songs?|tracks?|tunes?|stuff|hits)"


def _asks_for_music(head: str) -> bool:
    """Whether the words before a cue ("... in the kitchen", "... until 11", "... I haven't
    heard") ask for music rather than start a title: "some jazz", "something relaxing",
    "songs by Nora Vance" do; "dancing" (in the Kitchen), "hold on" (Until Eleven) and
    "tell me something" (I Don't Know) do not."""
    if re.fullmatch(r"the (?:song|track|tune)", head):
        return False  # "the track Low Volume": a title follows
    head = re.sub(r"^(?:(?:some|any|a few|a little|more|the|my|our|a) )+", "",
                  _AT_VOLUME.sub("", _ROOM.sub("", head)))  # "some jazz (quietly) in the ..."
    if re.match(r"(?:something|anything|music|songs|tracks|tunes|stuff|hits)\b", head) \
            or head in ("song", "track", "tune") or re.search(r"(?:^| )by \S", head):
        return True  # not "the song Killing Me" (Softly)
    return re.sub(r" (?:music|songs|tracks|tunes)$", "", head) in GENRES


def _take_unheard(rest: str, slots: dict[str, Any]) -> str:
    """ "some jazz I haven't heard": ``unheard`` "ever", or "lately" for "in a while"."""
    match = _UNHEARD.search(rest)
    if match is not None and _asks_for_music(rest[: match.start()].strip()):
        slots["unheard"] = "lately" if match.group("w") else "ever"
        return squash(rest[: match.start()])
    unheard = re.match(rf"(?:(?:some|a few) )?(?:unheard|unplayed) (?={_MUSIC_WORDS}$)", rest)
    if unheard:  # "some unheard songs"
        slots["unheard"] = "ever"
        return rest[unheard.end():]
    return rest


_AT_VOLUME = re.compile(r"(?:^| )(?:at (?:a )?volume(?: level)?(?: of)? (?P<n>\S+(?: \S+)?)"
                        r"|at (?P<p>\S+(?: \S+)?) ?(?:percent|%)(?: volume)?"
                        r"|(?P<quiet>quietly|softly|(?:at a )?low volume|nice and quiet))$")
"""A volume at the end of a play request; "at volume N" is never part of a title, while
"... at 99 percent" and "... softly" may be ("Stuck at 99 Percent", "Killing Me Softly")."""
QUIET_LEVEL = 30
"""The volume "play some jazz quietly" plays at."""


def _take_volume(rest: str, slots: dict[str, Any]) -> str:
    """ "some jazz at volume 3", "... at 40 percent", "... quietly": ``level`` (0-100)."""
    match = _AT_VOLUME.search(rest)
    if match is None or (not match.group("n")
                         and not _asks_for_music(rest[: match.start()].strip())):
        return rest
    spoken = (match.group("n") or match.group("p") or "").strip()
    percent = match.group("p") is not None or bool(re.search(r" ?(?:percent|%)$", spoken))
    spoken = re.sub(r" ?(?:percent|%)$", "", spoken)  # "at volume 5 percent"
    level = QUIET_LEVEL if match.group("quiet") else volume_level(spoken, percent=percent)
    if not level:  # not a number, or 0: the music would start silent
        return rest
    slots["level"] = level
    return re.sub(r"^(?:it|this|that|this song|the music)$", "",  # "play it at volume 3"
                  squash(rest[: match.start()]))


_UNTIL = re.compile(rf"(?:^| )(?:until|till|til) ({CLOCK})$")


def _take_until(rest: str, slots: dict[str, Any]) -> str:
    """ "some jazz until midnight": music until a time of day (``until``), then it stops."""
    match = _UNTIL.search(rest)
    until = None if match is None else parse_clock(match.group(1))
    if match is None or until is None or not _asks_for_music(rest[: match.start()].strip()):
        return rest  # "Hold On Until Eleven" is a title
    slots["until"] = until
    return squash(rest[: match.start()])


_ORDINALS = {w: n for n, w in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
     "tenth", "eleventh", "twelfth"), start=1)}
_TRACK_NO = re.compile(
    r"(?:the )?(?:track(?: number)?|song number) (?P<n>[a-z0-9-]+(?: [a-z0-9-]+)?)"
    r"(?: (?:of|from|on|off) (?:the )?(?:album |record )?(?P<a>.+))?"
    # "Song 2" is a title; with an album it is a number
    r"|(?:the )?song (?P<n2>[a-z0-9-]+(?: [a-z0-9-]+)?)"
    r" (?:from|on|off) (?:the )?(?:album |record )?(?P<a3>.+)"
    r"|(?:the )?(?P<o>" + "|".join(_ORDINALS) + r") (?:track|song|tune)"
    r" (?:of|from|on|off) (?:the )?(?:album |record )?(?P<a2>.+)")


def _track_number(rest: str) -> dict[str, Any] | None:
    """ "track three of Slow Tides", "the second song on this album": the album and the
    number of the track on it (``track_no``); with no album named, the album playing."""
    match = _TRACK_NO.fullmatch(rest)
    if match is None:
        return None
    number = (_ORDINALS.get(match.group("o") or "")
              or parse_number(match.group("n") or match.group("n2") or "") or 0)
    spoken = match.group("a") or match.group("a2") or match.group("a3") or "this album"
    if not 0 < number <= 99:
        return None
    current = (spoken in _PRONOUNS
               or re.fullmatch(r"(?:this|that|the same|the current) album", spoken))
    album = THIS_ALBUM if current else _clean_name(spoken, title=True)
    return {"album": album, "track_no": number} if album else None


_ROOM = re.compile(
    r" (?:(?:in|on|through|to) (?:the |my |our )?(?P<room>kitchen|living room|lounge|"
    r"bedroom|bathroom|office|study|dining room|hall|hallway|garage|garden|den|nursery|"
    r"basement|patio|kids'? room)(?: speakers?)?"
    r"|(?P<all>everywhere|(?:in|on) (?:all (?:the )?|every )(?:rooms?|speakers?)"
    r"|all over the house))$")


def _take_room(rest: str, slots: dict[str, Any]) -> str:
    """ "some jazz in the kitchen", "music everywhere": ``room`` ("all" for every room);
    Encore plays on the one speaker it runs on, and says so."""
    match = _ROOM.search(rest)
    if match is None or not _asks_for_music(rest[: match.start()].strip()):
        return rest  # "Dancing in the Kitchen" is a title
    slots["room"] = match.group("room") or "all"
    return squash(rest[: match.start()])


def play_slots(rest: str) -> dict[str, Any]:
    """Slots for the words after the play carrier ("some jazz by miles davis")."""
    slots: dict[str, Any] = {}
    rest = _take_room(rest, slots)
    numbered = _track_number(rest)
    if numbered:
        return {**numbered, **slots}
    rest = re.sub(r"^up (?=my |the |some )", "", fix_cue_typos(rest))  # "start up my x playlist"
    rest = squash(re.sub(r"\b(?:preferably|ideally|maybe|perhaps)\b.*$", "", rest))
    rest = re.sub(rf"^(?:(?:{FILLER}) )*(?:something|anything|music|songs|stuff|tracks) "
                  r"(?:that|which)(?:'s| is| are) (?=\w)", "", rest)
    while True:  # "some jazz for an hour at volume 3", "... quietly in the kitchen"
        before = rest
        rest = _take_room(_take_volume(_take_until(_take_duration(rest, slots), slots), slots),
                          slots)
        if rest == before:
            break
    rest = _take_unheard(take_user(rest, slots), slots)
    rest = take_playlist(rest, slots)
    by_age = _ALBUM_BY_AGE.search(rest)
    if by_age:  # "the latest album by x", "x's first album": that album, not any of x's
        slots["newest" if by_age.group("new") else "oldest"] = True
        rest = rest[: by_age.start()] + "album" + rest[by_age.end():]
        rest = re.sub(r"^(?:their|his|her|its) album$", f"album by {THIS_ARTIST}", rest)
    rest = strip_sort(rest)
    rest = tidy(take_year(rest, slots))
    rest = re.sub(r"\s*\b(?:please|now|right now|for me|for us|out there|to listen to|"
                  r"to listen)$", "", rest).strip()
    # "a tune or two from x", "theme based music"
    rest = re.sub(rf"(?<= )or two\b|\b(?:{ITEM})[\s-]based\b", "", rest).strip()
    activity = re.fullmatch(r"(?:some |something |music |songs )*(?:to|for) (dance|relax|sleep|"
                            r"study|work out|work|chill|party|run|cook|focus|read|drive"
                            r"|fall asleep|go to sleep|get to sleep)"
                            r"(?: to| with| by)?", rest)
    if activity:
        slots["mood"] = _ACTIVITY_MOODS.get(activity.group(1), activity.group(1))
        return slots
    rest = take_genre_phrase(rest, slots)
    rest = re.sub(r"^(?:(?:a|some|any) )?random(?= (?:song|track|tune|music|stuff)s?$)|^random$"
                  r"|^(?:something|anything|music|songs|stuff) (?:that )?(?:i|we)(?:'d| would)? "
                  r"(?:like|love|enjoy)$|^(?:something|anything) new$"
                  # the whole library: nothing to look up (not "everything": "Start
                  # everything," is how Whisper hears "stop everything" over music, and as
                  # a name the grammar search still gets to read it again)
                  r"|^(?:all(?: of)? (?:my|the|your) (?:music|songs|tracks|library|collection)"
                  r"|(?:my|the) (?:whole |entire )?(?:library|collection)"
                  r"|(?:some )?(?:music|songs|something|anything|tracks) (?:from|in|off|on) "
                  r"(?:my|the|our) (?:whole |entire )?(?:library|collection))$",
                  "", rest).strip()
    slots = _names(rest, slots)
    for kind in ("track", "album", "artist"):
        if slots.get(kind) in _NOT_NAMES or (kind == "track" and slots.get(kind) == "next"):
            del slots[kind]  # "another song by x" asks for any of x's songs
    return slots


def _names(rest: str, slots: dict[str, Any]) -> dict[str, Any]:
    """Artist, album, track from what is left once the strong cues are gone."""
    named = re.match(r"^(?:the |an? (?=\w+ (?:called|named|titled) ))?(artist|band|genre|album|"
                     r"song|track|singer|group|rapper|musician|composer|songwriter)"
                     r"(?: called| named| titled)? (?!of |and )(.+)$", rest)
    if named and " by " not in rest and " from " not in rest:
        kind = {"genre": "genre", "album": "album", "song": "track", "track": "track"}
        name = named.group(2)
        if kind.get(named.group(1), "artist") == "artist":
            name = _drop_item_tail(name)  # "the artist tei last concert"
        slots[kind.get(named.group(1), "artist")] = _clean_name(name, title=True)
        return slots
    explicit = re.fullmatch(r"(?:the )?(?:artist|band|singer|group) (.+?) (?:from|off|on) (.+)",
                            rest)
    if explicit:
        slots["artist"] = _clean_name(explicit.group(1))
        _describe(explicit.group(2), slots, has_artist=True)
        return slots
    rest = re.sub(r"^(?:the )?(?:artist|band|singer|group|rapper|musician|composer) (?!and )", "",
                  rest)
    band = re.fullmatch(r"the (.+?) (?:band|group)", rest)
    if band and " by " not in rest and " from " not in rest:
        slots["artist"] = band.group(1)  # "the queen band"
        return slots
    split = _split_last(rest, "by")
    if split is None:
        songs_from = re.fullmatch(r"(.+?) (?:songs|tracks|tunes|music|stuff) (?:from|off) (.+)",
                                  rest)
        if songs_from:
            artist, _item, _leading = _strip_items(songs_from.group(1))
            if artist and artist not in GENRES:
                slots["artist"] = artist
                slots["album"] = _clean_name(songs_from.group(2), title=True)
                return slots
    if split is None:
        for word in ("from", "off"):
            split = _split_last(rest, word)
            if split is not None:
                break
    if split is None:
        split = _split_filler_of(rest)
    if split is not None:
        left, right = split
        if _is_cue_only(right):
            # "shoo from (greatest) record", "music from the artist taktloss from the record"
            return _names(left, slots) if left else slots
        if _possessive(right, slots):
            if left:
                _describe(left, slots, has_artist=True)
            return slots
        album = re.fullmatch(rf"(?:the |their |his |her |its )?(?:{ALBUMISH}) (.+)"
                             rf"|(?:the |their |his |her |its )?(.+?) {ALBUMISH}", right)
        track = re.fullmatch(r"(?:the |a )?(?:song|track|single) (?:called |named )?(.+)", right)
        if (album and album.group(2) and not _titleish(album.group(2))
                and not re.match(r"(?:their|his|her|its) ", right)):
            album = None  # "from the jeff irwin record": a record by jeff irwin
        if (album or track) and "by" not in rest.split():
            if album:
                slots["album"] = _clean_name(album.group(1) or album.group(2), title=True)
            elif track:
                slots["track"] = _clean_name(track.group(1), title=True)
            if left:
                _describe(left, slots, has_artist=False)
            return slots
        after_song = bool(re.search(r"\b(?:song|track|tune|single|music)s?\b", left))
        _artist_side(right, slots, after_song=after_song,
                     after_album=bool(re.search(rf"\b{ALBUMISH}$", left)))
        if left:
            _describe(left, slots, has_artist="artist" in slots)
        return slots
    if _possessive(rest, slots):
        return slots
    if rest:
        _describe(rest, slots, has_artist=False)
    return slots


def _is_cue_only(text: str) -> bool:
    """Only item words, determiners or pronouns: "record", "them", "the album"."""
    name, _item, _leading = _strip_items(text)
    return not name or name in _PRONOUNS or name in ("him", "her")


def _split_filler_of(rest: str) -> tuple[str, str] | None:
    """ "songs of X", "music of X" with only cue words before "of"."""
    match = re.match(rf"^((?:(?:{FILLER}|the) )*(?:{ITEM})?) ?of (.+)$", rest)
    if match and match.group(2):
        return match.group(1).strip(), match.group(2)
    return None
