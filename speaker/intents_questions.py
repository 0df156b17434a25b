"""Questions a speaker is asked, answered and never acted on: about the player ("how
long is left on the sleep timer", "what's the volume", "what playlists do I have", "how
many songs do I have") and about the song ("what album is this", "who sings this").

Each is ``now_playing`` with a ``detail`` slot saying what was asked (none: the song
itself). :mod:`speaker.intents_control` tries :data:`PLAYER_QUESTIONS` before its own
rules and :data:`SONG_QUESTIONS` after the transport ones.
"""

from __future__ import annotations

import re
from typing import Any

from speaker.intents_rules import (
    PLAYLIST_NAME,
    THIS,
    TIMER,
    Rule,
    detail,
    playlist_slots,
    rule,
)

__all__ = ["PLAYER_QUESTIONS", "SONG_QUESTIONS"]

_LIBRARY_LISTS = {"artists": "artists", "bands": "artists", "albums": "albums",
                  "records": "albums", "genres": "genres", "kinds of music": "genres"}


def _library(text: str, groups: dict[str, str]) -> dict[str, Any]:
    what = _LIBRARY_LISTS.get(groups.get("w", ""))
    return {"detail": "library", **({"what": what} if what else {})}


PLAYER_QUESTIONS: tuple[Rule, ...] = (
    # questions about the player, not the song: asked, never acted on
    rule("now_playing",
          rf"how (?:much time|long) (?:is )?(?:left|to go) (?:on|of|in) (?:the |my )?"
          rf"(?:{TIMER}|timer)"
          rf"|(?:is there|is|have i set|did i set|have you set|do i have) (?:a |the |my )?"
          rf"{TIMER}(?: (?:set|on|running))?"
          rf"|when (?:does|will) (?:the |my )?(?:{TIMER}|timer) (?:go off|end|run out|stop)"
          rf"|(?:how long|how much longer) (?:until|till|before) the music (?:stops|turns off)"
          rf"|when (?:does|will) the music (?:stop|turn off)",
          detail("sleep_timer")),
    rule("now_playing",
          r"(?:sorry,? |sorry what,? )?(?:(?:say|tell me) (?:that|it) again"
          r"|what did you (?:say|just say))"
          r"|(?:sorry,? )?(?:can|could) you (?:say|repeat) (?:that|it)(?: again)?|come again"
          r"|pardon(?: me)?|i didn'?t (?:hear|catch|get) (?:that|you|what you said)",
          detail("said")),
    rule("now_playing",
          r"what (?:playlists|play lists) (?:do i have|have i got|are there|have i made)"
          r"|(?:list|name|tell me|read me|what are) (?:all )?(?:of )?my (?:playlists|play lists)"
          r"|which (?:playlists|play lists) do i have|do i have any (?:playlists|play lists)",
          detail("playlists")),
    # "what's my most played song", "who's my favourite artist": by plays to the end
    rule("now_playing",
         r"(?:what(?:'s| is| are)|which is|which are) (?:my|our) (?:most played|most listened to"
         r"|favou?rite|top) (?P<w>songs?|tracks?|artists?|bands?|singers?)"
         r"|(?:who(?:'s| is)) (?:my|our) (?:most played|most listened to|favou?rite|top)"
         r" (?P<w2>artist|band|singer)"
         r"|what do (?:i|we) (?:listen to|play) (?:the )?most",
         lambda whole, groups: {"detail": "most_played", "what": "artist" if re.match(
             r"artist|band|singer", groups.get("w", "")) else "song"}),
    rule("now_playing",
          rf"(?:what'?s|what is|what songs are|which songs are|what'?s in|what is in|read me"
          rf"|list|tell me) (?:on |in )?{PLAYLIST_NAME}",
          lambda whole, groups: {"detail": "playlist", **playlist_slots(whole, groups)}),
    # the library itself: "how many songs do I have", "what artists do I have"
    rule("now_playing",
          r"how many (?P<w>songs|tracks|artists|bands|albums|records|genres) (?:do i|do we)"
          r" (?:have|own)(?: in (?:my|the|our) (?:music )?library)?"
          r"|how many (?P<w2>songs|tracks|artists|bands|albums|records|genres) (?:are|have i got"
          r"|have we got|are there) in (?:my|the|our) (?:music )?library"
          r"|(?:what|which) (?P<w3>artists|bands|albums|records|genres|kinds of music|music)"
          r" (?:do i|do we) have(?: in (?:my|the|our) (?:music )?library)?"
          r"|what(?:'s| is) in (?:my|the|our) (?:music )?library|how big is (?:my|the|our)"
          r" (?:music )?library|tell me about (?:my|the|our) (?:music )?library",
          _library),
    rule("now_playing",
          r"what(?:'s| is) the (?:current )?volume(?: level)?(?: (?:at|now|set to|right now))?"
          r"|what volume is (?:it|this|the music)(?: (?:at|on|set to))?(?: now)?"
          r"|how loud is (?:it|this|the music)(?: now| set| right now)?",
          detail("volume")),
)

SONG_QUESTIONS: tuple[Rule, ...] = (
    rule("now_playing",
          rf"(?:what|which) album(?: is| was)? {THIS}(?: (?:song|track))?(?: from| on| off)?"
          rf"|what(?:'s| is) the (?:name of the )?album(?: called| this is from)?"
          rf"|what(?:'s| is) the name of (?:this|that|the) album"
          rf"|what(?:'s| is) (?:this|that) album(?: called)?"
          rf"|what album (?:is|was) (?:this|that|it) (?:song |track )?(?:from|on|off)",
          detail("album")),
    rule("now_playing",
          rf"(?:what|which) year (?:is|was) {THIS}(?: (?:song|track))?(?: from| released| made)?"
          rf"|when (?:was|did) {THIS} (?:(?:first )?(?:released|made|recorded|come out|came out)|"
          rf"out)|how old is {THIS}|what year did {THIS} come out",
          detail("year")),
    rule("now_playing",
          rf"what (?:genre|kind of music|style(?: of music)?|type of music) (?:is|was) {THIS}"
          rf"(?: (?:song|track))?|what(?:'s| is| was) the genre(?: of {THIS})?",
          detail("genre")),
    rule("now_playing",
          rf"how (?:many times|often) (?:have|did) (?:i|we) (?:played|heard|listened to"
          rf"|play|hear|listen to) {THIS}(?: (?:song|track|one))?(?: before)?"
          rf"|have (?:i|we) (?:heard|played) {THIS}(?: (?:song|track|one))? before",
          detail("plays")),
    rule("now_playing",
          r"what(?:'s| was| is) the (?:last|previous) (?:song|track|one|tune)"
          r"(?: called| you played| that played)?"
          r"|what was (?:the song|that song|the track|the one) before(?: (?:this|that)(?: one)?)?"
          r"|what (?:(?:song|track) )?(?:did you play|was playing|played) before"
          r"(?: (?:this|that)(?: one| song)?)?",
          detail("previous")),
    rule("now_playing",
          rf"how (?:long|much longer) (?:is {THIS}(?: (?:song|track))?"
          rf"|is left(?: (?:on|of|in) {THIS})?"
          rf"|(?:does|will) {THIS} (?:have left|last|go on(?: for)?|play(?: for)?)"
          rf"|until {THIS} (?:ends|is over|finishes|is done))"
          rf"|how much (?:longer|time (?:is )?(?:left|to go))(?: (?:on|of|in|for) {THIS})?"
          rf"|how much (?:of {THIS} )?is left|when (?:does|will) {THIS} (?:end|finish|be over)",
          detail("remaining")),
    rule("now_playing",
          rf"what(?:'s| is| was) (?:this|that|playing|on|the song|this song|that song|the track|"
          rf"this track|that track|this tune|the tune|the music|this music)"
          rf"(?: called| playing| that'?s playing| song| track| tune| again| now| right now)?"
          rf"|what(?:'s| is| was) the (?:name|title) of {THIS}"
          rf"|who(?:'s| is| was) (?:this|that|singing|playing|the artist|the singer|the band)"
          rf"(?: by| song| singing| playing| artist| band)?"
          rf"|who (?:sings|sang|plays|played|made) {THIS}"
          rf"|what(?:'s| is) (?:the|this|that) (?:artist|band|singer)(?:'s name| called)?"
          rf"|what (?:song|track|album|tune|artist) (?:is|was) (?:this|that|playing|on)(?: now)?"
          rf"|(?:the )?name (?:of )?{THIS}|what am i listening to|what are we listening to"
          rf"|now playing|what did you (?:just )?play|tell me what(?:'s| is) playing"
          rf"|which (?:song|track|album) is (?:this|that)"
          rf"|who (?:wrote|composed|recorded|performed|produced|did) {THIS}"
          rf"|tell me (?:about|more about) (?:{THIS}|this (?:artist|band|singer|album))"),
)
