"""``encore demo``: a scripted conversation through the simulator on the bundled assets."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from speaker.config import Settings
from speaker.errors import EncoreError

if TYPE_CHECKING:
    from speaker.runtime import Household

REPO_ASSETS = Path(__file__).resolve().parents[2] / "audio_assets"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the scripted demo conversation on bundled recordings")
    p.add_argument("--assets", type=Path, default=REPO_ASSETS, metavar="DIR",
                   help="folder with library/, demo/ (default: the repository's audio_assets)")
    p.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                   help="where demo.wav, demo-events.jsonl and the demo state go")
    p.add_argument("--user", default="alex", help="profile that starts the conversation")
    p.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from speaker.harness import EventLog, prepare_household, run_files
    from speaker.runtime import Models
    from speaker.turns import TurnPrinter

    library = args.assets / "library"
    script = args.assets / "demo" / "script.jsonl"
    if not script.is_file():
        raise EncoreError(f"Demo script {script} is missing; run from the repository checkout "
                          "or pass --assets DIR.")
    clips = [args.assets / "demo" / json.loads(line)["file"]
             for line in script.read_text(encoding="utf-8").splitlines() if line.strip()]
    state = args.out / "demo-state"
    shutil.rmtree(state, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Encore demo: {len(clips)} spoken requests, library {library}")
    household = prepare_household(settings, library, state_dir=state,
                                  history=library / "profiles.json")
    try:
        _show_profiles(household, ("alex", "sam"))
        models = Models.load(settings)
        try:
            with (args.out / "demo-events.jsonl").open("w", encoding="utf-8") as events:
                log = EventLog(events, TurnPrinter(sys.stdout))
                run_files(settings, models, household, clips, user=args.user, log=log,
                          gap_s=2.0, output=args.out / "demo.wav")
        finally:
            models.close()
    finally:
        household.close()
    print(f"\nWhat the speaker played: {args.out / 'demo.wav'}")
    print(f"Every event as JSON lines: {args.out / 'demo-events.jsonl'}")
    return 0


def _show_profiles(household: Household, users: tuple[str, ...]) -> None:
    """Print what each seeded profile would get for "play something I like"."""
    engine = household.engine
    print("\nWhat each profile would hear for \"play something I like\":")
    for user in users:
        picks = engine.recommend(user, 3)
        names = "; ".join(f"{t.title} by {t.artist} ({', '.join(t.genres)})" for t in picks)
        print(f"  {user:>5}: {names}")
