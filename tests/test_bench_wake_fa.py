"""The long false-accept bench: its bound and a short real run of the default detector."""

from __future__ import annotations

import json

import pytest

from bench.bench_wake_fa import main, poisson_upper


def test_zero_false_accepts_in_30_hours_bounds_the_rate_at_a_tenth_per_hour() -> None:
    assert poisson_upper(0, 30.0) == pytest.approx(0.0999, abs=1e-3)
    assert poisson_upper(0, 1.34) == pytest.approx(2.236, abs=1e-2)
    assert poisson_upper(1, 30.0) > poisson_upper(0, 30.0)


@pytest.mark.slow
def test_a_short_run_streams_negatives_through_the_default_detector(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--hours", "0.01", "--seed", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 0.01 <= result["hours"] <= 0.05  # whole sentences and whole minutes of music
    assert result["first_stage"] >= result["stock_or_head"] >= result["stock"] >= 0
    assert result["checks"] >= result["two_stage"] >= 0
    assert len(result["candidates"]) == result["checks"]
    assert len(result["accepted"]) == result["two_stage"]
    assert all(c in result["candidates"] for c in result["accepted"])
    assert result["upper_95_per_hour"] == pytest.approx(
        poisson_upper(result["two_stage"], result["hours"]), rel=1e-2)
