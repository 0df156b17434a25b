"""Reading one audio file: names, duration and quality with mutagen, truncation checks.

Names come from the tags (ID3 in MP3 and WAV, Vorbis comments in FLAC, Ogg
Vorbis and Opus); what the tags lack is taken from the ``Artist/Album/NN
Title.ext`` folder layout, and ``tag_source`` records that. MP3 duration is
mutagen's (Xing/VBRI header or bitrate), not a decoder's frame estimate.
"""

from __future__ import annotations

import logging
import re
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
from recommender.store import TrackFile

__all__ = ["AUDIO_EXTENSIONS", "UnreadableFile", "read_track"]

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
"""File name extensions the scanner reads (lower case)."""
_UNKNOWN_ARTIST = "Unknown Artist"
_TRACK_PREFIX = re.compile(r"^\s*(?:\d{1,2}[-.])?(\d{1,3})\s*(?:[-._)]\s*|\s+)(.+)$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_YEAR_IN_ALBUM = re.compile(r"^\s*(?:(\d{4})\s*-\s*(.+?)|(.+?)\s*[(\[](\d{4})[)\]])\s*$")


class UnreadableFile(Exception):
    """A file that is not playable audio; the message is the reason shown to the user."""


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
