"""Requests for music the demo library does not have ("play Nirvana"), as a corpus.

Encore should answer these truthfully ("I couldn't find Nirvana in your library. Here's
something close: ...") rather than read them as a name the library has. Each request is
rendered by the development corpus's voices (``bench/make_dev_corpus``), clean and over
the demo library's music at 10 dB, with the test corpus's mixing, and written with a
manifest whose expectations are the names as spoken, so ``encore harness report
--corpus`` counts as "slot acc." the requests still heard as asked. Run:

    python -m bench.make_unknown_names --out out/unknown-names --seed 6
    encore harness report --corpus out/unknown-names/manifest.jsonl
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from audio_assets import make_corpus as corpus
from bench.clip_sets import run, write_manifest
from bench.make_dev_corpus import DEV_SPEAKERS

REQUESTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Play Nirvana.", {"artist": "nirvana"}),
    ("Play the Beatles.", {"artist": "the beatles"}),
    ("Put on some Taylor Swift.", {"artist": "taylor swift"}),
    ("I want to hear Radiohead.", {"artist": "radiohead"}),
    ("Play songs by Adele.", {"artist": "adele"}),
    ("Play the album Thriller.", {"album": "thriller"}),
    ("Play the album Abbey Road.", {"album": "abbey road"}),
    ("Play the song Yesterday.", {"track": "yesterday"}),
    ("Play Hotel California by the Eagles.", {"track": "hotel california",
                                               "artist": "the eagles"}),
    ("Play the song Bohemian Rhapsody.", {"track": "bohemian rhapsody"}),
    ("Play Miles Davis.", {"artist": "miles davis"}),
    ("Put on Fleetwood Mac.", {"artist": "fleetwood mac"}),
)
BACKGROUNDS = ("clean", "music10")


def build(out: Path, seed: int) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    bgs = corpus.Backgrounds(corpus.library_tracks(corpus.LIBRARY), rng)
    rows: list[dict[str, Any]] = []
    for b, background in enumerate(BACKGROUNDS):
        for i, (text, slots) in enumerate(REQUESTS):
            voice = DEV_SPEAKERS[(i + 3 * b) % len(DEV_SPEAKERS)]
            clip = corpus.positive(text, voice, background, bgs, rng)
            name = f"pos{len(rows) + 1:03d}_play_{corpus._slug(text)}_{background}.flac"
            corpus._write(out / name, clip.audio)
            rows.append({"file": name, "kind": "positive", "category": "request",
                         "background": background, "voice": voice.label, "text": text,
                         "expected_transcript": corpus.normalise(text),
                         "expected": {"intent": "play", "slots": slots}, **clip.meta})
    return write_manifest(out, rows)


def main(argv: Sequence[str] | None = None) -> int:
    return run(build, argv, __doc__.splitlines()[0], "out/unknown-names", 6)


if __name__ == "__main__":
    sys.exit(main())
