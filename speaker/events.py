"""Events the voice loop emits, logs and the harness writes as JSON lines.

Every event is a frozen dataclass with a ``TYPE`` name (the ``type`` field of its
JSON form). Times named ``t_s`` are seconds of input audio since the loop
started (a virtual clock when running on files); fields named ``*_seconds`` are
wall-clock durations.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    TYPE: ClassVar[str] = "event"

    t_s: float
    """Seconds of input audio since the start of the run."""

    def to_dict(self) -> dict[str, Any]:
        body = dataclasses.asdict(self)
        t = body.pop("t_s")
        return {"t": round(t, 3), "type": self.TYPE, **body}


@dataclass(frozen=True)
class WakeDetected(Event):
    TYPE: ClassVar[str] = "wake"
    model: str = ""
    score: float = 0.0
    """Wake-word model score, 0-1."""


@dataclass(frozen=True)
class WakeRejected(Event):
    """The wake-word model fired but Whisper did not hear the wake phrase: no action."""

    TYPE: ClassVar[str] = "wake_rejected"
    model: str = ""
    score: float = 0.0
    """Wake-word model score, 0-1."""
    margin: float = 0.0
    """Whisper's wake-phrase margin, nats per token (see ``wake.verify_margin``)."""
    head_score: float = 0.0
    """Music head score, 0-1, of the candidate's frame."""
    mel_score: float = 0.0
    """Mel network score, 0-1, of the candidate's frame."""


@dataclass(frozen=True)
class SpeechEnded(Event):
    TYPE: ClassVar[str] = "speech_end"
    speech_s: float = 0.0
    """Length of the captured request, in seconds of audio."""
    timed_out: bool = False
    """True if no speech started before ``vad.start_timeout_s``."""


@dataclass(frozen=True)
class Transcript(Event):
    TYPE: ClassVar[str] = "transcript"
    text: str = ""
    stt_seconds: float = 0.0
    """Wall-clock time Whisper took."""
    heard: str = ""
    """Whisper's free transcript when ``text`` is a command phrase chosen by rescoring."""
    logprob: float | None = None
    """How sure Whisper was of ``text``: its mean log-probability per token, in nats
    (0 is certain; ``dialogue.follow_up_min_logprob`` is compared with it); None when
    nothing was decoded."""


@dataclass(frozen=True)
class IntentRecognized(Event):
    TYPE: ClassVar[str] = "intent"
    intent: str = "unknown"
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply(Event):
    TYPE: ClassVar[str] = "reply"
    text: str = ""
    latency_seconds: float = 0.0
    """Wall-clock time from the end of speech to the start of the reply audio."""


@dataclass(frozen=True)
class PlaybackStarted(Event):
    TYPE: ClassVar[str] = "play"
    track_id: int = 0
    title: str = ""
    artist: str = ""


@dataclass(frozen=True)
class Paused(Event):
    TYPE: ClassVar[str] = "pause"


@dataclass(frozen=True)
class Resumed(Event):
    TYPE: ClassVar[str] = "resume"


@dataclass(frozen=True)
class Stopped(Event):
    TYPE: ClassVar[str] = "stop"


@dataclass(frozen=True)
class VolumeChanged(Event):
    TYPE: ClassVar[str] = "volume"
    level: int = 0
    """Music volume, percent."""


@dataclass(frozen=True)
class Feedback(Event):
    TYPE: ClassVar[str] = "feedback"
    kind: str = ""
    """One of play_start, complete, skip, like, dislike, request."""
    track_id: int = 0
    position_s: float = 0.0


@dataclass(frozen=True)
class Seeked(Event):
    TYPE: ClassVar[str] = "seek"
    track_id: int = 0
    position_s: float = 0.0
    """Where playback continues, in seconds into the track."""


@dataclass(frozen=True)
class Queued(Event):
    TYPE: ClassVar[str] = "queue"
    track_id: int = 0
    """The first of the tracks added."""
    title: str = ""
    artist: str = ""
    count: int = 1
    """How many tracks were added."""
    play_next: bool = False
    """True if they play right after the current track, False if after earlier requests."""


@dataclass(frozen=True)
class ListeningAgain(Event):
    """The reply asked to hear the request again: listening without the wake word."""

    TYPE: ClassVar[str] = "follow_up"
    timeout_s: float = 0.0
    """How long speech may take to start, in seconds of audio."""


@dataclass(frozen=True)
class Error(Event):
    TYPE: ClassVar[str] = "error"
    message: str = ""


ALL_EVENTS: tuple[type[Event], ...] = (
    WakeDetected, WakeRejected, SpeechEnded, Transcript, IntentRecognized, Reply, PlaybackStarted,
    Paused, Resumed, Stopped, VolumeChanged, Feedback, Error, Seeked, Queued, ListeningAgain,
)
