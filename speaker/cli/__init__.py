"""The ``encore`` command-line program.

Subcommands live in ``speaker/cli/cmd_*.py``; each module has
``register(subparsers)`` which adds its parser and sets ``handler`` to a
function ``(args, settings) -> exit code``. Heavy imports (torch, whisper,
lightfm) happen inside handlers so ``encore --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from speaker import __version__, logs
from speaker.config import Settings, load
from speaker.errors import EncoreError

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="encore",
        description="Encore: an offline voice music assistant for your own music library.",
    )
    parser.add_argument("--version", action="version", version=f"encore {__version__}")
    parser.add_argument("--debug", action="store_true", help="log debug messages")
    parser.add_argument("-c", "--config", type=Path, metavar="FILE",
                        help="config file applied over the defaults and system files")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    package = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(debug=args.debug)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = load(args.config)
        return handler(args, settings)
    except EncoreError as exc:
        logger.debug("failed", exc_info=True)
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
