"""Benchmarks. Each ``bench/bench_*.py`` has ``main() -> int``; results go in BENCHMARKS.md."""
