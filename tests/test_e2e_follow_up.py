"""Asking again, on the real stack: `encore simulate` with openWakeWord, Silero VAD,
Whisper tiny.en, the parser, the dialogue and pyttsx3 replies on recorded speech.

Each input is "hey jarvis" followed by a question Encore does not understand ("what is
the capital of france"); in the first the person then says "Play some jazz." without
the wake word once Encore has asked, in the second nobody answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf

from speaker.audio import RATE_HZ, load_audio
from speaker.cli import main

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "audio_assets" / "library"
DATA = Path(__file__).resolve().parent / "data"


def _wake_word() -> np.ndarray:
    """The first demo clip up to where its request starts: silence, then "hey jarvis"."""
    row = json.loads((ROOT / "audio_assets" / "demo" / "script.jsonl").open().readline())
    audio = load_audio(ROOT / "audio_assets" / "demo" / row["file"])
    return audio[: round(row["request_start_s"] * RATE_HZ)]


def _write(path: Path, *parts: np.ndarray | float) -> Path:
    """Audio parts and seconds of silence, one after another, as a 16 kHz WAV."""
    chunks = [np.zeros(round(p * RATE_HZ), np.float32) if isinstance(p, float) else p
              for p in parts]
    sf.write(path, np.concatenate(chunks), RATE_HZ, subtype="PCM_16")
    return path


def test_a_request_asked_for_again_is_answered_without_the_wake_word(tmp_path: Path) -> None:
    question = load_audio(DATA / "question_capital.flac")
    # "Play some jazz." with no wake word: one of the corpus's negatives
    jazz = load_audio(ROOT / "audio_assets" / "requests"
                      / "neg008_speech_play-some-jazz_clean.flac")
    answered = _write(tmp_path / "answered.wav", _wake_word(), question, 5.0, jazz, 2.0)
    unanswered = _write(tmp_path / "unanswered.wav", _wake_word(), question, 9.0)
    events = tmp_path / "events.jsonl"
    code = main(["simulate", "--library", str(LIBRARY), "--user", "alex", "--events",
                 str(events), "--quiet", str(answered), str(unanswered)])
    assert code == 0
    records = [json.loads(line) for line in events.read_text().splitlines()]
    first = [r for r in records if r["input"] == "answered.wav"]
    kinds = [r["type"] for r in first if r["type"] not in ("feedback", "play")]
    assert kinds == ["wake", "speech_end", "transcript", "intent", "reply",
                     "follow_up", "speech_end", "transcript", "intent", "reply"]
    # Whisper writes the second try "Place some Jazz," or "Place some Jess,": the library
    # match makes either some Jazz
    intents = [(r["intent"], r["slots"]) for r in first if r["type"] == "intent"]
    assert [i for i, _ in intents] == ["unknown", "play"] and intents[0][1] == {}
    replies = [r["text"] for r in first if r["type"] == "reply"]
    assert replies[0] == "Sorry, I didn't catch that. Say it again?"
    assert replies[1].startswith("Playing some Jazz")
    assert [r for r in first if r["type"] == "play"]
    asked = next(r for r in first if r["type"] == "follow_up")
    assert asked["t"] > next(r for r in first if r["type"] == "reply")["t"]

    second = [r for r in records if r["input"] == "unanswered.wav"]
    assert [r["type"] for r in second if r["type"] in ("wake", "intent", "reply", "follow_up")
            ] == ["wake", "intent", "reply", "follow_up"]
