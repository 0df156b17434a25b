"""Recommender benchmark: HetRec tables (recbole, cold-items) and serving latency.

``python -m bench.bench_recommender [--data DIR] [--seed S] [--skip-hetrec] [--tracks 20000]``

Latency is measured on a synthetic library of ``--tracks`` tracks in a real SQLite store:
the engine's precomputed scoring (one matrix-vector product + top-N) and its whole
``recommend`` path, against a naive peer in the same run — ``LightFM.predict`` over every
item for the user — reported as a ratio. Numbers are medians over repeats.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def latency(n_tracks: int, repeats: int, threads: int) -> dict[str, float]:
    """Serving latency for one listener over ``n_tracks`` synthetic tracks."""
    from lightfm import LightFM

    from recommender.engine import Engine, Query
    from recommender.model import Hyperparameters
    from recommender.serving import product
    from recommender.store import Store, TrackFile

    rng = np.random.default_rng(0)
    genres = ("Rock", "Jazz", "Pop", "Folk", "Metal", "Soul", "Blues", "Punk")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "library.sqlite3")
        ids = []
        with store.batch():
            for i in range(n_tracks):
                artist = int(rng.integers(0, n_tracks // 10))
                ids.append(store.upsert_track(TrackFile(
                    path=f"/m/{i}.mp3", mtime_ns=1, size_bytes=1, title=f"Song {i}",
                    artist=f"Artist {artist}", album=f"Album {artist}-{i % 3}",
                    album_artist="", genres=(genres[artist % len(genres)],),
                    year=1960 + artist % 60, track_no=i % 12, duration_s=200.0)))
        with store.batch():
            for u in range(100):
                for tid in rng.choice(ids, size=60, replace=False):
                    store.add_event(f"user{u}", "complete", int(tid))
        params = Hyperparameters(components=64, epochs=5, threads=threads)
        engine = Engine(store, Path(tmp) / "model", params, recent_window=20, background=False)
        start = time.perf_counter()
        engine.train()
        train_s = time.perf_counter() - start
        catalog = engine._current_catalog()
        assert catalog.items is not None
        user_vec = engine._user_vector("user3", engine._session("user3", catalog))
        assert user_vec is not None
        items = catalog.items

        def score_top10() -> object:
            scores = product(items, user_vec)
            top = np.argpartition(-scores, 10)[:10]
            return top[np.argsort(-scores[top])]

        lfm = LightFM(no_components=64)
        model = engine._model
        assert model is not None and model.feature_embeddings is not None
        assert model.user_matrix is not None
        # The naive peer: LightFM.predict with the fitted weights over the feature matrix.
        lfm._initialize(64, model.feature_embeddings.shape[0], model.user_matrix.shape[0])
        lfm.item_embeddings = model.feature_embeddings
        lfm.item_biases = model.feature_biases
        lfm.user_embeddings = np.ascontiguousarray(model.user_matrix[:, :-1])
        lfm.user_biases = np.zeros(model.user_matrix.shape[0], np.float32)
        from recommender.features import track_features

        feats = track_features(list(catalog.tracks), model.item_feature_names)
        all_items = np.arange(n_tracks, dtype=np.int32)

        def naive() -> object:
            scores = lfm.predict(3, all_items, item_features=feats, num_threads=1)
            return np.argsort(-scores)[:10]

        scoring_ms = _median_ms(score_top10, repeats)
        naive_ms = _median_ms(naive, max(3, repeats // 10))
        recommend_ms = _median_ms(lambda: engine.recommend("user3", 10), repeats)
        genre_ms = _median_ms(lambda: engine.recommend("user3", 10, Query(genre="jazz")),
                              repeats)
        feedback_ms, write_ms = [], []
        for _ in range(10):
            top = engine.recommend("user3", 10)[0]
            start = time.perf_counter()
            store.add_event("user9", "play_start", top.id)  # the durable write alone
            write_ms.append((time.perf_counter() - start) * 1000.0)
            start = time.perf_counter()
            engine.feedback("user3", "skip", top.id, position_s=5.0)
            after = engine.recommend("user3", 10)
            feedback_ms.append((time.perf_counter() - start) * 1000.0)
            assert top.id not in {t.id for t in after}
        engine.close()
        store.close()
    return {"tracks": n_tracks, "train_s": round(train_s, 2),
            "scoring_ms": round(scoring_ms, 3), "lightfm_predict_ms": round(naive_ms, 3),
            "speedup_vs_predict": round(naive_ms / scoring_ms, 1),
            "recommend_ms": round(recommend_ms, 2), "recommend_genre_ms": round(genre_ms, 2),
            "skip_then_recommend_ms": round(statistics.median(feedback_ms), 2),
            "durable_event_write_ms": round(statistics.median(write_ms), 2)}


def hetrec_tables(data_dir: Path, seed: int, threads: int) -> dict[str, dict]:
    from recommender.hetrec import load_hetrec, run_protocol

    data = load_hetrec(data_dir)
    return {protocol: run_protocol(data, protocol, seed, threads=threads)
            for protocol in ("recbole", "cold-items")}


def _table(models: dict[str, dict[str, float]]) -> str:
    cols = ("precision@10", "recall@10", "ndcg@10", "auc", "coverage", "fit_seconds")
    lines = ["| model | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in models.items():
        lines.append(f"| {name} | " + " | ".join(f"{m[c]:.4f}" for c in cols) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from recommender.hetrec import default_hetrec_dir

    parser = argparse.ArgumentParser(prog="bench_recommender", description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tracks", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--skip-hetrec", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)

    result: dict[str, object] = {"latency": latency(args.tracks, args.repeats, args.threads)}
    data_dir = args.data or default_hetrec_dir(REPO_ROOT)
    if args.skip_hetrec:
        pass
    elif (data_dir / "user_artists.dat").is_file():
        result["hetrec"] = hetrec_tables(data_dir, args.seed, args.threads)
    else:
        print(f"HetRec data not found at {data_dir}; tables skipped", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("## latency (one listener, median)")
    for key, value in result["latency"].items():  # type: ignore[attr-defined]
        print(f"- {key}: {value}")
    for protocol, models in dict(result.get("hetrec", {})).items():  # type: ignore[call-overload]
        print(f"\n## {protocol} (seed {args.seed})\n{_table(models)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
