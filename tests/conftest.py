"""Shared fixtures: every test runs with its own config and data directories."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the user's config; the data dir stays shared for models."""
    config_home = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory for tests that write a database or model."""
    path = tmp_path / "data"
    monkeypatch.setenv("ENCORE_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def whisper_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper tiny.en converted and checked once per session into a temp models dir."""
    from speaker import models
    from speaker.config import SttSettings

    path = tmp_path_factory.mktemp("models")
    models.install(path, SttSettings())
    return path
