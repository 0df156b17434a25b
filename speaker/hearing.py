"""What Whisper hears of a request: the wake word's own audio, then the request.

The wake word fires anywhere from inside "Jarvis" to a word into the request, so
the captured request may open with the tail of the wake word ("...vis, play") or
lose its first word. Whisper therefore gets the audio before the detection
(``stt.wake_lead_s`` of it) joined to the captured request, with its transcript
forced to open with the wake phrase ("Hey Jarvis"), and only what follows the
phrase is kept: whatever part of the wake word the capture caught is accounted
for, and a request that began before the detection is heard whole.

If the parser cannot understand that transcript, the request alone is transcribed
(as Encore did before) and kept if the parser understands it. If it still cannot,
the request is heard again (:class:`Rehearing`): by the same model without its
prompt (``stt.retry_unprompted``). The prompt's short commands and library names can
pull a garbled request towards an artist: "What's on the Delta King border?" without
it is "Put on the delta gym portal.". Then by an optional second model
(``stt.second_model``). Rehearings rescore against similar commands but do not run the
grammar search again (:mod:`speaker.grammar`): on the development corpora it found
nothing there that the first hearing's searches had not, and each search costs time.

When Whisper, hearing the wake word, hears nothing after it, nothing more is tried:
neither the request alone nor the rehearings. The request alone is then mostly the tail
of "Jarvis" ("This,", "I love this."), and a person who said only the wake word would
find the speaker acting on it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from speaker.audio import RATE_HZ
from speaker.commands import Commands
from speaker.intents import parse
from speaker.vad import CaptureResult

if TYPE_CHECKING:
    from speaker.stt import CommandPhrases, TranscriptResult

__all__ = ["Lead", "Rehearing", "TranscriberLike", "hear", "hear_pass", "join"]

logger = logging.getLogger(__name__)


class TranscriberLike(Protocol):
    def transcribe(self, audio: np.ndarray, prompt: str = "",
                   commands: CommandPhrases | None = None,
                   lead: str = "") -> TranscriptResult: ...


@dataclass(frozen=True)
class Lead:
    """The audio that ended with the wake-word detection, and the phrase it holds."""

    audio: np.ndarray
    """float32 mono at 16 kHz."""
    end_t_s: float
    """Audio time of the end of ``audio`` (the detection), in seconds."""
    phrase: str
    """The wake phrase as Whisper writes it ("Hey Jarvis"); "" when unknown."""


@dataclass(frozen=True)
class Rehearing:
    """One more hearing of a request the transcripts so far leave unread: by the same
    model without its prompt (``stt.retry_unprompted``) or by another model
    (``stt.second_model``), and how sure it must be to be acted on."""

    stt: TranscriberLike
    min_logprob: float
    """Lowest mean log-probability per token (nats) of its transcript that is acted on."""
    prompted: bool = True
    """Whether Whisper gets the prompt (commands and library names; False: none at all)."""


def join(lead: Lead, request: CaptureResult) -> np.ndarray:
    """The lead followed by the request, without the stretch both hold twice (the
    capture's pre-roll can reach back before the detection)."""
    overlap = round((lead.end_t_s - request.start_t_s) * RATE_HZ)
    head = lead.audio[: max(0, len(lead.audio) - overlap)] if overlap > 0 else lead.audio
    return np.concatenate([head.astype(np.float32), request.audio.astype(np.float32)])


def _understood(text: str, near_misses: bool = True) -> bool:
    return bool(text.strip()) and parse(text, near_misses).understood


def hear(stt: TranscriberLike, request: CaptureResult, lead: Lead | None, prompt: str,
         commands: CommandPhrases | None,
         rehearings: Sequence[Rehearing] = ()) -> TranscriptResult:
    """Transcribe ``request`` as described above; the result's ``seconds`` covers
    every transcription made. While the parser understands none of it (and the first
    hearing was not empty: nothing was said), each of
    ``rehearings`` in turn hears it the same way, and its transcript is kept if the
    parser's rules understand it (not the fuzzy match of control phrasings: a near miss
    of a second guess is too far from what was said; "Make it lighter" is not "make it
    louder") and the model was sure enough of it."""
    chosen = hear_pass(stt, request, lead, prompt, commands)
    seconds = float(chosen.seconds)
    for again in rehearings:
        if _understood(chosen.text) or not chosen.text.strip():
            break  # understood, or nothing was said after the wake word
        if not again.prompted and not prompt:
            continue  # it would hear exactly what the first pass heard
        similar = (dataclasses.replace(commands, vocabulary=None)
                   if isinstance(commands, Commands) else commands)
        other = hear_pass(again.stt, request, lead, prompt if again.prompted else "", similar,
                          near_misses=False)
        seconds += float(other.seconds)
        logger.debug("heard again (prompted=%s): %r (%.2f nats/token); before: %r",
                     again.prompted, other.text, other.avg_logprob, chosen.text)
        if other.avg_logprob >= again.min_logprob and _understood(other.text, False):
            chosen = other
    return dataclasses.replace(chosen, seconds=seconds)


def hear_pass(stt: TranscriberLike, request: CaptureResult, lead: Lead | None, prompt: str,
              commands: CommandPhrases | None, near_misses: bool = True) -> TranscriptResult:
    """One hearing: with the wake word's lead, then (if the parser, or without
    ``near_misses`` its rules, cannot read that, and it is not empty) the request alone."""
    if lead is None or not lead.phrase or not len(lead.audio):
        return stt.transcribe(request.audio, prompt=prompt, commands=commands)
    whole = stt.transcribe(join(lead, request), prompt=prompt, commands=commands,
                           lead=lead.phrase)
    if _understood(whole.text, near_misses) or not whole.text.strip():
        return whole
    alone = stt.transcribe(request.audio, prompt=prompt, commands=commands)
    seconds = float(whole.seconds) + float(alone.seconds)
    logger.debug("with the wake word: %r; request alone: %r", whole.text, alone.text)
    chosen = alone if _understood(alone.text, near_misses) else whole
    return dataclasses.replace(chosen, seconds=seconds)
