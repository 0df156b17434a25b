"""Library scanning: walk music folders, read tags with mutagen, keep the store in step.

Rescans are incremental: a file whose path, mtime and size are unchanged is not
read again. Files that vanished are marked gone (their listening history stays);
a file that reappears elsewhere as the same recording takes its old row back.
Missing tags fall back to the ``Artist/Album/NN Title.ext`` folder layout and
the fallback is recorded in ``tag_source``. The same recording present in
several formats or copies is served once, from the best copy (lossless first,
then bitrate). A file that cannot be read is skipped with a reason; it never
stops the scan.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mutagen
import soundfile
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from recommender.normalize import normalize_name
from recommender.store import Store, Track, TrackFile

__all__ = [
    "AUDIO_EXTENSIONS",
    "DUPLICATE_TOLERANCE_S",
    "ScanSummary",
    "UnreadableFile",
    "read_track",
    "scan",
]

logger = logging.getLogger(__name__)

_FORMATS: dict[str, tuple[type[Any], ...]] = {
    ".mp3": (MP3,),
    ".flac": (FLAC,),
    ".ogg": (OggVorbis, OggOpus),
    ".oga": (OggVorbis, OggOpus),
    ".opus": (OggOpus,),
    ".wav": (WAVE,),
}
AUDIO_EXTENSIONS = tuple(_FORMATS)
DUPLICATE_TOLERANCE_S = 2.0
"""Copies of one recording whose durations differ by at most this are duplicates."""
_UNKNOWN_ARTIST = "Unknown Artist"
_BATCH_FILES = 64
_TRACK_PREFIX = re.compile(r"^\s*(?:\d{1,2}[-.])?(\d{1,3})\s*(?:[-._)]\s*|\s+)(.+)$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_YEAR_IN_ALBUM = re.compile(r"^\s*(?:(\d{4})\s*-\s*(.+?)|(.+?)\s*[(\[](\d{4})[)\]])\s*$")


class UnreadableFile(Exception):
    """A file that is not playable audio; the message is the reason shown to the user."""


@dataclass
class ScanSummary:
    """What a scan did. Paths are absolute; ``duplicates`` pairs (copy not served, copy kept)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    elapsed_s: float = 0.0


# -- reading one file ------------------------------------------------------------------


def _first(values: list[str]) -> str:
    return next((v.strip() for v in values if v and v.strip()), "")


def _id3_text(tags: ID3, frame_id: str) -> list[str]:
    frame = tags.get(frame_id)
    if frame is None:
        return []
    if frame_id == "TCON":
        return [str(g) for g in frame.genres]
    return [str(t) for t in frame.text]


def _raw_tags(audio: Any) -> dict[str, list[str]]:
    """Tag values by a common lower-case name, from ID3 or Vorbis comments."""
    tags = audio.tags
    if tags is None:
        return {}
    if isinstance(tags, ID3):
        names = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "albumartist": "TPE2",
                 "genre": "TCON", "date": "TDRC", "originaldate": "TDOR",
                 "tracknumber": "TRCK", "mood": "TMOO"}
        return {name: _id3_text(tags, frame) for name, frame in names.items()}
    out: dict[str, list[str]] = {}
    for key in tags.keys():  # noqa: SIM118 (VComment iterates (key, value) pairs)
        out[str(key).lower()] = [str(v) for v in tags[key]]
    if "albumartist" not in out and "album artist" in out:
        out["albumartist"] = out["album artist"]
    return out


def _split_multi(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        for part in re.split(r"[;\x00]", value):
            part = part.strip()
            if part and normalize_name(part) not in seen:
                seen[normalize_name(part)] = part
    return tuple(seen.values())


def _year(values: list[str]) -> int | None:
    for value in values:
        match = _YEAR.search(value)
        if match:
            return int(match.group(1))
    return None


def _track_no(value: str) -> int | None:
    match = re.match(r"\s*(\d+)", value)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _folder_names(path: Path, root: Path) -> dict[str, Any]:
    """Names implied by ``root/Artist/Album/NN Title.ext`` (whatever part of it exists)."""
    out: dict[str, Any] = {}
    match = _TRACK_PREFIX.match(path.stem)
    if match:
        out["track_no"], out["title"] = int(match.group(1)), match.group(2).strip()
    else:
        out["title"] = path.stem.strip()
    try:
        parents = path.parent.relative_to(root).parts
    except ValueError:
        parents = ()
    if len(parents) >= 2:
        out["artist"], album = parents[-2], parents[-1]
        found = _YEAR_IN_ALBUM.match(album)
        if found:
            year = found.group(1) or found.group(4)
            album = found.group(2) or found.group(3)
            out["year"] = int(year)
        out["album"] = album
    elif len(parents) == 1:
        out["artist"] = parents[0]
    return out


def _check_complete(path: Path, audio: Any) -> None:
    """Refuse truncated files: the decoder must agree with the header and reach the end."""
    if isinstance(audio, (OggVorbis, OggOpus)):
        with path.open("rb") as handle:
            last = OggPage.find_last(handle, getattr(audio.info, "serial", 0))
        if last is None or not last.last:
            raise UnreadableFile("truncated: the Ogg stream has no end-of-stream page")
    try:
        with soundfile.SoundFile(str(path)) as sound:
            decoded_s = sound.frames / sound.samplerate if sound.samplerate else 0.0
            if abs(decoded_s - audio.info.length) > max(1.0, 0.02 * audio.info.length):
                raise UnreadableFile(f"truncated: header says {audio.info.length:.1f} s, "
                                     f"the data holds {decoded_s:.1f} s")
            tail = min(sound.frames, sound.samplerate // 2)
            sound.seek(sound.frames - tail)
            if tail and len(sound.read(tail, dtype="int16")) < tail // 2:
                raise UnreadableFile("truncated: the end of the audio data is missing")
    except soundfile.LibsndfileError as exc:
        raise UnreadableFile(f"truncated or corrupt audio data ({exc.error_string})") from exc


def _quality(audio: Any) -> tuple[str, bool, int]:
    info = audio.info
    if isinstance(audio, (FLAC, WAVE)):
        pcm_bps = int(info.sample_rate * info.bits_per_sample * info.channels)
        return ("flac" if isinstance(audio, FLAC) else "wav"), True, pcm_bps
    codec = {MP3: "mp3", OggVorbis: "vorbis", OggOpus: "opus"}.get(type(audio), "")
    return codec, False, int(getattr(info, "bitrate", 0) or 0)


def read_track(path: Path, root: Path, verify: bool = True) -> TrackFile:
    """Read one audio file's names, duration and quality; raise UnreadableFile with a reason.

    ``root`` is the scanned folder the Artist/Album fallback is taken relative to;
    ``verify`` decodes the end of the file to catch truncation.
    """
    kinds = _FORMATS.get(path.suffix.lower())
    if kinds is None:
        raise UnreadableFile(f"not a supported audio format ({path.suffix or 'no extension'})")
    try:
        stat = path.stat()
        audio = mutagen.File(str(path), options=list(kinds))
    except mutagen.MutagenError as exc:
        raise UnreadableFile(f"not a readable {path.suffix[1:].upper()} file ({exc})") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file ({exc.strerror or exc})") from exc
    if audio is None or audio.info is None:
        raise UnreadableFile(f"not a {path.suffix[1:].upper()} audio file")
    duration_s = float(getattr(audio.info, "length", 0.0) or 0.0)
    if duration_s <= 0.0:
        raise UnreadableFile("no audio in the file (zero length)")
    if verify:
        _check_complete(path, audio)
    raw = _raw_tags(audio)
    folder = _folder_names(path, root)
    from_folder = []
    names: dict[str, str] = {}
    for key, tag in (("title", "title"), ("artist", "artist"), ("album", "album")):
        names[key] = _first(raw.get(tag, []))
        if not names[key] and folder.get(key):
            names[key] = folder[key]
            from_folder.append(key)
    if not names["artist"]:
        names["artist"] = _first(raw.get("albumartist", [])) or _UNKNOWN_ARTIST
    tag_track = _track_no(_first(raw.get("tracknumber", [])))
    tag_year = _year(raw.get("date", []) + raw.get("originaldate", []) + raw.get("year", []))
    source = "tags" if not from_folder else "folder" if len(from_folder) == 3 else "mixed"
    if from_folder:
        logger.debug("%s: %s from folder names", path, ", ".join(from_folder))
    codec, lossless, quality_bps = _quality(audio)
    return TrackFile(
        path=str(path), mtime_ns=stat.st_mtime_ns, size_bytes=stat.st_size,
        title=names["title"], artist=names["artist"], album=names["album"],
        album_artist=_first(raw.get("albumartist", [])) or names["artist"],
        genres=_split_multi(raw.get("genre", [])),
        year=tag_year if tag_year is not None else folder.get("year"),
        track_no=tag_track if tag_track is not None else folder.get("track_no"),
        duration_s=duration_s, tag_source=source, codec=codec, lossless=lossless,
        quality_bps=quality_bps, tags=_split_multi(raw.get("mood", []) + raw.get("style", [])),
    )


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
            if not name.startswith(".") and Path(name).suffix.lower() in _FORMATS:
                found.append(Path(current) / name)
    return found


def _quality_rank(track: Track) -> tuple[bool, int, bool, int]:
    return (track.lossless, track.quality_bps, track.tag_source == "tags", -track.id)


def find_duplicates(tracks: Sequence[Track],
                    tolerance_s: float = DUPLICATE_TOLERANCE_S) -> dict[int, int]:
    """Duplicate id -> kept id, over present tracks with the same artist, title and album keys."""
    groups: dict[tuple[str, str, str], list[Track]] = {}
    for track in tracks:
        if track.title_key and not track.gone:
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
            else:
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
                    summary.moved.append((vanished.pop(reuse), record.path))
                elif not known_path or states[record.path].gone:
                    summary.added.append(record.path)
                else:
                    summary.updated.append(record.path)
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
            summary.unchanged.append(key)
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

    summary.removed = sorted(vanished.values())
    present = store.tracks(include_duplicates=True)
    duplicate_of = find_duplicates(present)
    store.set_duplicates(duplicate_of)
    by_id = {t.id: t.path for t in present}
    summary.duplicates = sorted((by_id[d], by_id[k]) for d, k in duplicate_of.items())
    store.set_last_scan()
    summary.elapsed_s = time.monotonic() - started
    logger.info("scan: %d added, %d updated, %d removed, %d moved, %d unchanged, %d skipped, "
                "%d duplicates in %.1f s", len(summary.added), len(summary.updated),
                len(summary.removed), len(summary.moved), len(summary.unchanged),
                len(summary.skipped), len(summary.duplicates), summary.elapsed_s)
    return summary
