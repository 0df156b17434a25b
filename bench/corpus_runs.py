"""Run the real loop over every clip of a corpus, one clip at a time with fresh state.

Shared by the tuning benches, which watch what the loop does on each clip
(``encore harness report`` does the same and scores it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from speaker.config import Settings
from speaker.report import ClipOutcome

__all__ = ["add_collect_args", "clips_with_calls", "collected", "each_clip"]


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


def clips_with_calls(settings: Settings, corpus: Path, library: Path,
                     calls: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
    """Per clip: the manifest entry, what the loop did, and the ``calls`` a bench's hook
    recorded while the loop ran it (``calls`` is emptied after each clip)."""
    clips: list[dict[str, Any]] = []
    for entry, outcome in each_clip(settings, corpus, library):
        clips.append({"file": entry["file"], "kind": entry["kind"],
                      "background": entry.get("background", "clean"),
                      "expected": entry.get("expected"), "woke": outcome.woke,
                      "intent": outcome.intent, "slots": outcome.slots, "calls": list(calls)})
        print(f"[{len(clips)}] {entry['file']} {outcome.intent} {len(calls)} {what}",
              file=sys.stderr, flush=True)
        calls.clear()
    return clips


def add_collect_args(parser: argparse.ArgumentParser, config_help: str = "settings") -> None:
    """The options every tuning bench shares: dev corpora to run, or scores saved before."""
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a dev corpus manifest to run (may repeat)")
    parser.add_argument("--library", type=Path, default=Path("audio_assets/library"))
    parser.add_argument("--config", type=Path, default=None, help=config_help)
    parser.add_argument("--save", type=Path, help="write the collected scores here")
    parser.add_argument("--load", type=Path, action="append", default=[],
                        help="sweep scores collected before (may repeat)")


Collect = Callable[[Path, Path, "Path | None"], list[dict[str, Any]]]


def collected(args: argparse.Namespace, collect: Collect) -> list[dict[str, Any]]:
    """Run ``collect`` over each ``--corpus``, save them (``--save``), add ``--load``ed ones."""
    clips: list[dict[str, Any]] = []
    for corpus in args.corpus:
        clips += collect(corpus, args.library, args.config)
    if args.save:
        args.save.write_text(json.dumps(clips), encoding="utf-8")
    for path in args.load:
        clips += json.loads(path.read_text(encoding="utf-8"))
    return clips
