"""Generate a held-out development corpus for tuning Encore's voice loop.

``audio_assets/requests/`` is the test corpus: settings chosen by scoring it are fitted to
it. This corpus is for choosing settings (e.g. ``stt.wake_lead_s``) instead. It shares
nothing spoken with the test corpus: other phrasings of every intent the test corpus covers
(asserted: no normalised text in common with ``corpus_script.REQUESTS``) and other voices
(espeak-ng voices and speeds outside ``bench.voices.VOICES``; no Piper). Every phrasing is
rendered over all four backgrounds (clean, noise at 10 dB, library music at 10 dB and 0 dB
SNR), with the voice rotating, so each background holds the same requests. A few negatives
(speech without the wake word, music, noise) come last.

The clips and ``manifest.jsonl`` follow the test corpus's format
(``audio_assets/requests/README.md``), built with ``audio_assets/make_corpus.py``'s own
mixing, so the harness scores it unchanged. Never commit the output, and never tune on the
test corpus:

    .venv/bin/python -m bench.make_dev_corpus [--out out/dev-corpus] [--seed N] \
        [--lead-in-s S]
    encore harness report --corpus out/dev-corpus/manifest.jsonl --json
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from audio_assets import make_corpus as _corpus
from audio_assets.corpus_script import DEMO_SCRIPT, REQUESTS, Slots
from audio_assets.corpus_voices import SpeakerVoice
from bench.bench_rescore import DEV_VOICES
from bench.voices import VOICES, Voice

__all__ = ["DEV_NEGATIVES", "DEV_REQUESTS", "DEV_SPEAKERS", "build", "main"]

logger = logging.getLogger(__name__)

BACKGROUNDS = _corpus.BACKGROUNDS
SNR_DB = _corpus.SNR_DB
WAKE_TEXT = _corpus.WAKE_TEXT
normalise = _corpus.normalise

DEFAULT_OUT = Path("out/dev-corpus")
"""Relative to the working directory; ``out/`` is git-ignored."""
DEFAULT_SEED = 20261128  # make_corpus.py uses 20240602

DEV_SPEAKERS: tuple[Voice, ...] = (
    *DEV_VOICES,
    Voice("en-us+m7", 165, 45),
    Voice("en-gb-scotland+f4", 150, 58),
)
"""espeak-ng voice/speed/pitch combinations that ``bench.voices.VOICES`` does not use."""

# (spoken request, intent, slots), same conventions as corpus_script.REQUESTS. Names come
# from the demo library. Two were parser misses when the set was made ("play music that
# alex likes", "go back one song"), kept as correct expectations; the parser reads both now.
DEV_REQUESTS: tuple[tuple[str, str, Slots], ...] = (
    ("Play some music by Clara Whitfield.", "play", {"artist": "clara whitfield"}),
    ("Put on Delta Jim Porter.", "play", {"artist": "delta jim porter"}),
    ("I'd like to hear Glass Horizon.", "play", {"artist": "glass horizon"}),
    ("Play Kingston Sunrise.", "play", {"artist": "kingston sunrise"}),
    ("Play songs by Dusty Tapes.", "play", {"artist": "dusty tapes"}),
    ("Play the album Slow Tides.", "play", {"album": "slow tides"}),
    ("Put on the album Island Time.", "play", {"album": "island time"}),
    ("Play the album Midnight Standards by Blue Lantern Trio.", "play",
     {"album": "midnight standards", "artist": "blue lantern trio"}),
    ("Play the record Streetlight Fever.", "play", {"album": "streetlight fever"}),
    ("Play the track River Song.", "play", {"track": "river song"}),
    ("Play the song Black Anvil by Iron Verdict.", "play",
     {"track": "black anvil", "artist": "iron verdict"}),
    ("Play Autumn Letters by Nora Vance.", "play",
     {"track": "autumn letters", "artist": "nora vance"}),
    ("Play the song Orbit.", "play", {"track": "orbit"}),
    ("Put on some ambient music.", "play", {"genre": "ambient"}),
    ("Play some folk.", "play", {"genre": "folk"}),
    ("Play electronic music.", "play", {"genre": "electronic"}),
    ("Play some hip hop.", "play", {"genre": "hip hop"}),
    ("I want to hear some rock.", "play", {"genre": "rock"}),
    ("Play music from the nineties.", "play", {"year": 1990, "decade": True}),
    ("Put on something from the seventies.", "play", {"year": 1970, "decade": True}),
    ("Play songs from 1988.", "play", {"year": 1988}),
    ("Play some jazz from the fifties.", "play", {"genre": "jazz", "year": 1950, "decade": True}),
    ("Play something calm.", "play", {"mood": "calm"}),
    ("Put on something energetic.", "play", {"mood": "energetic"}),
    ("Play some party music.", "play", {"mood": "party"}),
    ("Play my running playlist.", "play", {"playlist": "running"}),
    ("Put on my dinner party playlist.", "play", {"playlist": "dinner party"}),
    ("Play some songs.", "play", {}),
    ("Put some music on.", "play", {}),
    ("Play some songs for Sam.", "play", {"user": "sam"}),
    ("Play music that Alex likes.", "play", {"user": "alex"}),
    ("Play something like this.", "play_similar", {}),
    ("Find me more music like this.", "play_similar", {}),
    ("Play similar songs.", "play_similar", {}),
    ("Next track.", "next", {}),
    ("Skip this song.", "next", {}),
    ("Go to the next one.", "next", {}),
    ("Previous track.", "previous", {}),
    ("Go back a track.", "previous", {}),
    ("Go back one song.", "previous", {}),
    ("Pause it.", "pause", {}),
    ("Pause the song.", "pause", {}),
    ("Unpause.", "resume", {}),
    ("Continue the music.", "resume", {}),
    ("Stop playing.", "stop", {}),
    ("Stop everything.", "stop", {}),
    ("Volume up.", "volume_up", {}),
    ("Make it a bit louder.", "volume_up", {}),
    ("Turn the volume down.", "volume_down", {}),
    ("Lower the volume.", "volume_down", {}),
    ("Set volume to 45.", "volume_set", {"level": 45}),
    ("Turn the volume to 80 percent.", "volume_set", {"level": 80}),
    ("What is this song?", "now_playing", {}),
    ("Who sings this?", "now_playing", {}),
    ("I really like this song.", "like", {}),
    ("Thumbs up.", "like", {}),
    ("I don't like this song.", "dislike", {}),
    ("Thumbs down.", "dislike", {}),
    ("Turn on shuffle.", "shuffle", {"on": True}),
    ("Shuffle my music.", "shuffle", {"on": True}),
    ("Stop shuffling.", "shuffle", {"on": False}),
    ("Put this song on repeat.", "repeat", {"on": True, "one": True}),
    ("Repeat on.", "repeat", {"on": True}),
    ("Stop repeating.", "repeat", {"on": False}),
    ("Sleep timer 30 minutes.", "sleep_timer", {"minutes": 30}),
    ("Turn off the music in 15 minutes.", "sleep_timer", {"minutes": 15}),
    ("Set the sleep timer for an hour.", "sleep_timer", {"minutes": 60}),
    ("Cancel that.", "cancel", {}),
    ("Forget it.", "cancel", {}),
    ("Turn off the sleep timer.", "cancel", {"target": "sleep_timer"}),
)

# (category, text, background); speech negatives have no wake word and must cause no action.
DEV_NEGATIVES: tuple[tuple[str, str, str], ...] = (
    ("speech", "Put on some ambient music.", "clean"),
    ("speech", "Skip this song.", "music10"),
    ("speech", "Is it going to rain tomorrow?", "noise"),
    ("music", "", "music0"),
    ("music", "", "music0"),
    ("noise", "", "noise"),
)


def _check_held_out() -> None:
    """Refuse a phrasing the test corpus (or the demo) already says, or a duplicate."""
    taken = {normalise(text) for text, _, _ in (*REQUESTS, *DEMO_SCRIPT)}
    mine = [normalise(text) for text, _, _ in DEV_REQUESTS]
    shared = sorted(taken.intersection(mine))
    if shared:
        raise SystemExit(f"dev phrasings also in the test corpus; rephrase them: {shared}")
    if len(set(mine)) != len(mine):
        raise SystemExit("DEV_REQUESTS has duplicate phrasings; remove one of each pair.")
    clash = set(DEV_SPEAKERS).intersection(VOICES)
    if clash:
        raise SystemExit(f"dev voices also speak the test corpus; change them: {clash}")


def plan() -> list[tuple[str, str, Slots, Voice, str]]:
    """Every phrasing in every background; a phrasing gets a different voice per background
    and each background uses every voice about equally."""
    rows = []
    for b, background in enumerate(BACKGROUNDS):
        for i, (text, intent, slots) in enumerate(DEV_REQUESTS):
            voice = DEV_SPEAKERS[(i + 3 * b) % len(DEV_SPEAKERS)]
            rows.append((text, intent, slots, voice, background))
    return rows


def build(out_dir: Path, seed: int, lead_in_s: float | None = None,
          pause_s: tuple[float, float] = (0.3, 0.5)) -> list[dict[str, Any]]:
    """Render the corpus into ``out_dir`` (old FLACs there are removed) and write
    ``manifest.jsonl``; returns its rows.

    ``lead_in_s`` is the background before the wake word (the test corpus's 1.0 s when None).
    A longer one shows what a setting that reaches back before the wake word (e.g.
    ``stt.wake_lead_s`` above about 1.7 s) does with audio a 1 s lead-in cannot supply."""
    _check_held_out()
    return _render(out_dir, seed, _corpus.LEAD_S if lead_in_s is None else lead_in_s, pause_s)


def _render(out_dir: Path, seed: int, lead_in_s: float,
            pause_s: tuple[float, float]) -> list[dict[str, Any]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.flac"):
        old.unlink()
    rng = np.random.default_rng(seed)
    bgs = _corpus.Backgrounds(_corpus.library_tracks(_corpus.LIBRARY), rng)
    rows: list[dict[str, Any]] = []
    for n, (text, intent, slots, voice, background) in enumerate(plan(), start=1):
        clip = _corpus.positive(text, voice, background, bgs, rng, lead_in_s, pause_s)
        name = f"pos{n:03d}_{intent}_{_corpus._slug(text)}_{background}.flac"
        _corpus._write(out_dir / name, clip.audio)
        rows.append({
            "file": name, "kind": "positive", "category": "request", "background": background,
            "voice": voice.label, "voice_engine": "espeak-ng", "wake_word": WAKE_TEXT,
            "text": text, "expected_transcript": normalise(text),
            "expected": {"intent": intent, "slots": slots}, **clip.meta,
        })
    for n, (category, text, background) in enumerate(DEV_NEGATIVES, start=1):
        speaker: SpeakerVoice | None = DEV_SPEAKERS[n % len(DEV_SPEAKERS)] if text else None
        clip = _corpus.negative(category, text, speaker, background, bgs, rng)
        name = f"neg{n:03d}_{category}_{_corpus._slug(text) or 'none'}_{background}.flac"
        _corpus._write(out_dir / name, clip.audio)
        rows.append({
            "file": name, "kind": "negative", "category": category, "background": background,
            "voice": speaker.label if speaker else None,
            "voice_engine": "espeak-ng" if speaker else None, "wake_word": None, "text": text,
            "expected_transcript": "", "expected": None, **clip.meta,
        })
    with (out_dir / "manifest.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output directory (default {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"background/gap seed (default {DEFAULT_SEED})")
    parser.add_argument("--lead-in-s", type=float, default=None,
                        help="seconds of background before the wake word (default: the test "
                             "corpus's 1.0)")
    parser.add_argument("--pause-s", type=float, nargs=2, default=(0.3, 0.5),
                        metavar=("MIN", "MAX"),
                        help="pause between the wake word and the request, drawn uniformly "
                             "(default 0.3 0.5, as the test corpus; people who wait for the "
                             "chime pause about a second)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = build(args.out, args.seed, args.lead_in_s, tuple(args.pause_s))
    per_bg = {bg: sum(r["kind"] == "positive" and r["background"] == bg for r in rows)
              for bg in SNR_DB}
    logger.info("%d phrasings; positives per background %s; %d negatives; voices %s -> %s",
                len(DEV_REQUESTS), per_bg, sum(r["kind"] == "negative" for r in rows),
                ", ".join(v.label for v in DEV_SPEAKERS), args.out / "manifest.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
