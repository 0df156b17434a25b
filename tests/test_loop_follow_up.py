"""Asking again: after "Sorry, I didn't catch that" the loop listens once more without the
wake word (``dialogue.follow_up_s``), with the music still ducked.

Scripted twins as in test_loop.py; each capture and each transcript is scripted in turn.
"""

from __future__ import annotations

import queue
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from test_loop import (
    CountingSink,
    EchoDialogue,
    RecordingPlayer,
    ScriptedWake,
    ToneTts,
    types,
)

from speaker.audio import FRAME_S, RATE_HZ, Frame, WavSource
from speaker.events import Event
from speaker.loop import AudioClock, VoiceLoop
from speaker.stt import TranscriptResult
from speaker.vad import CaptureResult
from speaker.wakeword import Detection

REPLY_S = 0.5


class Captures:
    """Each capture in turn ends after ``frames`` frames, or times out if that is None;
    records how each was started."""

    def __init__(self, *frames: int | None) -> None:
        self.script = list(frames)
        self.starts: list[tuple[float, float | None, bool]] = []
        self.active = False
        self.heard: list[Frame] = []
        self.frames: int | None = 0

    def start(self, t_s: float, timeout_s: float | None = None, preroll: bool = True) -> None:
        self.starts.append((t_s, timeout_s, preroll))
        self.frames = self.script.pop(0)
        self.active, self.heard = True, []

    def cancel(self) -> None:
        self.active = False

    def feed(self, frame: Frame) -> CaptureResult | None:
        if not self.active:
            return None
        self.heard.append(frame)
        timeout_frames = round((self.starts[-1][1] or 4.0) / FRAME_S)
        ends = self.frames if self.frames is not None else timeout_frames
        if len(self.heard) < ends:
            return None
        self.active = False
        audio = np.concatenate([f.samples for f in self.heard]).astype(np.float32) / 32768.0
        timed_out = self.frames is None
        return CaptureResult(audio=audio, speech_s=0.0 if timed_out else len(audio) / RATE_HZ,
                             timed_out=timed_out, truncated=False,
                             end_t_s=frame.t_s + FRAME_S, trailing_silence_s=0.6,
                             start_t_s=self.heard[0].t_s)


class WakeInEach(ScriptedWake):
    """Fires 0.8 s into the first input and at the first frame heard of each later one."""

    def __init__(self) -> None:
        super().__init__({0.8})
        self.inputs: set[str] = set()

    def process(self, frame: Frame) -> Detection | None:
        first = not self.inputs or frame.input in self.inputs
        self.inputs.add(frame.input)
        if not first:
            return Detection(model="hey_jarvis", score=0.9, t_s=frame.t_s)
        return super().process(frame)


class Transcripts:
    """Whisper's transcripts, one per call, in order; ``logprob`` is how sure it was of
    each (mean nats per token)."""

    def __init__(self, *texts: str, logprob: float = -0.3) -> None:
        self.texts = list(texts)
        self.logprob = logprob

    def transcribe(self, audio: np.ndarray, prompt: str = "", commands: Any = None,
                   lead: str = "") -> TranscriptResult:
        return TranscriptResult(self.texts.pop(0), 0.01, len(audio) / RATE_HZ, 0.0,
                                avg_logprob=self.logprob)


def run(paths: list[Path], captures: Captures, stt: Transcripts, follow_up_s: float = 3.0,
        bar: float = -1.1) -> tuple[list[tuple[Event, str]], RecordingPlayer, EchoDialogue]:
    events: list[tuple[Event, str]] = []
    sink = CountingSink(22050)
    player = RecordingPlayer(sink.rate_hz)
    dialogue = EchoDialogue()
    loop = VoiceLoop(source=WavSource(paths), sink=sink,
                     wake=WakeInEach(),  # type: ignore[arg-type]
                     capture=captures, transcriber=stt,  # type: ignore[arg-type]
                     synthesizer=ToneTts(REPLY_S), player=player, dialogue=dialogue,
                     emit=lambda e, name: events.append((e, name)), clock=AudioClock(),
                     inbox=queue.SimpleQueue(), follow_up_s=follow_up_s,
                     follow_up_min_logprob=bar)
    loop.run()
    return events, player, dialogue


@pytest.fixture
def quiet(tmp_path: Path) -> Path:
    path = tmp_path / "in.wav"
    sf.write(path, np.zeros(RATE_HZ * 12, np.int16), RATE_HZ, subtype="PCM_16")
    return path


def replies(events: list[tuple[Event, str]]) -> list[str]:
    return [e.text for e, _ in events if e.TYPE == "reply"]  # type: ignore[attr-defined]


def test_a_request_not_understood_is_asked_for_again_and_answered(quiet: Path) -> None:
    captures = Captures(5, 8)
    events, player, dialogue = run([quiet], captures, Transcripts("Clakings to the sunrise.",
                                                                  "pause the music"))
    assert types(events) == ["wake", "speech_end", "transcript", "intent", "reply",
                             "follow_up", "speech_end", "transcript", "intent", "reply"]
    assert replies(events) == ["Sorry, I didn't catch that. Say it again?",
                               "You asked to pause."]
    assert [r.intent for r in dialogue.requests] == ["pause"]  # the unread one never acts
    # The music stays ducked from the wake word until the answer to the second try.
    assert player.ducked == [True, False]
    # Listening starts once the question has been spoken, without the wake word, the
    # pre-roll (which held the question) or the usual time-out.
    first_reply = next(e for e, _ in events if e.TYPE == "reply")
    asked = next(e for e, _ in events if e.TYPE == "follow_up")
    assert asked.t_s >= first_reply.t_s + REPLY_S
    assert captures.starts[1][1:] == (3.0, False)
    assert captures.heard[0].t_s == pytest.approx(asked.t_s)


def test_a_greeting_is_answered_with_the_question_and_the_request_then_heard(
        quiet: Path) -> None:
    events, player, dialogue = run([quiet], Captures(5, 8),
                                   Transcripts("Hello, Jarvis.", "Play some jazz."))
    assert replies(events) == ["Hello. What would you like to hear?", "You asked to play."]
    assert types(events).count("follow_up") == 1
    assert [(r.intent, r.slots) for r in dialogue.requests] == [("play", {"genre": "jazz"})]
    assert player.ducked == [True, False]


def test_a_request_for_something_encore_cant_do_is_answered_not_asked_again(
        quiet: Path) -> None:
    events, player, dialogue = run([quiet], Captures(5), Transcripts("What's the weather like?"))
    assert "follow_up" not in types(events)
    assert [(r.intent, r.slots) for r in dialogue.requests] == [
        ("unknown", {"topic": "weather"})]
    assert player.ducked == [True, False]


def test_no_answer_to_the_question_closes_it_without_a_word(quiet: Path) -> None:
    events, player, dialogue = run([quiet], Captures(5, None), Transcripts("Ours"))
    assert types(events) == ["wake", "speech_end", "transcript", "intent", "reply", "follow_up"]
    assert player.ducked == [True, False] and player.said == [int(REPLY_S * 22050)]
    assert not dialogue.requests


def test_a_second_miss_is_apologised_for_and_not_asked_again(quiet: Path) -> None:
    # "Next Trap," is "next" only to the fuzzy match of control phrasings, which a
    # request without a wake word before it does not get.
    events, _, dialogue = run([quiet], Captures(5, 5, 5),
                              Transcripts("", "Next Trap,", "pause it"))
    assert replies(events) == ["Sorry, I didn't catch that. Say it again?",
                               "You asked to unknown."]
    assert types(events).count("follow_up") == 1
    assert [r.intent for r in dialogue.requests] == ["unknown"]


def test_a_follow_up_whisper_is_unsure_of_is_not_acted_on(quiet: Path) -> None:
    # dialogue.follow_up_min_logprob (-1.1, like a rehearing's bar): a second guess.
    events, _, dialogue = run([quiet], Captures(5, 5),
                              Transcripts("Ours", "pause it", logprob=-1.4))
    assert [(e.intent, e.slots) for e, _ in events if e.TYPE == "intent"  # type: ignore[attr-defined]
            ] == [("unknown", {}), ("unknown", {})]
    assert replies(events)[1] == "You asked to unknown." and len(dialogue.requests) == 1
    # each transcript event says how sure Whisper was, for reading the bar off a log
    assert [e.logprob for e, _ in events if e.TYPE == "transcript"  # type: ignore[attr-defined]
            ] == [-1.4, -1.4]
    # with a lower bar the same follow-up is acted on
    _, _, lenient = run([quiet], Captures(5, 5), Transcripts("Ours", "pause it", logprob=-1.4),
                        bar=-1.5)
    assert [r.intent for r in lenient.requests] == ["pause"]


def test_with_follow_ups_off_the_apology_asks_nothing(quiet: Path) -> None:
    events, player, _ = run([quiet], Captures(5), Transcripts(""), follow_up_s=0.0)
    assert replies(events) == ["Sorry, I didn't catch that."]
    assert "follow_up" not in types(events) and player.ducked == [True, False]


def test_a_question_open_when_a_recording_ends_is_not_answered_by_the_next(
        tmp_path: Path) -> None:
    paths = []
    for name in ("a.wav", "b.wav"):
        paths.append(tmp_path / name)
        sf.write(paths[-1], np.zeros(RATE_HZ * 2, np.int16), RATE_HZ, subtype="PCM_16")
    captures = Captures(5, None, 5)
    events, _, dialogue = run(paths, captures, Transcripts("Ours", "pause it"))
    # a.wav's question waited out in silence; b.wav's wake word then started afresh.
    by_input = [(e.TYPE, name) for e, name in events]
    assert ("follow_up", "a.wav") in by_input and ("wake", "b.wav") in by_input
    assert [r.intent for r in dialogue.requests] == ["pause"]  # b.wav's own request
    assert captures.starts[2][1:] == (None, True)
    assert not [e for e, name in events if name == "b.wav" and e.TYPE == "follow_up"]
