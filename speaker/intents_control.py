"""Transport and settings requests: next, pause, volume, shuffle, sleep timer, ...

Each rule (:mod:`speaker.intents_rules`) must match the whole cleaned request:
whole-utterance matching keeps "play stop this train" from becoming "stop".
Questions are in :mod:`speaker.intents_questions`. Volume levels are on a 0-100 scale;
a bare number up to 10 ("volume to 5") is read on the 0-10 scale people use for knobs,
so 5 -> 50, unless "percent" is said.
"""

from __future__ import annotations

import re
from typing import Any

from speaker.intents_clock import CLOCK, parse_clock
from speaker.intents_durations import parse_minutes, parse_seconds, to_number
from speaker.intents_other import DEVICES
from speaker.intents_questions import PLAYER_QUESTIONS, SONG_QUESTIONS
from speaker.intents_rules import (
    NUM,
    NUMBER_WORD,
    PLAYLIST_NAME,
    THIS,
    TIMER,
    Rule,
    match_rules,
    playlist_slots,
    rule,
)

__all__ = ["FAST_FORWARD_S", "THIS_ALBUM", "THIS_ARTIST", "match_control", "volume_level"]

THIS_ALBUM = "this album"
"""Slot value for the album of the track playing ("play the album this song is on")."""
THIS_ARTIST = "this artist"
"""Slot value for the artist of the track playing ("play more by this artist", "I don't
like this artist")."""

DUR = (
    r"(?:half an hour|half hour|an hour and a half|one and a half hours|"
    r"(?:a |one )?quarter of an hour|a quarter hour|an hour|one hour|a minute|a couple of hours|"
    rf"{NUM}(?: and a half)? (?:minutes?|mins?|hours?|hrs?))"
)

#: A spoken jump length: "thirty seconds", "a minute and a half", "1 minute 30 seconds".
SPAN = (
    rf"(?:half a minute|a (?:few|couple of|couple) seconds|a (?:minute|min)(?: and a half)?"
    rf"|{NUM}(?: and a half)? (?:seconds?|secs?|minutes?|mins?)"
    rf"(?:(?: and)? {NUM} (?:seconds?|secs?))?)"
)
FAST_FORWARD_S = 30
"""Seconds a bare "fast forward" or "rewind" jumps, as Alexa does."""

_SONG = r"(?: one| song| track| tune)?"
_ARTIST = r"(?:this|that|the) (?:artist|band|singer|group|musician)"
_MORE = r"(?:much|way|even|far|lots|a lot|slightly|a little bit)"
"""Words that make "louder" or "quieter" more so ("much louder", "even quieter")."""


def _count(text: str, groups: dict[str, str]) -> dict[str, Any] | None:
    """How many tracks to jump ("skip two songs"), at most 20; one is the plain request."""
    value = to_number(groups["n"])
    if value is None or not value.is_integer() or value < 1:
        return None
    return {"count": min(int(value), 20)} if value > 1 else {}


def volume_level(text: str, percent: bool) -> int | None:
    """A spoken volume on the 0-100 scale: "40", "5" (knob scale: 50), "5 percent"."""
    value = to_number(text)
    if value is None:
        return None
    if not percent and value <= 10:
        value *= 10
    return max(0, min(100, round(value)))


def _on(whole: str, groups: dict[str, str]) -> dict[str, Any]:
    return {"on": True}


def _off(whole: str, groups: dict[str, str]) -> dict[str, Any]:
    return {"on": False}


def _volume(whole: str, groups: dict[str, str]) -> dict[str, Any] | None:
    words = whole
    if re.search(r"\b(?:max|maximum|full)\b", words):
        return {"level": 100}
    if re.search(r"\b(?:half|halfway|medium|middle)\b", words):
        return {"level": 50}
    if re.fullmatch(r"mute(?: it| the music| everything)?", words):
        return {"level": 0}
    number = groups.get("n")
    if number is None:
        return None
    level = volume_level(number, percent=bool(re.search(r"percent|%", words)))
    return None if level is None else {"level": level}


def _step(whole: str, groups: dict[str, str]) -> dict[str, Any] | None:
    """How far "turn it up by 20" moves the volume, in percent. A number up to 5 counts
    steps of ten, as a 0-10 volume scale would ("turn it up by 2"); above that, percent."""
    number = next((v for k, v in groups.items() if k.startswith("n") and v), None)
    value = to_number(number) if number else None
    if value is None or value <= 0:
        return None
    if value <= 5 and not re.search(r"percent|%", whole):
        value *= 10
    return {"step": min(100, round(value))}


def _sleep(whole: str, groups: dict[str, str]) -> dict[str, Any]:
    duration = groups.get("d")
    if not duration:
        return {}
    minutes = parse_minutes(duration)
    return {} if minutes is None else {"minutes": minutes}


def _until(whole: str, groups: dict[str, str]) -> dict[str, Any] | None:
    """ "stop the music at 11": a sleep timer that ends at a time of day."""
    until = parse_clock(groups.get("t", ""))
    return None if until is None else {"until": until}


def _timer_until(whole: str, groups: dict[str, str]) -> dict[str, Any] | None:
    """ "set a sleep timer for 11 pm" or "until 11"; "for 11" alone could be minutes."""
    bare_hour = re.fullmatch(rf"\d{{1,2}}|{NUMBER_WORD}", groups.get("t", ""))
    if bare_hour and re.search(r" (?:for|to) \S+$", whole):
        return None
    return _until(whole, groups)


def _forward(whole: str, groups: dict[str, str]) -> dict[str, Any] | None:
    span = groups.get("s")
    seconds = FAST_FORWARD_S if span is None else parse_seconds(span)
    return None if not seconds else {"seconds": seconds}


def _back(whole: str, groups: dict[str, str]) -> dict[str, Any] | None:
    slots = _forward(whole, groups)
    return None if slots is None else {"seconds": -slots["seconds"]}


def _cancel(whole: str, groups: dict[str, str]) -> dict[str, Any]:
    if re.search(rf"timer|{TIMER}", whole):
        return {"target": "sleep_timer"}
    return {}


_VOL = r"(?:the )?(?:volume|sound|music|it|this|level)"
_NAME = r"[a-z0-9][a-z0-9' &.-]*"
_NAMED = (r"(?!(?:this|that|it|them|him|her|us|you|me|these|those|to|any|anything|more"
          r"|music|songs"
          r"|the (?:song|track|music|one))\b"
          r"|(?:this|that) (?:song|track|one|artist|band))")
"""Not a pronoun: "I don't like Nora Vance" names someone, "I don't like that" does not."""
_OTHER_DEVICE = (rf"(?:{DEVICES}|heat|temperature|brightness|shades|battery|charge|alarm"
                 r"|timer)")
"""What a percentage may set besides the volume ("set the heating to 20 percent")."""
def _unlist(text: str, groups: dict[str, str]) -> dict[str, Any]:
    """ "take this off my workout playlist": the add rule's slots with ``remove``."""
    return {**playlist_slots(text, groups), "remove": True}


_QUEUE = r"(?:the |my |our )?(?:play ?)?(?:queue|up next(?: list)?)"


_RULES: tuple[Rule, ...] = (
    *PLAYER_QUESTIONS,
    rule("volume_up",
          rf"(?:turn|bring|put|push) (?:{_VOL} )?up (?:{_VOL} )?by (?P<n>{NUM})(?: ?(?:percent|%))?"
          rf"|(?:increase|raise|boost) (?:{_VOL}|the sound) by (?P<n2>{NUM})(?: ?(?:percent|%))?"
          rf"|(?:volume|sound) up by (?P<n3>{NUM})(?: ?(?:percent|%))?", _step),
    rule("volume_down",
          rf"(?:turn|bring|put) (?:{_VOL} )?down (?:{_VOL} )?by (?P<n>{NUM})(?: ?(?:percent|%))?"
          rf"|(?:decrease|lower|reduce|drop) (?:{_VOL}|the sound) by (?P<n2>{NUM})"
          rf"(?: ?(?:percent|%))?"
          rf"|(?:volume|sound) down by (?P<n3>{NUM})(?: ?(?:percent|%))?", _step),
    rule("add_to_playlist",
          rf"(?:add|put|save|stick) (?:{THIS}|what'?s playing)(?: song| track)? "
          rf"(?:to|on|in|into|onto) {PLAYLIST_NAME}", playlist_slots),
    rule("add_to_playlist",
          rf"(?:remove|delete|take|drop|get) {THIS}(?: song| track)? "
          rf"(?:off|off of|from|out of) {PLAYLIST_NAME}", _unlist),
    # "make a new playlist": one starts with its first song, which the reply explains
    rule("add_to_playlist",
          rf"(?:(?:create|make)(?: me)? (?:a |an )?(?:new |empty )?|(?:start|begin) (?:a )?new )"
          rf"{PLAYLIST_NAME}",
          lambda whole, groups: {"create": True, **playlist_slots(whole, groups)}),
    # "clear the queue": the songs still to come, not the one playing
    rule("cancel",
          rf"(?:clear|empty|wipe|reset|erase|flush|delete|cancel)(?: out)? {_QUEUE}(?: out)?"
          rf"|(?:remove|delete|take|drop|clear) "
          rf"(?:everything|all(?: the)?(?: songs| tracks| music)?) (?:from|off|out of) {_QUEUE}",
          lambda whole, groups: {"target": "queue"}),
    # "stop after this song": a sleep timer that ends with the track
    rule("sleep_timer",
          r"(?:stop|pause|turn (?:it |the music )?off|switch (?:it )?off|end|finish)"
          r"(?: the music| playing| playback| music| it| everything)?"
          r" (?:after|at the end of|when|once) (?:this|the current|the|that)"
          r" (?:song|track|one|tune)"
          r"(?: (?:ends|is over|finishes|is done|has finished))?"
          r"|make (?:this|that) the last (?:song|track|one)(?: for (?:now|today|tonight))?"
          r"|(?:just )?finish (?:this|the current) (?:song|track|one)(?:,? (?:and|then) stop)?"
          r"|(?:play )?(?:just )?(?:this|one more) (?:song|track)(?:,? (?:and|then|and then))? stop"
          r"|no more (?:songs|music) after this(?: one| song| track)?",
          lambda whole, groups: {"end_of_track": True}),
    rule("sleep_timer",
          rf"(?:set |start )?(?:a |the )?{TIMER}(?: (?:for|to|of|in|at|or|after))?"
          rf"(?: (?P<d>{DUR}))?"
          rf"|(?:set |start )?(?:a |the )?(?:sleep )?timer (?:for )?(?P<d2>{DUR})"
          rf"(?: (?:and|then) stop)?"
          # "Santa Sleep, Time for an Hour": a misheard "set the" before timer and duration
          rf"|(?!(?:play|put|add|queue|start playing) )(?:[a-z']+ ){{1,3}}(?:a |the )?{TIMER}"
          rf" (?:for|to|of|in|at|or|after) (?P<d3>{DUR})",
          _sleep),
    rule("sleep_timer",
          rf"(?:stop|turn off|switch off|shut off|pause|fade out|end|turn (?:it|the music) off)"
          rf"(?: the music| playing| playback| music| it| everything)?"
          rf" (?:in|after|in about|after about) (?P<d>{DUR})(?: from now)?"
          rf"|(?:go to )?sleep in (?P<d2>{DUR})"
          # "play for another ten minutes" keeps the music on; "play jazz for ten minutes"
          # and "play music for an hour" are play requests (``minutes`` of music)
          rf"|(?:keep playing(?: music)?|keep the music (?:on|going)) for (?:another |the next )?"
          rf"(?P<d3>{DUR})|play(?: music)? for (?:another|the next) (?P<d4>{DUR})"
          rf"(?: (?:then|and then|and) (?:stop|turn off))?", _sleep),
    # "stop the music at 11" ends at a time of day (not "volume at 11", below)
    rule("sleep_timer",
          r"(?:stop|turn off|switch off|shut off|pause|fade out|end|turn (?:it|the music) off"
          r"|(?:the )?music off)(?: the music| playing| playback| music| it| everything)?"
          rf" (?:at|by|around|at about|at around|until|till) (?P<t>{CLOCK})"
          rf"|(?:go to )?sleep at (?P<t2>{CLOCK})"
          rf"|(?:keep playing(?: music)?|keep the music (?:on|going))"
          rf" (?:until|till) (?P<t3>{CLOCK})",
          _until),
    rule("sleep_timer",
          rf"(?:set |start )?(?:a |the )?(?:{TIMER}|timer)"
          rf" (?:for|until|till|to|at) (?P<t>{CLOCK})",
          _timer_until),
    # "remove this from the queue": the song playing is the queue's first, so skip it
    rule("next", rf"(?:remove|delete|take|drop) {THIS}(?: song| track)? (?:from|off|out of)"
                  rf" {_QUEUE}"),
    rule("cancel",
          r"stop talking|cancel(?: that| it| this| the request| everything)?"
          rf"|cancel (?:the |my )?(?:{TIMER}|timer)|(?:turn off|stop|remove) (?:the )?{TIMER}"
          r"|never ?mind(?: that)?|forget (?:it|that|about it)|no thanks|no|nah|nope|nothing"
          r"|ignore (?:that|me)|scratch that|abort|sorry never ?mind", _cancel),
    rule("volume_set",
          # any one verb: Whisper hears "set the volume" as "check the volume"
          rf"(?:[a-z']+(?: it)? )?{_VOL}(?: level)?"
          rf"(?: (?:up|down))? (?:to|at|on) (?:level )?(?P<n>{NUM})(?: ?(?:percent|%))?"
          rf"|volume (?:level )?(?P<n2>{NUM})(?: ?(?:percent|%))?"
          rf"|(?P<n3>{NUM}) ?(?:percent )?volume"
          # a percentage says volume even when the word for it was misheard ("the malu")
          # (not another device's: this speaker sets no lights or heating)
          rf"|(?:set|turn|put|bring|change) (?:the )?(?!{_OTHER_DEVICE}\b)[a-z']+ (?:(?:to|at) )?"
          rf"(?P<n4>{NUM}) ?(?:percent|%)"
          r"|mute(?: it| the music| everything)?"
          r"|(?:(?:set |turn )?(?:the )?volume (?:to |at )?)?(?:max|maximum|full|half)(?: volume)?"
          r"|(?:set |turn |put )?(?:the )?volume (?:to |at |on )?(?:the )?(?:medium|middle|halfway)"
          r"(?: level| volume)?|medium volume"
          r"|(?:turn it|crank it) (?:all the way )?up to (?:max|maximum|full)", _volume),
    rule("volume_up",
          r"un[ -]?mute(?: it| the music| the sound| the speaker| yourself| the volume)?"
          r"|(?:turn|put|bring) (?:the )?(?:sound|volume|music) back (?:on|up)",
          lambda whole, groups: {"unmute": True}),
    rule("volume_up",
          rf"(?:turn|crank|pump|bring|push|put) (?:{_VOL} )?(?:way |all the way )?up(?: {_VOL})?"
          r"(?: a (?:bit|little|notch|lot|touch))?(?: more)?"
          rf"|(?:(?:a )?(?:bit|little|lot|touch) |{_MORE} )?louder(?: still)?"
          r"(?: please)?(?: music)?"
          r"|(?:make|play) (?:it|this|the music) (?:a (?:bit|little) )?louder"
          r"|(?:volume|sound) up(?: a (?:bit|little|notch|lot|touch))?"
          r"|(?:increase|raise|boost) (?:the )?(?:volume|sound)"
          r"(?: a (?:bit|little))?|more volume|up the volume"
          r"|i can'?t hear (?:it|this|that|the music|anything)"
          r"|(?:it'?s |it is )?(?:way |much )?too quiet"),
    rule("volume_down",
          rf"(?:turn|bring|put) (?:{_VOL} )?(?:way |all the way )?down(?: {_VOL})?"
          r"(?: a (?:bit|little|notch|lot|touch))?(?: more)?"
          rf"|(?:(?:a )?(?:bit|little|lot|touch) |{_MORE} )?(?:quieter|softer|lower)(?: still)?"
          r"(?: please)?"
          r"|(?:make|play|turn) (?:it|this|the music|the volume) (?:a (?:bit|little) )?"
          r"(?:quieter|softer|lower)"
          r"|(?:volume|sound) down(?: a (?:bit|little|notch|lot|touch))?"
          r"|(?:decrease|lower|reduce|drop) (?:the )?(?:volume|sound)"
          r"(?: a (?:bit|little))?|less volume|(?:it'?s |that'?s |this is )?(?:way )?too loud"),
    rule("shuffle",
          r"shuffle off|(?:turn|switch) off shuffle(?: mode)?|(?:turn|switch) shuffle(?: mode)? off"
          r"|(?:stop|no|disable|don'?t|do not) shuffl(?:e|ing)|no more shuffl(?:e|ing)"
          r"|unshuffle|(?:play )?in order", _off),
    rule("shuffle",
          r"shuffle(?: on| mode(?: on)?| it| things| everything"
          r"| (?:the|this) (?:queue|music|songs|playlist)"
          r"| (?:it|things|them|everything) up| up| the rest| these(?: songs)?| them| my playlist"
          r"| my (?:music|library|songs)| all(?: songs| music| tracks| my music)?| songs| music)?"
          r"|play (?:my |the |this )?(?:library|music|songs|everything|playlist|queue)"
          r" (?:on|in) shuffle(?: mode)?"
          r"|(?:turn|switch) on shuffle(?: mode)?|(?:turn|switch) shuffle(?: mode)? on"
          r"|(?:enable|start) shuffl(?:e|ing)|mix it up|put (?:it |this )?on shuffle"
          r"|play (?:in )?(?:random|shuffle)(?: order)?|random order|shuffle play", _on),
    rule("repeat",
          r"repeat off|(?:turn|switch) off (?:repeat|loop|looping)"
          r"|(?:turn|switch) (?:repeat|loop) off"
          r"|(?:stop|no|don'?t|do not|disable) (?:repeating|looping|repeat|loop)(?: this| it)?"
          r"|no more repeat(?:ing)?", _off),
    # one song over and over ("repeat this song"), or the whole queue ("repeat", "loop")
    rule("repeat",
          rf"(?:repeat|loop) (?:{THIS}|one|this song again|the (?:current )?song|one song)"
          rf"(?: (?:on repeat|over and over|forever|again and again))?"
          rf"|(?:play|put|keep) {THIS} on (?:repeat|loop)|keep playing {THIS}"
          rf"|play {THIS} (?:over and over|on a loop|again and again)"
          rf"|(?:turn on |enable )?repeat (?:one|single|song|track)(?: mode)?",
          lambda whole, groups: {"on": True, "one": True}),
    rule("repeat",
          r"repeat(?: on| the (?:album|playlist|queue)| mode(?: on)?| all)?"
          r"|loop(?: on| the (?:album|playlist|queue))?|(?:turn|switch) on (?:repeat|loop)"
          r"|(?:turn|switch) (?:repeat|loop) on"
          r"|(?:play|put|keep) (?:the (?:album|playlist|queue) )?on (?:repeat|loop)"
          r"|(?:enable )?(?:repeat|loop) mode", _on),
    # the artist, not only the song: none of theirs comes up unasked again
    rule("dislike",
          rf"(?:i )?(?:really )?(?:don'?t|do not|dont) (?:like|love|want|enjoy) {_ARTIST}"
          rf"(?: anymore)?|i (?:really )?(?:hate|dislike|can'?t stand) {_ARTIST}"
          rf"|(?:don'?t|do not|never) play (?:{_ARTIST}|(?:anything|any songs|anything else|"
          rf"any more songs) by (?:{_ARTIST}|them|him|her)) (?:again|anymore|ever again)"
          rf"|no more (?:songs |music )?(?:by|from|of) (?:{_ARTIST}|them|him|her)"
          rf"|(?:skip|ban|block) {_ARTIST}(?: (?:from now on|for good))?"
          rf"|i'?m not a fan of {_ARTIST}",
          lambda whole, groups: {"artist": THIS_ARTIST}),
    rule("dislike",
          rf"(?:i )?(?:really )?(?:don'?t|do not|dont) (?:like|love|want|enjoy|want to hear)"
          rf" {THIS}(?: anymore| again)?"
          rf"|i (?:really )?(?:hate|dislike|can'?t stand) {THIS}|thumbs down"
          rf"|dislike(?: {THIS})?"
          rf"|(?:don'?t|do not|never) play {THIS} (?:again|anymore|ever again)"
          rf"|(?:this|that|it) (?:song |track )?(?:is|was|sucks)"
          rf"(?: (?:terrible|awful|bad|rubbish|horrible|crap|boring|annoying))?"
          rf"|(?:ban|block) {THIS}|bad (?:song|track|one)"
          rf"|skip {THIS} and (?:don'?t|do not|never) play (?:it|that|this) (?:again|anymore)"
          rf"|not (?:this|that) (?:one|song|track) again|i'?m not a fan of {THIS}|not a fan"
          rf"|(?:play )?less (?:of|like) (?:this|that)(?: (?:song|track|one))?"
          rf"|i'?m (?:tired|sick) of {THIS}"),
    # "I don't like Nora Vance": an artist (or a song) by name, which the dialogue looks up
    rule("dislike",
          rf"i (?:really )?(?:don'?t|do not) (?:like|want to hear|enjoy) {_NAMED}(?P<a>{_NAME}?)"
          r"(?: (?:anymore|any more|at all|very much|again))?"
          rf"|(?:don'?t|do not|never) play (?:anything by |any songs by |any )?{_NAMED}"
          rf"(?P<a2>{_NAME}?) (?:again|anymore|any more|ever again)"
          rf"|i (?:really )?(?:hate|can'?t stand) {_NAMED}(?P<a3>{_NAME})",
          lambda whole, groups: {"artist": groups["a"]}),
    rule("like",
          rf"(?:i )?(?:really )?(?:like|love|dig|enjoy) {THIS}(?: a lot| so much)?"
          # the reply says whose music it will play more of
          r"|(?:i )?(?:really )?(?:like|love|dig) (?:this|that) (?:artist|band|singer|album)"
          rf"|thumbs up|like|love it"
          rf"|(?:favou?rite|heart|star) {THIS}|(?:add|save) {THIS} to (?:my )?"
          rf"(?:favou?rites|likes|liked songs|library)"
          rf"|(?:this|that|it) (?:song |track |one )?(?:is|was) "
          rf"(?:great|awesome|good|amazing|a banger|brilliant|fantastic|lovely|beautiful)"
          rf"|(?:great|good|nice|awesome|cool) (?:song|track|tune|one)"
          rf"|i'?m a fan of {THIS}|more of this please"),
    rule("up_next",
          r"what(?:'s| is| will be| comes| plays) (?:the )?next(?: song| track| one| tune| up)?"
          r"|what(?:'s| is) (?:playing|coming|on|after this(?: one| song| track)?) next"
          r"|what(?:'s| is)(?: coming)? up next|what(?:'s| is) coming(?: up)?(?: next)?"
          r"|what(?:'s| is) (?:the )?(?:next|following) (?:song|track|one|tune)"
          r"|what (?:song|track|tune) (?:is|comes|plays|will play|'s) (?:next|after this)"
          r"(?: one)?|what(?:'s| is) after this(?: one| song| track)?"
          r"|what(?:'s| is) (?:in|on) (?:the |my )?queue|who(?:'s| is) (?:next|up next|on next)"
          r"|what(?:'s| is) (?:left )?in the queue|(?:tell me )?what(?:'s| is) playing after this"
          r"|what are you playing next|next up|what(?:'s| is) the next song going to be"
          r"|what(?:'s| is) the (?:song|track|one|tune) after (?:this|that)(?: one)?"
          r"|what comes (?:after this|next)(?: one| song| track)?"),
    rule("restart",
          rf"(?:re)?start {THIS} (?:over|again|from the (?:beginning|start|top))"
          rf"|restart(?: {THIS})?|start over|(?:start )?from the (?:top|beginning|start)"
          rf"|(?:play|start|take) {THIS} from the (?:top|beginning|start)"
          rf"|(?:play|start) {THIS} over|replay (?:this|this song|this track|this one)"
          r"|(?:play|start) (?:this|this song|this track|this one|the current song)"
          r" (?:again|one more time)"
          rf"|(?:go )?back to the (?:beginning|start)(?: of {THIS})?"
          r"|play (?:it |this )?from the (?:beginning|start|top)"
          rf"|(?:play|start) (?:the song |this song |it )?(?:over|again) from the start"
          rf"|take it from the top|start (?:the song |this song |it )?(?:again|over)"),
    rule("seek",
          rf"(?:skip|jump|go|move|fast[ -]?forward|forward|scrub|advance)"
          rf"(?: (?:ahead|forward|forwards|on))?(?: by)? (?P<s>{SPAN})(?: ahead| forward)?"
          rf"|fast[ -]?forward(?: it| this| the song| this song| a bit| a little)?", _forward),
    rule("seek",
          rf"(?:rewind|go back|skip back|jump back|back up|move back|scrub back|rewind back)"
          rf"(?:wards)?(?: by)? (?P<s>{SPAN})|(?:go|skip|jump) (?P<s2>{SPAN}) back"
          rf"|rewind(?: it| this| the song| this song| a bit| a little)?", _back),
    *SONG_QUESTIONS,
    rule("play", r"surprise me|(?:i'?m|i am) bored(?:,? (?:play|put on) something)?",
          lambda text, groups: {}),
    rule("next",
          rf"(?:skip|skip ahead|skip forward|go forward|jump ahead|jump forward)(?: by)?"
          rf" (?P<n>{NUM}) (?:songs?|tracks?|tunes?)(?: ahead| forward)?", _count),
    rule("previous",
          rf"(?:go back|skip back|jump back|go backwards?)(?: by)? (?P<n>{NUM}) (?:songs?|tracks?"
          rf"|tunes?)", _count),
    # "play a different artist": on to someone else's songs
    rule("next",
          r"(?:(?:play|put on|give me|try|i want|i'?d like|let'?s (?:have|hear))"
          r"(?: something| some music| songs| music)?(?: (?:by|from))? )?"
          r"(?:a |an |some )?(?:different|another|other) (?:artist|band|singer|group|musician)s?"
          r"(?: like (?:this|that|this one|them))?(?: (?:please|now|instead|for a change))?"
          r"|(?:next|change the|switch(?: the)?|change) (?:artist|band|singer)s?"
          r"|(?:play )?(?:something|songs|music) (?:by|from) (?:someone|somebody) else"
          r"|(?:play|let'?s hear) (?:someone|somebody) else",
          lambda whole, groups: {"other_artist": True}),
    rule("next",
          r"(?:play )?(?:the )?next(?: one| song| track| truck| tune| please)?"
          r"|skip(?: it| this| that| this one"
          r"| this song| this track| the song| the track| ahead| forward| song| track| one)?"
          r"|go (?:forward|to the next (?:song|track|one))|skip to the next(?: one| song| track)?"
          r"|(?:play )?(?:another|a different) (?:song|track|one)"
          r"|change (?:the |this )?(?:song|track|music|tune)"
          r"|(?:play )?something (?:else|different)|move on|i'?m bored of this(?: song)?"
          r"|not (?:this|that)(?: one| song| track)?(?: (?:right )?now)?"),
    rule("previous",
          r"(?:play )?(?:the )?(?:previous|prior|last)(?: one| song| track| tune)?"
          r"|go back(?: one| a song| a track| to the (?:previous|last) (?:song|track|one))?"
          r"|back(?: one)?|skip back(?:wards)?"
          r"|(?:play )?(?:that|the) (?:last )?(?:song|track|one) again"
          r"|play (?:it|that) again"
          r"|replay(?: that| it| the (?:last|previous)(?: song| track| one)?)?"),
    rule("pause",
          r"pause(?: it| this| that| the music| the song| playback| music)?"
          r"(?: for a (?:moment|second|minute|bit|sec))?"
          r"|hold (?:on|it)|wait(?: a (?:second|minute|moment))?|pause pause"),
    rule("resume",
          r"resume(?: playback| the music| playing| music| the song| it)?"
          r"|un[ -]?pause(?: it| this| the music| the song| playback| music)?|continue"
          r"(?: playing| the music| the song)?|keep (?:playing|going)|carry on(?: playing)?|go on"
          r"|play|start (?:it |the music |playing )?again|start playing"
          r"|(?:resume|continue) (?:my |the )?(?:playlist|queue|songs?|tunes)"
          r"|(?:start|turn) (?:the )?music (?:back )?on"
          # after a stop: "pick up where I left off", "play what I was listening to"
          r"|(?:(?:continue|resume|pick up|carry on|start|play|go on) )?(?:from )?where "
          r"(?:i|we|you) (?:left off|stopped)"
          r"|(?:play|put on|resume|go back to|continue) (?:what |the (?:music|songs?) )"
          r"(?:i was|we were|i've been|we've been) (?:listening(?: to)?|playing)"
          r"(?: (?:before|earlier|last time))?"
          r"|(?:play|put on|resume|continue) (?:the )?last (?:song|track|thing|music) "
          r"(?:i|we) (?:played|was playing|were playing|listened to|was listening to)"),
    rule("stop",
          r"stop(?: it| this| that| the music| playing| playback| everything| the song| music"
          r"| all)?"
          r"(?: now)?|(?:turn|switch|shut) (?:it |the music |everything |this |that )?off|shut up"
          r"|(?:be )?quiet|silence|enough(?: music)?|that'?s enough|(?:kill|end) (?:the )?music"
          r"|halt"
          r"|stop stop|no more music|turn off the music"),
    rule("help",
          r"help(?: me)?|(?:i need )?(?:some )?help(?: please)?"
          r"|what (?:can|do) you do|what else can you do|what (?:can|should) i (?:say|ask)(?: you)?"
          r"|what are (?:the|your) (?:commands|options)|how (?:do i use|does this work|do you work)"
          r"|what (?:do|can) you understand|tell me what you can do"),
)


def match_control(cleaned: str) -> tuple[str, dict[str, Any]] | None:
    """(intent, slots) when the whole cleaned request is a control request, else None."""
    return match_rules(_RULES, cleaned)
