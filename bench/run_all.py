"""Run every benchmark module (``bench/bench_*.py``) in turn: ``python -m bench.run_all``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main() -> int:
    failures = 0
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        print(f"== {info.name}", flush=True)
        module = importlib.import_module(f"bench.{info.name}")
        failures += int(module.main([]) != 0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
