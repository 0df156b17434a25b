"""What the grammar search costs for a large library: build time, memory, search time.

A synthetic library of ``--tracks`` tracks (random two-word artist and album names, one-
to four-word titles) is spelt out (``speaker.grammar.Vocabulary``), its token trie built
with tiny.en's tokenizer, and the search run on the committed clip
``tests/data/grammar_kingston_music0.flac`` (the search alone: the audio is already
encoded, and the scoring of up to four phrases that follows is not timed). The peer,
measured in the same run, is tiny.en's plain transcription of the same clip. Run:

    python -m bench.bench_grammar --tracks 10000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

CLIP = Path(__file__).resolve().parents[1] / "tests" / "data" / "grammar_kingston_music0.flac"


def main(argv: Sequence[str] | None = None) -> int:
    import torch

    from recommender.records import LibraryNames
    from speaker.audio import load_audio
    from speaker.config import load
    from speaker.grammar import TokenTrie, Vocabulary
    from speaker.stt import Transcriber

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(0)
    syllables = ["ka", "lo", "mi", "ren", "dra", "vel", "son", "tor", "bel", "an", "is", "ur"]

    def name(words: int) -> str:
        return " ".join("".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
                        .capitalize() for _ in range(words))

    artists = [name(2) for _ in range(max(1, args.tracks // 20))]
    albums = [name(2) for _ in range(max(1, args.tracks // 10))]
    credits = [(name(rng.randint(1, 4)), rng.choice(albums), rng.choice(artists))
               for _ in range(args.tracks)]
    names = LibraryNames(tuple(sorted(set(artists))), tuple(sorted(set(albums))),
                         tuple(sorted({c[0] for c in credits})), ("Rock", "Jazz", "Pop"))
    settings = load(None)
    stt = Transcriber(settings.stt, settings.data.models_dir)
    start = time.perf_counter()
    vocabulary = Vocabulary.build(names, ["alex", "sam"], ["running"], credits)
    vocabulary_s = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    trie = TokenTrie(vocabulary, stt.tokenizer.encode)
    trie_s = time.perf_counter() - start
    trie_mb = tracemalloc.get_traced_memory()[0] / 1e6  # what the trie holds
    tracemalloc.stop()
    del trie
    stt.prepare(vocabulary)
    audio = load_audio(CLIP)
    search, plain = [], []
    with torch.inference_mode():
        encoded = stt._encode(stt._mel(audio))
        for _ in range(args.repeats):
            start = time.perf_counter()
            stt.grammar_phrases(encoded, vocabulary)
            search.append(time.perf_counter() - start)
            start = time.perf_counter()
            stt.transcribe(audio)
            plain.append(time.perf_counter() - start)
    median = sorted(search)[len(search) // 2]
    peer = sorted(plain)[len(plain) // 2]
    print(json.dumps({
        "tracks": args.tracks, "objects": len(vocabulary.objects), "phrases": len(vocabulary),
        "vocabulary_s": round(vocabulary_s, 3), "trie_s": round(trie_s, 3),
        "trie_mb": round(trie_mb, 1), "search_s_median": round(median, 3),
        "transcribe_s_median": round(peer, 3), "search_over_transcribe": round(median / peer, 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
