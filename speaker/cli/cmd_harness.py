"""``encore harness report``: score the recorded corpus end to end (wake, WER, intents, latency)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import soundfile as sf

from speaker.config import Settings

if TYPE_CHECKING:
    from speaker.report import ClipOutcome
    from speaker.runtime import Household

REPO_ASSETS = Path(__file__).resolve().parents[2] / "audio_assets"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("harness", help="score the recorded corpus through the real loop")
    actions = p.add_subparsers(dest="harness_command", metavar="ACTION", required=True)
    report = actions.add_parser("report", help="wake FRR, false accepts, WER, intent and slot "
                                "accuracy, reply latency, per background")
    report.add_argument("--corpus", type=Path, default=REPO_ASSETS / "requests" / "manifest.jsonl",
                        metavar="MANIFEST")
    report.add_argument("--library", type=Path, default=REPO_ASSETS / "library", metavar="DIR")
    report.add_argument("--user", default="alex")
    report.add_argument("--json", action="store_true", help="print the summary as JSON")
    report.add_argument("--limit", type=int, default=0, help="only the first N clips")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from speaker.harness import prepare_household
    from speaker.report import load_manifest, markdown, summarise

    entries = load_manifest(args.corpus)
    if args.limit:
        entries = entries[: args.limit]
    household = prepare_household(settings, args.library,
                                  history=args.library / "profiles.json")
    try:
        outcomes, seconds = _run_corpus(settings, household, entries, args.user)
    finally:
        household.close()
    summary = summarise(outcomes, seconds / 3600, settings.vad.trailing_silence_s)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(markdown(summary))
        for failure in summary["failures"]:
            print(f"FAILED {failure['file']}: {json.dumps(failure)}")
    return 0


def _run_corpus(settings: Settings, household: Household, entries: list[dict[str, Any]],
                user: str) -> tuple[list[ClipOutcome], float]:
    """Each clip alone through the loop: its outcome, and the seconds of audio in all."""
    from speaker.harness import EventLog, run_files
    from speaker.library_view import LibraryView
    from speaker.report import score_clip
    from speaker.runtime import Models

    matcher = LibraryView.build(household.store.tracks()).matcher

    def resolve(slots: Mapping[str, Any]) -> dict[str, str]:
        return {kind: m.value for kind, m in matcher.match(slots).items()}

    models = Models.load(settings)
    outcomes: list[ClipOutcome] = []
    seconds = 0.0
    try:
        for i, entry in enumerate(entries, 1):
            log = EventLog()
            run_files(settings, models, household, [entry["path"]], user=user, log=log,
                      gap_s=0.0)
            outcome = score_clip(entry, log.records, resolve)
            outcomes.append(outcome)
            seconds += sf.info(str(entry["path"])).duration
            mark = "ok " if outcome.passed else "FAIL"
            print(f"[{i:3d}/{len(entries)}] {mark} {entry['file']}: {outcome.transcript!r} -> "
                  f"{outcome.intent} {outcome.slots}", file=sys.stderr, flush=True)
    finally:
        models.close()
    return outcomes, seconds
