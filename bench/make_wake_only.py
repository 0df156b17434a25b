"""Clips of the wake word followed by nothing: "hey jarvis", then 5 s of background.

People say the wake word and then pause, or change their mind. Encore should wake and
then do nothing. The clips use the development corpus's voices (``bench/make_dev_corpus``)
and backgrounds (clean, noise, the demo library's music at 10 and 0 dB SNR), 12 each, and
are written as *negatives* with a manifest, so ``encore harness report --corpus`` runs
them: there "false accepts" counts the wakes (right here) and "negatives acted on" counts
what matters, the actions taken. Run:

    python -m bench.make_wake_only --out out/wake-only --seed 5
    encore harness report --corpus out/wake-only/manifest.jsonl
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from audio_assets import make_corpus as corpus
from bench.clip_sets import run, write_manifest
from bench.make_dev_corpus import DEV_SPEAKERS

BACKGROUNDS = ("music0", "music10", "noise", "clean")
PER_BACKGROUND = 12
AFTER_S = 5.0
"""Background after the wake word, in seconds: longer than the VAD's 4 s time-out."""


def build(out: Path, seed: int) -> list[dict[str, object]]:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    bgs = corpus.Backgrounds(corpus.library_tracks(corpus.LIBRARY), rng)
    rows: list[dict[str, object]] = []
    for background in BACKGROUNDS:
        for k in range(PER_BACKGROUND):
            n = len(rows) + 1
            voice = DEV_SPEAKERS[(k + 5 * n) % len(DEV_SPEAKERS)]
            wake = corpus._at_level(corpus.render(corpus.WAKE_TEXT, voice))
            speech = np.concatenate([corpus._silence(corpus.LEAD_S), wake,
                                     corpus._silence(AFTER_S)])
            bg, _ = bgs.make(background, len(speech))
            audio, _ = corpus.mix(speech, wake, bg, corpus.SNR_DB[background])
            name = f"neg{n:03d}_wake_only_{background}.flac"
            corpus._write(out / name, audio)
            rows.append({"file": name, "kind": "negative", "category": "wake_only",
                         "background": background, "voice": voice.label, "text": "",
                         "expected_transcript": "", "expected": None})
    return write_manifest(out, rows)


def main(argv: Sequence[str] | None = None) -> int:
    return run(build, argv, __doc__.splitlines()[0], "out/wake-only", 5)


if __name__ == "__main__":
    sys.exit(main())
