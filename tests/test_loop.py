"""The voice loop's state machine with scripted components around real audio frames.

The wake word, capture, Whisper and TTS are replaced by small scripted twins so each
behaviour (reply flow, timeouts, apologies, self-wake muting, output clock) is
checked in isolation; the full stack runs in tests/test_e2e_corpus.py.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from speaker.audio import FRAME_S, RATE_HZ, Frame, Sink, WavSource
from speaker.commands import phrases_for
from speaker.config import WakeSettings, load
from speaker.events import Event, Feedback, PlaybackStarted
from speaker.loop import AudioClock, VoiceLoop
from speaker.stt import TranscriptResult
from speaker.vad import CaptureResult
from speaker.wake_verify import Verdict
from speaker.wakeword import Detection


class ScriptedWake:
    """Fires at the given frame start times (seconds); ``louder_s`` frames score higher
    than any candidate (what a still-rising wake word does)."""

    def __init__(self, at_s: set[float], louder_s: frozenset[float] = frozenset()) -> None:
        self.at = {round(t, 2) for t in at_s}
        self.louder = {round(t, 2) for t in louder_s}
        self.seen: list[float] = []
        self.resets = 0
        self.rejected: list[float] = []
        self.heard = {t: threading.Event() for t in self.louder}

    def process(self, frame: Frame) -> Detection | None:
        self.seen.append(frame.t_s)
        if round(frame.t_s, 2) in self.heard:
            self.heard[round(frame.t_s, 2)].set()
        if round(frame.t_s, 2) in self.at:
            return Detection(model="hey_jarvis", score=0.9, t_s=frame.t_s)
        return None

    def retry_after(self, detection: Detection) -> Detection | None:
        t_s = self.seen[-1]
        if round(t_s, 2) in self.louder:
            return Detection(model="hey_jarvis", score=0.95, t_s=t_s)
        return None

    def reset(self) -> None:
        self.resets += 1

    def reject(self, detection: Detection) -> None:
        self.rejected.append(detection.t_s)


class ScriptedVerifier:
    """Answers candidates in order with ``answers``; records the audio it was given."""

    active = True
    settings = WakeSettings()

    def __init__(self, answers: list[bool | Exception],
                 wait_for: list[threading.Event | None] | None = None) -> None:
        self.answers = list(answers)
        self.wait_for = list(wait_for or [])
        self.windows: list[int] = []
        self.waited: list[bool] = []

    def verify(self, audio: np.ndarray, head_score: float = 0.0) -> Verdict:
        gate = self.wait_for.pop(0) if self.wait_for else None
        if gate is not None:  # answer only once the loop has got this far
            self.waited.append(gate.wait(10.0))
        self.windows.append(len(audio))
        ok = self.answers.pop(0)
        if isinstance(ok, Exception):
            raise ok
        margin = -0.2 if ok else -4.0
        return Verdict(ok, margin, margin, 0.01)


class ScriptedCapture:
    """Ends the request after ``frames`` frames, or times out."""

    def __init__(self, frames: int = 5, timed_out: bool = False) -> None:
        self.frames, self.timed_out, self.count = frames, timed_out, 0
        self.ended = threading.Event()
        self.heard: list[Frame] = []

    def start(self, t_s: float) -> None:
        self.count = 0
        self.active = True
        self.heard = []

    def cancel(self) -> None:
        self.active = False
        self.cancelled = getattr(self, "cancelled", 0) + 1

    def feed(self, frame: Frame) -> CaptureResult | None:
        if not getattr(self, "active", False):
            self.preroll_frames = getattr(self, "preroll_frames", 0) + 1
            return None
        self.count += 1
        self.heard.append(frame)
        if self.count < self.frames:
            return None
        self.active = False
        self.ended.set()
        audio = np.concatenate([f.samples for f in self.heard]).astype(np.float32) / 32768.0
        return CaptureResult(audio=audio, speech_s=len(audio) / RATE_HZ,
                             timed_out=self.timed_out, truncated=False,
                             end_t_s=frame.t_s + FRAME_S, trailing_silence_s=0.6,
                             start_t_s=self.heard[0].t_s)


class ScriptedStt:
    def __init__(self, text: str = "pause the music", fail: bool = False,
                 rescore: bool = True) -> None:
        self.text, self.fail, self.calls, self.rescore = text, fail, 0, rescore
        self.offered: tuple[str, ...] = ()
        self.heard: list[tuple[np.ndarray, str]] = []
        """The audio and the forced lead of each call."""
        self.prompts: list[str] = []

    def transcribe(self, audio: np.ndarray, prompt: str = "",
                   commands: Callable[[str], Sequence[str]] | None = None,
                   lead: str = "") -> Any:
        self.calls += 1
        self.heard.append((audio, lead))
        self.prompts.append(prompt)
        self.offered = tuple(commands(self.text)) if commands is not None else ()
        if self.fail:
            raise RuntimeError("whisper exploded")
        heard = ""
        if self.rescore and "pause" in self.offered:  # as if Whisper's scores chose "pause"
            heard, text = self.text, "pause"
        else:
            text = self.text
        return TranscriptResult(text, 0.01, len(audio) / RATE_HZ, 0.0, heard)


class ToneTts:
    rate_hz = 22050

    def __init__(self, seconds: float = 0.5) -> None:
        self.seconds = seconds

    def synthesize(self, text: str) -> np.ndarray:
        return np.full(int(self.seconds * self.rate_hz), 0.1, np.float32)


class RecordingPlayer:
    """Speaks for as long as the queued speech lasts in rendered samples."""

    def __init__(self, rate_hz: int) -> None:
        self.rate_hz = rate_hz
        self.speech_left = 0
        self.ducked: list[bool] = []
        self.said: list[int] = []

    @property
    def speaking(self) -> bool:
        return self.speech_left > 0

    def duck(self, on: bool) -> None:
        self.ducked.append(on)

    def say(self, samples: np.ndarray, rate_hz: int) -> None:
        self.said.append(len(samples))
        self.speech_left += round(len(samples) * self.rate_hz / rate_hz)

    def render(self, n: int) -> np.ndarray:
        self.speech_left = max(0, self.speech_left - n)
        return np.zeros(n, np.float32)


class EchoDialogue:
    def __init__(self) -> None:
        self.requests: list[Any] = []
        self.player_events: list[Event] = []

    def handle(self, request: Any) -> str:
        self.requests.append(request)
        return f"You asked to {request.intent}."

    def on_player_event(self, event: Event) -> None:
        self.player_events.append(event)


class CountingSink(Sink):
    def __init__(self, rate_hz: int) -> None:
        self.rate_hz = rate_hz
        self.samples = 0

    def write(self, samples: np.ndarray) -> None:
        self.samples += len(samples)


@pytest.fixture
def silence(tmp_path: Path) -> Path:
    path = tmp_path / "in.wav"
    sf.write(path, np.zeros(RATE_HZ * 6, np.int16), RATE_HZ, subtype="PCM_16")
    return path


def run_loop(path: Path | list[Path], *, wake: ScriptedWake,
             capture: ScriptedCapture | None = None, stt: ScriptedStt | None = None,
             inbox_events: list[Event] | None = None, reply_s: float = 0.5,
             verifier: ScriptedVerifier | None = None, realtime: bool = False,
             earcon: np.ndarray | None = None, lead_s: float = 0.0,
             commands: Callable[[str], Sequence[str]] | None = None,
             hear_timeouts: bool = False,
             library: tuple[str, Callable[[str], Sequence[str]]] | None = None,
             ) -> tuple[list[tuple[Event, str]], RecordingPlayer, EchoDialogue, CountingSink]:
    events: list[tuple[Event, str]] = []
    sink = CountingSink(22050)
    player = RecordingPlayer(sink.rate_hz)
    dialogue = EchoDialogue()
    inbox: queue.SimpleQueue[Event] = queue.SimpleQueue()
    for event in inbox_events or []:
        inbox.put(event)
    paths = path if isinstance(path, list) else [path]
    loop = VoiceLoop(source=WavSource(paths, realtime=realtime), sink=sink, wake=wake,  # type: ignore[arg-type]
                     capture=capture or ScriptedCapture(),  # type: ignore[arg-type]
                     transcriber=stt or ScriptedStt(), synthesizer=ToneTts(reply_s),
                     player=player,
                     dialogue=dialogue, emit=lambda e, name: events.append((e, name)),
                     clock=AudioClock(), inbox=inbox,
                     verifier=verifier, realtime=realtime,  # type: ignore[arg-type]
                     earcon=earcon, wake_phrase="Hey Jarvis", lead_s=lead_s,
                     commands=commands, hear_timeouts=hear_timeouts)
    if library is not None:
        loop.use_library(*library)
    loop.run()
    return events, player, dialogue, sink


def types(events: list[tuple[Event, str]]) -> list[str]:
    return [e.TYPE for e, _ in events]


def test_wake_capture_transcribe_understand_reply(silence: Path) -> None:
    capture = ScriptedCapture()
    events, player, dialogue, _ = run_loop(silence, wake=ScriptedWake({0.8}), capture=capture)
    # Frames heard before the wake word reach the capture as its pre-roll.
    assert capture.preroll_frames >= 10
    assert types(events) == ["wake", "speech_end", "transcript", "intent", "reply"]
    assert all(name == "in.wav" for _, name in events)
    assert dialogue.requests[0].intent == "pause"
    reply = events[-1][0]
    assert reply.text == "You asked to pause."  # type: ignore[attr-defined]
    assert player.ducked == [True, False]  # ducked while listening, restored after
    assert player.said == [int(0.5 * 22050)]


def test_whisper_hears_the_wake_word_before_the_request_as_one_stretch(
        tmp_path: Path) -> None:
    path = tmp_path / "ramp.wav"  # every sample tells where it is in the input
    ramp = (np.arange(RATE_HZ * 6) % 20000).astype(np.int16)
    sf.write(path, ramp, RATE_HZ, subtype="PCM_16")
    capture, stt = ScriptedCapture(), ScriptedStt("is it raining", rescore=False)
    run_loop(path, wake=ScriptedWake({1.6}), capture=capture, stt=stt, lead_s=1.0)
    (joined, lead), (alone, no_lead) = stt.heard  # not understood: the request alone next
    assert (lead, no_lead) == ("Hey Jarvis", "")
    start = capture.heard[0].t_s
    expected = ramp[round((start - 1.0) * RATE_HZ): round(start * RATE_HZ) + len(alone)]
    np.testing.assert_allclose(joined * 32768, expected, atol=1.0)  # the file's rounding
    assert len(alone) == 5 * 1280


def test_without_a_wake_phrase_whisper_hears_only_the_request(silence: Path) -> None:
    stt = ScriptedStt("is it raining", rescore=False)
    run_loop(silence, wake=ScriptedWake({0.8}), stt=stt, lead_s=0.0)
    assert [(len(a), lead) for a, lead in stt.heard] == [(5 * 1280, "")]


def test_no_speech_after_wake_gives_up_politely(silence: Path) -> None:
    stt = ScriptedStt()
    events, *_ = run_loop(silence, wake=ScriptedWake({0.8}), stt=stt,
                          capture=ScriptedCapture(timed_out=True))
    assert types(events) == ["wake", "speech_end", "reply"]
    assert "didn't hear" in events[-1][0].text  # type: ignore[attr-defined]
    assert stt.calls == 0


@pytest.mark.parametrize(("heard", "acted"), [("pause the music", True), ("Thank you.", False)])
def test_after_a_time_out_whisper_hears_what_followed_the_wake_word(
        silence: Path, heard: str, acted: bool) -> None:
    # Over loud music the VAD may never see the request start (vad.hear_timeouts).
    stt = ScriptedStt(heard, rescore=False)
    events, _, dialogue, _ = run_loop(silence, wake=ScriptedWake({0.8}), stt=stt,
                                      capture=ScriptedCapture(timed_out=True),
                                      hear_timeouts=True)
    assert stt.calls == 1 and len(stt.heard[0][0]) == 5 * 1280
    if acted:
        assert types(events) == ["wake", "speech_end", "transcript", "intent", "reply"]
        assert dialogue.requests[0].intent == "pause"
    else:  # what it heard means nothing: the same apology as without the setting
        assert types(events) == ["wake", "speech_end", "transcript", "reply"]
        assert "didn't hear" in events[-1][0].text  # type: ignore[attr-defined]
        assert not dialogue.requests


def test_a_recording_that_ends_during_a_request_is_followed_by_silence(silence: Path) -> None:
    capture = ScriptedCapture(frames=40)  # 3.2 s: the 6 s file ends 1.1 s after the wake
    events, *_ = run_loop(silence, wake=ScriptedWake({4.8}), capture=capture)
    assert types(events) == ["wake", "speech_end", "transcript", "intent", "reply"]
    times = [f.t_s for f in capture.heard]
    assert times[-1] > 6.0 and np.allclose(np.diff(times), FRAME_S)
    assert not np.any(capture.heard[-1].samples)


def test_after_a_rescan_the_next_request_gets_the_new_prompt_and_phrases(
        silence: Path) -> None:
    stt = ScriptedStt("Paws.")
    events, *_ = run_loop(silence, wake=ScriptedWake({0.8}), stt=stt,
                          commands=lambda text: ("stale",),
                          library=("Marlowe Quay", lambda text: ("pause",)))
    assert stt.prompts == ["Marlowe Quay"] and stt.offered == ("pause",)
    assert next(e for e, _ in events if e.TYPE == "intent").to_dict()["intent"] == "pause"


def test_a_request_cut_off_by_the_end_of_a_file_is_not_carried_into_the_next(
        silence: Path, tmp_path: Path) -> None:
    following = tmp_path / "next.wav"
    sf.write(following, np.zeros(RATE_HZ * 2, np.int16), RATE_HZ, subtype="PCM_16")
    capture, wake = ScriptedCapture(frames=40), ScriptedWake({4.8})
    events, *_ = run_loop([silence, following], wake=wake, capture=capture)
    assert types(events) == ["wake", "speech_end", "transcript", "intent", "reply"]
    assert all(name == "in.wav" for _, name in events)  # answered before the next file
    times = [f.t_s for f in capture.heard]
    assert np.allclose(np.diff(times), FRAME_S)  # the silence added continues the first
    later = [t for t in wake.seen if t > times[-1]]
    assert later and np.all(np.diff(wake.seen) > 0)  # the next file comes after it


@pytest.mark.parametrize(("heard", "offered"), [("Paws.", True), ("pause the music", False)])
def test_the_loop_offers_command_phrases_only_for_what_the_parser_did_not_understand(
        silence: Path, heard: str, offered: bool) -> None:
    stt = ScriptedStt(heard)
    events, *_ = run_loop(silence, wake=ScriptedWake({0.8}), stt=stt,
                          commands=phrases_for(load().stt))  # the shipped floor
    assert stt.calls == 1
    assert ("pause" in stt.offered) is offered and bool(stt.offered) is offered
    transcript = next(e for e, _ in events if e.TYPE == "transcript")
    # A rescored transcript is acted on, and the event keeps what Whisper really heard.
    assert transcript.to_dict()["heard"] == (heard if offered else "")
    assert next(e for e, _ in events if e.TYPE == "intent").to_dict()["intent"] == "pause"


def test_without_command_phrases_the_loop_rescores_nothing(silence: Path) -> None:
    stt = ScriptedStt("Paws.")
    events, *_ = run_loop(silence, wake=ScriptedWake({0.8}), stt=stt)
    assert stt.offered == ()
    assert next(e for e, _ in events if e.TYPE == "intent").to_dict()["intent"] == "unknown"


def test_a_failing_request_is_an_apology_and_the_loop_goes_on(silence: Path) -> None:
    stt = ScriptedStt(fail=True)
    events, *_ = run_loop(silence, wake=ScriptedWake({0.8, 3.2}), stt=stt)
    assert types(events).count("error") == 2
    replies = [e.text for e, _ in events if e.TYPE == "reply"]  # type: ignore[attr-defined]
    assert replies == ["Sorry, something went wrong with that request."] * 2
    assert stt.calls == 2


def test_wake_word_is_muted_while_encore_speaks(silence: Path) -> None:
    wake = ScriptedWake({0.8})
    events, *_ = run_loop(silence, wake=wake)
    reply_t = next(e.t_s for e, _ in events if e.TYPE == "reply")
    # The 0.5 s reply plays from reply_t; no frame in that span reached the detector.
    spoken = [t for t in wake.seen if reply_t < t < reply_t + 0.5 - FRAME_S]
    assert spoken == []
    assert wake.resets > 0


def test_player_events_are_logged_and_reach_the_dialogue(silence: Path) -> None:
    started = PlaybackStarted(t_s=0.0, track_id=7, title="T", artist="A")
    skipped = Feedback(t_s=0.0, kind="skip", track_id=7, position_s=3.0)
    events, _, dialogue, _ = run_loop(silence, wake=ScriptedWake(set()),
                                      inbox_events=[started, skipped])
    assert [e for e, _ in events] == [started, skipped]
    assert dialogue.player_events == [started, skipped]


def test_offline_output_follows_the_input_clock(silence: Path) -> None:
    _, _, _, sink = run_loop(silence, wake=ScriptedWake(set()))
    assert sink.samples == pytest.approx(6 * 22050, abs=2)


def test_next_input_waits_until_the_reply_has_been_spoken(tmp_path: Path) -> None:
    paths = []
    for name in ("a.wav", "b.wav"):
        paths.append(tmp_path / name)
        sf.write(paths[-1], np.zeros(RATE_HZ * 2, np.int16), RATE_HZ, subtype="PCM_16")
    wake = ScriptedWake({0.8})
    events, *_ = run_loop(paths, wake=wake, reply_s=3.0)
    reply = next(e for e, _ in events if e.TYPE == "reply")
    first_b = min(t for t in wake.seen if t >= 2.0)
    # The 3 s reply starts at the end of the request and overruns a.wav; b.wav is heard
    # only after it, so its wake word is not muted.
    assert first_b >= reply.t_s + 3.0 - FRAME_S
    assert all(name == "a.wav" for _, name in events)


def test_a_candidate_whisper_does_not_confirm_is_dropped_without_a_sound(silence: Path) -> None:
    wake, stt, capture = ScriptedWake({0.8, 3.2}), ScriptedStt(), ScriptedCapture()
    verifier = ScriptedVerifier([False, True])
    events, player, dialogue, _ = run_loop(silence, wake=wake, stt=stt, capture=capture,
                                           verifier=verifier)
    assert types(events) == ["wake_rejected", "wake", "speech_end", "transcript", "intent",
                             "reply"]
    rejected, woke = events[0][0], events[1][0]
    assert rejected.t_s == pytest.approx(0.8) and rejected.margin == -4.0  # type: ignore[attr-defined]
    assert woke.t_s == pytest.approx(3.2)
    assert wake.rejected == [0.8] and capture.cancelled == 1
    # One duck and one earcon-free reply: the rejected candidate made no sound at all.
    assert player.ducked == [True, False] and stt.calls == 1 and len(dialogue.requests) == 1
    # The check hears the audio up to the candidate: 0.88 s at first, then the full window.
    frame = round(FRAME_S * RATE_HZ)
    assert verifier.windows == [11 * frame, 25 * frame]


def _silence(tmp_path: Path, seconds: float) -> Path:
    path = tmp_path / "in.wav"
    sf.write(path, np.zeros(int(RATE_HZ * seconds), np.int16), RATE_HZ, subtype="PCM_16")
    return path


EARCON = np.full(100, 0.1, np.float32)


def test_on_the_speaker_a_louder_frame_heard_during_a_rejected_check_is_checked_next(
        tmp_path: Path) -> None:
    # The source is paced like a microphone; the check runs on the worker thread. The
    # first check answers no only after the loop has heard the louder frame at 0.96 s.
    wake = ScriptedWake({0.8}, louder_s=frozenset({0.96}))
    verifier = ScriptedVerifier([False, True], wait_for=[wake.heard[0.96], None])
    events, player, dialogue, _ = run_loop(_silence(tmp_path, 2.4), wake=wake,
                                           capture=ScriptedCapture(frames=8),
                                           verifier=verifier, realtime=True, earcon=EARCON)
    assert verifier.waited == [True]
    assert types(events)[:3] == ["wake_rejected", "wake", "speech_end"]
    assert [round(e.t_s, 2) for e, _ in events[:2]] == [0.8, 0.96]
    frame = round(FRAME_S * RATE_HZ)
    assert verifier.windows == [11 * frame, 13 * frame]  # each ends with its own frame
    assert wake.rejected == [0.8] and len(dialogue.requests) == 1
    assert player.said[0] == len(EARCON)  # the request was still going on: earcon


def test_a_request_that_ended_during_the_check_is_answered_without_an_earcon(
        tmp_path: Path) -> None:
    capture = ScriptedCapture(frames=3)
    verifier = ScriptedVerifier([True], wait_for=[capture.ended])
    events, player, dialogue, _ = run_loop(_silence(tmp_path, 1.6), wake=ScriptedWake({0.4}),
                                           capture=capture, verifier=verifier,
                                           realtime=True, earcon=EARCON)
    assert verifier.waited == [True]
    assert types(events)[:2] == ["wake", "speech_end"] and len(dialogue.requests) == 1
    assert len(EARCON) not in player.said and player.ducked[0] is True


def test_a_failing_check_is_reported_and_the_wake_word_answered(silence: Path) -> None:
    verifier = ScriptedVerifier([RuntimeError("whisper exploded")])
    events, *_ = run_loop(silence, wake=ScriptedWake({0.8}), verifier=verifier)
    assert types(events)[:2] == ["error", "wake"]
    assert "wake check failed: whisper exploded" in events[0][0].message  # type: ignore[attr-defined]
    assert "reply" in types(events)
