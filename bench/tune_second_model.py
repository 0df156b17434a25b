"""Choose ``stt.second_min_logprob`` on the development corpora (never the recorded one).

Runs the real loop over a development corpus (``bench/make_dev_corpus.py``) with
``stt.second_model`` set, but acts on the first model's transcript only; for every
request the first model leaves unread it records what the second model heard and
how sure it was (mean log-probability per token). It then counts, for a range of
bars, the requests the second model would rescue (the expected intent) and the
wrong actions it would add (another intent). Run:

    printf '[stt]\\nsecond_model = "base"\\n' > out/second.toml
    python -m bench.tune_second_model --config out/second.toml \\
        --corpus out/dev-corpus/manifest.jsonl [--corpus ...] [--save S.json] [--load S.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.corpus_runs import each_clip

BARS = (-0.3, -0.4, -0.5, -0.6, -0.8, -1.0, -1.5, -100.0)


def collect(corpus: Path, library: Path, config: Path) -> list[dict[str, Any]]:
    import speaker.hearing as hearing
    import speaker.loop as loop
    from speaker.config import load
    from speaker.intents import parse

    settings = load(config)
    if not settings.stt.second_model:
        raise SystemExit(f"{config} sets no stt.second_model")
    seen: dict[str, Any] = {}

    def hear(stt: Any, request: Any, lead: Any, prompt: str, commands: Any,
             second: hearing.SecondOpinion | None = None) -> Any:
        first = hearing.hear(stt, request, lead, prompt, commands)
        if second is not None and parse(first.text).intent == "unknown":
            other = hearing.hear(second.stt, request, lead, prompt, commands)
            seen["second"] = {"text": other.text, "logprob": other.avg_logprob,
                              "intent": parse(other.text).intent if other.text else None}
        return first  # act on the first model's transcript: the loop runs as it would without

    original = loop.hear
    loop.hear = hear
    clips: list[dict[str, Any]] = []
    try:
        for entry, outcome in each_clip(settings, corpus, library):
            clips.append({"file": entry["file"], "kind": entry["kind"],
                          "background": entry.get("background", "clean"),
                          "expected": (entry.get("expected") or {}).get("intent"),
                          "intent": outcome.intent, **seen})
            print(f"[{len(clips)}] {entry['file']} {seen.get('second', '')}", file=sys.stderr,
                  flush=True)
            seen.clear()
    finally:
        loop.hear = original
    return clips


def sweep(clips: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for bar in BARS:
        rescued = wrong = acted = 0
        for clip in clips:
            second = clip.get("second")
            if second is None or second["logprob"] < bar or second["intent"] in (None, "unknown"):
                continue
            if clip["kind"] != "positive":
                acted += 1
            elif second["intent"] == clip["expected"]:
                rescued += 1
            else:
                wrong += 1
        rows.append({"min_logprob": bar, "rescued": rescued, "wrong": wrong,
                     "negatives_acted": acted})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--library", type=Path, default=Path("audio_assets/library"))
    parser.add_argument("--config", type=Path, help="a config that sets stt.second_model")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--load", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    clips: list[dict[str, Any]] = []
    for corpus in args.corpus:
        if args.config is None:
            parser.error("--corpus needs --config")
        clips += collect(corpus, args.library, args.config)
    if args.save:
        args.save.write_text(json.dumps(clips), encoding="utf-8")
    for path in args.load:
        clips += json.loads(path.read_text(encoding="utf-8"))
    unread = sum("second" in c for c in clips)
    print(f"{len(clips)} clips, {unread} left unread by the first model\n")
    print("| second_min_logprob | rescued | wrong actions added | negatives acted on |")
    print("|---|---|---|---|")
    for r in sweep(clips):
        bar = "none" if r["min_logprob"] <= -100 else r["min_logprob"]
        print(f"| {bar} | {r['rescued']} | {r['wrong']} | {r['negatives_acted']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
