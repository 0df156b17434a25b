"""``speaker.runtime`` wires the configured rescoring and rehearings into the real loop."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from speaker import config
from speaker.cli import main
from speaker.commands import Commands
from speaker.earcon import load_earcon
from speaker.errors import ModelError
from speaker.grammar import Vocabulary
from speaker.harness import EventLog, prepare_household, run_files
from speaker.runtime import Models
from speaker.stt import RATE_HZ, TranscriptResult
from speaker.vad import SileroVad
from speaker.wakeword import WakeWordDetector

ASSETS = Path(__file__).resolve().parents[1] / "audio_assets"
LIBRARY = ASSETS / "library"
CLIP = ASSETS / "requests" / "pos001_play_play-nora-vance_clean.flac"


class FixedStt:
    """Always hears ``text``; keeps the command phrases it was offered for each call."""

    def __init__(self, text: str, logprob: float) -> None:
        self.text, self.logprob = text, logprob
        self.commands: list[Callable[[str], Sequence[str]] | None] = []
        self.prompts: list[str] = []

    def transcribe(self, audio: np.ndarray, prompt: str = "",
                   commands: Callable[[str], Sequence[str]] | None = None,
                   lead: str = "") -> TranscriptResult:
        self.commands.append(commands)
        self.prompts.append(prompt)
        return TranscriptResult(self.text, 0.01, len(audio) / RATE_HZ, 0.0,
                                avg_logprob=self.logprob)

    def prepare(self, vocabulary: Vocabulary) -> None:
        self.prepared: Vocabulary | None = vocabulary


class SilentTts:
    rate_hz = 22050

    def synthesize(self, text: str) -> np.ndarray:
        return np.zeros(self.rate_hz // 10, np.float32)

    def close(self) -> None:
        pass


def _run(tmp_path: Path, first: FixedStt, second: FixedStt | None,
         **stt: object) -> list[str]:
    loaded = config.load()
    settings = dataclasses.replace(
        loaded, wake=dataclasses.replace(loaded.wake, verify=False),
        stt=dataclasses.replace(loaded.stt, **stt))  # type: ignore[arg-type]
    tts = SilentTts()
    models = Models(WakeWordDetector(settings.wake), SileroVad(), first,  # type: ignore[arg-type]
                    tts, load_earcon(tts.rate_hz), tts.rate_hz,  # type: ignore[arg-type]
                    second)  # type: ignore[arg-type]
    household = prepare_household(settings, LIBRARY, state_dir=tmp_path / "state",
                                  history=LIBRARY / "profiles.json")
    try:
        log = EventLog()
        run_files(settings, models, household, [CLIP], user="alex", log=log, gap_s=0.0)
    finally:
        household.close()
    return [r["intent"] for r in log.records if r["type"] == "intent"]


def test_the_loop_gets_the_configured_phrases_and_the_rehearings(tmp_path: Path) -> None:
    first = FixedStt("Mumble, mumble.", -0.2)  # the parser cannot read it
    second = FixedStt("Pause the music.", -0.1)
    assert _run(tmp_path, first, second) == ["pause"]  # the second model's transcript
    # tiny.en heard it with the wake word and alone, with the library prompt, then the
    # same two ways without it (stt.retry_unprompted), before the second model.
    assert len(first.prompts) == 4 and first.prompts[0] and first.prompts[0] == first.prompts[1]
    assert first.prompts[2:] == ["", ""]
    offered = first.commands[0]
    again = second.commands[0]  # the same similar commands, and no grammar search
    assert isinstance(again, Commands) and isinstance(offered, Commands)
    assert again.similar is offered.similar and again.vocabulary is None
    assert "pause" in offered("Paws.")
    assert offered("Plug it,") == ()  # the shipped similarity floor is applied
    # The grammar search gets the demo library's names and the household's profiles.
    assert isinstance(offered, Commands) and offered.vocabulary is not None
    objects = offered.vocabulary.objects
    assert "Nora Vance" in objects and "music that alex likes" in objects
    assert "the album Velvet Hours by Nora Vance" in objects
    assert first.prepared is offered.vocabulary  # its trie is built before any request


def test_the_grammar_search_can_be_turned_off(tmp_path: Path) -> None:
    first = FixedStt("Mumble, mumble.", -0.2)
    assert _run(tmp_path, first, None, grammar=False) == ["unknown"]
    offered = first.commands[0]
    assert isinstance(offered, Commands) and offered.vocabulary is None


def test_the_unprompted_rehearing_can_be_turned_off(tmp_path: Path) -> None:
    first = FixedStt("Mumble, mumble.", -0.2)
    assert _run(tmp_path, first, None, retry_unprompted=False) == ["unknown"]
    assert len(first.prompts) == 2 and "" not in first.prompts


def test_a_temporary_household_leaves_nothing_behind() -> None:
    household = prepare_household(config.load(), LIBRARY, history=LIBRARY / "profiles.json")
    scratch = household.scratch
    assert scratch is not None and (scratch / "library.sqlite3").is_file()
    household.close()
    assert not scratch.exists()


def test_a_household_in_a_given_state_directory_keeps_it(tmp_path: Path) -> None:
    household = prepare_household(config.load(), LIBRARY, state_dir=tmp_path / "state")
    household.close()
    assert household.scratch is None and (tmp_path / "state" / "library.sqlite3").is_file()


@pytest.mark.parametrize("command", [["simulate", "--library", str(LIBRARY), str(CLIP)],
                                     ["harness", "report", "--limit", "1"]])
def test_a_model_that_fails_to_load_leaves_no_household_behind(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(settings: config.Settings) -> Models:
        raise ModelError("The Whisper model is not installed; run `encore models install`.")

    monkeypatch.setattr(Models, "load", staticmethod(broken))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert main(command) != 0
    assert "encore models install" in capsys.readouterr().err
    assert list(tmp_path.glob("encore-sim-*")) == []


def test_the_prompt_and_the_grammar_follow_a_rescan(tmp_path: Path) -> None:
    from test_catalog import write_audio

    from recommender.catalog import scan
    from speaker.dialogue import Dialogue
    from speaker.runtime import library_hints

    settings = config.load()
    stt = FixedStt("", 0.0)
    models = Models(None, None, stt, None, None, 22050)  # type: ignore[arg-type]
    household = prepare_household(settings, LIBRARY, state_dir=tmp_path / "state")
    try:
        dialogue = Dialogue(household.engine, None, household.store, user="alex")
        prompt, commands = library_hints(settings, models, household.store, dialogue)
        assert "Willow Creek" in prompt and isinstance(commands.vocabulary, Vocabulary)
        assert "Marlowe Quay" not in prompt
        assert "Marlowe Quay" not in commands.vocabulary.objects
        assert commands.searches("play marlowe quay")  # a name the library lacks
        new = tmp_path / "more"
        for n in range(25):  # enough tracks to be among the prompt's most present names
            write_audio(new / f"{n:02d}.flac", 220.0 + n, 0.5,
                        {"title": f"Tide {n}", "artist": "Marlowe Quay", "album": "Harbour"})
        scan(household.store, [LIBRARY, new])
        dialogue.refresh_library()
        prompt, commands = library_hints(settings, models, household.store, dialogue)
        assert "Marlowe Quay" in prompt
        assert isinstance(commands.vocabulary, Vocabulary)
        assert "Marlowe Quay" in commands.vocabulary.objects
        assert stt.prepared is commands.vocabulary  # the new trie, built now
        assert not commands.searches("play marlowe quay")  # a name it has
    finally:
        household.close()
