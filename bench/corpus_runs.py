"""Run the real loop over every clip of a corpus, one clip at a time with fresh state.

Shared by the tuning benches, which watch what the loop does on each clip
(``encore harness report`` does the same and scores it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from speaker.config import Settings
from speaker.report import ClipOutcome

__all__ = ["each_clip"]


def each_clip(settings: Settings, corpus: Path,
              library: Path) -> Iterator[tuple[dict[str, Any], ClipOutcome]]:
    """Yield each manifest entry with its outcome, after the loop has run the clip."""
    from speaker.harness import EventLog, prepare_household, run_files
    from speaker.report import load_manifest, score_clip
    from speaker.runtime import Models

    household = prepare_household(settings, library, history=library / "profiles.json")
    models = Models.load(settings)
    try:
        for entry in load_manifest(corpus):
            log = EventLog()
            run_files(settings, models, household, [entry["path"]], user="alex", log=log,
                      gap_s=0.0)
            yield entry, score_clip(entry, log.records)
    finally:
        models.close()
        household.close()
