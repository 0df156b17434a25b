"""Where Encore keeps its data: models, the library database, the recommender.

Nothing is ever written into site-packages. The data directory is, in order of
precedence: ``$ENCORE_DATA_DIR``, ``paths.data_dir`` from the configuration,
``$XDG_DATA_HOME/encore``, ``~/.local/share/encore``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "ENCORE_DATA_DIR"


def default_data_dir(configured: str = "") -> Path:
    """Resolve the data directory from the environment and the configured value."""
    env = os.environ.get(ENV_DATA_DIR, "").strip()
    if env:
        return Path(env).expanduser()
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "encore"


@dataclass(frozen=True)
class DataLayout:
    """The files inside one data directory."""

    root: Path

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def database(self) -> Path:
        return self.root / "library.sqlite3"

    @property
    def recommender_dir(self) -> Path:
        return self.root / "recommender"

    def ensure(self) -> DataLayout:
        """Create the directories (not the files) and return self."""
        for directory in (self.root, self.models_dir, self.recommender_dir):
            directory.mkdir(parents=True, exist_ok=True)
        return self
