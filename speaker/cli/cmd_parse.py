"""``encore parse``: show what Encore understands in a request, optionally matched to the library.

``encore parse "play kind of blue by miles davis" --json`` prints one JSON object;
``encore parse -`` reads one request per line from standard input and prints one
JSON result per line, so thousands of requests need one process.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from speaker.config import Settings
from speaker.errors import EncoreError

if TYPE_CHECKING:
    from speaker.matching import LibraryMatcher


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "parse", help="show the intent and slots Encore understands in a request",
        description="Parse a spoken request (as Whisper would write it) into an intent and "
                    "slots. Use - to read one request per line from standard input.")
    parser.add_argument("text", metavar="TEXT", help='the request, e.g. "play blue by joni '
                        'mitchell", or - to read requests from standard input')
    parser.add_argument("--library", action="store_true",
                        help="also match names to the library database (`encore library scan`)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of one line")
    parser.set_defaults(handler=_parse)


def _matcher(settings: Settings) -> LibraryMatcher:
    from recommender.store import Store
    from speaker.matching import LibraryMatcher

    path = settings.data.database
    if not path.exists():
        raise EncoreError(f"no library database at {path}; run `encore library scan DIR` first")
    with Store(path) as store:
        names = store.names()
    return LibraryMatcher(names.artists, names.albums, names.titles, names.genres)


def result(text: str, matcher: LibraryMatcher | None) -> dict[str, Any]:
    """The JSON-ready result for one request."""
    from speaker.intents import parse

    parsed = parse(text)
    payload: dict[str, Any] = {"intent": parsed.intent, "slots": dict(parsed.slots)}
    if matcher is not None:
        payload["matches"] = {kind: match.to_dict()
                              for kind, match in matcher.match(parsed.slots).items()}
    return payload


def _line(payload: dict[str, Any]) -> str:
    slots = " ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={json.dumps(v)}"
                     for k, v in payload["slots"].items())
    line = f"{payload['intent']}" + (f"  {slots}" if slots else "")
    matches = payload.get("matches")
    if matches is not None:
        found = ", ".join(f"{kind}={m['value']!r} ({m['score']:.0f})"
                          for kind, m in matches.items())
        line += f"  ->  {found or 'nothing in the library'}"
    return line


def _emit(payload: dict[str, Any], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        out.write(_line(payload) + "\n")


def _parse(args: argparse.Namespace, settings: Settings) -> int:
    matcher = _matcher(settings) if args.library else None
    if args.text == "-":
        for raw in sys.stdin:
            text = raw.rstrip("\n")
            if not text.strip():
                continue
            _emit(result(text, matcher), True, sys.stdout)
            sys.stdout.flush()
        return 0
    _emit(result(args.text, matcher), args.json, sys.stdout)
    return 0
