"""Choose the command-rescoring rule on the development corpora (never the recorded one).

Runs the real loop over a development corpus (``bench/make_dev_corpus.py``) with
rescoring off, and whenever the parser could not read a transcript, scores every
command phrase under Whisper given the same audio, as rescoring would. It then
replays the hear-then-rescore flow offline for a grid of rules and counts, per
rule, the requests rescued (unknown -> the expected intent), the wrong actions
(unknown -> another intent, or any action on a negative clip) and the accuracy.

A rule is ``speaker.stt.choose_phrase`` with a margin (the phrase's mean
log-probability per token may trail the free transcript's by at most this many
nats), a rival margin (it must lead every phrase that means something else by at
least this many) and a similarity floor: only phrases that look or sound like what
Whisper wrote (``speaker.commands.similarity``, 0-100) compete. Run:

    python -m bench.tune_rescore --corpus out/dev-corpus/manifest.jsonl --save S.json
    python -m bench.tune_rescore --load S.json [--load S2.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.corpus_runs import add_collect_args, clips_with_calls, collected
from speaker.commands import command_phrases, meaning
from speaker.intents import clean, parse
from speaker.intents_fuzzy import similarity

MARGINS = (0.25, 0.5, 0.75, 1.0, 1.5)
FLOORS = (0.0, 50.0, 60.0, 70.0)
RIVALS = (0.0, 0.1, 0.2, 0.3, 0.5)


def collect(corpus: Path, library: Path, config: Path | None) -> list[dict[str, Any]]:
    """Per clip: the manifest entry, what the loop did, and each unread transcript's scores."""
    import numpy as np
    import torch

    from speaker.config import load as load_settings
    from speaker.stt import Transcriber

    loaded = load_settings(config)  # rescoring off, one model: the scores decide afterwards
    settings = dataclasses.replace(
        loaded, stt=dataclasses.replace(loaded.stt, rescore_margin=0.0, second_model="",
                                        grammar=False))
    calls: list[dict[str, Any]] = []
    original = Transcriber._run

    def run(self: Transcriber, samples: np.ndarray, prompt: str, commands: Any,
            lead: str = "") -> tuple[str, float, str, float]:
        text, no_speech, heard, logprob = original(self, samples, prompt, commands, lead)
        phrases = command_phrases(text) if commands is not None and text else ()
        if phrases:
            with torch.inference_mode():
                audio = self._encode(self._mel(samples))
                scores = self._score(audio, [text, *phrases], self._lead_tokens(lead))
            calls.append({"text": text, "lead": lead, "free": scores[0],
                          "scores": dict(zip(phrases, scores[1:], strict=True))})
        return text, no_speech, heard, logprob

    Transcriber._run = run  # type: ignore[method-assign]
    try:
        return clips_with_calls(settings, corpus, library, calls, "rescorable")
    finally:
        Transcriber._run = original  # type: ignore[method-assign]


def decide(clip: dict[str, Any], margin: float, floor: float, rival: float) -> str | None:
    """The intent the loop would have acted on under this rule."""
    from speaker.stt import choose_phrase

    for call in clip["calls"]:
        cleaned = clean(call["text"])
        kept = [p for p in call["scores"] if similarity(cleaned, p) >= floor]
        chosen = choose_phrase(call["free"], kept, [call["scores"][p] for p in kept], margin,
                               rival, meaning)
        if chosen:
            return parse(chosen).intent
    return clip["intent"]


def sweep(clips: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    positives = [c for c in clips if c["kind"] == "positive"]
    for margin in MARGINS:
        for floor in FLOORS:
            for rival in RIVALS:
                right = wrong = acted = 0
                for clip in clips:
                    intent = decide(clip, margin, floor, rival)
                    if clip["kind"] != "positive":
                        acted += intent not in (None, "unknown")
                    elif intent == clip["expected"]["intent"]:
                        right += 1
                    elif intent not in (None, "unknown"):
                        wrong += 1
                rows.append({"margin": margin, "floor": floor, "rival": rival, "right": right,
                             "wrong": wrong, "negatives_acted": acted,
                             "positives": len(positives)})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_collect_args(parser, "settings, e.g. one that turns rescoring off")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    clips = collected(args, collect)
    rows = sweep(clips)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    base = sum(c["intent"] == (c["expected"] or {}).get("intent") for c in clips)
    print(f"rescoring off: {base} right")
    print("| margin (nats/token) | similarity floor | rival margin | right | wrong actions "
          "| negatives acted on |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['margin']} | {r['floor']:.0f} | {r['rival']} | {r['right']} / "
              f"{r['positives']} | {r['wrong']} | {r['negatives_acted']} |")
    calls = [call for clip in clips for call in clip["calls"]]
    print(f"\nphrases Whisper scores per unread transcript ({len(calls)} transcripts):")
    for floor in FLOORS:
        counts = [sum(similarity(clean(c["text"]), p) >= floor for p in c["scores"])
                  for c in calls]
        print(f"  floor {floor:.0f}: mean {sum(counts) / max(len(counts), 1):.1f}, "
              f"max {max(counts, default=0)}, none in {counts.count(0)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
