"""Strong cues in a play request, peeled off before names are looked for.

A streaming service ("on Spotify"), a profile ("for Sam", "Sam's favourites"),
a playlist ("my workout playlist"), a year or decade ("from the eighties"),
a genre phrase ("the punk genre") and ranking words ("the newest", "top-20",
"sorted by popular", "new first") are removed from the request text and put
into slots; what remains is names and cue words ("by", "from").
"""

from __future__ import annotations

import re
from typing import Any

from speaker.intents_lexicon import (
    GENRES,
    ITEM_WORDS,
    MOODS,
    SERVICES,
    SORT_PATTERN,
    alternation,
)
from speaker.intents_numbers import NUMBER_WORDS, parse_decade, parse_number

__all__ = [
    "ALBUMISH", "FILLER", "ITEM", "MOST_PLAYED", "SAFE_FILLER", "fix_cue_typos",
    "names_most_played", "squash", "strip_sort",
    "take_genre_phrase", "take_playlist", "take_service", "take_user", "take_year", "tidy",
]

_SVC = alternation(SERVICES)
ITEM = alternation(ITEM_WORDS)
ALBUMISH = r"(?:album|albums|record|records|ep|eps|lp|lps)"
SAFE_FILLER = (
    r"(?:a couple of|a few|a bit of|a little bit of|a little|some|any|me|us|something|"
    r"anything|whatever|please)"
)
FILLER = (
    r"(?:a couple of|a few|a bit of|a little|a little bit of|a|an|some|any|me|us|something|"
    r"anything|whatever|more|all|all of|all the|every|just|only|my|our|your|of|please)"
)
_NUMW = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_DECADE = (
    r"(?:the )?(?:(?:nineteen|twenty|two thousand) )?(?:twenties|thirties|forties|fourties|"
    r"fifties|sixties|seventies|eighties|nineties|noughties)"
    r"|(?:the )?'?(?:\d0|1[89]\d0|20[0-2]0)'?s\b"
)
_YEAR = (
    r"\b19 hundred(?: and)? \d\d?\b"  # "19 hundred and 88", as Whisper writes it
    rf"|\bnineteen hundred(?: and)?(?:[\s-](?:{_NUMW})){{1,2}}\b"
    r"|\b(?:19\d\d|20[0-2]\d)\b"
    rf"|\b(?:nineteen|twenty|two thousand)(?:(?: and)?[\s-](?:{_NUMW})){{1,2}}\b"
)
_YEAR_CUE = (
    r"(?:(?:(?:that|which) (?:(?:was|were|is|are) )?)?(?:released |recorded |made |popular |"
    r"out |written |came out |come out |from )?(?:from|in|of|during|around|from around|since|"
    r"circa|back in|"
    r"dating from|dated) )?(?:the )?(?:year )?"
    r"(?:(?:early|late|mid|middle|first half of|last half of|second half of|end of|start of|"
    r"beginning of|turn of)[\s-](?:the )?)?"
)


_STRONG_SORT = (
    rf"(?:top[\s-]+(?:\d+|(?:{_NUMW})(?:[\s-](?:{_NUMW}))?)\b|top[\s-]*charting|best[\s-]+selling|"
    r"top|newest|latest|greatest|best|"
    r"most[\s-]+popular|most[\s-]+played|popular|biggest|most[\s-]+recent)"
)
_PREP = (r"(?:from|of|in|on|by|with|off|off of|at|and|to|the|a|an|that is|that was|which is|for|"
         r"that are|released|recorded|as performed|performed|as sung|sung|(?:that )?you can find)")
def take_service(text: str) -> tuple[str, str | None]:
    """Remove a named streaming service ("on Spotify", "open Deezer and") from the text."""
    patterns = (
        rf"^(?:(?:can i |could i |i want to |i'd like to |let's |let me |please )?(?:open|use|"
        rf"launch|start|go to|using|with|on|in|over|via|turn on|switch to)(?: up)?(?: the| my)?"
        rf"(?: service| app)? )({_SVC})"
        rf"(?: app| radio| service)?(?: and| to| then|,)? ",
        rf" (?:on|using|with|from|in|via|through|by|off|off of|at|over|to)"
        rf" (?:my |the )?(?:(?:service|app) )?({_SVC})(?: app| radio| service| account)?(?:'s)?\b",
        rf"(?:\b(?:the )?(?:service|app) )?\b({_SVC})(?: app| radio| service)?(?:'s\b)?",
    )
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            name = re.sub(r"[\s-]+", " ", match.group(1))
            service = SERVICES.get(name, name)
            text = squash(text[: match.start()] + " " + text[match.end():])
            return text, service
    return text, None


#: Typed slips of cue words ("a song fro X", "soem jazz"); names are never corrected.
_CUE_TYPOS = {"fro": "from", "fromthe": "from the", "frm": "from", "soem": "some",
              "somg": "song", "sogn": "song", "musci": "music", "teh": "the"}


def fix_cue_typos(text: str) -> str:
    """Correct misspelt cue words so the rules see them: "music form the fourties"."""
    text = " ".join(_CUE_TYPOS.get(w, w) for w in text.split())
    return re.sub(r"\bform (?=the |\d)", "from ", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def take_user(rest: str, slots: dict[str, Any]) -> str:
    match = re.search(
        r"(?:^| )(?:(?:something|music|songs|anything) )?for (?P<det>my |the |a |an )?"
        r"([a-z][\w'-]*(?: [a-z][\w'-]*)?)$",
        rest)
    if match:
        who = match.group(2)
        if who in ("me", "us", "myself", "everyone", "everybody", "all", "now", "a while", "today"):
            return squash(rest[: match.start()])
        if who in MOODS or who.split()[0] in MOODS:
            slots["mood"] = who
            return squash(rest[: match.start()])
        if len(who.split()) == 1 and match.group("det") in (None, "my "):
            slots["user"] = who
            return squash(rest[: match.start()])
    match = re.search(r"(?:^| )(?:music|songs|something|anything|stuff)(?: that)? "
                      r"([a-z][\w'-]*) (?:likes|loves|listens to)$", rest)
    if match and match.group(1) not in ("i", "we", "you", "he", "she", "they", "everyone",
                                        "everybody", "nobody", "somebody", "someone",
                                        "anyone", "anybody"):
        slots["user"] = match.group(1)
        return squash(rest[: match.start()])
    match = re.search(r"(?:^| )([a-z][\w-]*)'s? (?:favou?rites?|likes|liked songs|picks)"
                      r"(?: songs| music| tracks| playlist)?$", rest)
    if match:
        slots["user"] = match.group(1)
        return squash(rest[: match.start()])
    return rest


_FAVOURITES = re.compile(
    r"\b(?:(?:songs|music|tracks) (?:from|off|on|in) )?(?:my |our )(?:(?:all time )?"
    r"favou?rites?(?: (?:songs|music|tracks))?|liked (?:songs|music|tracks)|likes|"
    r"loved (?:songs|tracks))$"
    # "the songs I liked": past likes, not "music I like" (the profile's taste)
    r"|^(?:(?:all )?the |all |some )?(?:songs|tracks|music|stuff|ones) (?:that )?"
    r"(?:i|we)(?:'ve| have)? "
    r"(?:liked|loved|thumbed up|gave a thumbs up(?: to)?)$")


MOST_PLAYED = "most played"
"""The ``playlist`` slot of "play my most played songs": the profile's songs played most."""
_MOST_PLAYED = re.compile(
    r"\b(?:(?:songs|music|tracks) (?:from|off|on|in) )?(?:my |our )(?:most (?:played|"
    r"listened(?: to)?|popular)|top|favou?rite top|own top)(?: (?:songs|music|tracks|hits))?$"
    r"|^(?:(?:the )?(?:songs|tracks|music|stuff|ones) (?:that )?|what )(?:i|we) "
    r"(?:play|listen to|played|listened to)(?: the)? most(?: often)?$")


def names_most_played(rest: str) -> bool:
    """Whether all of ``rest`` asks for the most played songs ("what I listen to most")."""
    most = _MOST_PLAYED.search(rest)
    return most is not None and most.start() == 0


def take_playlist(rest: str, slots: dict[str, Any]) -> str:
    most = _MOST_PLAYED.search(rest)
    if most:
        slots["playlist"] = MOST_PLAYED
        return squash(rest[: most.start()])
    favourites = _FAVOURITES.search(rest)
    if favourites:
        slots["playlist"] = "favourites"
        return squash(rest[: favourites.start()])
    patterns = (
        r"(?:(?:songs|music|tracks|something) (?:from|off|on|in) )?(?:my |the |a )?"
        r"(?:play ?list|playlist) (?:called |named |titled )?(.+)$",
        r"(?:(?:songs|music|tracks|something) (?:from|off|on|in) )?(?:my |the )"
        r"list (?:called |named |titled )?(.+)$",
        r"(?:(?:songs|music|tracks|something) (?:from|off|on|in) )?(?:my |the |a |an )?"
        r"(.+?) play ?list(?:s)?\b",
        r"(?:(?:songs|music|tracks|something) (?:from|off|on|in) )?(?:my |the |a |an )?"
        r"(.+?)(?<!'s) list$",
    )
    for pattern in patterns:
        match = re.search(pattern, rest)
        if match and not re.match(r"(?:from|by) |(?:the|my|a|an)$", match.group(1)):
            name = squash(match.group(1))
            name = re.sub(r"^(?:called|named) ", "", name)
            if name:
                slots["playlist"] = name
            tail = re.sub(r"^(?:and )?(?:play|start|shuffle)\b.*", "", rest[match.end():].strip())
            return squash(rest[: match.start()] + " " + tail)
    return rest


def take_year(rest: str, slots: dict[str, Any]) -> str:
    match = re.search(rf"{_YEAR_CUE}({_DECADE})", rest)
    if match:
        decade = parse_decade(match.group(1))
        if decade is not None:
            slots["year"] = decade
            slots["decade"] = True
            after = re.sub(r"^ era(?: of music)?\b", "", rest[match.end():])  # "the thirties era"
            return squash(rest[: match.start()] + " " + after)
    for match in re.finditer(rf"{_YEAR_CUE}({_YEAR})", rest):
        value = parse_number(match.group(1))
        if value is None or not 1900 <= value <= 2029:
            continue
        before = rest[: match.start()].strip()
        after = rest[match.end():].strip()
        # "1999 by Prince": a number standing alone before "by" is a title.
        if match.group(0).strip() == match.group(1) and after.startswith("by ") and not re.sub(
                rf"^(?:{FILLER} )*(?:the )?", "", before + " ").strip():
            continue
        slots["year"] = value
        return squash(before + " " + after)
    return rest




def tidy(rest: str) -> str:
    """Remove prepositions left dangling by earlier removals ("music from the" -> "music")."""
    rest = re.sub(r"\b(?:from|of|in|on|off)(?: the)? (?=(?:from|by|of|in|on|off)\b)", "", rest)
    previous = None
    while previous != rest:
        previous = rest
        rest = re.sub(rf"(?:^| ){_PREP}$", "", rest).strip()
        rest = re.sub(r"^(?:and|with|that is|that's|that was|released)\b ?", "", rest).strip()
    return squash(rest)


def strip_sort(rest: str) -> str:
    """Remove ranking words ("the newest", "top-20", "sorted by popular") around names.

    "sort" itself is a cue word wherever it stands ("a top twenty sort by X", "the
    good sort of 1992 music", "and sort the newest"), never kept in a name.
    """
    # "new first", "by the newest first": an order, not a name
    rest = re.sub(r"(?:\b(?:sort(?:ed)?|order(?:ed)?|by) )?(?:the )?\b(?:new|newest|latest|oldest|"
                  rf"old|recent|most recent|popular|most popular|best|good|top(?: \w+)?)"
                  rf"(?: (?:{ITEM}))? first\b", "", rest)
    rest = re.sub(r"\b(?:sort(?:ed)?|order(?:ed)?) by(?: (?:newest|latest|popular|popularity|last|"
                  r"top|best|date|year|release date|most popular|new|rating|good))?$|\bsorted$",
                  "", rest).strip()
    rest = squash(re.sub(rf"\b(?:and )?(?:sort|order)(?:ed)? (?:by |the |on )*(?:{SORT_PATTERN})"
                         r"(?= (?:in|from|by|of|on)\b)|\b(?:a |the )?sort of\b"
                         r"|(?<= )sort(?:ed)?(?= (?:by|from|of|in|on)\b)", "", rest))
    follow = rf"(?= (?:{ITEM}|by|from|of|in|hits|charting|on|that|which|\d{{4}})\b)"
    determiner = r"(?:the|my|a|some|their|his|her|its|any|that|this|those|these)"
    rest = re.sub(rf"(?:^|(?<= ))(?:{determiner} )?(?:{_STRONG_SORT}){follow}", "", rest)
    rest = re.sub(rf"(?:^|(?<= )){determiner} (?:{SORT_PATTERN}){follow}", "", rest)
    rest = re.sub(rf"^(?:{SORT_PATTERN})(?= (?:{ITEM})\b)", "", rest)
    rest = re.sub(r"(?:^| )(?:(?:that|which) (?:is|are|was|were) )?(?:the )?"
                  r"(?:most[\s-]+popular|newest|latest|greatest|best|top|popular|most[\s-]+played|"
                  rf"top[\s-]+(?:\d+|{_NUMW})"
                  rf"|(?:that|which) (?:is|are|was|were) (?:the )?(?:{SORT_PATTERN}))$", "", rest)
    # a ranking word between a name and a closing item word: "tei last concert"
    rest = re.sub(rf"(?<=\w) (?:{SORT_PATTERN}) (?=(?:{ITEM})$)", " ", rest)
    # the same after a preposition when an item word closes the name: "from the top-50 x record"
    rest = re.sub(rf"\b(?P<prep>from|off|of|by) (?:the |their |his |her )?(?:{_STRONG_SORT}) "
                  rf"(?=.+ (?:{ITEM})$)|\b(?P<prep2>from|off|of) (?:the |their |his |her )"
                  rf"(?:{SORT_PATTERN}) (?=.+ (?:album|record|ep|lp)$)", r"\g<prep>\g<prep2> the ",
                  rest)
    # a ranking word in front of a name: "the most popular peja song", "latest shaggy music"
    lead = re.match(rf"^(?:(?P<det>the|some|a|any) )?(?P<sort>{SORT_PATTERN}) (?P<rest>.+)$", rest)
    if lead and not _genre_prefix(lead.group("sort") + " " + lead.group("rest")):
        sort, tail = lead.group("sort"), lead.group("rest")
        weak = sort in ("new", "good", "last", "classic", "famous", "recent")
        has_item = re.search(rf"(?:^| )(?:{ITEM})(?: |$)|(?:^| )(?:by|from) ", tail)
        if not weak or (lead.group("det") and (sort != "new" or has_item)):
            rest = tail
    return tidy(squash(rest))


def _genre_prefix(text: str) -> bool:
    names = ("new age", "new wave", "new romantic", "classic rock", "new jack swing")
    return any(text.startswith(g + " ") or text == g for g in names)


_GENRE_PHRASES = (
    re.compile(r"(?:^| )(?:(?:in|from|of) )?(?:the )?(?:music )?(?:genre|style) "
               r"(?:of |called )?(?P<name>.+)$"),
    re.compile(r"(?:^| )(?:(?:in|from|of) )?(?:the )?(?P<name>[\w&' -]+?) (?:genre|style)"
               r"(?: of)?(?: music| songs)?(?= |$)"),
)


def take_genre_phrase(rest: str, slots: dict[str, Any]) -> str:
    """ "music in the genre soundtrack", "the punk genre", "chanson style music".

    The "genre X" form is tried first: in "music in the genre soundtrack" the
    "X genre" form would take "music in the" as the name and hide "soundtrack".
    """
    for match in (m for pattern in _GENRE_PHRASES for m in pattern.finditer(rest)):
        name = match.group("name")
        words = name.split()
        for cut in range(len(words)):
            candidate = " ".join(words[cut:])
            if candidate in GENRES:
                slots["genre"] = candidate
                head = rest[: match.start()] + " " + " ".join(words[:cut])
                return tidy(squash(head + " " + rest[match.end():]))
    return rest
