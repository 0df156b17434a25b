"""Headless runs of the real loop on recorded audio: ``encore simulate`` and friends.

A simulation gets its own state directory (library database and recommender
model) so it never touches the household's real data, scans the given library
into it, optionally seeds listening history, trains, and then runs the same
``VoiceLoop`` as ``encore run`` with a file source and a file sink on a
virtual clock.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from recommender.catalog import scan
from recommender.normalize import normalize_name
from recommender.store import Store
from speaker.audio import NullSink, Sink, WavSink, WavSource
from speaker.config import Settings
from speaker.errors import EncoreError
from speaker.events import Event
from speaker.runtime import Household, Models, build_loop

logger = logging.getLogger(__name__)

Record = dict[str, Any]
SECONDS_PER_DAY = 86400.0


class EventLog:
    """Collects events as JSON-ready records, optionally streaming them to a file."""

    def __init__(self, out: IO[str] | None = None,
                 on_record: Callable[[Record], None] | None = None) -> None:
        self.records: list[Record] = []
        self._out = out
        self._on_record = on_record
        self._lock = threading.Lock()

    def __call__(self, event: Event, input_name: str) -> None:
        body = event.to_dict()
        record = {"t": body.pop("t"), "input": input_name, **body}
        with self._lock:
            self.records.append(record)
            if self._out is not None:
                self._out.write(json.dumps(record) + "\n")
                self._out.flush()
            if self._on_record is not None:
                self._on_record(record)


def seed_history(store: Store, path: Path) -> int:
    """Load a JSON listening history ``[{user, artist, title, kind, count}]`` into the store.

    Returns the number of events added. Entries naming tracks that are not in the
    library are skipped with a warning.
    """
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EncoreError(f"Cannot read the listening history {path}: {exc}") from exc
    if isinstance(entries, dict):
        entries = entries.get("events", [])
    by_key = {(normalize_name(t.artist), normalize_name(t.title)): t.id for t in store.tracks()}
    events: list[tuple[str, str, int]] = []
    for entry in entries:
        key = (normalize_name(str(entry.get("artist", ""))),
               normalize_name(str(entry.get("title", ""))))
        track_id = by_key.get(key)
        if track_id is None:
            logger.warning("history: %s by %s is not in the library; skipped",
                           entry.get("title"), entry.get("artist"))
            continue
        events += [(str(entry["user"]), str(entry["kind"]), track_id)] * int(entry.get("count", 1))
    # The history is spread over the last 30 days, ending a day ago: it is taste, not the
    # session that is playing now, so none of it counts as "recently played".
    now = store.now()
    step_s = 29 * SECONDS_PER_DAY / max(len(events), 1)
    with store.batch():
        for i, (user, kind, track_id) in enumerate(events):
            store.add_event(user, kind, track_id, t=now - 30 * SECONDS_PER_DAY + i * step_s)
    return len(events)


def prepare_household(settings: Settings, library: Path, *, state_dir: Path | None = None,
                      history: Path | None = None) -> Household:
    """Scan ``library`` into a state directory and train; by default a temporary one,
    removed when the household is closed."""
    if not library.is_dir():
        raise EncoreError(f"Library folder {library} does not exist; pass --library DIR "
                          "with your music (or audio_assets/library for the demo).")
    scratch = None
    if state_dir is None:
        state_dir = scratch = Path(tempfile.mkdtemp(prefix="encore-sim-"))
    state_dir.mkdir(parents=True, exist_ok=True)
    household = Household.open(settings, state_dir / "library.sqlite3",
                               state_dir / "recommender", background=False, scratch=scratch)
    try:
        summary = scan(household.store, [library])
        logger.info("library: %d added, %d updated, %d skipped", summary.added,
                    summary.updated, len(summary.skipped))
        if history is not None and not household.store.events():
            logger.info("history: %d events seeded", seed_history(household.store, history))
        household.engine.train()
    except BaseException:
        household.close()
        raise
    return household


@dataclass(frozen=True)
class RunResult:
    records: list[Record]
    stt_seconds: list[float]
    reply_latency_seconds: list[float]


def run_files(settings: Settings, models: Models, household: Household,
              inputs: Sequence[Path], *, user: str, log: EventLog, gap_s: float = 1.0,
              output: Path | None = None) -> RunResult:
    """Run the voice loop over ``inputs`` as fast as the CPU allows (virtual clock)."""
    for path in inputs:
        if not path.is_file():
            raise EncoreError(f"Input {path} does not exist.")
    rate = settings.audio.output_rate_hz
    sink: Sink = WavSink(output, rate) if output is not None else NullSink(rate)
    start = len(log.records)
    with WavSource(inputs, gap_s=gap_s) as source, sink:
        loop = build_loop(settings, models, household, source=source, sink=sink, emit=log,
                          user=user, realtime=False)
        loop.run()
    return RunResult(log.records[start:], [t.stt_seconds for t in loop.turns],
                     [t.reply_latency_seconds for t in loop.turns])
