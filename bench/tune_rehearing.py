"""Choose the bars for hearing unread requests again, on the development corpora
(never the recorded one): ``stt.retry_min_logprob`` (the same model without the
library prompt) and ``stt.second_min_logprob`` (a second model).

Runs the real loop over a development corpus (``bench/make_dev_corpus.py``) acting
on the first transcript only; for every request it leaves unread, each rehearing
the config enables (:func:`speaker.runtime.rehearings`) hears it, and what it heard,
the intent the parser's rules read in it (as the loop does for a rehearing: no fuzzy
near misses) and how sure the model was (mean log-probability per token) is recorded
under ``unprompted`` or ``second``. It then counts, for a range of bars, the requests a
rehearing would rescue (the expected intent) and the wrong actions it would add
(another intent); ``--after unprompted:-1.0`` first drops the clips that rehearing
rescues at that bar, as the loop would. Run:

    python -m bench.tune_rehearing --corpus out/dev-corpus/manifest.jsonl --save U.json
    printf '[stt]\\nsecond_model = "base"\\n' > out/second.toml
    python -m bench.tune_rehearing --config out/second.toml --corpus ... \\
        --kind second --after unprompted:-1.0 [--load S.json ...]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.corpus_runs import add_collect_args, collected, each_clip

BARS = (-0.3, -0.4, -0.5, -0.6, -0.8, -1.0, -1.5, -100.0)
KINDS = ("unprompted", "second")


def collect(corpus: Path, library: Path, config: Path | None) -> list[dict[str, Any]]:
    import speaker.hearing as hearing
    import speaker.loop as loop
    from speaker.config import load
    from speaker.intents import parse

    settings = load(config)
    seen: dict[str, Any] = {}

    def hear(stt: Any, request: Any, lead: Any, prompt: str, commands: Any,
             rehearings: Sequence[hearing.Rehearing] = ()) -> Any:
        first = hearing.hear(stt, request, lead, prompt, commands)
        if parse(first.text).understood:
            return first
        for again in rehearings:
            other = hearing.hear_pass(again.stt, request, lead,
                                      prompt if again.prompted else "", commands,
                                      near_misses=False)
            seen["unprompted" if again.stt is stt else "second"] = {
                "text": other.text, "logprob": other.avg_logprob,
                "intent": parse(other.text, near_misses=False).intent if other.text else None}
        return first  # act on the first transcript: the loop runs as it would without

    original = loop.hear
    loop.hear = hear
    clips: list[dict[str, Any]] = []
    try:
        for entry, outcome in each_clip(settings, corpus, library):
            clips.append({"file": entry["file"], "kind": entry["kind"],
                          "background": entry.get("background", "clean"),
                          "expected": (entry.get("expected") or {}).get("intent"),
                          "intent": outcome.intent, **seen})
            print(f"[{len(clips)}] {entry['file']} {seen}", file=sys.stderr, flush=True)
            seen.clear()
    finally:
        loop.hear = original
    return clips


def _acted(heard: dict[str, Any] | None, bar: float) -> bool:
    return heard is not None and heard["logprob"] >= bar and heard["intent"] not in (None,
                                                                                       "unknown")


def sweep(clips: Sequence[dict[str, Any]], kind: str = "second",
          after: tuple[str, float] | None = None) -> list[dict[str, Any]]:
    """Rescues, wrong actions and negatives acted on by the ``kind`` rehearing per
    bar, among the clips the ``after`` rehearing (kind, bar) leaves unread."""
    if after is not None:
        clips = [c for c in clips if not _acted(c.get(after[0]), after[1])]
    rows = []
    for bar in BARS:
        rescued = wrong = acted = 0
        for clip in clips:
            heard = clip.get(kind)
            if not _acted(heard, bar):
                continue
            assert heard is not None
            if clip["kind"] != "positive":
                acted += 1
            elif heard["intent"] == clip["expected"]:
                rescued += 1
            else:
                wrong += 1
        rows.append({"min_logprob": bar, "rescued": rescued, "wrong": wrong,
                     "negatives_acted": acted})
    return rows


def _after(text: str) -> tuple[str, float]:
    kind, _, bar = text.partition(":")
    if kind not in KINDS or not bar:
        raise argparse.ArgumentTypeError(f"expected KIND:BAR with KIND in {KINDS}, not {text!r}")
    return kind, float(bar)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_collect_args(parser, "settings, e.g. one setting stt.second_model")
    parser.add_argument("--kind", choices=KINDS, default="unprompted")
    parser.add_argument("--after", type=_after, help="KIND:BAR applied first, e.g. unprompted:-1.0")
    args = parser.parse_args(argv)
    clips = collected(args, collect)
    left = [c for c in clips if args.after is None
            or not _acted(c.get(args.after[0]), args.after[1])]
    unread = sum(args.kind in c for c in left)
    print(f"{len(clips)} clips, {unread} left unread by the first transcript"
          f"{' and ' + args.after[0] if args.after else ''}, heard again ({args.kind})\n")
    print(f"| {args.kind} min_logprob | rescued | wrong actions added | negatives acted on |")
    print("|---|---|---|---|")
    for r in sweep(clips, args.kind, args.after):
        bar = "none" if r["min_logprob"] <= -100 else r["min_logprob"]
        print(f"| {bar} | {r['rescued']} | {r['wrong']} | {r['negatives_acted']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
