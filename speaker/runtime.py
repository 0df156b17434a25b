"""Assembles the speaker from settings: models loaded once, a household session, the loop.

``encore run``, ``encore simulate``, ``encore demo`` and ``encore harness report``
all build the same objects here; only the source, the sink and whether work runs
on threads differ.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recommender.engine import Engine
from recommender.store import Store
from speaker.audio import Sink, Source
from speaker.commands import Commands, command_prompt, phrases_for
from speaker.config import Settings
from speaker.dialogue import Dialogue
from speaker.earcon import load_earcon
from speaker.engine_setup import make_engine
from speaker.events import Event
from speaker.grammar import Vocabulary
from speaker.hearing import Rehearing
from speaker.loop import AudioClock, EmitFn, VoiceLoop
from speaker.player import Player
from speaker.stt import Transcriber, build_prompt
from speaker.tts import SpeechSynthesizer
from speaker.vad import RequestCapture, SileroVad
from speaker.wake_verify import WakeVerifier, wake_spellings
from speaker.wakeword import WakeWordDetector

logger = logging.getLogger(__name__)


@dataclass
class Models:
    """The heavy, stateless-per-request parts: loaded once per process."""

    wake: WakeWordDetector
    vad: SileroVad
    transcriber: Transcriber
    synthesizer: SpeechSynthesizer
    earcon: np.ndarray
    earcon_rate_hz: int
    second: Transcriber | None = None
    """``stt.second_model``, for requests the first model's transcript leaves unread."""

    @classmethod
    def load(cls, settings: Settings) -> Models:
        wake = WakeWordDetector(settings.wake)
        transcriber = Transcriber(settings.stt, settings.data.models_dir)
        second = (Transcriber(dataclasses.replace(settings.stt, model=settings.stt.second_model,
                                                  second_model=""),
                              settings.data.models_dir) if settings.stt.second_model else None)
        synthesizer = SpeechSynthesizer(settings.tts)
        rate = synthesizer.rate_hz
        return cls(wake, SileroVad(), transcriber, synthesizer, load_earcon(rate), rate, second)

    def close(self) -> None:
        self.synthesizer.close()


@dataclass
class Household:
    """The library database and the recommender engine over it."""

    store: Store
    engine: Engine
    scratch: Path | None = None
    """A temporary state directory this household alone uses, removed on close."""

    @classmethod
    def open(cls, settings: Settings, database: Path, model_dir: Path, *,
             background: bool, scratch: Path | None = None) -> Household:
        store = Store(database)
        return cls(store, make_engine(settings.recommender, store, model_dir,
                                      background=background), scratch)

    def close(self) -> None:
        self.engine.close()
        self.store.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def library_prompt(store: Store, max_names: int, commands: bool = False) -> str:
    """Whisper's initial prompt: the short commands (with ``commands``), then the
    library's most present artist and album names."""
    counts: dict[str, int] = {}
    for track in store.tracks():
        for name in (track.artist, track.album):
            if name:
                counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts, key=lambda n: (-counts[n], n))
    names = build_prompt(ranked, max_names)
    return " ".join(p for p in (command_prompt() if commands else "", names) if p)


def library_vocabulary(store: Store) -> Vocabulary:
    """Every request the grammar search may read an unclear one as, for this library,
    its profiles and their playlists."""
    users = store.users()
    playlists = sorted({name for user in users for name in store.playlists(user)})
    credits = [(t.title, t.album, t.artist) for t in store.tracks()]
    return Vocabulary.build(store.names(), users, playlists, credits)


def rehearings(settings: Settings, models: Models) -> list[Rehearing]:
    """What hears a request again when its first transcript is unread, in order: the
    same model without the library prompt, then the second model."""
    again = []
    if settings.stt.retry_unprompted:
        again.append(Rehearing(models.transcriber, settings.stt.retry_min_logprob,
                               prompted=False))
    if models.second is not None:
        again.append(Rehearing(models.second, settings.stt.second_min_logprob))
    return again


def library_hints(settings: Settings, models: Models, store: Store,
                  dialogue: Dialogue) -> tuple[str, Commands]:
    """Whisper's prompt and what an unclear request is checked against, for the library
    as it is now (called again after a rescan). The grammar search's trie is built here,
    before any request needs it."""
    prompt = library_prompt(store, settings.stt.prompt_max_names,
                            settings.stt.prompt_commands)
    vocabulary = library_vocabulary(store) if settings.stt.grammar else None
    if vocabulary is not None:
        models.transcriber.prepare(vocabulary)
    known = dialogue.knows if settings.stt.grammar_unknown_names else None
    return prompt, Commands(phrases_for(settings.stt), vocabulary, known)


def build_loop(settings: Settings, models: Models, household: Household, *,
               source: Source, sink: Sink, emit: EmitFn, user: str, realtime: bool,
               ) -> VoiceLoop:
    """Wire one voice loop; the player and dialogue are fresh, the models shared."""
    clock = AudioClock()
    inbox: queue.SimpleQueue[Event] = queue.SimpleQueue()
    player = Player(settings.player, sink.rate_hz, clock=clock, emit=inbox.put,
                    decode_in_background=realtime)
    household.store.ensure_user(user)
    dialogue = Dialogue(household.engine, player, household.store, user=user)
    prompt, commands = library_hints(settings, models, household.store, dialogue)
    models.wake.reset()
    models.vad.reset()
    return VoiceLoop(
        source=source, sink=sink, wake=models.wake,
        capture=RequestCapture(settings.vad, models.vad), transcriber=models.transcriber,
        synthesizer=models.synthesizer, player=player, dialogue=dialogue, emit=emit,
        clock=clock, inbox=inbox, earcon=models.earcon, earcon_rate_hz=models.earcon_rate_hz,
        prompt=prompt, realtime=realtime,
        verifier=(WakeVerifier(models.transcriber, settings.wake, models.wake.name)
                  if settings.wake.verify else None),
        wake_phrase=next(iter(wake_spellings(models.wake.name, settings.wake.verify_phrase)),
                         ""),
        lead_s=settings.stt.wake_lead_s,
        commands=commands,
        rehearings=rehearings(settings, models), hear_timeouts=settings.vad.hear_timeouts,
        follow_up_s=settings.dialogue.follow_up_s,
        follow_up_min_logprob=settings.dialogue.follow_up_min_logprob)
