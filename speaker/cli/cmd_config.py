"""``encore config show``: print the effective configuration."""

from __future__ import annotations

import argparse
import json

from speaker.config import Settings, system_config_paths, to_toml


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="show the effective configuration")
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print the configuration after layering all files")
    show.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    show.set_defaults(handler=_show)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    if args.json:
        payload = {"sources": list(settings.sources), "data_dir": str(settings.data.root),
                   "settings": settings.to_dict()}
        print(json.dumps(payload, indent=2))
        return 0
    looked = ", ".join(str(p) for p in system_config_paths())
    used = ", ".join(settings.sources) or "none (packaged defaults only)"
    print(f"# Config files looked up: {looked}")
    print(f"# Applied: {used}")
    print(f"# Data directory: {settings.data.root}")
    print(to_toml(settings), end="")
    return 0
