"""The voice loop: frames in -> wake word -> capture -> Whisper -> intent -> reply + music out.

The same ``VoiceLoop`` runs ``encore run`` (microphone, speaker, a background
worker and output thread) and ``encore simulate`` (files in and out, an inline
worker, output rendered frame by frame on the input's virtual clock).
"""

from __future__ import annotations

import enum
import functools
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame, Sink, Source
from speaker.events import (
    Error,
    Event,
    IntentRecognized,
    ListeningAgain,
    Reply,
    SpeechEnded,
    Transcript,
    WakeDetected,
    WakeRejected,
)
from speaker.hearing import Lead, Rehearing, TranscriberLike, hear
from speaker.intents import ParsedRequest, parse
from speaker.vad import CaptureResult, RequestCapture
from speaker.wake_gate import WakeGate
from speaker.wake_verify import WakeVerifier
from speaker.wakeword import Detection, WakeWordDetector
from speaker.workers import InlineWorker, ThreadWorker

if TYPE_CHECKING:
    from speaker.stt import CommandPhrases

logger = logging.getLogger(__name__)

FRAME_S = FRAME_SAMPLES / RATE_HZ
_ASKED_GAP_S = 0.16
"""Silence after Encore's own voice before a follow-up listens, in seconds: the room
(and the output buffer) still carry the end of the reply for a moment."""
_FINISH_MAX_S = 45.0
"""Longest silence added after a recording that ends mid-request (offline), in seconds:
more than the longest time-out plus the longest request the settings allow."""
EmitFn = Callable[[Event, str], None]
"""Receives each event and the name of the input it belongs to."""


class SynthesizerLike(Protocol):
    rate_hz: int

    def synthesize(self, text: str) -> np.ndarray: ...


class State(enum.Enum):
    LISTENING = "listening"
    VERIFYING = "verifying"
    """A candidate wake word is being checked; the request is captured meanwhile."""
    CAPTURING = "capturing"
    BUSY = "busy"
    ASKED = "asked"
    """The reply asked to hear the request again; listening starts once it is spoken."""


class AudioClock:
    """Seconds of input audio since the loop started; the loop advances it per frame."""

    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


@dataclass(frozen=True)
class TurnTiming:
    """Wall-clock costs of one request, in seconds."""

    stt_seconds: float
    reply_latency_seconds: float


class VoiceLoop:
    """Owns the per-frame state machine; blocking work goes to the worker."""

    def __init__(self, *, source: Source, sink: Sink, wake: WakeWordDetector,
                 capture: RequestCapture, transcriber: TranscriberLike,
                 synthesizer: SynthesizerLike, player: Any, dialogue: Any, emit: EmitFn,
                 clock: AudioClock, inbox: queue.SimpleQueue[Event],
                 earcon: np.ndarray | None = None, earcon_rate_hz: int = RATE_HZ,
                 prompt: str = "", realtime: bool = False,
                 verifier: WakeVerifier | None = None, wake_phrase: str = "",
                 lead_s: float = 0.0,
                 commands: CommandPhrases | None = None,
                 rehearings: Sequence[Rehearing] = (), hear_timeouts: bool = False,
                 follow_up_s: float = 0.0, follow_up_min_logprob: float = -1.1) -> None:
        self._source = source
        self._sink = sink
        self._wake = wake
        self._capture = capture
        self._stt = transcriber
        self._rehearings = tuple(rehearings)
        """Further hearings of requests the first transcript leaves unread."""
        self._hear_timeouts = hear_timeouts
        """Whether Whisper hears what followed a wake word when no speech started
        (``vad.hear_timeouts``); only a request the parser understands is acted on."""
        self._follow_up_s = follow_up_s
        """How long a follow-up listens after "Sorry, I didn't catch that" (0: never)."""
        self._follow_up_min_logprob = follow_up_min_logprob
        """How sure Whisper must be of a follow-up, mean nats per token: it is a second
        guess, like a rehearing (``dialogue.follow_up_min_logprob``)."""
        self._asked = False
        """The last reply asked to hear the request again (set on the worker)."""
        self._following_up = False
        """The request being captured answers that question: no wake word came first."""
        self._quiet_s = 0.0
        self._tts = synthesizer
        self._player = player
        self._dialogue = dialogue
        self._emit_fn = emit
        self._earcon = earcon
        self._earcon_rate_hz = earcon_rate_hz
        self._prompt = prompt
        self._commands = commands
        """Command phrases to rescore a transcript the parser cannot read against (None:
        no rescoring; ``speaker.commands.phrases_for`` gives the configured ones)."""
        self._realtime = realtime
        self._state = State.LISTENING
        self._captured: CaptureResult | None = None
        """A request that ended while its wake word was still being checked."""
        self._clock = clock
        self._input = ""
        self._player_events = inbox
        self._worker: InlineWorker | ThreadWorker = ThreadWorker() if realtime else InlineWorker()
        self._gate = WakeGate(wake, verifier, self._worker.submit,
                              verifier.settings.verify_window_s if verifier else FRAME_S,
                              keep_s=lead_s)
        self._wake_phrase = wake_phrase
        self._lead_samples = round(lead_s * RATE_HZ)
        self._lead: Lead | None = None
        """The audio before the current request's wake word (see :mod:`speaker.hearing`)."""
        self._stop = threading.Event()
        self._out_samples = round(FRAME_S * sink.rate_hz)
        self._out_carry = 0.0
        self._offset_s = 0.0
        """Seconds inserted between inputs while waiting for replies (offline only)."""
        self._max_wait_s = 30.0
        self._next_t_s = 0.0
        """Input time just after the last frame stepped, in seconds (before any offset)."""
        self.turns: list[TurnTiming] = []

    # --- events ------------------------------------------------------------------------

    @property
    def player(self) -> Any:
        return self._player

    @property
    def dialogue(self) -> Any:
        return self._dialogue

    def use_library(self, prompt: str, commands: CommandPhrases | None) -> None:
        """Whisper's prompt and the phrases unclear requests are checked against, after
        the library changed (``speaker.runtime.library_hints``); the next request uses
        them. Safe from another thread: each is replaced whole."""
        self._prompt, self._commands = prompt, commands

    def _emit(self, event: Event) -> None:
        self._emit_fn(event, self._input)

    def _drain_player_events(self) -> None:
        while True:
            try:
                event = self._player_events.get_nowait()
            except queue.Empty:
                return
            self._emit(event)
            self._worker.submit(functools.partial(self._dialogue.on_player_event, event))

    # --- main loop -------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    def run(self, tail_s: float = 15.0) -> None:
        """Consume the source until it ends (or ``stop()``), then let replies finish."""
        output = None
        if self._realtime:
            output = threading.Thread(target=self._output_thread, name="encore-output",
                                      daemon=True)
            output.start()
        try:
            for frame in self._source.frames():
                if self._stop.is_set():
                    break
                self._step(frame)
            if not self._realtime and not self._stop.is_set():
                self._finish_request()
                self._let_speech_finish(tail_s)
        finally:
            self._stop.set()
            if output is not None:
                output.join(2.0)
            self._worker.close()

    def _finish_request(self) -> None:
        """Offline only: a recording that ends while a request is being captured is
        followed by silence until the capture ends (the time-out or the trailing
        silence), as a room would go on after it; the request is not dropped, nor
        carried into the next input. Later inputs are shifted by the time added."""
        t_s, waited = self._next_t_s, 0.0
        while ((self._state in (State.VERIFYING, State.CAPTURING, State.ASKED)
                or (self._state is State.BUSY and self._asked))
               and waited < _FINISH_MAX_S):
            self._step(Frame(np.zeros(FRAME_SAMPLES, np.int16), t_s, self._input))
            t_s += FRAME_S
            waited += FRAME_S
        self._offset_s += waited

    def _step(self, frame: Frame) -> None:
        if not self._realtime and self._input and frame.input != self._input:
            # A person waits for the speaker to finish before the next request.
            self._finish_request()
            self._let_speech_finish(self._max_wait_s)
        self._next_t_s = frame.t_s + len(frame.samples) / RATE_HZ
        if self._offset_s:
            frame = Frame(frame.samples, frame.t_s + self._offset_s, frame.input)
        self._clock.now_s = frame.t_s + FRAME_S
        self._input = frame.input
        self._drain_player_events()
        if self._state is State.LISTENING:
            self._listen(frame)
        elif self._state is State.VERIFYING:
            self._gate.follow(frame)
            self._captured = self._capture.feed(frame) or self._captured
            self._settle_check()
        elif self._state is State.CAPTURING:
            result = self._capture.feed(frame)
            if result is not None:
                self._state = State.BUSY
                lead, again = self._lead, self._following_up
                self._following_up = False
                self._worker.submit(lambda: self._answer(result, lead, follow_up=again))
        elif self._state is State.BUSY and self._worker.idle:
            self._state = State.ASKED if self._asked else State.LISTENING
            self._asked, self._quiet_s = False, 0.0
        elif self._state is State.ASKED:
            self._listen_again(frame)
        if not self._realtime:
            self._render_offline(FRAME_S)

    def _listen_again(self, frame: Frame) -> None:
        """Once the reply that asked for it has been spoken, capture the request again,
        without the wake word (the music stays ducked meanwhile)."""
        self._quiet_s = 0.0 if self._player.speaking else self._quiet_s + FRAME_S
        if self._quiet_s < _ASKED_GAP_S - 1e-9:
            return
        self._capture.start(frame.t_s + FRAME_S, timeout_s=self._follow_up_s, preroll=False)
        self._lead, self._following_up = None, True
        self._emit(ListeningAgain(t_s=frame.t_s + FRAME_S, timeout_s=self._follow_up_s))
        self._state = State.CAPTURING

    def _listen(self, frame: Frame) -> None:
        # Before a detection the capture only keeps its pre-roll: the wake word fires a
        # few frames late, often after the request has begun.
        self._capture.feed(frame)
        if self._player.speaking:
            # Encore's own voice must never wake it; forget what it heard meanwhile.
            self._wake.reset()
            self._gate.ring.clear()
            return
        detection = self._gate.listen(frame)
        if detection is None:
            return
        self._capture.start(frame.t_s + FRAME_S)
        self._lead = None
        if self._lead_samples and self._wake_phrase:
            self._lead = Lead(self._gate.ring.audio()[-self._lead_samples:],
                              frame.t_s + len(frame.samples) / RATE_HZ, self._wake_phrase)
        if not self._gate.enabled:
            self._wake_up(detection)
            return
        self._captured = None
        self._state = State.VERIFYING
        self._gate.check(detection)
        self._settle_check()

    def _wake_up(self, detection: Detection, earcon: bool = True) -> None:
        self._emit(WakeDetected(t_s=detection.t_s, model=detection.model, score=detection.score))
        self._player.duck(True)
        if earcon and self._earcon is not None:
            self._player.say(self._earcon, self._earcon_rate_hz)
        self._gate.ring.clear()
        self._state = State.CAPTURING

    def _settle_check(self) -> None:
        """Act on the wake check's outcome once it is in (at once when offline)."""
        outcome = self._gate.settle()
        if outcome is None:
            return
        detection, verdict = outcome.detection, outcome.verdict
        if outcome.error:
            self._emit(Error(t_s=self._clock.now_s, message=f"wake check failed: "
                             f"{outcome.error}"))
        if not verdict.accepted:
            self._emit(WakeRejected(t_s=detection.t_s, model=detection.model,
                                    score=detection.score, margin=round(verdict.margin, 3),
                                    head_score=round(detection.head_score, 3),
                                    mel_score=round(detection.mel_score, 3)))
            if not self._gate.checking:  # no louder frame came during the check
                self._capture.cancel()
                self._state = State.LISTENING
            return
        # A request that already ended gets no earcon: the reply follows at once.
        self._wake_up(detection, earcon=self._captured is None)
        if self._captured is not None:
            result, self._captured = self._captured, None
            self._state = State.BUSY
            lead = self._lead
            self._worker.submit(lambda: self._answer(result, lead))

    # --- one request, on the worker ----------------------------------------------------

    def _answer(self, result: CaptureResult, lead: Lead | None = None,
                follow_up: bool = False) -> None:
        if follow_up and result.timed_out:  # nobody said it again: nothing to answer
            logger.debug("no follow-up request within %.1f s", self._follow_up_s)
            self._player.duck(False)
            return
        started = time.perf_counter()
        self._emit(SpeechEnded(t_s=result.end_t_s, speech_s=result.speech_s,
                               timed_out=result.timed_out))
        stt_seconds = 0.0
        try:
            if result.timed_out and not (self._hear_timeouts and len(result.audio)):
                reply = "Sorry, I didn't hear a request."
            else:
                transcript = hear(self._stt, result, lead, self._prompt, self._commands,
                                  self._rehearings)
                stt_seconds = float(transcript.seconds)
                text = str(transcript.text).strip()
                if result.timed_out:
                    logger.debug("heard after the time-out: %r (free %r, %.2f nats/token, "
                                 "no speech %.2f)", text, transcript.heard,
                                 transcript.avg_logprob, transcript.no_speech_prob)
                logprob = float(transcript.avg_logprob)
                self._emit(Transcript(t_s=self._clock.now_s, text=text, stt_seconds=stt_seconds,
                                      heard=str(transcript.heard),
                                      logprob=round(logprob, 3) if math.isfinite(logprob)
                                      else None))
                reply = self._reply_to(text, result.timed_out, follow_up, logprob)
        except Exception as exc:  # any failure becomes a spoken apology
            logger.exception("request failed")
            self._emit(Error(t_s=self._clock.now_s, message=str(exc) or type(exc).__name__))
            reply = "Sorry, something went wrong with that request."
        self._speak(reply, started, stt_seconds)
        self._drain_player_events()
        if not self._asked:
            self._player.duck(False)

    def _reply_to(self, text: str, timed_out: bool, follow_up: bool, logprob: float) -> str:
        """Act on what was heard and say what was done. A request not understood is
        asked for again, once (``dialogue.follow_up_s``); what answers that question had
        no wake word before it, so only the parser's rules may read it, not its fuzzy
        match of control phrasings, and only if Whisper's mean log-probability per token
        (``logprob``) reaches ``dialogue.follow_up_min_logprob``."""
        request = parse(text, near_misses=not follow_up) if text else None
        if follow_up and request is not None and logprob < self._follow_up_min_logprob:
            logger.debug("follow-up %r not acted on: Whisper was not sure of it", text)
            request = ParsedRequest("unknown", {}, text)
        if timed_out and (request is None or not request.understood):
            # the VAD heard no speech start: "Thank you." is Whisper's over music
            return "Sorry, I didn't hear a request."
        if request is not None:
            self._emit(IntentRecognized(t_s=self._clock.now_s, intent=request.intent,
                                        slots=dict(request.slots)))
        if (request is None or request.intent == "unknown") and not follow_up \
                and self._follow_up_s and not (request and request.slots.get("topic")):
            self._asked = True
            if request is not None and request.slots.get("greeting"):  # "hello": ask back
                return "Hello. What would you like to hear?"
            return "Sorry, I didn't catch that. Say it again?"
        if request is None:
            return f"Sorry, I {'still ' if follow_up else ''}didn't catch that."
        return self._dialogue.handle(request)

    def _speak(self, reply: str, started: float, stt_seconds: float) -> None:
        try:
            audio = self._tts.synthesize(reply)
        except Exception as exc:
            logger.exception("could not speak the reply")
            self._emit(Error(t_s=self._clock.now_s, message=f"speech output failed: {exc}"))
            audio = None
        latency = time.perf_counter() - started
        self.turns.append(TurnTiming(stt_seconds, latency))
        self._emit(Reply(t_s=self._clock.now_s, text=reply, latency_seconds=round(latency, 4)))
        if audio is not None and len(audio):
            self._player.say(audio, self._tts.rate_hz)

    # --- output ------------------------------------------------------------------------

    def _render_offline(self, seconds: float) -> None:
        exact = seconds * self._sink.rate_hz + self._out_carry
        n = int(exact)
        self._out_carry = exact - n
        self._sink.write(self._player.render(n))

    def _let_speech_finish(self, max_s: float) -> None:
        """Offline only: advance the clock, rendering output, until Encore stops speaking."""
        waited = 0.0
        while waited < max_s and (self._player.speaking or not self._worker.idle):
            self._clock.now_s += FRAME_S
            self._offset_s += FRAME_S
            waited += FRAME_S
            self._drain_player_events()
            self._render_offline(FRAME_S)
        self._drain_player_events()

    def _output_thread(self) -> None:
        block = max(1, self._out_samples // 2)
        while not self._stop.is_set():
            self._sink.write(self._player.render(block))
