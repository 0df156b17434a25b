"""Library scanning: walk music folders and keep the store's catalog in step with them.

Rescans are incremental: a file whose path, mtime and size are unchanged is not
read again. Files that vanished are marked gone (their listening history stays);
a file that reappears elsewhere as the same recording takes its old row back.
The same recording present in several formats or copies is served once, from
the best copy (lossless first, then bitrate). A file that cannot be read is
skipped with a reason; it never stops the scan. Reading one file is
``recommender.audiofile``'s job.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from recommender.audiofile import AUDIO_EXTENSIONS, UnreadableFile, read_track
from recommender.store import Store, Track, TrackFile

__all__ = [
    "AUDIO_EXTENSIONS",
    "DUPLICATE_TOLERANCE_S",
    "ScanSummary",
    "UnreadableFile",
    "find_duplicates",
    "read_track",
    "scan",
]

logger = logging.getLogger(__name__)

DUPLICATE_TOLERANCE_S = 2.0
"""Copies of one recording whose durations differ by at most this are duplicates."""
_BATCH_FILES = 64


@dataclass
class ScanSummary:
    """What a scan did. Paths are absolute; counts (``added`` ...) are properties over them.

    ``moved_paths`` pairs (old path, new path) of files that kept their id and history;
    ``duplicates`` pairs (copy not served, copy kept); ``skipped`` pairs (path, reason).
    """

    added_paths: list[str] = field(default_factory=list)
    updated_paths: list[str] = field(default_factory=list)
    removed_paths: list[str] = field(default_factory=list)
    moved_paths: list[tuple[str, str]] = field(default_factory=list)
    unchanged_paths: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def added(self) -> int:
        return len(self.added_paths)

    @property
    def updated(self) -> int:
        return len(self.updated_paths)

    @property
    def removed(self) -> int:
        return len(self.removed_paths)

    @property
    def moved(self) -> int:
        return len(self.moved_paths)

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_paths)


# -- scanning ---------------------------------------------------------------------------


def _walk(root: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    """Audio files under ``root`` (hidden files and folders ignored, symlink loops cut)."""
    found: list[Path] = []
    seen_dirs: set[tuple[int, int]] = set()

    def on_error(exc: OSError) -> None:
        skipped.append((str(exc.filename), f"cannot list the folder ({exc.strerror})"))

    for current, dirs, files in os.walk(root, onerror=on_error, followlinks=True):
        st = os.stat(current)
        if (st.st_dev, st.st_ino) in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                found.append(Path(current) / name)
    return found


def _quality_rank(track: Track) -> tuple[bool, bool, int, bool, int]:
    return (not track.gone, track.lossless, track.quality_bps, track.tag_source == "tags",
            -track.id)


def find_duplicates(tracks: Sequence[Track],
                    tolerance_s: float = DUPLICATE_TOLERANCE_S) -> dict[int, int]:
    """Duplicate id -> kept id among tracks with the same artist, title and album keys.

    The kept copy is present if any copy is. Gone tracks are linked too, so the
    history of a deleted copy counts for the copy still served.
    """
    groups: dict[tuple[str, str, str], list[Track]] = {}
    for track in tracks:
        if track.title_key:
            groups.setdefault((track.artist_key, track.title_key, track.album_key),
                              []).append(track)
    duplicate_of: dict[int, int] = {}
    for members in groups.values():
        kept: list[Track] = []
        for track in sorted(members, key=_quality_rank, reverse=True):
            best = next((k for k in kept if abs(k.duration_s - track.duration_s) <= tolerance_s),
                        None)
            if best is None:
                kept.append(track)
            elif not best.gone:
                duplicate_of[track.id] = best.id
    return duplicate_of


def _under(path: str, roots: Sequence[Path]) -> bool:
    return any(path == str(r) or path.startswith(str(r) + os.sep) for r in roots)


def scan(store: Store, dirs: Sequence[Path], progress: bool = False,
         verify: bool = True) -> ScanSummary:
    """Bring the catalog in ``store`` up to date with the audio files under ``dirs``.

    A folder that does not exist is reported in ``skipped`` and its tracks are
    left alone (an unmounted drive must not empty the library).
    """
    from tqdm import tqdm

    started = time.monotonic()
    summary = ScanSummary()
    roots: list[Path] = []
    files: list[tuple[Path, Path]] = []
    for directory in dirs:
        root = Path(directory).expanduser().resolve()
        if not root.is_dir():
            summary.skipped.append((str(root), "folder not found; is the drive mounted?"))
            continue
        roots.append(root)
        files.extend((path, root) for path in _walk(root, summary.skipped))

    states = store.file_states()
    on_disk = {str(path) for path, _ in files}
    vanished = {s.track_id: p for p, s in states.items()
                if not s.gone and p not in on_disk and _under(p, roots)}
    store.mark_gone(vanished)

    pending: list[tuple[TrackFile, bool]] = []

    def flush() -> None:
        with store.batch():
            for record, known_path in pending:
                reuse = None if known_path else store.find_gone_match(record)
                store.upsert_track(record, reuse_id=reuse)
                if reuse is not None and reuse in vanished:
                    summary.moved_paths.append((vanished.pop(reuse), record.path))
                elif not known_path or states[record.path].gone:
                    summary.added_paths.append(record.path)
                else:
                    summary.updated_paths.append(record.path)
        pending.clear()

    bar = tqdm(files, desc="Scanning", unit="file", disable=not progress, leave=False)
    for path, root in bar:
        key = str(path)
        state = states.get(key)
        try:
            stat = path.stat()
        except OSError as exc:
            summary.skipped.append((key, f"cannot read the file ({exc.strerror})"))
            continue
        if (state is not None and not state.gone and state.mtime_ns == stat.st_mtime_ns
                and state.size_bytes == stat.st_size):
            summary.unchanged_paths.append(key)
            continue
        try:
            record = read_track(path, root, verify=verify)
        except Exception as exc:  # a scan must survive any one bad file
            if isinstance(exc, UnreadableFile):
                logger.warning("skipping %s: %s", path, exc)
                summary.skipped.append((key, str(exc)))
            else:
                logger.exception("skipping %s: unexpected error", path)
                summary.skipped.append((key, f"unexpected error: {exc}"))
            if state is not None and not state.gone:
                store.mark_gone([state.track_id])
                vanished[state.track_id] = key
            continue
        pending.append((record, state is not None))
        if len(pending) >= _BATCH_FILES:
            flush()
    bar.close()
    flush()

    summary.removed_paths = sorted(vanished.values())
    known = {t.id: t for t in store.tracks(include_gone=True, include_duplicates=True)}
    duplicate_of = find_duplicates(list(known.values()))
    store.set_duplicates(duplicate_of)
    summary.duplicates = sorted((known[d].path, known[k].path) for d, k in duplicate_of.items()
                                if not known[d].gone)
    store.set_last_scan()
    summary.elapsed_s = time.monotonic() - started
    logger.info("scan: %d added, %d updated, %d removed, %d moved, %d unchanged, %d skipped, "
                "%d duplicates in %.1f s", summary.added, summary.updated, summary.removed,
                summary.moved, summary.unchanged, len(summary.skipped),
                len(summary.duplicates), summary.elapsed_s)
    return summary
