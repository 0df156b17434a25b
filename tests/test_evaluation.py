"""Ranking metrics checked against a naive reference; splits follow the stated protocols."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluate import (
    HYBRID_WEIGHTS,
    Split,
    _recbole_counts,
    evaluate_scores,
    run_models,
    split_cold_items,
    split_recbole,
    split_user_ratio,
)
from recommender.features import share_blocks, volume_buckets
from recommender.hetrec import HetrecData, hybrid_features, leak_free_tag_volume
from recommender.model import Hyperparameters


def naive_metrics(scores: np.ndarray, train: np.ndarray, test: np.ndarray,
                  candidates: np.ndarray, k: int = 10) -> dict[str, float]:
    """Plain loops over users and sorted lists, straight from the definitions."""
    prec, rec, ndcg, auc = [], [], [], []
    shown: set[int] = set()
    for u in range(scores.shape[0]):
        pos = [i for i in range(scores.shape[1]) if test[u, i] > 0 and candidates[i]]
        if not pos:
            continue
        rankable = [i for i in range(scores.shape[1]) if candidates[i] and train[u, i] == 0]
        ranking = sorted(rankable, key=lambda i: -scores[u, i])[:k]
        shown.update(ranking)
        hits = [1 if i in pos else 0 for i in ranking]
        prec.append(sum(hits) / k)
        rec.append(sum(hits) / len(pos))
        dcg = sum(h / math.log2(r + 2) for r, h in enumerate(hits))
        idcg = sum(1 / math.log2(r + 2) for r in range(min(len(pos), k)))
        ndcg.append(dcg / idcg)
        negs = [j for j in rankable if j not in pos]
        if negs:
            pairs = [1.0 if scores[u, p] > scores[u, j] else 0.5 if scores[u, p] == scores[u, j]
                     else 0.0 for p in pos for j in negs]
            auc.append(sum(pairs) / len(pairs))
    return {"precision@10": float(np.mean(prec)), "recall@10": float(np.mean(rec)),
            "ndcg@10": float(np.mean(ndcg)), "auc": float(np.mean(auc)),
            "coverage": len(shown) / int(candidates.sum())}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("with_candidates", [False, True])
def test_metrics_match_the_naive_reference(seed: int, with_candidates: bool) -> None:
    rng = np.random.default_rng(seed)
    n_users, n_items = 12, 30
    train = (rng.random((n_users, n_items)) < 0.2).astype(np.float32)
    test = ((rng.random((n_users, n_items)) < 0.15) & (train == 0)).astype(np.float32)
    test[3] = 0  # a user without test items is not averaged
    scores = rng.normal(size=(n_users, n_items)).round(1)  # rounding makes ties
    candidates = rng.random(n_items) < 0.7 if with_candidates else np.ones(n_items, bool)
    split = Split(sp.csr_matrix(train), sp.csr_matrix(train.shape, dtype=np.float32),
                  sp.csr_matrix(test), candidates)
    got = evaluate_scores(lambda users: scores[users], split, batch=5).as_dict()
    want = naive_metrics(scores, train, test, candidates)
    assert got == pytest.approx(want, abs=1e-9)


def test_a_perfect_ranking_scores_one() -> None:
    test = np.zeros((2, 15), np.float32)
    test[0, [1, 2]] = test[1, [4]] = 1
    split = Split(sp.csr_matrix((2, 15), dtype=np.float32),
                  sp.csr_matrix((2, 15), dtype=np.float32), sp.csr_matrix(test),
                  np.ones(15, bool))
    m = evaluate_scores(lambda users: test[users], split)
    assert (m.recall, m.ndcg, m.auc) == (1.0, 1.0, 1.0)
    assert m.precision == pytest.approx(1.5 / 10)


def test_recbole_rounding_matches_recbole() -> None:
    assert _recbole_counts(50, (0.8, 0.1, 0.1)) == [40, 5, 5]
    assert _recbole_counts(5, (0.8, 0.1, 0.1)) == [3, 1, 1]
    assert _recbole_counts(2, (0.8, 0.1, 0.1)) == [1, 0, 1]
    assert _recbole_counts(13, (0.8, 0.1, 0.1)) == [11, 1, 1]


def _random_plays(seed: int = 0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = (rng.random((30, 60)) < 0.3) * rng.integers(1, 100, (30, 60))
    return sp.csr_matrix(dense.astype(np.float32))


def test_recbole_split_partitions_each_users_interactions_8_1_1() -> None:
    plays = _random_plays()
    split = split_recbole(plays, seed=3)
    total = split.train + split.valid + split.test
    assert (total != plays).nnz == 0
    assert split.train.multiply(split.test).nnz == 0 and split.valid.multiply(split.test).nnz == 0
    for u in range(plays.shape[0]):
        n = plays[u].nnz
        assert [split.train[u].nnz, split.valid[u].nnz, split.test[u].nnz] == \
            _recbole_counts(n, (0.8, 0.1, 0.1))
    again = split_recbole(plays, seed=3)
    assert (again.test != split.test).nnz == 0


def test_user_80_20_split_has_no_validation() -> None:
    plays = _random_plays()
    split = split_user_ratio(plays, seed=0)
    assert split.valid.nnz == 0
    assert ((split.train + split.test) != plays).nnz == 0


def test_cold_items_never_appear_in_training_and_are_the_only_candidates() -> None:
    plays = _random_plays()
    split = split_cold_items(plays, seed=0)
    cold = split.candidates
    assert cold.sum() == 6
    assert split.train[:, cold].nnz == 0
    assert split.test[:, ~cold].nnz == 0
    assert ((split.train + split.test) != plays).nnz == 0


def test_share_blocks_gives_a_missing_blocks_share_to_the_others() -> None:
    tags = sp.csr_matrix(np.asarray([[1, 1], [0, 0], [2, 0]], np.float32))
    volume = sp.csr_matrix(np.asarray([[1], [1], [3]], np.float32))
    got = share_blocks([tags, volume], (0.75, 0.25)).toarray()
    assert got == pytest.approx(np.asarray([[0.375, 0.375, 0.25], [0, 0, 1], [0.75, 0, 0.25]]))


def test_volume_buckets_count_distinct_taggers_in_capped_log2_buckets() -> None:
    # item 0: users 0, 0, 1 (2 distinct -> bucket 1); item 1: nobody (bucket 0);
    # item 2: 7 users (bucket 3); item 3: 1000 users (capped at bucket 8).
    items = [0, 0, 0] + [2] * 7 + [3] * 1000
    users = [0, 0, 1, *range(7), *range(1000)]
    got = volume_buckets(4, np.asarray(items), np.asarray(users), max_bucket=8)
    assert got.shape == (4, 9)
    assert got.argmax(axis=1).A1.tolist() == [1, 0, 3, 8]
    assert got.sum(axis=1).A1.tolist() == [1, 1, 1, 1]


def _tiered_data(seed: int = 0, n_users: int = 100, n_items: int = 80) -> HetrecData:
    """A quarter of the items are hits (half the users listen), the rest niche (4 %).
    Listeners tag an item with probability 0.5, others 0.1 for a hit and 0.005 for a niche
    item, and one outside user tags every item: all items carry the same single tag."""
    rng = np.random.default_rng(seed)
    hit = rng.random(n_items) < 0.25
    listens = rng.random((n_users, n_items)) < np.where(hit, 0.5, 0.04)
    tags = rng.random((n_users, n_items)) < np.where(listens, 0.5, np.where(hit, 0.1, 0.005))
    users, items = np.nonzero(tags)
    users = np.concatenate([users, np.full(n_items, -1)])
    items = np.concatenate([items, np.arange(n_items)])
    return HetrecData(user_ids=np.arange(n_users), artist_ids=np.arange(n_items),
                      plays=sp.csr_matrix(listens.astype(np.float32)),
                      tag_user=users.astype(np.int64), tag_artist=items.astype(np.int64),
                      tag_id=np.zeros(users.size, np.int64), n_tags=1)


def test_tag_volume_skips_tag_rows_of_held_out_pairs() -> None:
    """The leakage rule of the data set's README applies to the volume count too."""
    data = HetrecData(user_ids=np.arange(3), artist_ids=np.arange(2),
                      plays=sp.csr_matrix(np.ones((3, 2), np.float32)),
                      tag_user=np.asarray([0, 1, 2]), tag_artist=np.asarray([1, 1, 1]),
                      tag_id=np.zeros(3, np.int64), n_tags=1)
    held = sp.csr_matrix(np.asarray([[0, 1], [0, 0], [0, 0]], np.float32))
    assert leak_free_tag_volume(data, held).argmax(axis=1).A1.tolist() == [0, 1]
    nothing = sp.csr_matrix((3, 2), dtype=np.float32)
    assert leak_free_tag_volume(data, nothing).argmax(axis=1).A1.tolist() == [0, 2]


def test_tag_volume_lets_the_hybrid_rank_cold_items_by_popularity() -> None:
    """Cold items all carry the same tag, so tags alone cannot order them (AUC about 0.5);
    the volume bucket, learnt on warm items, puts the much-tagged hits first."""
    data = _tiered_data()
    split = split_cold_items(data.plays, seed=0, fraction=0.25)
    params = Hyperparameters(components=8, epochs=20, learning_rate=0.05, threads=1)
    auc = {}
    for share in (0.0, 0.5):
        features = hybrid_features(data, split.test, split.train, HYBRID_WEIGHTS,
                                   volume_share=share)
        if share:
            assert features.names[-9:] == tuple(f"tag-volume:{b}" for b in range(9))
        result = run_models(split, features, params, params, None, only=("lightfm_hybrid",))
        auc[share] = result["lightfm_hybrid"]["auc"]
    assert auc[0.0] < 0.65
    assert auc[0.5] > 0.75
