"""The LightFM hybrid recommender: an item is the sum of its features' embeddings.

A fit records which features are *trained*: a feature that appears on no item with a
training interaction (the identity of a never-played track, a tag only cold items carry) never
got a positive gradient, only its random start and pushes as a sampled negative. With
``trained_features_only=True`` an item row is served from its trained features alone, rescaled
to the row's original sum (warm items are unchanged: all their features are trained). It is
off by default: on the HetRec cold-items tuning split (seed 100, one fitted model served both
ways) it lowered Recall@10 from 0.1112 to 0.1081 and NDCG@10 from 0.0855 to 0.0825. There the
cold artists already lack identity and neighbours, so it only drops tags no warm artist has.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.errors import NotFittedError, RecommenderError
from recommender.model import (
    FeatureMatrix,
    Hyperparameters,
    Recommendations,
    Recommender,
    online_user_update,
    top_n,
)

__all__ = ["LightFMRecommender"]

logger = logging.getLogger(__name__)


def _csr_arrays(prefix: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {f"{prefix}_data": matrix.data, f"{prefix}_indices": matrix.indices,
            f"{prefix}_indptr": matrix.indptr, f"{prefix}_shape": np.asarray(matrix.shape)}


def _csr_from(prefix: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{prefix}_shape"])
    return sp.csr_matrix((arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"],
                          arrays[f"{prefix}_indptr"]), shape=shape, dtype=np.float32)


class LightFMRecommender(Recommender):
    """Hybrid LightFM: item = sum of its features' embeddings (identity + content).

    Without item features every item is its own feature (pure collaborative filtering).
    Users are identity-only; a user index beyond the fitted ones starts at a zero vector,
    which ranks by item bias until :meth:`update` moves it.
    """

    kind = "lightfm"

    def __init__(self, params: Hyperparameters | None = None, *,
                 trained_features_only: bool = False) -> None:
        super().__init__()
        self.params = params or Hyperparameters()
        self.trained_features_only = trained_features_only
        """Serve items from trained features only (see the module docstring)."""
        self.item_feature_names: tuple[str, ...] = ()
        self.item_features: sp.csr_matrix | None = None
        self.feature_embeddings: np.ndarray | None = None
        self.feature_biases: np.ndarray | None = None
        self.trained_features: np.ndarray | None = None
        """Bool per feature: it appears on at least one item with a training interaction."""
        self.item_matrix: np.ndarray | None = None
        """``[n_items, components + 1]`` float32: embedding then bias, precomputed."""
        self.user_matrix: np.ndarray | None = None
        """``[n_users, components + 1]`` float32: embedding then 1 (the bias slot)."""
        self._norms: np.ndarray | None = None

    @property
    def n_items(self) -> int:
        return 0 if self.item_matrix is None else self.item_matrix.shape[0]

    @property
    def n_users(self) -> int:
        return 0 if self.user_matrix is None else self.user_matrix.shape[0]

    def fit(self, interactions: sp.spmatrix, user_features: FeatureMatrix | None = None,
            item_features: FeatureMatrix | None = None) -> LightFMRecommender:
        """Full fit; ``interactions`` values are used as sample weights (must be > 0)."""
        from lightfm import LightFM

        start = time.perf_counter()
        coo = sp.coo_matrix(interactions, dtype=np.float32)
        coo.eliminate_zeros()
        if coo.nnz and coo.data.min() <= 0:
            raise RecommenderError("LightFM needs positive interaction weights; drop "
                                   "negative feedback before fitting (see features.py)")
        p = self.params
        lfm = LightFM(no_components=p.components, loss=p.loss, learning_rate=p.learning_rate,
                      item_alpha=p.item_alpha, user_alpha=p.user_alpha,
                      max_sampled=p.max_sampled, random_state=np.random.RandomState(p.seed))
        binary = sp.coo_matrix((np.ones_like(coo.data), (coo.row, coo.col)), shape=coo.shape)
        feats = None if item_features is None else item_features.matrix.astype(np.float32)
        ufeats = None if user_features is None else user_features.matrix.astype(np.float32)
        # LightFM's k-OS loss takes no sample weights: it then learns from presence alone.
        weights = None if p.loss == "warp-kos" else coo
        lfm.fit(binary, user_features=ufeats, item_features=feats, sample_weight=weights,
                epochs=p.epochs, num_threads=p.threads)
        if not np.all(np.isfinite(lfm.item_embeddings)):
            raise RecommenderError("LightFM diverged (non-finite weights); try a lower "
                                   "learning rate or larger alphas")
        n_items = coo.shape[1]
        self.item_features = (sp.identity(n_items, dtype=np.float32, format="csr")
                              if feats is None else sp.csr_matrix(feats))
        self.item_feature_names = (tuple(f"item:{i}" for i in range(n_items))
                                   if item_features is None else item_features.names)
        self.feature_embeddings = lfm.item_embeddings.astype(np.float32)
        self.feature_biases = lfm.item_biases.astype(np.float32)
        played = np.zeros(n_items, bool)
        played[coo.col] = True
        self.trained_features = np.asarray(
            abs(self.item_features[played]).sum(axis=0)).ravel() > 0
        ub, ue = lfm.get_user_representations(ufeats)
        self.user_matrix = np.hstack([ue, np.ones((ue.shape[0], 1), np.float32)]).astype(
            np.float32)
        del ub  # a user bias shifts every item equally and never changes a ranking
        self._precompute()
        self.fit_seconds = time.perf_counter() - start
        logger.debug("LightFM fit: %d users, %d items, %d interactions, %.1f s",
                    coo.shape[0], n_items, coo.nnz, self.fit_seconds)
        return self

    def _precompute(self) -> None:
        self.item_matrix = self.represent(self._require(self.item_features))
        self._norms = None

    def _require(self, value: Any) -> Any:
        if value is None:
            raise NotFittedError("the LightFM model is not fitted; call fit() or load()")
        return value

    def represent(self, item_features: sp.spmatrix) -> np.ndarray:
        """``[rows, components + 1]`` serving rows for items given as feature rows.

        This is how a track the model never saw is scored from its content features. With
        ``trained_features_only`` untrained features are dropped first (:meth:`trained_rows`).
        """
        emb = self._require(self.feature_embeddings)
        feats = (self.trained_rows(item_features) if self.trained_features_only
                 else sp.csr_matrix(item_features, dtype=np.float32))
        out = np.empty((feats.shape[0], emb.shape[1] + 1), dtype=np.float32)
        out[:, :-1] = feats @ emb
        out[:, -1] = feats @ self._require(self.feature_biases)
        return out

    def trained_rows(self, item_features: sp.spmatrix) -> sp.csr_matrix:
        """``item_features`` with untrained features dropped, each touched row rescaled to
        its original sum (a row with only untrained features becomes empty: scores 0)."""
        feats = sp.csr_matrix(item_features, dtype=np.float32, copy=True)
        trained = self.trained_features
        if trained is None or bool(trained.all()):
            return feats
        keep = trained[feats.indices]
        row_of = np.repeat(np.arange(feats.shape[0]), np.diff(feats.indptr))
        touched = np.zeros(feats.shape[0], bool)
        touched[row_of[~keep]] = True
        if not touched.any():
            return feats
        total = np.bincount(row_of, weights=feats.data, minlength=feats.shape[0])
        kept = np.bincount(row_of[keep], weights=feats.data[keep], minlength=feats.shape[0])
        scale = np.ones(feats.shape[0])
        scale[touched] = np.divide(total[touched], kept[touched],
                                   out=np.zeros(int(touched.sum())), where=kept[touched] != 0)
        feats.data = np.where(keep, feats.data * scale[row_of], 0.0).astype(np.float32)
        feats.eliminate_zeros()
        return feats

    def user_vector(self, user_index: int) -> np.ndarray:
        users = self._require(self.user_matrix)
        if 0 <= user_index < users.shape[0]:
            return np.asarray(users[user_index])
        vec = np.zeros(users.shape[1], dtype=np.float32)
        vec[-1] = 1.0
        return vec

    def user_scores(self, user_index: int) -> np.ndarray:
        items = self._require(self.item_matrix)
        return items @ self.user_vector(user_index)

    def scores_for_users(self, user_indices: np.ndarray) -> np.ndarray:
        users = np.vstack([self.user_vector(int(u)) for u in user_indices])
        return users @ self._require(self.item_matrix).T

    def update(self, user_index: int, item_indices: np.ndarray, weights: np.ndarray) -> None:
        """Online update of one user's vector (see :func:`online_user_update`).

        Users beyond the fitted ones are appended (with zero vectors) so new profiles learn.
        """
        users = self._require(self.user_matrix)
        if user_index >= users.shape[0]:
            grow = np.zeros((user_index + 1 - users.shape[0], users.shape[1]), np.float32)
            grow[:, -1] = 1.0
            self.user_matrix = users = np.vstack([users, grow])
        items = self._require(self.item_matrix)[np.asarray(item_indices, dtype=np.int64)]
        users[user_index] = online_user_update(users[user_index], items, weights)

    def similar_items(self, item_index: int, n: int = 10) -> Recommendations:
        items = self._require(self.item_matrix)
        if self._norms is None:
            self._norms = np.linalg.norm(items[:, :-1], axis=1) + 1e-9
        target = items[item_index, :-1]
        scores = (items[:, :-1] @ target) / (self._norms * self._norms[item_index])
        scores = scores.astype(np.float64)
        scores[item_index] = -np.inf
        top = top_n(scores, n)
        return Recommendations(top, scores[top])

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"feature_embeddings": self._require(self.feature_embeddings),
                "feature_biases": self._require(self.feature_biases),
                "user_matrix": self._require(self.user_matrix),
                "trained_features": self._require(self.trained_features),
                **_csr_arrays("item_features", self._require(self.item_features))}

    def _meta(self) -> dict[str, Any]:
        return {"hyperparameters": dataclasses.asdict(self.params),
                "item_feature_names": list(self.item_feature_names),
                "trained_features_only": self.trained_features_only}

    @classmethod
    def _from_saved(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]
                    ) -> LightFMRecommender:
        model = cls(Hyperparameters(**meta["hyperparameters"]),
                    trained_features_only=bool(meta.get("trained_features_only", False)))
        model.item_feature_names = tuple(meta["item_feature_names"])
        model.feature_embeddings = arrays["feature_embeddings"].astype(np.float32)
        model.feature_biases = arrays["feature_biases"].astype(np.float32)
        model.user_matrix = arrays["user_matrix"].astype(np.float32)
        model.item_features = _csr_from("item_features", arrays)
        # Saves from before the trained-feature rule lack the mask: treat every feature as
        # trained (their old behaviour) until the next fit.
        model.trained_features = (arrays["trained_features"].astype(bool)
                                  if "trained_features" in arrays
                                  else np.ones(model.feature_embeddings.shape[0], bool))
        n_features = model.feature_embeddings.shape[0]
        if model.item_features.shape[1] != n_features or len(
                model.item_feature_names) != n_features or (
                model.trained_features.size != n_features):
            raise ValueError("feature names, feature matrix and embeddings disagree in size")
        model._precompute()
        return model
