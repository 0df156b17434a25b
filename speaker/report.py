"""``encore harness report``: run a recorded corpus through the loop and score it.

For each clip of a manifest (one JSON object per line: ``file``, ``kind``
positive/negative, ``background``, ``expected_transcript``, ``expected``
{intent, slots} or null), the real loop runs on that clip alone with fresh
player and dialogue state, and the events are compared with what was expected.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein
from scipy.stats import binomtest

from speaker.errors import EncoreError

logger = logging.getLogger(__name__)

BACKGROUNDS = ("clean", "noise", "music10", "music0")


@dataclass(frozen=True)
class ClipOutcome:
    """What the loop did with one clip, compared with the manifest."""

    file: str
    kind: str
    background: str
    woke: bool
    acted: bool
    transcript: str
    word_errors: int
    reference_words: int
    intent_ok: bool
    slots_ok: bool
    """Slot values equal the expected words (after normalisation)."""
    resolved_ok: bool
    """Slots lead to the same library entries as the expected ones would."""
    reply_latency_s: float | None
    intent: str | None
    slots: dict[str, Any]
    expected: dict[str, Any] | None
    acted_later: bool = False
    """Something was acted on after the first reply (a follow-up heard the clip's end)."""

    @property
    def wrong_action(self) -> bool:
        """A positive understood as another request, or a later turn acting on what was
        not a request: worse than asking again."""
        return self.kind == "positive" and (
            (self.intent not in (None, "unknown") and not self.intent_ok) or self.acted_later)

    @property
    def passed(self) -> bool:
        if self.kind == "negative":
            return not self.woke and not self.acted
        return self.woke and self.intent_ok and self.slots_ok


def load_manifest(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise EncoreError(f"Cannot read the corpus manifest {path}: {exc}") from exc
    for entry in entries:
        entry["path"] = path.parent / entry["file"]
    return entries


def normalise_text(text: str) -> list[str]:
    words = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()
    return words


def _norm_value(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(normalise_text(value))
    return value


def slots_match(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> bool:
    """Same slot names and values, strings compared after normalisation."""
    return ({k: _norm_value(v) for k, v in expected.items()}
            == {k: _norm_value(v) for k, v in actual.items()})


NAME_SLOTS = ("artist", "album", "track", "genre", "playlist")
Resolver = Callable[[Mapping[str, Any]], Mapping[str, str]]
"""Maps slots to library names by kind (``LibraryMatcher.match`` values)."""


def canonical(slots: Mapping[str, Any], resolve: Resolver | None) -> dict[str, Any]:
    """Slots with their names replaced by the library entries they resolve to, if any."""
    out = {k: _norm_value(v) for k, v in slots.items() if k not in NAME_SLOTS}
    names = {k: v for k, v in slots.items() if k in NAME_SLOTS}
    resolved = dict(resolve(names)) if resolve is not None and names else {}
    if resolved:
        out.update({f"library:{kind}": value for kind, value in resolved.items()})
    else:
        out.update({k: _norm_value(v) for k, v in names.items()})
    return out


def score_clip(entry: Mapping[str, Any], records: Sequence[Mapping[str, Any]],
               resolve: Resolver | None = None) -> ClipOutcome:
    """Compare one clip's events with its manifest entry."""
    by_type: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        by_type[record["type"]].append(record)
    transcript = str(by_type["transcript"][0]["text"]) if by_type["transcript"] else ""
    # A clip holds one request: only the first turn answers it. A second turn (the
    # follow-up to "Say it again?") can only have heard the end of the clip.
    turn_end = float(by_type["reply"][0]["t"]) if by_type["reply"] else float("inf")
    first_turn = [r for r in by_type["intent"] if float(r["t"]) <= turn_end]
    later = [r for r in by_type["intent"] if float(r["t"]) > turn_end]
    intent = first_turn[0] if first_turn else None
    expected: dict[str, Any] | None = entry.get("expected")
    reference = normalise_text(str(entry.get("expected_transcript") or ""))
    errors = Levenshtein.distance(reference, normalise_text(transcript)) if reference else 0
    acted = bool(by_type["intent"] or by_type["play"] or by_type["pause"]
                 or by_type["stop"] or by_type["volume"])
    replies = [r for r in by_type["reply"] if r.get("latency_seconds") is not None]
    got_intent = str(intent["intent"]) if intent else None
    got_slots = dict(intent["slots"]) if intent else {}
    return ClipOutcome(
        file=str(entry["file"]), kind=str(entry["kind"]),
        background=str(entry.get("background", "clean")), woke=bool(by_type["wake"]),
        acted=acted, transcript=transcript, word_errors=errors, reference_words=len(reference),
        intent_ok=expected is not None and got_intent == expected["intent"],
        slots_ok=expected is not None and slots_match(expected.get("slots", {}), got_slots),
        resolved_ok=expected is not None and (
            slots_match(expected.get("slots", {}), got_slots)
            or canonical(expected.get("slots", {}), resolve) == canonical(got_slots, resolve)),
        reply_latency_s=float(replies[0]["latency_seconds"]) if replies else None,
        intent=got_intent, slots=got_slots, expected=expected,
        acted_later=any(r["intent"] != "unknown" for r in later))


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _interval(hits: int, total: int) -> list[float] | None:
    """The 95 % Wilson interval of a rate (a dozen clips per background say little:
    13 of 13 right is anywhere from 77 to 100 %)."""
    if not total:
        return None
    ci = binomtest(hits, total).proportion_ci(confidence_level=0.95, method="wilson")
    return [round(float(ci.low), 4), round(float(ci.high), 4)]


def summarise(outcomes: Iterable[ClipOutcome], audio_hours: float,
              trailing_silence_s: float) -> dict[str, Any]:
    """Aggregate metrics for the whole corpus and per background."""
    outcomes = list(outcomes)
    groups: dict[str, list[ClipOutcome]] = {"all": outcomes}
    for background in BACKGROUNDS:
        groups[background] = [o for o in outcomes if o.background == background]
    table: dict[str, Any] = {}
    for name, group in groups.items():
        pos = [o for o in group if o.kind == "positive"]
        neg = [o for o in group if o.kind == "negative"]
        woke = [o for o in pos if o.woke]
        latencies = [o.reply_latency_s for o in woke if o.reply_latency_s is not None]
        ref_words = sum(o.reference_words for o in woke)
        table[name] = {
            "positives": len(pos),
            "negatives": len(neg),
            "wake_frr": _rate(len(pos) - len(woke), len(pos)),
            "false_accepts": sum(1 for o in neg if o.woke),
            "negatives_with_action": sum(1 for o in neg if o.acted),
            "wer": _rate(sum(o.word_errors for o in woke), ref_words),
            "intent_accuracy": _rate(sum(o.intent_ok for o in pos), len(pos)),
            "intent_accuracy_ci95": _interval(sum(o.intent_ok for o in pos), len(pos)),
            "wrong_actions": sum(1 for o in pos if o.wrong_action),
            "slot_accuracy": _rate(sum(o.intent_ok and o.slots_ok for o in pos), len(pos)),
            "resolved_accuracy": _rate(sum(o.intent_ok and o.resolved_ok for o in pos), len(pos)),
            "latency_p50_s": round(float(np.percentile(latencies, 50)), 3) if latencies else None,
            "latency_p90_s": round(float(np.percentile(latencies, 90)), 3) if latencies else None,
        }
    return {"groups": table, "audio_hours": round(audio_hours, 4),
            "vad_trailing_silence_s": trailing_silence_s,
            "failures": [_failure(o) for o in outcomes if not o.passed]}


def _failure(o: ClipOutcome) -> dict[str, Any]:
    return {"file": o.file, "kind": o.kind, "woke": o.woke, "transcript": o.transcript,
            "intent": o.intent, "slots": o.slots, "expected": o.expected}


def markdown(summary: Mapping[str, Any]) -> str:
    """The report table as Markdown (what goes in BENCHMARKS.md)."""
    head = ("| background | positives | wake FRR | WER | intent acc. (95 % CI) | wrong actions | "
            "slot acc. | slot acc. (library) | negatives | false accepts | "
            "negatives acted on | latency p50 (s) | p90 (s) |")
    lines = [head, "|" + "---|" * 13]
    for name, row in summary["groups"].items():
        if not row["positives"] and not row["negatives"]:
            continue
        cells = [name, row["positives"], _pct(row["wake_frr"]), _pct(row["wer"]),
                 _with_interval(row["intent_accuracy"], row["intent_accuracy_ci95"]),
                 row["wrong_actions"], _pct(row["slot_accuracy"]),
                 _pct(row["resolved_accuracy"]), row["negatives"],
                 row["false_accepts"], row["negatives_with_action"], row["latency_p50_s"],
                 row["latency_p90_s"]]
        lines.append("| " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    lines.append("")
    lines.append(f"Latency is end of speech → start of the reply audio (Whisper, understanding, "
                 f"dialogue, TTS), wall time; the VAD's trailing silence of "
                 f"{summary['vad_trailing_silence_s']} s comes before it and is not included.")
    return "\n".join(lines)


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{100 * value:.1f} %"


def _with_interval(value: float | None, interval: Sequence[float] | None) -> str | None:
    if value is None or interval is None:
        return None
    low, high = interval
    return f"{100 * value:.1f} % ({100 * low:.0f}–{100 * high:.0f} %)"
