"""Offline evaluation: splits, full-ranking metrics, and the model line-up run on one split.

Metrics rank *all* candidate items for each user with the user's training (and validation)
items masked, and are averaged over users with at least one test item among the candidates:

* Precision@k = hits / k, Recall@k = hits / |test items|;
* NDCG@k = DCG / ideal DCG with binary gains and ``1 / log2(rank + 1)`` discounts;
* AUC = probability that a test item outranks a non-test candidate (ties count half);
* coverage = distinct items in any top-k list / number of candidate items.

Protocols (see ``split_*``): ``recbole`` (per-user random 8:1:1, RecBole's rounding),
``user-80-20`` (per-user random 80/20, no validation) and ``cold-items`` (10 % of items
removed from training and ranked among themselves).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata

from recommender.errors import RecommenderError
from recommender.features import (
    combine_item_features,
    cooccurrence_neighbours,
    play_weight,
    tag_matrix,
)
from recommender.lightfm_model import LightFMRecommender
from recommender.model import FeatureMatrix, Hyperparameters, PopularityRecommender

__all__ = [
    "HYBRID_WEIGHTS",
    "METRIC_KEYS",
    "ALSParams",
    "Metrics",
    "Split",
    "evaluate_scores",
    "load_interaction_files",
    "run_models",
    "split_cold_items",
    "split_recbole",
    "split_user_ratio",
]

logger = logging.getLogger(__name__)

HYBRID_WEIGHTS = (0.5, 0.25, 0.25)
"""Shares of identity, co-listening neighbours and tags in the hybrid's item rows (tuned on
the HetRec ``recbole`` validation split)."""
METRIC_KEYS = ("precision@10", "recall@10", "ndcg@10", "auc", "coverage")


@dataclass(frozen=True)
class Split:
    """Interaction matrices of one split (same shape); ``candidates`` masks rankable items."""

    train: sp.csr_matrix
    valid: sp.csr_matrix
    test: sp.csr_matrix
    candidates: np.ndarray


@dataclass(frozen=True)
class Metrics:
    precision: float
    recall: float
    ndcg: float
    auc: float
    coverage: float
    users: int

    def as_dict(self) -> dict[str, float]:
        return dict(zip(METRIC_KEYS, (self.precision, self.recall, self.ndcg, self.auc,
                                      self.coverage), strict=True))


def _recbole_counts(total: int, ratios: tuple[float, ...]) -> list[int]:
    """RecBole's ``_calcu_split_ids``: floor each part, give the first the rest, and make
    sure every part with a non-zero ratio gets at least one item while the first keeps two."""
    counts = [int(r * total) for r in ratios]
    counts[0] = total - sum(counts[1:])
    for i in range(1, len(ratios)):
        if counts[0] <= 1:
            break
        if 0 < ratios[-i] * total < 1:
            counts[-i] += 1
            counts[0] -= 1
    return counts


def _ratio_split(matrix: sp.csr_matrix, ratios: tuple[float, ...], seed: int
                 ) -> list[sp.csr_matrix]:
    rng = np.random.default_rng(seed)
    parts: list[tuple[list[int], list[int], list[float]]] = [([], [], []) for _ in ratios]
    for u in range(matrix.shape[0]):
        lo, hi = matrix.indptr[u], matrix.indptr[u + 1]
        order = rng.permutation(hi - lo) + lo
        start = 0
        for p, count in enumerate(_recbole_counts(hi - lo, ratios)):
            take = order[start:start + count]
            start += count
            parts[p][0].extend([u] * len(take))
            parts[p][1].extend(matrix.indices[take].tolist())
            parts[p][2].extend(matrix.data[take].tolist())
    return [sp.csr_matrix((np.asarray(v, np.float32), (r, c)), shape=matrix.shape)
            for r, c, v in parts]


def split_recbole(matrix: sp.csr_matrix, seed: int) -> Split:
    """Each user's interactions shuffled and split 8:1:1 into train / validation / test."""
    train, valid, test = _ratio_split(sp.csr_matrix(matrix), (0.8, 0.1, 0.1), seed)
    return Split(train, valid, test, np.ones(matrix.shape[1], bool))


def split_user_ratio(matrix: sp.csr_matrix, seed: int, train_fraction: float = 0.8) -> Split:
    """Each user's interactions shuffled and split ``train_fraction`` / rest; no validation."""
    train, test = _ratio_split(sp.csr_matrix(matrix), (train_fraction, 1 - train_fraction),
                               seed)
    empty = sp.csr_matrix(matrix.shape, dtype=np.float32)
    return Split(train, empty, test, np.ones(matrix.shape[1], bool))


def split_cold_items(matrix: sp.csr_matrix, seed: int, fraction: float = 0.1) -> Split:
    """A random ``fraction`` of items leaves training entirely; test = their interactions,
    ranked among the cold items only."""
    matrix = sp.csr_matrix(matrix)
    rng = np.random.default_rng(seed)
    n_items = matrix.shape[1]
    cold = np.zeros(n_items, bool)
    cold[rng.choice(n_items, size=round(fraction * n_items), replace=False)] = True
    keep_cold = sp.diags(cold.astype(np.float32))
    keep_warm = sp.diags((~cold).astype(np.float32))
    test = sp.csr_matrix(matrix @ keep_cold)
    train = sp.csr_matrix(matrix @ keep_warm)
    test.eliminate_zeros()
    train.eliminate_zeros()
    empty = sp.csr_matrix(matrix.shape, dtype=np.float32)
    return Split(train, empty, test, cold)


def evaluate_scores(score_users: Callable[[np.ndarray], np.ndarray], split: Split,
                    exclude: sp.csr_matrix | None = None, k: int = 10,
                    test: sp.csr_matrix | None = None, batch: int = 256) -> Metrics:
    """Metrics of a scorer ``users -> [len(users), n_items]`` on ``split.test`` (or ``test``).

    ``exclude`` defaults to train + validation; the caller passes train only when scoring
    the validation set.
    """
    test = sp.csr_matrix(split.test if test is None else test)
    if exclude is None:
        exclude = sp.csr_matrix(split.train + split.valid)
    cand = split.candidates
    test = sp.csr_matrix(test @ sp.diags(cand.astype(np.float32)))
    test.eliminate_zeros()
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    prec, rec, ndcg, auc = [], [], [], []
    shown = np.zeros(test.shape[1], bool)
    for start in range(0, users.size, batch):
        chunk = users[start:start + batch]
        scores = np.array(score_users(chunk), dtype=np.float64)
        scores[:, ~cand] = -np.inf
        ex = exclude[chunk]
        scores[ex.nonzero()] = -np.inf
        # A full stable sort: ties go to the lower item index, as in the reference.
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        ranks = rankdata(scores, axis=1)  # -inf items rank lowest; removed below
        for row, u in enumerate(chunk):
            pos = test.indices[test.indptr[u]:test.indptr[u + 1]]
            valid_top = top[row][np.isfinite(scores[row, top[row]])]
            shown[valid_top] = True
            hits = np.isin(valid_top, pos)
            prec.append(hits.sum() / k)
            rec.append(hits.sum() / pos.size)
            ideal = discounts[:min(pos.size, k)].sum()
            ndcg.append(float((discounts[:valid_top.size] * hits).sum() / ideal))
            n_masked = int(np.isneginf(scores[row]).sum())
            n_neg = scores.shape[1] - n_masked - pos.size
            if n_neg <= 0:
                continue
            # Ranks among the rankable items: subtract the masked ones, which rank lowest.
            pos_ranks = ranks[row, pos] - n_masked
            auc.append((pos_ranks.sum() - pos.size * (pos.size + 1) / 2) / (pos.size * n_neg))
    n_cand = max(int(cand.sum()), 1)
    return Metrics(float(np.mean(prec)) if prec else 0.0, float(np.mean(rec)) if rec else 0.0,
                   float(np.mean(ndcg)) if ndcg else 0.0, float(np.mean(auc)) if auc else 0.0,
                   float(shown[cand].sum() / n_cand), int(users.size))


@dataclass(frozen=True)
class ALSParams:
    factors: int = 64
    regularization: float = 0.05
    alpha: float = 2.0
    iterations: int = 15
    threads: int = 2
    seed: int = 0


def fit_als(train: sp.csr_matrix, params: ALSParams) -> Callable[[np.ndarray], np.ndarray]:
    """implicit's ALS on ``alpha * (1 + log plays)`` confidences; returns a batch scorer."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):  # implicit parallelises itself; BLAS threads fight it
        model = AlternatingLeastSquares(
            factors=params.factors, regularization=params.regularization, alpha=params.alpha,
            iterations=params.iterations, num_threads=params.threads,
            random_state=params.seed)
        model.fit(sp.csr_matrix(train, dtype=np.float32), show_progress=False)
    users, items = np.asarray(model.user_factors), np.asarray(model.item_factors)
    return lambda chunk: users[chunk] @ items.T


def weighted(train: sp.csr_matrix) -> sp.csr_matrix:
    """Play counts to sub-linear weights (``1 + log plays``)."""
    out = sp.csr_matrix(train, dtype=np.float32, copy=True)
    out.data = play_weight(out.data)
    return out


def run_models(split: Split, item_features: FeatureMatrix | None, cf: Hyperparameters,
               hybrid: Hyperparameters, als: ALSParams | None, *, on_validation: bool = False,
               only: tuple[str, ...] = ()) -> dict[str, dict[str, float]]:
    """Fit every model on ``split.train`` and measure it (on validation if asked).

    Returns ``{model: {metric: value, ..., "fit_seconds": s}}``. ALS is skipped (with a log
    line) when ``implicit`` does not import.
    """
    train = weighted(split.train)
    test = split.valid if on_validation else split.test
    exclude = split.train if on_validation else split.train + split.valid
    results: dict[str, dict[str, float]] = {}

    def record(name: str, scorer: Callable[[np.ndarray], np.ndarray], seconds: float) -> None:
        metrics = evaluate_scores(scorer, split, exclude=sp.csr_matrix(exclude),
                                  test=sp.csr_matrix(test))
        results[name] = {**metrics.as_dict(), "fit_seconds": round(seconds, 3)}
        logger.debug("%s: %s", name, results[name])

    def wanted(name: str) -> bool:
        return not only or name in only

    if wanted("popularity"):
        pop = PopularityRecommender().fit(split.train)
        record("popularity", pop.scores_for_users, pop.fit_seconds)
    if wanted("lightfm_cf"):
        lfm = LightFMRecommender(cf).fit(train)
        record("lightfm_cf", lfm.scores_for_users, lfm.fit_seconds)
    if wanted("lightfm_hybrid") and item_features is not None:
        hyb = LightFMRecommender(hybrid).fit(train, item_features=item_features)
        record("lightfm_hybrid", hyb.scores_for_users, hyb.fit_seconds)
    if wanted("als") and als is not None:
        try:
            start = time.perf_counter()
            scorer = fit_als(train, als)
            record("als", scorer, time.perf_counter() - start)
        except ImportError as exc:
            logger.warning("ALS skipped: implicit does not import (%s); "
                           "install the bench extra", exc)
    return results


def _read_tsv(path: Path, columns: int) -> list[list[str]]:
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if not line.strip() or line.startswith("#"):
                continue
            if len(parts) != columns:
                raise RecommenderError(f"{path}:{number}: expected {columns} tab-separated "
                                       f"columns, found {len(parts)}")
            rows.append(parts)
    return rows


def load_interaction_files(train_path: Path, test_path: Path, tags_path: Path | None = None,
                           weights: tuple[float, float, float] = HYBRID_WEIGHTS,
                           ) -> tuple[Split, FeatureMatrix | None]:
    """A split from ``user<TAB>item<TAB>weight`` files (+ ``item<TAB>tag<TAB>count``).

    Users and items are the union of both files; items only in the test file are cold
    (no identity feature, tags only). A non-numeric first line is taken as a header. The
    hybrid's features are identity + co-listening neighbours + tags, as for HetRec.
    """
    train_rows = _read_tsv(train_path, 3)
    test_rows = _read_tsv(test_path, 3)
    tag_rows = _read_tsv(tags_path, 3) if tags_path is not None else []

    def body(rows: list[list[str]]) -> list[list[str]]:
        try:
            float(rows[0][2])
        except (IndexError, ValueError):
            return rows[1:]
        return rows

    train_rows, test_rows = body(train_rows), body(test_rows)
    tag_rows = body(tag_rows) if tag_rows else []
    users = {u: i for i, u in enumerate(dict.fromkeys(r[0] for r in train_rows + test_rows))}
    items = {it: i for i, it in enumerate(dict.fromkeys(r[1] for r in train_rows + test_rows))}
    shape = (len(users), len(items))

    def matrix(rows: list[list[str]]) -> sp.csr_matrix:
        m = sp.csr_matrix((np.asarray([float(r[2]) for r in rows], np.float32),
                           ([users[r[0]] for r in rows], [items[r[1]] for r in rows])),
                          shape=shape)
        m.sum_duplicates()
        return m

    train, test = matrix(train_rows), matrix(test_rows)
    split = Split(train, sp.csr_matrix(shape, dtype=np.float32), test, np.ones(shape[1], bool))
    if not tag_rows:
        return split, None
    known = [r for r in tag_rows if r[0] in items]
    tags = {t: i for i, t in enumerate(dict.fromkeys(r[1] for r in known))}
    has_train = np.asarray((train != 0).sum(axis=0)).ravel() > 0
    tag_weights = tag_matrix(shape[1], np.asarray([items[r[0]] for r in known], np.int64),
                             np.asarray([tags[r[1]] for r in known], np.int64),
                             np.asarray([float(r[2]) for r in known], np.float32), len(tags),
                             min_items_per_tag=1)
    features = combine_item_features(has_train, cooccurrence_neighbours(train), tag_weights,
                                     [f"tag:{t}" for t in tags], weights)
    return split, features
