"""``encore eval`` and ``encore recommend/train/feedback`` run end to end through the CLI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from recommender.store import Store, TrackFile
from speaker.cli import main
from speaker.cli.cmd_eval import write_svg
from speaker.config import load

MODELS = {"popularity", "lightfm_cf", "lightfm_hybrid", "als"}
METRICS = {"precision@10", "recall@10", "ndcg@10", "auc", "coverage", "fit_seconds"}


def _write(path: Path, rows: Sequence[tuple[str, str, float]]) -> Path:
    path.write_text("".join(f"{a}\t{b}\t{c}\n" for a, b, c in rows), encoding="utf-8")
    return path


def test_eval_interactions_prints_every_model_with_the_agreed_keys(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two taste groups; the held-out item of each user is from their group."""
    train, test, tags = [], [], []
    for u in range(12):
        group = "ab"[u % 2]
        items = [f"{group}{i}" for i in range(6)]
        train += [(f"u{u}", it, 1 + (u + i) % 4) for i, it in enumerate(items) if i != u % 6]
        test.append((f"u{u}", items[u % 6], 1))
    for g in "ab":
        tags += [(f"{g}{i}", f"tag-{g}", 2) for i in range(6)]
    code = main(["eval", "interactions", "--train", str(_write(tmp_path / "tr.tsv", train)),
                 "--test", str(_write(tmp_path / "te.tsv", test)),
                 "--item-tags", str(_write(tmp_path / "tags.tsv", tags)),
                 "--threads", "1", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"protocol", "seed", "models"}
    assert out["protocol"] == "interactions" and out["seed"] == 0
    assert set(out["models"]) == MODELS
    for name, metrics in out["models"].items():
        assert set(metrics) == METRICS, name
        assert 0.0 <= metrics["recall@10"] <= 1.0 and 0.0 <= metrics["auc"] <= 1.0
    # The learnt models must rank the held-out item above the other group's items.
    assert out["models"]["lightfm_hybrid"]["auc"] > 0.5


def test_eval_reports_missing_files_and_data_with_a_hint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "interactions", "--train", str(tmp_path / "no.tsv"),
                 "--test", str(tmp_path / "no.tsv")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["eval", "hetrec", "--data", str(tmp_path)]) == 2
    assert "ENCORE_HETREC_DIR" in capsys.readouterr().err
    bad = _write(tmp_path / "bad.tsv", [("u", "i", 1)])
    bad.write_text("u\ti\n", encoding="utf-8")
    assert main(["eval", "interactions", "--train", str(bad), "--test", str(bad)]) == 2


def test_svg_plot_has_a_bar_per_model_and_metric(tmp_path: Path) -> None:
    models = {"popularity": {"recall@10": 0.1, "ndcg@10": 0.05},
              "lightfm_cf": {"recall@10": 0.2, "ndcg@10": 0.18}}
    write_svg(tmp_path / "p.svg", "t <&>", models)
    svg = (tmp_path / "p.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<rect") == 4 + 2
    assert "t &lt;&amp;&gt;" in svg


@pytest.fixture
def library(data_dir: Path) -> dict[str, int]:
    """A library with two rock and two jazz artists; 'default' listens to rock."""
    store = Store(load().data.ensure().database)
    ids = {}
    for genre, year in (("Rock", 1991), ("Jazz", 1962)):
        for artist in range(2):
            for n in range(4):
                ids[f"{genre}{artist}{n}"] = store.upsert_track(TrackFile(
                    path=f"/m/{genre}{artist}/{n}.flac", mtime_ns=1, size_bytes=1,
                    title=f"{genre} song {artist}{n}", artist=f"{genre} Band {artist}",
                    album=f"{genre} Album {artist}", album_artist="", genres=(genre,),
                    year=year, track_no=n, duration_s=180.0))
    for artist in range(2):
        for n in range(2):
            store.add_event("default", "complete", ids[f"Rock{artist}{n}"])
            store.add_event("someone", "complete", ids[f"Jazz{artist}{n}"])
    store.close()
    return ids


def _recommend(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["recommend", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_recommend_cli_answers_fresh_and_trained_with_filters_and_feedback(
        library: dict[str, int], capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    config = tmp_path / "fast.toml"
    config.write_text("[recommender]\ncomponents = 4\nepochs = 10\nthreads = 1\n"
                      "recent_window = 2\n")
    fresh = _recommend(capsys, "--n", "3", "--user", "newbie")
    assert fresh["model"] == "popularity" and len(fresh["tracks"]) == 3
    assert main(["-c", str(config), "train"]) == 0
    assert "Trained" in capsys.readouterr().out
    trained = _recommend(capsys, "--n", "4")
    assert trained["model"] == "lightfm" and len(trained["tracks"]) == 4
    jazz = _recommend(capsys, "--genre", "jazz", "--n", "2")
    assert {t["genres"][0] for t in jazz["tracks"]} == {"Jazz"}
    sixties = _recommend(capsys, "--decade", "1960")
    assert {t["year"] for t in sixties["tracks"]} == {1962}
    band = _recommend(capsys, "--artist", "rock band 1")
    assert {t["artist"] for t in band["tracks"]} == {"Rock Band 1"}
    like = _recommend(capsys, "--like", str(library["Jazz00"]), "--n", "2")
    assert library["Jazz00"] not in {t["id"] for t in like["tracks"]}

    first = _recommend(capsys, "--n", "3")
    top = first["tracks"][0]["id"]
    assert main(["feedback", "--kind", "skip", "--position", "3", str(top)]) == 0
    assert "Logged skip" in capsys.readouterr().out
    after = _recommend(capsys, "--n", "3")
    assert top not in {t["id"] for t in after["tracks"]}
    assert main(["feedback", "--kind", "like", "999999"]) == 2
