"""Slot quality of ``speaker.intents.parse`` on the SNIPS PlayMusic requests.

``python -m bench.bench_snips [--split dev|test|both] [--errors N] [--json]``

The 2,000 crowd-written requests are split deterministically: every fifth
request (index % 5 == 4, 400 requests) is the held-out test split, never read
while writing rules; the other 1,600 are the development split. For each slot
(artist, album, track, genre, year, playlist, service) a predicted value is a
true positive when it equals a gold span of that label after normalisation
(lowercase, punctuation removed, spaces collapsed); years compare by value
("seventies" = 1970), services by canonical name. ``music_item`` and ``sort``
spans are cue words and are not scored. ``--errors`` prints mistakes, on the
development split only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from speaker.intents import parse
from speaker.intents_lexicon import SERVICES
from speaker.intents_numbers import parse_decade, parse_number

__all__ = ["SLOTS", "load_queries", "main", "score"]

SLOTS = ("artist", "album", "track", "genre", "year", "playlist", "service")
DEFAULT_DATA = (Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
                / "snips-playmusic" / "train_PlayMusic_full.json")
REFERENCE_ARTIST_F1 = {"Alexa (2017)": 0.52, "LUIS (2017)": 0.66, "Snips NLU (2017)": 0.76}


@dataclass(frozen=True)
class Query:
    index: int
    text: str
    gold: dict[str, list[str]]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    split: str
    queries: int = 0
    play: int = 0
    play_or_similar: int = 0
    counts: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SLOTS})
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "split": self.split, "queries": self.queries,
            "play_share": self.play / self.queries if self.queries else 0.0,
            "play_or_similar_share": self.play_or_similar / self.queries if self.queries else 0.0,
            "ms_per_query": 1000 * self.seconds / self.queries if self.queries else 0.0,
            "slots": {s: {"precision": round(c.precision(), 3), "recall": round(c.recall(), 3),
                          "f1": round(c.f1(), 3), "gold": c.tp + c.fn}
                      for s, c in self.counts.items()},
        }


def load_queries(path: Path) -> list[Query]:
    """The requests with their gold spans. The file has a few broken UTF-8 bytes (emoji)."""
    data = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
    queries = []
    for index, item in enumerate(data["PlayMusic"]):
        text = "".join(part["text"] for part in item["data"])
        gold: dict[str, list[str]] = {}
        for part in item["data"]:
            label = part.get("entity")
            if label in SLOTS:
                gold.setdefault(label, []).append(part["text"])
        queries.append(Query(index, text, gold))
    return queries


def _norm(slot: str, value: Any) -> str:
    text = str(value).lower().strip()
    if slot == "year":
        decade = parse_decade(text)
        number = decade if decade is not None else parse_number(text)
        return str(number) if number is not None else text
    text = re.sub(r"[^\w\s&]", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if slot == "service":
        return SERVICES.get(text, text)
    return text


def score(queries: Sequence[Query], split: str,
          errors: list[tuple[Query, dict[str, Any], str]] | None = None) -> Report:
    report = Report(split)
    started = time.perf_counter()
    for query in queries:
        parsed = parse(query.text)
        report.queries += 1
        report.play += parsed.intent == "play"
        report.play_or_similar += parsed.intent in ("play", "play_similar")
        wrong = False
        for slot in SLOTS:
            gold = {_norm(slot, v) for v in query.gold.get(slot, [])}
            predicted = parsed.slots.get(slot)
            counts = report.counts[slot]
            if predicted is not None:
                if _norm(slot, predicted) in gold:
                    counts.tp += 1
                    gold.discard(_norm(slot, predicted))
                else:
                    counts.fp += 1
                    wrong = True
            counts.fn += len(gold)
            wrong = wrong or bool(gold)
        if errors is not None and (wrong or parsed.intent != "play"):
            errors.append((query, parsed.slots, parsed.intent))
    report.seconds = time.perf_counter() - started
    return report


def _table(reports: Sequence[Report]) -> str:
    lines = ["| slot | " + " | ".join(f"{r.split} P / R / F1 (n)" for r in reports) + " |",
             "|---|" + "---|" * len(reports)]
    for slot in SLOTS:
        cells = []
        for report in reports:
            c = report.counts[slot]
            cells.append(f"{c.precision():.3f} / {c.recall():.3f} / **{c.f1():.3f}** "
                         f"({c.tp + c.fn})")
        lines.append(f"| {slot} | " + " | ".join(cells) + " |")
    lines.append("| intent = play | " + " | ".join(
        f"{r.play / max(r.queries, 1):.3f} ({r.queries} queries)" for r in reports) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_snips", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="print N mistakes from the development split")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not args.data.exists():
        print(f"bench_snips: skipped, {args.data} not found "
              "(the SNIPS PlayMusic file lives in shared/datasets/snips-playmusic/)")
        return 0
    queries = load_queries(args.data)
    splits = {"dev": [q for q in queries if q.index % 5 != 4],
              "test": [q for q in queries if q.index % 5 == 4]}
    names = ["dev", "test"] if args.split == "both" else [args.split]
    reports = []
    for name in names:
        errors: list[tuple[Query, dict[str, Any], str]] | None = (
            [] if args.errors and name == "dev" else None)
        reports.append(score(splits[name], name, errors))
        for query, slots, intent in (errors or [])[: args.errors]:
            gold = {k: v for k, v in query.gold.items()}
            print(f"{query.text!r}\n    gold {gold}\n    got  {intent} {slots}")
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        print(_table(reports))
        refs = ", ".join(f"{k} {v:.2f}" for k, v in REFERENCE_ARTIST_F1.items())
        print(f"reference artist F1: {refs}; target >= 0.90")
    return 0


if __name__ == "__main__":
    sys.exit(main())
