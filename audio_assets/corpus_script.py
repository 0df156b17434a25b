"""What the request corpus and the demo say, and what Encore should make of it.

Tables only; ``make_corpus.py`` renders them. Slot values are the words as spoken, lowercase;
names come from the demo library (``make_library.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from audio_assets.corpus_voices import ESPEAK_VOICES, PIPER_VOICES, SpeakerVoice

__all__ = ["DEMO_SCRIPT", "NEGATIVES", "REQUESTS", "Slots"]

Slots = dict[str, Any]

# (spoken request, intent, slots). Slot values are the words as spoken, lowercase; names come
# from the demo library. Within each intent the first phrasing is always rendered clean.
REQUESTS: tuple[tuple[str, str, Slots], ...] = (
    ("Play Nora Vance.", "play", {"artist": "nora vance"}),
    ("Play something by the Night-Owls.", "play", {"artist": "the night owls"}),
    ("Put on some Iron Verdict.", "play", {"artist": "iron verdict"}),
    ("Play Area 51.", "play", {"artist": "area 51"}),
    ("I want to hear Willow Creek.", "play", {"artist": "willow creek"}),
    ("Play the album Velvet Hours.", "play", {"album": "velvet hours"}),
    ("Play the album Forged in Thunder.", "play", {"album": "forged in thunder"}),
    ("Play the record Harvest Road by Willow Creek.", "play",
     {"album": "harvest road", "artist": "willow creek"}),
    ("Play Smoke Rings by Blue Lantern Trio.", "play",
     {"track": "smoke rings", "artist": "blue lantern trio"}),
    ("Play the song Highway Ghost.", "play", {"track": "highway ghost"}),
    ("Play Coffee and Cassettes.", "play", {"track": "coffee and cassettes"}),
    ("Play City of Lights by Neon Pulse.", "play",
     {"track": "city of lights", "artist": "neon pulse"}),
    ("Play some jazz.", "play", {"genre": "jazz"}),
    ("Play some reggae music.", "play", {"genre": "reggae"}),
    ("Put on some classical music.", "play", {"genre": "classical"}),
    ("Play some heavy metal.", "play", {"genre": "heavy metal"}),
    ("Play some blues.", "play", {"genre": "blues"}),
    ("Play music from the eighties.", "play", {"year": 1980, "decade": True}),
    ("Play something from the sixties.", "play", {"year": 1960, "decade": True}),
    ("Play songs from 1975.", "play", {"year": 1975}),
    ("Play some rock from the seventies.", "play", {"genre": "rock", "year": 1970, "decade": True}),
    ("Play something relaxing.", "play", {"mood": "relaxing"}),
    ("Play something upbeat.", "play", {"mood": "upbeat"}),
    ("Play some music for studying.", "play", {"mood": "studying"}),
    ("Play my workout playlist.", "play", {"playlist": "workout"}),
    ("Play the playlist called Sunday Morning.", "play", {"playlist": "sunday morning"}),
    ("Play some music.", "play", {}),
    ("Play something I like.", "play", {}),
    ("Play something for Sam.", "play", {"user": "sam"}),
    ("Play something for Alex.", "play", {"user": "alex"}),
    ("Play something similar.", "play_similar", {}),
    ("More like this.", "play_similar", {}),
    ("Play more songs like this one.", "play_similar", {}),
    ("Skip this.", "next", {}),
    ("Next song.", "next", {}),
    ("Go back to the previous song.", "previous", {}),
    ("Play the last song again.", "previous", {}),
    ("Pause.", "pause", {}),
    ("Pause the music.", "pause", {}),
    ("Resume.", "resume", {}),
    ("Keep playing.", "resume", {}),
    ("Stop.", "stop", {}),
    ("Stop the music.", "stop", {}),
    ("Turn it up.", "volume_up", {}),
    ("Louder, please.", "volume_up", {}),
    ("Turn it down.", "volume_down", {}),
    ("Make it quieter.", "volume_down", {}),
    ("Set the volume to 30.", "volume_set", {"level": 30}),
    ("Volume 60 percent.", "volume_set", {"level": 60}),
    ("What's playing?", "now_playing", {}),
    ("What song is this?", "now_playing", {}),
    ("I like this one.", "like", {}),
    ("I love this song.", "like", {}),
    ("I don't like this.", "dislike", {}),
    ("I hate this song.", "dislike", {}),
    ("Turn shuffle on.", "shuffle", {"on": True}),
    ("Turn off shuffle.", "shuffle", {"on": False}),
    ("Repeat this song.", "repeat", {"on": True, "one": True}),
    ("Turn repeat off.", "repeat", {"on": False}),
    ("Set a sleep timer for 20 minutes.", "sleep_timer", {"minutes": 20}),
    ("Stop playing in 45 minutes.", "sleep_timer", {"minutes": 45}),
    ("Cancel.", "cancel", {}),
    ("Never mind.", "cancel", {}),
    ("Cancel the sleep timer.", "cancel", {"target": "sleep_timer"}),
)

_E, _P = ESPEAK_VOICES, PIPER_VOICES

# (category, spoken text or "", voice or None, background); replies use REPLY_VOICE.
NEGATIVES: tuple[tuple[str, str, SpeakerVoice | None, str], ...] = (
    ("silence", "", None, "clean"),
    ("silence", "", None, "noise"),  # a quiet room: pink noise at -60 dBFS
    ("noise", "", None, "noise"),
    ("noise", "", None, "noise"),
    ("music", "", None, "music0"),
    ("music", "", None, "music0"),
    ("music", "", None, "music0"),
    ("speech", "Play some jazz.", _P[0], "clean"),
    ("speech", "What's the weather like?", _E[1], "clean"),
    ("speech", "Turn it down a bit.", _P[2], "music10"),
    ("speech", "Could you pass the salt, please?", _E[3], "noise"),
    ("confusable", "Hey Travis, play some jazz.", _E[0], "clean"),
    ("confusable", "Hey Travis, play some jazz.", _P[1], "clean"),
    ("confusable", "Hey service.", _E[2], "clean"),
    ("confusable", "A jar of this.", _P[0], "clean"),
    ("confusable", "Hey jealous.", _E[4], "clean"),
    ("confusable", "Hey Charles, turn it up.", _E[3], "music10"),
    ("confusable", "Hey Charles, turn it up.", _P[3], "clean"),
    ("confusable", "Hey Marvin.", _E[6], "noise"),
    ("confusable", "Harvest this.", _P[2], "clean"),
    ("reply", "Playing Velvet Hours by Nora Vance.", None, "clean"),
    ("reply", "Playing some jazz: Smoke Rings by Blue Lantern Trio.", None, "music10"),
    ("reply", "This is Highway Ghost by The Night-Owls, from 1971.", None, "clean"),
    ("reply", "Volume 40 percent.", None, "clean"),
    ("reply", "Okay, more like this.", None, "music10"),
    ("reply", "Sleep timer set for 20 minutes.", None, "clean"),
    ("reply", "Sorry, I couldn't find that in your library.", None, "clean"),
)

DEMO_SCRIPT: tuple[tuple[str, str, Slots], ...] = (
    ("Play some jazz.", "play", {"genre": "jazz"}),
    ("Skip this.", "next", {}),
    ("I like this one.", "like", {}),
    ("Add this to my dinner playlist.", "add_to_playlist", {"playlist": "dinner"}),
    ("Play something similar.", "play_similar", {}),
    ("What's playing?", "now_playing", {}),
    ("Turn it down.", "volume_down", {}),
    ("Play my dinner playlist.", "play", {"playlist": "dinner"}),
    ("Play something for Sam.", "play", {"user": "sam"}),
    ("Pause the music.", "pause", {}),
)
