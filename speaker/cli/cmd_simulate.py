"""``encore simulate``: the real voice loop on audio files, headless, on a virtual clock."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from speaker.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="run the voice loop on recorded audio (no sound card)")
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                   help="audio files played one after another")
    p.add_argument("--library", type=Path, required=True, metavar="DIR",
                   help="music folder scanned into the simulation's own database")
    p.add_argument("--user", default=None,
                   help="household profile (default: dialogue.default_user)")
    p.add_argument("--events", type=Path, metavar="FILE.jsonl", help="write events as JSON lines")
    p.add_argument("--output", type=Path, metavar="FILE.wav",
                   help="write what the speaker would have played")
    p.add_argument("--gap-s", type=float, default=1.0, help="silence between inputs, seconds")
    p.add_argument("--state", type=Path, metavar="DIR",
                   help="keep the database and model here (default: a temporary folder)")
    p.add_argument("--history", type=Path, metavar="FILE.json",
                   help="seed listening history (JSON list of {user, artist, title, kind, count})")
    p.add_argument("--quiet", action="store_true", help="do not print the turns")
    p.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from speaker.harness import EventLog, prepare_household, run_files
    from speaker.runtime import Models
    from speaker.turns import TurnPrinter

    user = args.user or settings.dialogue.default_user
    household = prepare_household(settings, args.library, state_dir=args.state,
                                  history=args.history)
    with contextlib.ExitStack() as stack:
        stack.callback(household.close)
        models = Models.load(settings)
        stack.callback(models.close)
        out = stack.enter_context(args.events.open("w", encoding="utf-8")) if args.events else None
        printer = None if args.quiet else TurnPrinter(sys.stdout)
        log = EventLog(out, printer)
        run_files(settings, models, household, args.inputs, user=user, log=log,
                  gap_s=args.gap_s, output=args.output)
    if args.output:
        print(f"\nSpeaker output written to {args.output}")
    return 0
