"""What Whisper hears of a request: the wake word's audio joined to it, and the fallback."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from speaker.audio import RATE_HZ, load_audio
from speaker.commands import Commands, command_prompt, phrases_for
from speaker.config import SttSettings
from speaker.grammar import Vocabulary
from speaker.hearing import Lead, Rehearing, hear, join
from speaker.intents import parse
from speaker.stt import Transcriber, TranscriptResult
from speaker.vad import CaptureResult

CORPUS = Path(__file__).resolve().parents[1] / "audio_assets" / "requests"


def _request(start_t_s: float, seconds: float, value: float = 0.5) -> CaptureResult:
    audio = np.full(round(seconds * RATE_HZ), value, np.float32)
    return CaptureResult(audio=audio, speech_s=seconds, timed_out=False, truncated=False,
                         end_t_s=start_t_s + seconds, trailing_silence_s=0.6,
                         start_t_s=start_t_s)


def _lead(end_t_s: float = 2.0, seconds: float = 1.0) -> Lead:
    audio = np.linspace(-0.5, 0.4, round(seconds * RATE_HZ), dtype=np.float32)
    return Lead(audio, end_t_s, "Hey Jarvis")


def test_the_pre_roll_both_hold_is_heard_once() -> None:
    lead = _lead(end_t_s=2.0)
    joined = join(lead, _request(start_t_s=1.7, seconds=1.0))
    assert len(joined) == round(1.7 * RATE_HZ)  # 0.7 s of the lead, then the request
    np.testing.assert_array_equal(joined[: round(0.7 * RATE_HZ)],
                                  lead.audio[: round(0.7 * RATE_HZ)])
    assert np.all(joined[round(0.7 * RATE_HZ):] == 0.5)


def test_a_pause_after_the_wake_word_is_spliced_out() -> None:
    lead = _lead(end_t_s=2.0)
    joined = join(lead, _request(start_t_s=3.2, seconds=1.0))
    assert len(joined) == 2 * RATE_HZ
    np.testing.assert_array_equal(joined[:RATE_HZ], lead.audio)


def test_a_request_reaching_back_past_the_lead_is_heard_alone() -> None:
    joined = join(_lead(end_t_s=2.0, seconds=0.5), _request(start_t_s=1.0, seconds=1.5))
    assert len(joined) == round(1.5 * RATE_HZ) and np.all(joined == 0.5)


class FakeStt:
    """Answers with ``with_lead`` when forced to open with the wake phrase, else ``alone``."""

    def __init__(self, with_lead: str, alone: str, logprob: float = -0.2) -> None:
        self.answers = {True: with_lead, False: alone}
        self.calls: list[tuple[int, str]] = []
        self.prompts: list[str] = []
        self.offered: list[Callable[[str], Sequence[str]] | None] = []
        self.logprob = logprob

    def transcribe(self, audio: np.ndarray, prompt: str = "",
                   commands: Callable[[str], Sequence[str]] | None = None,
                   lead: str = "") -> TranscriptResult:
        self.calls.append((len(audio), lead))
        self.prompts.append(prompt)
        self.offered.append(commands)
        return TranscriptResult(self.answers[bool(lead)], 0.25, len(audio) / RATE_HZ, 0.0,
                                avg_logprob=self.logprob)


def test_an_understood_transcript_with_the_wake_word_is_kept() -> None:
    stt = FakeStt("skip this", "let's get this")
    result = hear(stt, _request(2.0, 1.0), _lead(), "", None)
    assert result.text == "skip this" and result.seconds == 0.25
    assert stt.calls == [(2 * RATE_HZ, "Hey Jarvis")]


@pytest.mark.parametrize(("alone", "chosen"), [("turn it down", "turn it down"),
                                               ("mumble", "is it raining")])
def test_a_transcript_not_understood_falls_back_to_the_request_alone(
        alone: str, chosen: str) -> None:
    stt = FakeStt("is it raining", alone)
    result = hear(stt, _request(2.0, 1.0), _lead(), "", None)
    assert stt.calls == [(2 * RATE_HZ, "Hey Jarvis"), (RATE_HZ, "")]
    assert result.text == chosen
    assert result.seconds == 0.5  # both transcriptions are counted


def test_a_courtesy_is_heard_again_like_a_request_not_understood() -> None:
    # "Thank you." is what Whisper often writes for a garbled request over music: the
    # request alone and the rehearings still get their turn, and a request wins.
    stt = FakeStt("Thank you.", "Good night.")
    again = FakeStt("Pause the music.", "ignored")
    result = hear(stt, _request(2.0, 1.0), _lead(), "names", None,
                  (Rehearing(again, -0.4),))
    assert stt.calls == [(2 * RATE_HZ, "Hey Jarvis"), (RATE_HZ, "")]
    assert result.text == "Pause the music."
    # with nothing better, the courtesy stands, and is answered as one
    alone = hear(FakeStt("Thank you.", "Good night."), _request(2.0, 1.0), _lead(), "", None)
    assert alone.text == "Thank you." and parse(alone.text).courtesy


def test_nothing_heard_after_the_wake_word_is_not_heard_again_alone() -> None:
    # The request alone would be the tail of "Jarvis", which Whisper writes as words.
    stt = FakeStt("", "I love this.")
    again = FakeStt("This,", "I love this.")
    result = hear(stt, _request(2.0, 1.0), _lead(), "names", None,
                  (Rehearing(stt, -1.0, prompted=False), Rehearing(again, -0.4)))
    assert result.text == "" and stt.calls == [(2 * RATE_HZ, "Hey Jarvis")]
    assert again.calls == []  # nor by the rehearings


@pytest.mark.parametrize("lead", [None, Lead(np.zeros(RATE_HZ, np.float32), 2.0, ""),
                                  Lead(np.zeros(0, np.float32), 2.0, "Hey Jarvis")])
def test_without_a_lead_or_a_phrase_only_the_request_is_heard(lead: Lead | None) -> None:
    stt = FakeStt("play some jazz", "stop")
    assert hear(stt, _request(2.0, 1.0), lead, "", None).text == "stop"
    assert stt.calls == [(RATE_HZ, "")]


def test_a_second_model_is_asked_only_when_the_first_is_not_understood() -> None:
    first, second = FakeStt("skip this", "mumble"), FakeStt("pause", "pause")
    result = hear(first, _request(2.0, 1.0), _lead(), "", None, (Rehearing(second, -0.4),))
    assert result.text == "skip this" and second.calls == []


@pytest.mark.parametrize(("answer", "logprob", "chosen"), [
    ("turn it down", -0.3, "turn it down"),  # understood and sure: kept
    ("turn it down", -0.9, "is it raining"),  # understood but unsure: the first stands
    ("more mumbling", -0.1, "is it raining"),  # not understood either
])
def test_a_second_models_transcript_is_kept_when_understood_and_sure(
        answer: str, logprob: float, chosen: str) -> None:
    first = FakeStt("is it raining", "mumble")
    second = FakeStt(answer, "ignored", logprob)
    result = hear(first, _request(2.0, 1.0), _lead(), "", None, (Rehearing(second, -0.4),))
    assert second.calls[0] == (2 * RATE_HZ, "Hey Jarvis")  # heard the same way, lead first
    assert result.text == chosen
    assert result.seconds == 0.25 * (len(first.calls) + len(second.calls))


def test_an_unprompted_rehearing_drops_the_library_prompt_and_comes_first() -> None:
    first, second = FakeStt("Lady Alber, Midnight", "mumble"), FakeStt("pause", "pause")
    unprompted = Rehearing(first, -1.0, prompted=False)
    result = hear(first, _request(2.0, 1.0), _lead(), "Kingston Sunrise", None,
                  (unprompted, Rehearing(second, -0.4)))
    # Neither hearing of the first model is understood, so the second model is asked too.
    assert first.prompts == ["Kingston Sunrise", "Kingston Sunrise", "", ""]
    assert second.prompts == ["Kingston Sunrise"] and result.text == "pause"
    assert result.seconds == 0.25 * 5


def test_only_the_first_hearing_searches_the_grammar() -> None:
    first, second = FakeStt("Lady Alber, Midnight", "mumble"), FakeStt("mumble", "mumble")
    commands = Commands(phrases_for(SttSettings()), Vocabulary(("Kingston Sunrise",), ()))
    hear(first, _request(2.0, 1.0), _lead(), "Kingston Sunrise", commands,
         (Rehearing(first, -1.0, prompted=False), Rehearing(second, -0.4)))
    assert first.offered[:2] == [commands, commands]  # with the wake word, then alone
    for again in (*first.offered[2:], *second.offered):
        assert isinstance(again, Commands) and again.vocabulary is None
        assert again.similar is commands.similar  # similar commands are still rescored


def test_a_rehearing_that_is_understood_ends_the_search() -> None:
    first = FakeStt("What's on the Delta King border?", "mumble")
    unprompted = FakeStt("Put on the delta gym portal.", "mumble", logprob=-0.8)
    second = FakeStt("pause", "pause")
    result = hear(first, _request(2.0, 1.0), _lead(), "names", None,
                  (Rehearing(unprompted, -1.0, prompted=False), Rehearing(second, -0.4)))
    assert result.text == "Put on the delta gym portal." and second.calls == []
    assert unprompted.prompts == [""]


def test_without_a_prompt_the_unprompted_rehearing_is_skipped() -> None:
    first, second = FakeStt("mumble", "mumble"), FakeStt("pause", "pause")
    result = hear(first, _request(2.0, 1.0), _lead(), "", None,
                  (Rehearing(first, -1.0, prompted=False), Rehearing(second, -0.4)))
    assert len(first.calls) == 2 and result.text == "pause"  # not the same passes again


def test_a_rehearing_is_acted_on_only_if_the_rules_read_it() -> None:
    # "make it lighter" is a near miss of "make it louder" for the fuzzy matcher, which
    # the first transcript may use, but a rehearing is already a second guess.
    assert parse("Make it lighter.").intent == "volume_up"
    assert parse("Make it lighter.", near_misses=False).intent == "unknown"
    first = FakeStt("Make it in Wider", "mumble")
    again = FakeStt("Make it lighter.", "Make it lighter.", logprob=-0.3)
    result = hear(first, _request(2.0, 1.0), _lead(), "names", None,
                  (Rehearing(again, -1.0, prompted=False),))
    assert result.text == "Make it in Wider"
    assert again.calls == [(2 * RATE_HZ, "Hey Jarvis"), (RATE_HZ, "")]  # both ways, neither read


@pytest.fixture(scope="module")
def transcriber(whisper_models_dir: Path) -> Transcriber:
    return Transcriber(SttSettings(), whisper_models_dir)


def _clip(name: str) -> tuple[np.ndarray, dict[str, float]]:
    entry = next(json.loads(line) for line in (CORPUS / "manifest.jsonl").open()
                 if json.loads(line)["file"] == name)
    return load_audio(CORPUS / name), entry


@pytest.mark.parametrize(("name", "intent"), [
    ("pos036_next_skip-this_clean.flac", "next"),
    ("pos014_play_play-some-jazz_clean.flac", "play"),
])
def test_whisper_forced_to_open_with_the_wake_phrase_returns_only_the_request(
        transcriber: Transcriber, name: str, intent: str) -> None:
    audio, entry = _clip(name)
    # The detector can fire inside "Jarvis" and the capture then starts mid-word; heard with
    # the wake word's audio before it, the request comes out whole.
    end = round((entry["request_end_s"] + 0.6) * RATE_HZ)
    wake = round((entry["wake_start_s"] - 0.3) * RATE_HZ)
    result = transcriber.transcribe(audio[wake:end], commands=phrases_for(SttSettings()),
                                    lead="Hey Jarvis")
    assert "jarvis" not in result.text.lower()
    assert result.text[:1].isupper()  # no punctuation left over from the wake phrase
    assert parse(result.text).intent == intent, result.text


@pytest.mark.parametrize("after", ["music", "silence"])
def test_the_wake_word_followed_by_no_request_is_no_command(
        transcriber: Transcriber, after: str) -> None:
    """Forced to open with "Hey Jarvis" and prompted with the commands, Whisper must not
    invent a request where none was said."""
    audio, entry = _clip("pos036_next_skip-this_clean.flac")
    wake = audio[round((entry["wake_start_s"] - 0.3) * RATE_HZ):
                 round((entry["wake_end_s"] + 0.1) * RATE_HZ)]
    tail = (load_audio(Path(__file__).parent / "data" / "vad_music_only.flac")[:2 * RATE_HZ]
            if after == "music" else np.zeros(2 * RATE_HZ, np.float32))
    result = transcriber.transcribe(np.concatenate([wake, tail]), prompt=command_prompt(),
                                    commands=phrases_for(SttSettings()), lead="Hey Jarvis")
    assert parse(result.text).intent == "unknown", result.text
