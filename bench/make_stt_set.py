"""Generate the committed speech-to-text bench set: spoken music commands, several voices.

``python -m bench.make_stt_set`` writes ``bench/data/stt/NN_<voice>.flac`` (16 kHz
mono, 16-bit) and ``bench/data/stt/transcripts.tsv`` (file, voice, text). With
``--verify-clip`` it also rewrites the clip ``encore models install`` checks
(``speaker/assets/verify.flac`` + ``verify.txt``). espeak-ng output is
deterministic, so running it again reproduces the committed files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import soundfile as sf

from bench.voices import RATE_HZ, VOICES, Voice, speak

OUT_DIR = Path(__file__).parent / "data" / "stt"
ASSETS = Path(__file__).resolve().parent.parent / "speaker" / "assets"
VERIFY_TEXT = "play the beatles"
VERIFY_VOICE = Voice("en-gb", 150)

COMMANDS: tuple[str, ...] = (
    "play some jazz by miles davis",
    "play the beatles",
    "turn the volume up",
    "turn it down a little",
    "skip this song",
    "play the next track",
    "pause the music",
    "stop",
    "play something by queen",
    "play kind of blue",
    "what song is this",
    "who is singing",
    "play some relaxing music",
    "play my workout playlist",
    "shuffle my library",
    "play the album abbey road",
    "put on some rock music",
    "play songs from the eighties",
    "set the volume to fifty percent",
    "resume playback",
    "play bohemian rhapsody",
    "i like this song",
    "never play this again",
    "play something i have not heard in a while",
    "play music for dinner",
    "go back to the previous song",
    "stop the music in twenty minutes",
    "play some classical music",
    "play radiohead",
    "play the latest album by adele",
    "turn on repeat",
    "play something upbeat for the kids",
    "play hotel california by the eagles",
    "louder please",
    "play some music by david bowie",
    "what album is this from",
    "play thriller by michael jackson",
    "play piano music for studying",
    "add this song to my favourites",
    "play some blues",
)


def _write(path: Path, text: str, voice: Voice) -> None:
    audio = speak(text, voice)
    sf.write(path, audio, RATE_HZ, subtype="PCM_16", format="FLAC")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--verify-clip", action="store_true",
                        help="also rewrite speaker/assets/verify.flac and verify.txt")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rows = ["file\tvoice\ttext"]
    for i, text in enumerate(COMMANDS):
        voice = VOICES[i % len(VOICES)]
        name = f"{i:02d}_{voice.label}.flac"
        _write(out / name, text, voice)
        rows.append(f"{name}\t{voice.label}\t{text}")
    (out / "transcripts.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(COMMANDS)} clips to {out}")
    if args.verify_clip:
        _write(ASSETS / "verify.flac", VERIFY_TEXT, VERIFY_VOICE)
        (ASSETS / "verify.txt").write_text(VERIFY_TEXT + "\n", encoding="utf-8")
        print(f"wrote {ASSETS / 'verify.flac'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
