"""Recommender models on data with a known answer, save/load, the popularity baseline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.errors import ModelFormatError, NotFittedError
from recommender.features import (
    event_interactions,
    is_early_skip,
    play_weight,
    tag_features,
)
from recommender.lightfm_model import LightFMRecommender
from recommender.model import (
    FORMAT_VERSION,
    FeatureMatrix,
    Hyperparameters,
    PopularityRecommender,
    load_model,
)
from recommender.store import ListeningEvent, Track

PARAMS = Hyperparameters(components=4, epochs=30, threads=1, learning_rate=0.05, seed=0)


def checkerboard(n_users: int = 40, n_items: int = 40) -> sp.csr_matrix:
    """Two user groups with disjoint tastes: even users like even items, odd users odd ones.

    Each user has 40 % of their group's items; the model should fill in the rest.
    """
    rng = np.random.default_rng(0)
    rows, cols = [], []
    for u in range(n_users):
        for i in range(u % 2, n_items, 2):
            if rng.random() < 0.4:
                rows.append(u)
                cols.append(i)
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                         shape=(n_users, n_items))


def test_lightfm_recommendations_stay_in_the_users_group() -> None:
    data = checkerboard()
    model = LightFMRecommender(PARAMS).fit(data)
    for user in range(data.shape[0]):
        seen = data[user].indices
        recs = model.recommend(user, n=3, exclude=seen)
        assert np.all(recs.items % 2 == user % 2), (user, recs.items)
        assert not set(recs.items.tolist()) & set(seen.tolist())
        assert np.all(np.diff(recs.scores) <= 0)


def test_similar_items_are_from_the_same_group() -> None:
    model = LightFMRecommender(PARAMS).fit(checkerboard())
    similar = model.similar_items(4, n=5)
    assert 4 not in similar.items
    assert np.all(similar.items % 2 == 0)


def test_candidate_mask_restricts_the_ranking() -> None:
    model = LightFMRecommender(PARAMS).fit(checkerboard())
    allowed = np.zeros(40, bool)
    allowed[[1, 3]] = True
    assert set(model.recommend(0, n=5, candidates=allowed).items) == {1, 3}


def test_online_update_moves_a_new_user_towards_liked_items() -> None:
    model = LightFMRecommender(PARAMS).fit(checkerboard())
    newcomer = model.n_users
    model.update(newcomer, np.asarray([1, 3, 5]), np.asarray([1.0, 1.0, 1.0]))
    model.update(newcomer, np.asarray([0, 2]), np.asarray([-1.0, -1.0]))
    top = model.recommend(newcomer, n=4, exclude=np.asarray([1, 3, 5])).items
    assert np.all(top % 2 == 1)


def test_hybrid_scores_an_unseen_item_from_its_content() -> None:
    """Item 20 has no interactions and no identity feature; its tag says 'even group'."""
    data = sp.hstack([checkerboard(), sp.csr_matrix((40, 2))], format="csr")
    items = np.r_[np.arange(40), 40, 41]
    tags = np.r_[np.arange(40) % 2, 0, 1]
    identity = np.r_[np.ones(40, bool), False, False]
    feats = tag_features(42, items, tags, np.ones(42), 2, identity=identity,
                         min_items_per_tag=1)
    model = LightFMRecommender(PARAMS).fit(data, item_features=feats)
    even_user, odd_user = 0, 1
    assert model.user_scores(even_user)[40] > model.user_scores(even_user)[41]
    assert model.user_scores(odd_user)[41] > model.user_scores(odd_user)[40]


def test_a_cold_items_untrained_identity_row_is_ignored_at_serving(tmp_path: Path) -> None:
    """As in the product, every item (even never-played 40 and 41) has an identity feature.

    The identity rows of 40 and 41 got no positive gradient, so with trained_features_only
    each is served from its tag alone (rescaled to weight 1); warm items keep identity + tag
    exactly as fitted. The default model still serves the raw rows.
    """
    data = sp.hstack([checkerboard(), sp.csr_matrix((40, 2))], format="csr")
    items = np.r_[np.arange(40), 40, 41]
    tags = np.r_[np.arange(40) % 2, 0, 1]
    feats = tag_features(42, items, tags, np.ones(42), 2, identity=None, min_items_per_tag=1)
    model = LightFMRecommender(PARAMS, trained_features_only=True).fit(data, item_features=feats)
    emb, bias = model.feature_embeddings, model.feature_biases
    assert emb is not None and bias is not None and model.item_matrix is not None
    assert np.abs(emb[40]).sum() > 0  # the untrained identity row is not zero: it would count
    even_tag, odd_tag = 42, 43
    np.testing.assert_allclose(model.item_matrix[40], np.r_[emb[even_tag], bias[even_tag]],
                               rtol=1e-6)
    np.testing.assert_allclose(model.item_matrix[41], np.r_[emb[odd_tag], bias[odd_tag]],
                               rtol=1e-6)
    raw = feats.matrix[:40] @ emb
    np.testing.assert_array_equal(model.item_matrix[:40, :-1], raw.astype(np.float32))
    model.save(tmp_path / "m")
    loaded = LightFMRecommender.load(tmp_path / "m")
    assert loaded.item_matrix is not None and loaded.trained_features_only
    np.testing.assert_allclose(loaded.item_matrix, model.item_matrix, rtol=1e-6)
    loaded.trained_features_only = False
    default_rows = loaded.represent(feats.matrix)
    np.testing.assert_allclose(default_rows[40, :-1], (feats.matrix[40] @ emb).ravel(),
                               rtol=1e-5)


def test_save_load_round_trip_keeps_scores_ids_and_features(tmp_path: Path) -> None:
    feats = tag_features(40, np.arange(40), np.arange(40) % 2, np.ones(40), 2, identity=None,
                         min_items_per_tag=1)
    model = LightFMRecommender(PARAMS).fit(checkerboard(), item_features=feats)
    model.ids.users = [f"user{u}" for u in range(40)]
    model.ids.items = list(range(100, 140))
    model.extra = {"last_event_id": 7}
    model.save(tmp_path / "m")
    loaded = LightFMRecommender.load(tmp_path / "m")
    np.testing.assert_allclose(loaded.user_scores(3), model.user_scores(3), rtol=1e-6)
    assert loaded.ids.users == model.ids.users and loaded.ids.items == model.ids.items
    assert loaded.item_feature_names == feats.names
    assert loaded.params == PARAMS
    assert loaded.extra == {"last_event_id": 7}


def test_a_model_file_of_another_format_version_is_refused(tmp_path: Path) -> None:
    PopularityRecommender().fit(checkerboard()).save(tmp_path / "m")
    meta = json.loads((tmp_path / "m.json").read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match=r"format version .* retrain"):
        load_model(tmp_path / "m")


def test_corrupt_or_missing_model_files_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="encore train"):
        load_model(tmp_path / "absent")
    PopularityRecommender().fit(checkerboard()).save(tmp_path / "m")
    (tmp_path / "m.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError, match="corrupt"):
        load_model(tmp_path / "m")
    with pytest.raises(ModelFormatError, match="not lightfm"):
        (tmp_path / "p").mkdir()
        PopularityRecommender().fit(checkerboard()).save(tmp_path / "p" / "m")
        LightFMRecommender.load(tmp_path / "p" / "m")


def test_popularity_ranks_by_number_of_listeners_not_plays() -> None:
    data = sp.csr_matrix(np.array([[50, 1, 0], [0, 1, 0], [0, 1, 1]], np.float32))
    model = PopularityRecommender().fit(data)
    assert model.recommend(0, n=1).items.tolist() == [1]
    assert model.recommend(0, n=2, exclude=np.asarray([1])).items.size == 2
    with pytest.raises(NotFittedError):
        PopularityRecommender().user_scores(0)


def test_feature_matrix_names_must_match_columns() -> None:
    with pytest.raises(Exception, match="names"):
        FeatureMatrix(sp.csr_matrix((2, 3)), ("a", "b"))


def _track(tid: int, duration_s: float = 200.0) -> Track:
    return Track(tid, f"/m/{tid}.mp3", f"t{tid}", "A", "B", "", (), None, None, duration_s)


def test_implicit_weights_follow_the_documented_rules() -> None:
    assert play_weight(np.asarray([1.0, np.e, 0.5])).tolist() == pytest.approx([1.0, 2.0, 0.5])
    assert is_early_skip(10.0, 300.0) and is_early_skip(60.0, 300.0)
    assert not is_early_skip(90.0, 300.0) and is_early_skip(None, 300.0)
    events = [ListeningEvent(i + 1, "u", tid, kind, pos, 0.0) for i, (tid, kind, pos) in
              enumerate([(1, "complete", None), (1, "complete", None), (1, "complete", None),
                         (2, "complete", None), (2, "skip", 5.0), (2, "skip", 5.0),
                         (3, "like", None), (4, "complete", None), (4, "dislike", None)])]
    inter = event_interactions(events, [_track(t) for t in (1, 2, 3, 4)], ["u"])
    row = inter.matrix.toarray()[0]
    assert row[0] == pytest.approx(1 + np.log(3))  # repeated plays count sub-linearly
    assert row[1] == 0.0  # net negative after early skips: left out of training
    assert row[2] > row[0] - 1  # a like counts like several plays
    assert row[3] == 0.0  # disliked
    assert inter.last_event_id == 9


def test_keep_top_per_row_keeps_the_k_largest_of_each_row() -> None:
    import numpy as np
    import scipy.sparse as sp

    from recommender.features import keep_top_per_row

    m = sp.csr_matrix(np.array([[5.0, 1.0, 3.0, 2.0], [0.0, 4.0, 0.0, 0.0]]))
    kept = keep_top_per_row(m, 2).toarray()
    assert kept.tolist() == [[5.0, 0.0, 3.0, 0.0], [0.0, 4.0, 0.0, 0.0]]
