"""``encore recommend``, ``encore train`` and ``encore feedback``: the recommender by hand.

``encore feedback --kind skip`` followed by ``encore recommend`` shows a skip changing the
next answer (the engine replays events newer than the saved model when it starts).
"""

from __future__ import annotations

import argparse
import json
import logging
from typing import TYPE_CHECKING

from speaker.config import Settings
from speaker.errors import EncoreError

if TYPE_CHECKING:
    from recommender.engine import Engine

logger = logging.getLogger(__name__)

FEEDBACK_KINDS = ("skip", "like", "dislike", "complete")


def open_engine(settings: Settings) -> Engine:
    """An engine over the library database, without a background thread (CLI use)."""
    from recommender.store import Store
    from speaker.engine_setup import make_engine

    layout = settings.data.ensure()
    return make_engine(settings.recommender, Store(layout.database), layout.recommender_dir,
                       background=False)


def register(sub: argparse._SubParsersAction) -> None:
    rec = sub.add_parser("recommend", help="recommend tracks from the library")
    rec.add_argument("--user", help="listener profile (default: dialogue.default_user)")
    rec.add_argument("--n", type=int, default=10, help="number of tracks (default 10)")
    group = rec.add_mutually_exclusive_group()
    group.add_argument("--artist", help="only this artist")
    group.add_argument("--genre", help="only this genre")
    group.add_argument("--decade", type=int, help="only this decade, e.g. 1990")
    group.add_argument("--like", type=int, metavar="TRACK_ID", help="tracks like this one")
    rec.add_argument("--json", action="store_true", help="print JSON")
    rec.set_defaults(handler=_recommend)

    train = sub.add_parser("train", help="retrain the recommender on every stored event")
    train.set_defaults(handler=_train)

    fb = sub.add_parser("feedback", help="log a skip, like, dislike or complete for a track")
    fb.add_argument("--user", help="listener profile (default: dialogue.default_user)")
    fb.add_argument("--kind", required=True, choices=FEEDBACK_KINDS)
    fb.add_argument("--position", type=float, metavar="S",
                    help="playback position in seconds (a skip before 30 s counts against)")
    fb.add_argument("track_id", type=int, metavar="TRACK_ID")
    fb.set_defaults(handler=_feedback)


def _recommend(args: argparse.Namespace, settings: Settings) -> int:
    from recommender.engine import Query

    if args.n < 1:
        raise EncoreError("--n must be at least 1")
    user = args.user or settings.dialogue.default_user
    query = Query(artist=args.artist, genre=args.genre, decade=args.decade,
                  like_track_id=args.like)
    with open_engine(settings) as engine:
        if args.like is not None and engine.store.track(args.like) is None:
            raise EncoreError(f"no track with id {args.like}; list ids with "
                              "`encore recommend --json`")
        tracks = engine.recommend(user, n=args.n, query=query)
        source = "popularity" if engine.using_fallback else "lightfm"
        engine.store.close()
    if args.json:
        print(json.dumps({"user": user, "model": source, "tracks": [
            {"id": t.id, "title": t.title, "artist": t.artist, "album": t.album,
             "genres": list(t.genres), "year": t.year, "path": t.path} for t in tracks]},
            indent=2))
        return 0
    if not tracks:
        print("No tracks match; scan your music with `encore library scan DIR`.")
        return 1
    print(f"# For {user} (model: {source})")
    for t in tracks:
        year = f" ({t.year})" if t.year else ""
        print(f"{t.id:6d}  {t.artist} - {t.title}{year}")
    return 0


def _train(args: argparse.Namespace, settings: Settings) -> int:
    with open_engine(settings) as engine:
        engine.train()
        fallback = engine.using_fallback
        engine.store.close()
    if fallback:
        print("No positive listening events yet; recommendations use popularity.")
    else:
        print(f"Trained; model saved in {settings.data.recommender_dir}.")
    return 0


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    user = args.user or settings.dialogue.default_user
    with open_engine(settings) as engine:
        if engine.store.track(args.track_id) is None:
            raise EncoreError(f"no track with id {args.track_id}; list ids with "
                              "`encore recommend --json`")
        event_id = engine.feedback(user, args.kind, args.track_id, position_s=args.position)
        engine.store.close()
    print(f"Logged {args.kind} of track {args.track_id} for {user} (event {event_id}).")
    return 0
