"""``encore library scan|list|stats|playlists``: build and inspect the music catalog."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

from speaker.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("library", help="scan and inspect the music library")
    actions = parser.add_subparsers(dest="library_command", metavar="ACTION", required=True)

    scan = actions.add_parser(
        "scan", help="scan music folders (incremental: unchanged files are not read again)")
    scan.add_argument("dirs", nargs="*", type=Path, metavar="DIR",
                      help="folders to scan (default: library.dirs from the configuration)")
    scan.add_argument("-v", "--verbose", action="store_true",
                      help="also list every added, updated and moved file")
    scan.add_argument("--no-progress", action="store_true", help="no progress bar")
    scan.add_argument("--no-verify", action="store_true",
                      help="skip decoding each file's end to catch truncation (about 5x faster "
                           "first scan of a large library)")
    scan.set_defaults(handler=_scan)

    listing = actions.add_parser("list", help="list the tracks in the catalog")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--all", action="store_true",
                         help="include gone files and duplicate copies")
    listing.set_defaults(handler=_list)

    playlists = actions.add_parser("playlists",
                                   help="each profile's playlists made by voice, with tracks")
    playlists.add_argument("--user", help="only this profile's")
    playlists.add_argument("--json", action="store_true", help="print JSON")
    playlists.set_defaults(handler=_playlists)

    stats = actions.add_parser("stats", help="count tracks, profiles and events")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(handler=_stats)


def _fail(message: str) -> int:
    print(f"encore: {message}", file=sys.stderr)
    return 2


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _scan(args: argparse.Namespace, settings: Settings) -> int:
    from recommender.catalog import scan
    from recommender.errors import RecommenderError
    from recommender.store import Store

    dirs = list(args.dirs) or [Path(d) for d in settings.library.dirs]
    if not dirs:
        return _fail("no music folders given; pass DIR or set library.dirs in the config file "
                     "(see `encore config show`)")
    try:
        with Store(settings.data.ensure().database) as store:
            progress = not args.no_progress and sys.stderr.isatty()
            summary = scan(store, dirs, progress=progress, verify=not args.no_verify)
            stats = store.stats()
    except RecommenderError as exc:
        return _fail(str(exc))
    print(f"Scanned {_plural(len(dirs), 'folder')} in {summary.elapsed_s:.1f} s: "
          f"{summary.added} added, {summary.updated} updated, {summary.removed} removed, "
          f"{summary.moved} moved, {summary.unchanged} unchanged, "
          f"{len(summary.skipped)} skipped, {_plural(len(summary.duplicates), 'duplicate')}.")
    if args.verbose:
        for label, paths in (("Added", summary.added_paths), ("Updated", summary.updated_paths)):
            if paths:
                print(f"{label}:")
                print("\n".join(f"  {p}" for p in paths))
        if summary.moved_paths:
            print("Moved:")
            print("\n".join(f"  {old} -> {new}" for old, new in summary.moved_paths))
    if summary.removed:
        print("Removed (file gone; listening history kept):")
        print("\n".join(f"  {p}" for p in summary.removed_paths))
    if summary.skipped:
        print("Skipped:")
        print("\n".join(f"  {p}: {reason}" for p, reason in summary.skipped))
    if summary.duplicates:
        print("Duplicates (not served; the better copy is kept):")
        print("\n".join(f"  {dup}  (kept: {kept})" for dup, kept in summary.duplicates))
    print(f"Library: {_plural(stats.tracks, 'track')}, "
          f"{stats.folder_fallbacks} named from folders (missing tags).")
    found_any = summary.added + summary.updated + summary.unchanged > 0
    missing = [p for p, reason in summary.skipped if reason.startswith("folder not found")]
    return 1 if missing and not found_any else 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from recommender.errors import RecommenderError
    from recommender.store import Store

    try:
        with Store(settings.data.ensure().database) as store:
            tracks = store.tracks(include_gone=args.all, include_duplicates=args.all)
    except RecommenderError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps([dataclasses.asdict(t) for t in tracks], indent=2))
        return 0
    if not tracks:
        print("The library is empty; run `encore library scan DIR`.")
        return 0
    for t in tracks:
        year = f", {t.year}" if t.year else ""
        genres = f" [{', '.join(t.genres)}]" if t.genres else ""
        flags = (" (gone)" if t.gone else "") + (
            f" (duplicate of {t.duplicate_of})" if t.duplicate_of else "")
        print(f"{t.id:>6}  {t.artist} - {t.title} ({t.album or 'no album'}{year})"
              f"{genres}{flags}")
    return 0


def _playlists(args: argparse.Namespace, settings: Settings) -> int:
    from recommender.errors import RecommenderError
    from recommender.store import Store

    try:
        with Store(settings.data.ensure().database) as store:
            users = store.users()
            if args.user:
                users = [u for u in users if u.casefold() == args.user.strip().casefold()]
                if not users:
                    return _fail(f"no profile is called {args.user!r}; the profiles are "
                                 f"{', '.join(store.users())}")
            tracks = {t.id: t for t in store.tracks()}
            found = {(user, name): [tracks[i] for i in store.playlist_track_ids(user, name)
                                    if i in tracks]
                     for user in users for name in store.playlists(user)}
    except RecommenderError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps([{"user": user, "name": name, "track_ids": [t.id for t in items]}
                          for (user, name), items in found.items()], indent=2))
        return 0
    if not found:
        print("No playlists yet; say \"add this to my workout playlist\" while a song plays.")
        return 0
    for (user, name), items in found.items():
        print(f"{user}: {name} ({_plural(len(items), 'track')})")
        for t in items:
            print(f"{t.id:>6}  {t.artist} - {t.title}")
    return 0


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from recommender.errors import RecommenderError
    from recommender.store import Store

    try:
        with Store(settings.data.ensure().database) as store:
            stats = store.stats()
            users = store.users()
    except RecommenderError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps({**dataclasses.asdict(stats), "profiles": users}, indent=2))
        return 0
    last = ("never" if stats.last_scan_t is None else
            dt.datetime.fromtimestamp(stats.last_scan_t).astimezone().isoformat(
                timespec="seconds"))
    print(f"Tracks:       {stats.tracks} ({stats.folder_fallbacks} named from folders)")
    print(f"Duplicates:   {stats.duplicates} (not served)")
    print(f"Gone:         {stats.gone} (files vanished; history kept)")
    print(f"Profiles:     {stats.users} ({', '.join(users)})")
    print(f"Events:       {stats.events}")
    print(f"Last scan:    {last}")
    print(f"Database:     {settings.data.database}")
    return 0
