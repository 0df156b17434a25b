"""``encore models install|list|verify`` and ``encore transcribe`` on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from speaker.cli import main
from speaker.models import MANIFEST_NAME, checkpoint_path, verify_clip


@pytest.fixture
def installed_data(whisper_models_dir: Path, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir of this test's own holding a copy of the session's installed model."""
    data = tmp_path / "data"
    shutil.copytree(whisper_models_dir, data / "models")
    monkeypatch.setenv("ENCORE_DATA_DIR", str(data))
    return data


@pytest.mark.slow
def test_second_install_does_no_conversion(installed_data: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    target = checkpoint_path(installed_data / "models", "tiny.en")
    before = target.stat().st_mtime_ns
    assert main(["models", "install"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert target.stat().st_mtime_ns == before


@pytest.mark.slow
def test_list_shows_size_and_hash(installed_data: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    manifest = json.loads((installed_data / "models" / MANIFEST_NAME).read_text())
    sha = manifest["models"]["tiny.en"]["sha256"]
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "tiny.en" in out and sha in out and "MB" in out


@pytest.mark.slow
def test_verify_detects_a_corrupt_checkpoint_and_install_repairs_it(
        installed_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = checkpoint_path(installed_data / "models", "tiny.en")
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))

    assert main(["models", "verify"]) == 2
    err = capsys.readouterr().err
    assert "SHA-256" in err and "encore models install" in err

    assert main(["models", "install"]) == 0
    assert "check clip heard" in capsys.readouterr().out
    assert main(["models", "verify"]) == 0
    assert "OK" in capsys.readouterr().out


def test_transcribe_without_a_model_says_what_to_do(data_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    clip, _ = verify_clip()
    assert main(["transcribe", str(clip)]) == 2
    assert "encore models install" in capsys.readouterr().err


@pytest.mark.slow
def test_transcribe_json_prints_one_object_per_readable_file(
        installed_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip, expected = verify_clip()
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF not really a wav")
    code = main(["transcribe", str(corrupt), str(clip), str(tmp_path / "missing.flac"),
                 "--json"])
    captured = capsys.readouterr()
    assert code == 1  # the readable file was still transcribed
    objects = [json.loads(line) for line in captured.out.splitlines()]
    assert len(objects) == 1
    assert set(objects[0]) == {"file", "text", "seconds", "audio_seconds"}
    assert objects[0]["file"] == str(clip)
    assert objects[0]["text"].lower().startswith(expected.split()[0])
    assert objects[0]["audio_seconds"] > 1.0
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2
    assert "corrupt.wav" in errors[0] and "missing.flac" in errors[1]
