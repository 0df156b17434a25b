"""Choose the grammar-search rule on the development corpora (never the recorded one).

Runs the real loop over a development corpus (``bench/make_dev_corpus.py``) acting
only on what it did without the grammar search: whenever a transcript was still
unread after command rescoring, the grammar search runs as in the product
(``speaker.stt.Transcriber.grammar_phrases``) and its phrases are scored against the
free transcript, but none is acted on. The hear-then-choose flow is then replayed
offline for a grid of margins (how far a phrase's mean log-probability per token may
trail the free transcript's) and rival margins (how far it must lead every phrase
that means something else), counting per rule the requests rescued, the wrong
actions (unread -> another intent, or any action on a negative clip) and the right
intents with other slots (a different name). Run:

    python -m bench.tune_grammar --corpus out/dev-corpus/manifest.jsonl --save G.json
    python -m bench.tune_grammar --load G.json [--load G2.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.corpus_runs import add_collect_args, clips_with_calls, collected
from speaker.commands import meaning
from speaker.intents import parse
from speaker.report import slots_match

MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0)
RIVALS = (0.3, 0.5, 0.75, 1.0, 1.5)


def collect(corpus: Path, library: Path, config: Path | None) -> list[dict[str, Any]]:
    """Per clip: the manifest entry, what the loop did, and each grammar search's scores."""
    from speaker.config import load as load_settings
    from speaker.stt import Transcriber

    settings = load_settings(config)
    calls: list[dict[str, Any]] = []
    original = Transcriber._rescore

    def rescore(self: Transcriber, audio: Any, text: str, phrases: Sequence[str],
                lead_tokens: Sequence[int] = (), grammar: bool = False) -> str:
        if not grammar:
            return original(self, audio, text, phrases, lead_tokens)
        scores = self._score(audio, [text, *phrases], lead_tokens)
        calls.append({"text": text, "free": scores[0],
                      "scores": dict(zip(phrases, scores[1:], strict=True))})
        return ""  # act as if the grammar search were off

    Transcriber._rescore = rescore  # type: ignore[method-assign]
    try:
        return clips_with_calls(settings, corpus, library, calls, "searched")
    finally:
        Transcriber._rescore = original  # type: ignore[method-assign]


def decide(clip: dict[str, Any], margin: float, rival: float,
           searches: int = 99) -> tuple[str | None, dict[str, Any], str]:
    """The intent and slots the loop would have acted on under this rule, searching
    at most the first ``searches`` unread transcripts, and the phrase chosen ("" if none)."""
    from speaker.stt import choose_phrase

    for call in clip["calls"][:searches]:
        phrases = list(call["scores"])
        chosen = choose_phrase(call["free"], phrases, [call["scores"][p] for p in phrases],
                               margin, rival, meaning)
        if chosen:
            parsed = parse(chosen)
            return parsed.intent, parsed.slots, chosen
    return clip["intent"], clip["slots"] or {}, ""


def sweep(clips: Sequence[dict[str, Any]], searches: int = 99) -> list[dict[str, Any]]:
    rows = []
    positives = [c for c in clips if c["kind"] == "positive"]
    before = sum(c["intent"] == c["expected"]["intent"] for c in positives)
    for margin in MARGINS:
        for rival in RIVALS:
            right = wrong = other_slots = acted = 0
            for clip in clips:
                intent, slots, chosen = decide(clip, margin, rival, searches)
                if clip["kind"] != "positive":
                    acted += intent not in (None, "unknown")
                elif intent == clip["expected"]["intent"]:
                    right += 1
                    other_slots += bool(chosen) and not slots_match(
                        clip["expected"]["slots"], slots)
                elif chosen:
                    wrong += 1
            rows.append({"margin": margin, "rival": rival, "right": right,
                         "rescued": right - before, "wrong": wrong,
                         "other_slots": other_slots, "negatives_acted": acted,
                         "positives": len(positives)})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_collect_args(parser)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--searches", type=int, default=99,
                        help="replay only the first N searches of each request")
    parser.add_argument("--show", nargs=2, type=float, metavar=("MARGIN", "RIVAL"),
                        help="list the phrases this rule would act on")
    args = parser.parse_args(argv)
    clips = collected(args, collect)
    if args.show:
        for clip in clips:
            intent, slots, chosen = decide(clip, args.show[0], args.show[1], args.searches)
            if chosen:
                print(f"{clip['file']}: {chosen!r} -> {intent} {slots}; "
                      f"expected {clip['expected']}")
        return 0
    rows = sweep(clips, args.searches)
    if args.json:
        print(json.dumps(rows))
        return 0
    print("| margin | rival margin | right | rescued | wrong actions added | right intent, "
          "other slots | negatives acted on |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['margin']} | {r['rival']} | {r['right']} / {r['positives']} | "
              f"{r['rescued']} | {r['wrong']} | {r['other_slots']} | "
              f"{r['negatives_acted']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
