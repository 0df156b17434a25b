"""What the small extra clip sets (``make_wake_only``, ``make_unknown_names``) share:
writing the manifest ``encore harness report --corpus`` reads, and their command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Rows = list[dict[str, Any]]


def write_manifest(out: Path, rows: Rows) -> Rows:
    """``rows`` as ``out/manifest.jsonl``, one JSON object per line; returns them."""
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def run(build: Callable[[Path, int], Rows], argv: Sequence[str] | None, description: str,
        out: str, seed: int) -> int:
    """Parse ``--out`` and ``--seed`` (defaults ``out`` and ``seed``), build, report."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=Path(out))
    parser.add_argument("--seed", type=int, default=seed)
    args = parser.parse_args(argv)
    rows = build(args.out, args.seed)
    print(f"{len(rows)} clips in {args.out}")
    return 0
