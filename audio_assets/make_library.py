"""Generate Encore's demo music library: short synthesised tracks, free of any rights.

Every track is synthesised (``library_synth.py``: oscillators, filtered noise and
Karplus-Strong strings), so the library can be rebuilt bit for bit and shipped under CC0.
This module holds the catalogue (fictional artists, albums, styles), the tagging and the
seeded listening history. Output:

    audio_assets/library/<Artist>/<Album>/NN Title.ogg   (mono 22050 Hz Ogg Vorbis, tagged)
    audio_assets/library/profiles.json                    (seeded listening history, 2 users)

Run ``.venv/bin/python audio_assets/make_library.py`` (``--seed`` changes every random choice).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from mutagen.ogg import OggPage
from mutagen.oggvorbis import OggVorbis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from audio_assets.library_synth import RATE_HZ, RENDERERS, TRACK_S, Chord, Style, master

__all__ = ["ALBUMS", "RATE_HZ", "RENDERERS", "TASTES", "TRACK_S", "build", "listening_history",
           "master"]

logger = logging.getLogger(__name__)

OUT_DIR = Path(__file__).resolve().parent / "library"
VORBIS_QUALITY = 0.62  # soundfile compression_level: 0 = best quality, 1 = smallest file


# ---------------------------------------------------------------- catalogue

II_V_I: tuple[Chord, ...] = ((2, "m7"), (7, "7"), (0, "maj7"), (9, "m7"))
POP: tuple[Chord, ...] = ((0, "maj"), (7, "maj"), (9, "min"), (5, "maj"))
MINOR: tuple[Chord, ...] = ((0, "min"), (8, "maj"), (3, "maj"), (10, "maj"))
ROCK: tuple[Chord, ...] = ((0, "5"), (5, "5"), (7, "5"), (5, "5"))
METAL: tuple[Chord, ...] = ((0, "5"), (1, "5"), (0, "5"), (3, "5"))
LOFI: tuple[Chord, ...] = ((5, "maj9"), (4, "m7"), (2, "m9"), (0, "maj9"))
AMBIENT: tuple[Chord, ...] = ((0, "sus2"), (5, "maj7"), (9, "min"), (7, "sus2"))


@dataclass(frozen=True)
class Album:
    artist: str
    title: str
    year: int
    genre: str
    tracks: tuple[tuple[str, Style], ...]


def _s(genre: str, bpm: float, key: int, prog: tuple[Chord, ...], variant: int = 0) -> Style:
    return Style(genre, bpm, key, prog, variant)


ALBUMS: tuple[Album, ...] = (
    Album("Blue Lantern Trio", "Midnight Standards", 1962, "Jazz", (
        ("Smoke Rings", _s("Jazz", 138, 5, II_V_I)),
        ("Late Night Walk", _s("Jazz", 120, 10, II_V_I, 1)),
        ("Four Corners", _s("Jazz", 156, 3, ((0, "m7"), (5, "7"), (10, "maj7"), (3, "maj7")), 1)),
    )),
    Album("Nora Vance", "Velvet Hours", 1978, "Jazz", (
        ("Velvet Hours", _s("Jazz", 112, 0, II_V_I, 1)),
        ("Autumn Letters", _s("Jazz", 128, 7, ((9, "m7"), (2, "7"), (7, "maj7"), (0, "maj7")))),
    )),
    Album("Glass Horizon", "Slow Tides", 1994, "Ambient", (
        ("Slow Tides", _s("Ambient", 60, 2, AMBIENT)),
        ("Northern Light",
         _s("Ambient", 60, 9, ((0, "maj7"), (4, "min"), (5, "sus2"), (2, "min")), 1)),
        ("Harbour Fog", _s("Ambient", 60, 4, AMBIENT, 1)),
    )),
    Album("Solar Drift", "Weightless", 2021, "Ambient", (
        ("Weightless", _s("Ambient", 60, 7, ((0, "sus2"), (3, "maj7"), (8, "maj7"), (10, "sus2")))),
        ("Orbit", _s("Ambient", 60, 11, AMBIENT, 1)),
    )),
    Album("The Night-Owls", "Streetlight Fever", 1971, "Rock", (
        ("Streetlight Fever", _s("Rock", 128, 4, ROCK)),
        ("Highway Ghost", _s("Rock", 140, 9, ((0, "5"), (10, "5"), (5, "5"), (7, "5")), 1)),
        ("Runaway Heart", _s("Rock", 116, 2, ROCK, 1)),
    )),
    Album("Iron Verdict", "Forged in Thunder", 1988, "Metal", (
        ("Forged in Thunder", _s("Metal", 172, 4, METAL)),
        ("Black Anvil", _s("Metal", 160, 2, ((0, "5"), (3, "5"), (1, "5"), (0, "5")), 1)),
        ("Steel Rain", _s("Metal", 184, 0, METAL, 1)),
    )),
    Album("Area 51", "Signal Lost", 2003, "Electronic", (
        ("Signal Lost", _s("Electronic", 126, 9, MINOR)),
        ("Night Transmission", _s("Electronic", 128, 2, MINOR, 1)),
        ("Radio Static", _s("Electronic", 124, 5, POP)),
    )),
    Album("Neon Pulse", "Afterglow", 2012, "Electronic", (
        ("Afterglow", _s("Electronic", 122, 0, POP, 1)),
        ("City of Lights", _s("Electronic", 130, 7, MINOR)),
    )),
    Album("Clara Whitfield", "Preludes for a Quiet Room", 1968, "Classical", (
        ("Prelude in C", _s("Classical", 84, 0, ((0, "maj"), (9, "min"), (2, "min"), (7, "7")))),
        ("Morning Study", _s("Classical", 96, 7, POP, 1)),
        ("Nocturne for Anna", _s("Classical", 72, 9, MINOR, 1)),
    )),
    Album("Willow Creek", "Harvest Road", 1975, "Folk", (
        ("Harvest Road", _s("Folk", 100, 7, POP)),
        ("River Song", _s("Folk", 92, 2, ((0, "maj"), (5, "maj"), (0, "maj"), (7, "maj")), 1)),
        ("Lantern Hill", _s("Folk", 108, 9, POP, 1)),
    )),
    Album("Kingston Sunrise", "Island Time", 1981, "Reggae", (
        ("Island Time", _s("Reggae", 76, 7, ((0, "maj"), (5, "maj"), (7, "maj"), (5, "maj")))),
        ("Palm Street",
         _s("Reggae", 72, 2, ((0, "min"), (5, "min"), (0, "min"), (7, "min")), 1)),
        ("Sunday Skank", _s("Reggae", 80, 9, POP)),
    )),
    Album("Dusty Tapes", "Rainy Afternoons", 2019, "Hip Hop", (
        ("Rainy Afternoons", _s("Hip Hop", 82, 0, LOFI)),
        ("Coffee and Cassettes", _s("Hip Hop", 76, 5, LOFI, 1)),
        ("Study Break", _s("Hip Hop", 88, 9, ((0, "m9"), (5, "m7"), (10, "maj9"), (3, "maj9")), 1)),
    )),
    Album("Delta Jim Porter", "Crossroads Shuffle", 1965, "Blues", (
        ("Crossroads Shuffle", _s("Blues", 96, 4, II_V_I)),
        ("Muddy Water Boogie", _s("Blues", 108, 9, II_V_I, 1)),
    )),
)


def track_path(root: Path, album: Album, number: int, title: str) -> Path:
    return root / album.artist / album.title / f"{number:02d} {title}.ogg"


def write_track(path: Path, audio: np.ndarray, album: Album, number: int, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio, RATE_HZ, format="OGG", subtype="VORBIS", compression_level=VORBIS_QUALITY)
    tags = OggVorbis(path)
    tags.update({
        "title": title, "artist": album.artist, "album": album.title,
        "albumartist": album.artist, "genre": album.genre, "date": str(album.year),
        "tracknumber": f"{number}/{len(album.tracks)}",
    })
    tags.save()
    _fix_serial(path, zlib.crc32(f"{album.artist}/{album.title}/{number}".encode()))


def _fix_serial(path: Path, serial: int) -> None:
    """Replace libsndfile's random Ogg stream serial so a rebuild gives identical bytes."""
    pages = []
    with path.open("rb") as fh:
        while True:
            try:
                pages.append(OggPage(fh))
            except EOFError:
                break
    for page in pages:
        page.serial = serial
    path.write_bytes(b"".join(page.write() for page in pages))


# ---------------------------------------------------------------- listening history

TASTES: dict[str, dict[str, int]] = {
    # +1 loves, -1 avoids; genres not listed are neutral.
    "alex": {"Jazz": 1, "Ambient": 1, "Classical": 1, "Folk": 1, "Rock": -1, "Metal": -1,
             "Electronic": -1},
    "sam": {"Rock": 1, "Electronic": 1, "Metal": 1, "Hip Hop": 1, "Jazz": -1, "Classical": -1,
            "Ambient": -1},
}


def listening_history(seed: int) -> list[dict[str, object]]:
    """Seeded plays per user: many completes and some likes in loved genres, skips elsewhere.

    About one loved track in five is left unheard so a recommender has something to find.
    """
    rng = np.random.default_rng(seed + 1)
    events: list[dict[str, object]] = []
    for user, taste in TASTES.items():
        for album in ALBUMS:
            affinity = taste.get(album.genre, 0)
            for title, _style in album.tracks:
                counts = {"complete": 0, "skip": 0, "like": 0, "dislike": 0}
                if affinity > 0 and rng.random() < 0.8:
                    counts["complete"] = int(rng.integers(3, 13))
                    counts["skip"] = int(rng.integers(0, 2))
                    counts["like"] = int(rng.random() < 0.5)
                elif affinity == 0 and rng.random() < 0.5:
                    counts["complete"] = int(rng.integers(1, 4))
                    counts["skip"] = int(rng.integers(0, 3))
                elif affinity < 0 and rng.random() < 0.7:
                    counts["skip"] = int(rng.integers(2, 7))
                    counts["complete"] = int(rng.integers(0, 2))
                    counts["dislike"] = int(rng.random() < 0.4)
                events.extend(
                    {"user": user, "artist": album.artist, "title": title, "kind": kind,
                     "count": count}
                    for kind, count in counts.items() if count
                )
    return events


def build(out_dir: Path, seed: int) -> list[Path]:
    """Render every track of ALBUMS into ``out_dir`` and write profiles.json; return the tracks."""
    for child in out_dir.iterdir() if out_dir.exists() else ():
        if child.is_dir():
            shutil.rmtree(child)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for a_idx, album in enumerate(ALBUMS):
        for number, (title, style) in enumerate(album.tracks, start=1):
            rng = np.random.default_rng([seed, a_idx, number])
            audio = master(RENDERERS[style.genre](style, rng))
            path = track_path(out_dir, album, number, title)
            write_track(path, audio, album, number, title)
            logger.info("wrote %s", path.relative_to(out_dir))
            paths.append(path)
    profiles = {"seed": seed, "users": sorted(TASTES), "events": listening_history(seed)}
    (out_dir / "profiles.json").write_text(json.dumps(profiles, indent=1) + "\n")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths = build(args.out, args.seed)
    size_kb = sum(p.stat().st_size for p in paths) / 1024
    logger.info("%d tracks, %.0f kB", len(paths), size_kb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
