"""The real loop when the VAD never sees the request start, and when nothing follows
the wake word: real wake-word model, Silero VAD, Whisper weights, parser and dialogue.

``timeout_slow_tides_music0.flac`` is clip pos216 of ``bench/make_dev_corpus.py``'s
default development corpus: "hey jarvis, play the album Slow Tides" over music at 0 dB
SNR, where Silero never reaches its speech threshold after the wake word. The clip ends
before the 4 s time-out, so it also shows a recording that ends during a request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from speaker import config
from speaker.audio import RATE_HZ, load_audio
from speaker.config import Settings
from speaker.harness import EventLog, prepare_household, run_files
from speaker.runtime import Household, Models

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
LIBRARY = ROOT / "audio_assets" / "library"
TIMEOUT_CLIP = DATA / "timeout_slow_tides_music0.flac"


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Models, Household]]:
    settings = config.load()
    household = prepare_household(settings, LIBRARY, state_dir=tmp_path_factory.mktemp("state"),
                                  history=LIBRARY / "profiles.json")
    models = Models.load(settings)
    try:
        yield settings, models, household
    finally:
        models.close()
        household.close()


def _run(rig: tuple[Settings, Models, Household], path: Path,
         settings: Settings | None = None) -> dict[str, list[dict[str, Any]]]:
    shipped, models, household = rig
    log = EventLog()
    run_files(settings or shipped, models, household, [path], user="alex", log=log, gap_s=0.0)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for record in log.records:
        by_type.setdefault(record["type"], []).append(record)
    return by_type


def test_a_request_the_vad_misses_under_loud_music_is_still_heard(
        rig: tuple[Settings, Models, Household]) -> None:
    events = _run(rig, TIMEOUT_CLIP)
    assert events["speech_end"][0]["timed_out"], events
    assert events["intent"][0]["intent"] == "play", events["transcript"]
    assert events["intent"][0]["slots"] == {"album": "slow tides"}
    assert events["play"][0]["title"] == "Slow Tides"


def test_without_hearing_time_outs_the_same_clip_gets_an_apology(
        rig: tuple[Settings, Models, Household]) -> None:
    shipped = rig[0]
    off = dataclasses.replace(shipped, vad=dataclasses.replace(shipped.vad,
                                                               hear_timeouts=False))
    events = _run(rig, TIMEOUT_CLIP, off)
    assert events["speech_end"][0]["timed_out"] and "intent" not in events
    assert events["reply"][0]["text"] == "Sorry, I didn't hear a request."


def test_the_wake_word_then_only_music_causes_no_action(
        rig: tuple[Settings, Models, Household], tmp_path: Path) -> None:
    clip = ROOT / "audio_assets" / "requests" / "pos036_next_skip-this_clean.flac"
    wake = load_audio(clip)[: round(1.75 * RATE_HZ)]  # "hey jarvis" ends at 1.63 s
    music = load_audio(DATA / "vad_music_only.flac")[: 5 * RATE_HZ]
    voice_rms = float(np.sqrt(np.mean(wake[RATE_HZ:] ** 2)))
    music = music / float(np.sqrt(np.mean(music**2))) * voice_rms  # as loud as the voice
    path = tmp_path / "wake_then_music.wav"
    sf.write(path, np.concatenate([wake, music]), RATE_HZ, subtype="PCM_16")
    events = _run(rig, path)
    assert "wake" in events and "speech_end" in events, events
    assert not {"intent", "play", "pause", "stop", "volume"} & events.keys(), events
