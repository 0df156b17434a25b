"""``encore run``: the speaker itself, microphone in, speaker out, until stopped."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from speaker.config import Settings

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="listen for the wake word and play music (the service)")
    p.add_argument("--user", default=None,
                   help="household profile (default: dialogue.default_user)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from speaker.devices import MicrophoneSource, SpeakerSink
    from speaker.harness import EventLog
    from speaker.runtime import Household, Models, build_loop, library_hints
    from speaker.turns import TurnPrinter

    data = settings.data.ensure()
    # Open the devices first: without them nothing else is worth loading.
    sink = SpeakerSink(settings.audio.output_device, settings.audio.output_rate_hz,
                       settings.audio.output_block_ms)
    source = MicrophoneSource(settings.audio.input_device)
    household = Household.open(settings, data.database, data.recommender_dir, background=True)
    if not household.store.tracks():
        logger.warning("The library is empty: run `encore library scan DIR` (or set "
                       "library.dirs) so there is music to play.")
    models = Models.load(settings)
    log = EventLog(None, TurnPrinter(sys.stdout))
    loop = build_loop(settings, models, household, source=source, sink=sink, emit=log,
                      user=args.user or settings.dialogue.default_user, realtime=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        logger.info("signal %d: stopping", signum)
        loop.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def library_changed() -> None:
        loop.dialogue.refresh_library()
        loop.use_library(*library_hints(settings, models, household.store, loop.dialogue))

    rescans = _start_rescans(settings, data.database)
    followed = follow_scans(household.store.last_scan, library_changed, SCAN_POLL_S)
    logger.info("Listening for %s.", settings.wake.model)
    try:
        loop.run()
    finally:
        rescans.set()
        followed.set()
        models.close()
        household.close()
        source.close()
        sink.close()
    return 0


SCAN_POLL_S = 30.0
"""How often the running speaker looks for a newly stored library scan, in seconds."""


def follow_scans(last_scan: Callable[[], float | None], changed: Callable[[], None],
                 every_s: float) -> threading.Event:
    """Call ``changed`` in a thread whenever ``last_scan`` (the time of the last stored
    scan) moves: a scan by this process (``library.rescan_interval_min``), by the rescan
    timer of the Pi deployment or by ``encore library scan``. The dialogue, Whisper's
    prompt and the grammar search then know the new music without a restart. Set the
    returned event to stop."""
    done = threading.Event()

    def follow() -> None:
        seen = last_scan()
        while not done.wait(every_s):
            try:
                now = last_scan()
                if now != seen:
                    seen = now
                    logger.info("the library was rescanned: refreshing names and phrases")
                    changed()
            except Exception:
                logger.exception("could not follow the library rescan")

    threading.Thread(target=follow, name="encore-library-follow", daemon=True).start()
    return done


def _start_rescans(settings: Settings, database: Path) -> threading.Event:
    """Rescan ``library.dirs`` every ``library.rescan_interval_min`` minutes in a thread
    (:func:`follow_scans` then refreshes what the speaker knows)."""
    from recommender.catalog import scan
    from recommender.store import Store

    done = threading.Event()
    minutes = settings.library.rescan_interval_min
    dirs = [Path(d) for d in settings.library.dirs]
    if not minutes or not dirs:
        return done

    def rescan_forever() -> None:
        while not done.wait(minutes * 60):
            try:
                with Store(database) as store:
                    summary = scan(store, dirs)
                logger.info("rescan: %d added, %d updated, %d removed", summary.added,
                            summary.updated, summary.removed)
            except Exception:
                logger.exception("periodic library rescan failed")

    threading.Thread(target=rescan_forever, name="encore-rescan", daemon=True).start()
    return done
