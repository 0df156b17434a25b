"""Choose the grammar-search rule on the development corpora (never the recorded one).

Runs the real loop over a development corpus (``bench/make_dev_corpus.py``) acting
only on what it did without the grammar search: whenever a transcript was still
unread after command rescoring, the grammar search runs as in the product
(``speaker.stt.Transcriber.grammar_phrases``) and its phrases are scored against the
free transcript, but none is acted on. The hear-then-choose flow is then replayed
offline for a grid of margins (how far a phrase's mean log-probability per token may
trail the free transcript's) and rival margins (how far it must lead every phrase
that means something else); then, with the margins chosen, for a grid of the looser
rival margin and the similarity floor of phrases that look or sound like the free
transcript (``speaker.stt.choose_grammar_phrase``). Each rule counts the requests
rescued, the wrong actions (unread -> another intent, or any action on a negative
clip) and the right intents with other slots (a different name). Run:

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
from speaker.config import SttSettings
from speaker.intents import parse
from speaker.report import slots_match

MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0)
RIVALS = (0.3, 0.5, 0.75, 1.0, 1.5)
SIMILAR_RIVALS = (0.0, 0.3, 0.5)
SIMILARITIES = (50.0, 55.0, 60.0, 65.0, 70.0, 101.0)
"""101: no phrase is similar enough (the looser rule off)."""


def rule(margin: float, rival: float, similar_rival: float = 0.0,
         similarity: float = 101.0) -> SttSettings:
    return SttSettings(grammar_margin=margin, grammar_rival_margin=rival,
                       grammar_similar_rival_margin=similar_rival,
                       grammar_min_similarity=similarity)


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


def decide(clip: dict[str, Any], settings: SttSettings,
           searches: int = 99) -> tuple[str | None, dict[str, Any], str]:
    """The intent and slots the loop would have acted on under this rule, searching
    at most the first ``searches`` unread transcripts, and the phrase chosen ("" if none)."""
    from speaker.stt import choose_grammar_phrase

    for call in clip["calls"][:searches]:
        phrases = list(call["scores"])
        chosen = choose_grammar_phrase(call["free"], call["text"], phrases,
                                       [call["scores"][p] for p in phrases], settings)
        if chosen:
            parsed = parse(chosen)
            return parsed.intent, parsed.slots, chosen
    return clip["intent"], clip["slots"] or {}, ""


def sweep(clips: Sequence[dict[str, Any]], searches: int = 99,
          margins: tuple[float, float] = (0.75, 1.5)) -> list[dict[str, Any]]:
    """One row per rule: the margin x rival grid with the looser rule off, then the
    looser rule's grid with ``margins`` (margin, rival margin) fixed."""
    rules = [rule(m, r) for m in MARGINS for r in RIVALS]
    rules += [rule(*margins, s, f) for s in SIMILAR_RIVALS for f in SIMILARITIES[:-1]]
    positives = [c for c in clips if c["kind"] == "positive"]
    before = sum(c["intent"] == c["expected"]["intent"] for c in positives)
    rows = []
    for settings in rules:
        right = wrong = other_slots = acted = 0
        for clip in clips:
            intent, slots, chosen = decide(clip, settings, searches)
            if clip["kind"] != "positive":
                acted += intent not in (None, "unknown")
            elif intent == clip["expected"]["intent"]:
                right += 1
                other_slots += bool(chosen) and not slots_match(clip["expected"]["slots"],
                                                                slots)
            elif chosen:
                wrong += 1
        rows.append({"margin": settings.grammar_margin,
                     "rival": settings.grammar_rival_margin,
                     "similar_rival": settings.grammar_similar_rival_margin,
                     "similarity": settings.grammar_min_similarity, "right": right,
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
    parser.add_argument("--show", nargs=4, type=float,
                        metavar=("MARGIN", "RIVAL", "SIMILAR_RIVAL", "SIMILARITY"),
                        help="list the phrases this rule would act on")
    args = parser.parse_args(argv)
    clips = collected(args, collect)
    if args.show:
        for clip in clips:
            intent, slots, chosen = decide(clip, rule(*args.show), args.searches)
            if chosen:
                print(f"{clip['file']}: {chosen!r} -> {intent} {slots}; "
                      f"expected {clip['expected']}")
        return 0
    rows = sweep(clips, args.searches)
    if args.json:
        print(json.dumps(rows))
        return 0
    print("| margin | rival margin | similar: rival margin | similar: floor | right | "
          "rescued | wrong actions added | right intent, other slots | negatives acted on |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        similar = ("| off | off" if r["similarity"] > 100 else
                   f"| {r['similar_rival']} | {r['similarity']:.0f}")
        print(f"| {r['margin']} | {r['rival']} {similar} | {r['right']} / {r['positives']} | "
              f"{r['rescued']} | {r['wrong']} | {r['other_slots']} | "
              f"{r['negatives_acted']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
