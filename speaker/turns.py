"""Human-readable lines for harness events: what was heard, understood, said and played."""

from __future__ import annotations

import json
from typing import IO, Any

Record = dict[str, Any]


def describe(record: Record) -> str | None:
    """One line for an event record, or None for events not worth showing a person."""
    kind = record["type"]
    if kind == "wake":
        return f"woke       {record['model']} (score {record['score']:.2f})"
    if kind == "follow_up":
        return f"listening  again, no wake word needed ({record['timeout_s']:g} s)"
    if kind == "speech_end":
        return "heard      (nothing: timed out)" if record.get("timed_out") else None
    if kind == "transcript":
        rescored = f" (Whisper: \"{record['heard']}\")" if record.get("heard") else ""
        return (f"heard      \"{record['text']}\"{rescored}  "
                f"[{record['stt_seconds']:.2f} s Whisper]")
    if kind == "intent":
        slots = json.dumps(record["slots"]) if record["slots"] else ""
        return f"understood {record['intent']} {slots}".rstrip()
    if kind == "reply":
        return f"said       \"{record['text']}\"  [{record['latency_seconds']:.2f} s]"
    if kind == "play":
        return f"played     {record['title']} by {record['artist']} (track {record['track_id']})"
    if kind in ("pause", "resume", "stop"):
        return f"player     {kind}"
    if kind == "volume":
        return f"player     volume {record['level']}"
    if kind == "seek":
        return f"player     seek to {record['position_s']:.1f} s (track {record['track_id']})"
    if kind == "queue":
        more = f" and {record['count'] - 1} more" if record.get("count", 1) > 1 else ""
        where = "next" if record.get("play_next") else "to the queue"
        return (f"queued     {record['title']} by {record['artist']}{more} {where} "
                f"(track {record['track_id']})")
    if kind == "feedback":
        return f"learned    {record['kind']} on track {record['track_id']}"
    if kind == "error":
        return f"error      {record['message']}"
    return None


class TurnPrinter:
    """Prints each event as it arrives, with a header whenever the input file changes."""

    def __init__(self, out: IO[str], *, show_feedback: bool = False) -> None:
        self._out = out
        self._input: str | None = None
        self._show_feedback = show_feedback

    def __call__(self, record: Record) -> None:
        if record["type"] == "feedback" and not self._show_feedback:
            return
        line = describe(record)
        if line is None:
            return
        if record["input"] != self._input:
            self._input = record["input"]
            self._out.write(f"\n── {self._input}\n")
        self._out.write(f"  {record['t']:7.2f}s  {line}\n")
        self._out.flush()
