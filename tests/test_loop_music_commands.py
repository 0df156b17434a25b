"""Queueing, seeking and "what's next" through the real loop, player, dialogue and store.

The wake word, capture, Whisper and TTS are the scripted twins of tests/test_loop.py
(the recorded corpus is fixed and has no such requests); everything after the
transcript is real: the parser, the dialogue on the demo library in SQLite with a
trained recommender, and the player decoding and rendering the OGG files into the
sink on the input clock.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import soundfile as sf
from test_loop import CountingSink, ScriptedCapture, ScriptedWake, ToneTts

from recommender.catalog import scan
from recommender.engine import Engine
from recommender.model import Hyperparameters
from recommender.store import Store
from speaker.audio import RATE_HZ, WavSource
from speaker.config import PlayerSettings
from speaker.dialogue import Dialogue
from speaker.events import Event, Queued, Reply, Seeked
from speaker.harness import seed_history
from speaker.loop import AudioClock, VoiceLoop
from speaker.player import Player
from speaker.stt import TranscriptResult

LIBRARY = Path(__file__).resolve().parents[1] / "audio_assets" / "library"


class SequenceStt:
    """Hears the given requests in turn."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)

    def transcribe(self, audio: np.ndarray, prompt: str = "",
                   commands: Callable[[str], Sequence[str]] | None = None,
                   lead: str = "") -> TranscriptResult:
        return TranscriptResult(self.texts.pop(0), 0.01, len(audio) / 16000, 0.0)


def test_queue_seek_and_whats_next_through_the_loop(tmp_path: Path) -> None:
    silence = tmp_path / "in.wav"
    sf.write(silence, np.zeros(RATE_HZ * 10, np.int16), RATE_HZ, subtype="PCM_16")
    requests = ["play four corners by blue lantern trio",
                "add the album velvet hours to the queue",
                "skip forward five seconds",
                "what's next"]
    events: list[Event] = []
    with Store(tmp_path / "library.sqlite3") as store:
        scan(store, [LIBRARY])
        seed_history(store, LIBRARY / "profiles.json")
        with Engine(store, tmp_path / "model", Hyperparameters(components=8, epochs=5, threads=1),
                    background=False) as engine:
            engine.train()
            sink = CountingSink(22050)
            clock = AudioClock()
            inbox: queue.SimpleQueue[Event] = queue.SimpleQueue()
            player = Player(PlayerSettings(), sink.rate_hz, clock=clock, emit=inbox.put,
                            decode_in_background=False)
            loop = VoiceLoop(source=WavSource([silence]), sink=sink,
                             wake=ScriptedWake({0.8, 3.2, 5.6, 8.0}),  # type: ignore[arg-type]
                             capture=ScriptedCapture(),  # type: ignore[arg-type]
                             transcriber=SequenceStt(requests), synthesizer=ToneTts(0.5),
                             player=player, dialogue=Dialogue(engine, player, store, user="alex"),
                             emit=lambda e, name: events.append(e), clock=clock, inbox=inbox)
            loop.run()
            player.close()
    replies = [e.text for e in events if isinstance(e, Reply)]
    assert replies[:3] == ["Playing Four Corners by Blue Lantern Trio.",
                           "Added Velvet Hours by Nora Vance to the queue.",
                           "Skipping ahead 5 seconds."]
    assert replies[3] == "Next up: Velvet Hours by Nora Vance."
    queued = [e for e in events if isinstance(e, Queued)]
    assert [(e.title, e.count, e.play_next) for e in queued] == [("Velvet Hours", 2, False)]
    seeks = [e for e in events if isinstance(e, Seeked)]
    assert len(seeks) == 1 and seeks[0].position_s > 5.0  # the song had played on a little
    started = [e.to_dict()["title"] for e in events if e.TYPE == "play"]
    assert started == ["Four Corners"]  # queueing and seeking never restarted the music
