"""Recommendation models behind one small interface: LightFM hybrid and a popularity baseline.

Models work on dense indices: users ``0..n_users-1`` and items ``0..n_items-1``. The caller
(``recommender.engine`` or ``recommender.evaluate``) keeps the mapping to track ids and user
names; a model stores the id lists it was given so a saved model is self-describing.

Serving is precomputed: after a fit or load, every item is one row ``[embedding, bias]`` of a
float32 matrix, every user one row ``[embedding, 1]``, so scoring one user over all items is a
single matrix-vector product.

A fit records which features are *trained*: a feature that appears on no item with a
training interaction (the identity of a never-played track, a tag only cold items carry) never
got a positive gradient, only its random start and pushes as a sampled negative. With
``trained_features_only=True`` an item row is served from its trained features alone, rescaled
to the row's original sum (warm items are unchanged: all their features are trained). It is
off by default: on the HetRec cold-items tuning split (seed 100, one fitted model served both
ways) it lowered Recall@10 from 0.1112 to 0.1081 and NDCG@10 from 0.0855 to 0.0825. There the
cold artists already lack identity and neighbours, so it only drops tags no warm artist has.

Saved models are two files side by side: ``<stem>.npz`` (arrays, loaded with
``allow_pickle=False``) and ``<stem>.json`` (format version, hyperparameters, id maps, feature
names). A file pair of another ``FORMAT_VERSION`` is refused with :class:`ModelFormatError`.
"""

from __future__ import annotations

import abc
import dataclasses
import json
import logging
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import scipy.sparse as sp

from recommender.errors import ModelFormatError, NotFittedError, RecommenderError

__all__ = [
    "FORMAT_VERSION",
    "FeatureMatrix",
    "Hyperparameters",
    "IdMaps",
    "LightFMRecommender",
    "PopularityRecommender",
    "Recommendations",
    "Recommender",
    "load_model",
    "online_user_update",
]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
LOSSES = ("warp", "bpr", "logistic", "warp-kos")


@dataclass(frozen=True)
class Hyperparameters:
    """LightFM training settings. ``threads=1`` gives reproducible fits."""

    components: int = 64
    epochs: int = 30
    loss: str = "warp"
    learning_rate: float = 0.05
    threads: int = 2
    item_alpha: float = 0.0
    user_alpha: float = 0.0
    seed: int = 0
    max_sampled: int = 10

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise RecommenderError(f"loss {self.loss!r} is not one of {', '.join(LOSSES)}")
        if self.components < 1 or self.epochs < 1 or self.threads < 1:
            raise RecommenderError("components, epochs and threads must all be at least 1")


@dataclass(frozen=True)
class FeatureMatrix:
    """A sparse ``[rows, features]`` matrix with one name per feature column."""

    matrix: sp.csr_matrix
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.matrix.shape[1] != len(self.names):
            raise RecommenderError(f"{self.matrix.shape[1]} feature columns but "
                                   f"{len(self.names)} names")


@dataclass(frozen=True)
class Recommendations:
    """Ranked item indices, best first, with their scores (higher is better)."""

    items: np.ndarray
    scores: np.ndarray


@dataclass
class IdMaps:
    """External ids of the users (rows) and items (columns) a model was fitted on."""

    users: list[Any] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)


def _top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` best finite scores, best first."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or n <= 0:
        return np.empty(0, dtype=np.int64)
    if finite.size > n:
        part = np.argpartition(-scores[finite], n - 1)[:n]
        finite = finite[part]
    order = np.argsort(-scores[finite], kind="stable")
    return finite[order].astype(np.int64)


def online_user_update(user: np.ndarray, items: np.ndarray, weights: np.ndarray,
                       steps: int = 5, learning_rate: float = 0.5) -> np.ndarray:
    """Logistic SGD on one ``[components + 1]`` user row against fixed item rows.

    Positive weights pull the user towards an item, negative ones push it away; the last
    (bias) slot stays 1. A few steps over a handful of items take microseconds, which is what
    lets a skip or like change the very next recommendation.
    """
    rows = np.asarray(items, dtype=np.float32).reshape(-1, user.size)
    w = np.asarray(weights, dtype=np.float32).ravel()
    labels = np.sign(w)
    u = np.array(user, dtype=np.float32, copy=True)
    for _ in range(steps):
        margin = rows @ u
        grad = (labels * np.abs(w) / (1.0 + np.exp(labels * margin)))[:, None] * rows
        step = learning_rate * grad.sum(axis=0) / max(w.size, 1)
        step[-1] = 0.0
        u += step.astype(np.float32)
    return u


class Recommender(abc.ABC):
    """What every model offers: fit, online update, top-N, similar items, save/load."""

    kind: ClassVar[str] = ""

    def __init__(self) -> None:
        self.ids = IdMaps()
        self.fit_seconds = 0.0
        self.extra: dict[str, Any] = {}
        """Caller's JSON-able notes saved with the model (e.g. the last event id trained on)."""

    @property
    @abc.abstractmethod
    def n_items(self) -> int: ...

    @property
    @abc.abstractmethod
    def n_users(self) -> int: ...

    @abc.abstractmethod
    def fit(self, interactions: sp.spmatrix, user_features: FeatureMatrix | None = None,
            item_features: FeatureMatrix | None = None) -> Recommender:
        """Fit from a ``[n_users, n_items]`` matrix of positive interaction weights."""

    @abc.abstractmethod
    def user_scores(self, user_index: int) -> np.ndarray:
        """Scores of all items for one user (a new user index gets a neutral profile)."""

    @abc.abstractmethod
    def update(self, user_index: int, item_indices: np.ndarray, weights: np.ndarray) -> None:
        """Move one user's profile towards positive and away from negative weights, online."""

    @abc.abstractmethod
    def similar_items(self, item_index: int, n: int = 10) -> Recommendations:
        """Items closest to one item, the item itself left out."""

    @abc.abstractmethod
    def _arrays(self) -> dict[str, np.ndarray]: ...

    @abc.abstractmethod
    def _meta(self) -> dict[str, Any]: ...

    @classmethod
    @abc.abstractmethod
    def _from_saved(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Recommender: ...

    def scores_for_users(self, user_indices: np.ndarray) -> np.ndarray:
        """A ``[len(user_indices), n_items]`` score matrix (used by the evaluation)."""
        return np.vstack([self.user_scores(int(u)) for u in user_indices])

    def recommend(self, user_index: int, n: int = 10, candidates: np.ndarray | None = None,
                  exclude: np.ndarray | None = None) -> Recommendations:
        """Top ``n`` items for one user, among ``candidates`` (bool mask), minus ``exclude``."""
        scores = self.user_scores(user_index).astype(np.float64, copy=True)
        if candidates is not None:
            scores[~np.asarray(candidates, dtype=bool)] = -np.inf
        if exclude is not None and len(exclude):
            scores[np.asarray(exclude, dtype=np.int64)] = -np.inf
        top = _top_n(scores, n)
        return Recommendations(top, scores[top])

    def save(self, path: Path) -> None:
        """Write ``path.npz`` and ``path.json`` (``path`` without suffix), atomically each."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format_version": FORMAT_VERSION, "kind": self.kind,
                "user_ids": list(self.ids.users), "item_ids": list(self.ids.items),
                "fit_seconds": self.fit_seconds, "extra": self.extra, **self._meta()}
        npz, js = path.with_suffix(".npz"), path.with_suffix(".json")
        tmp_npz, tmp_js = npz.with_suffix(".npz.tmp"), js.with_suffix(".json.tmp")
        savez: Any = np.savez  # numpy's stub mistypes **arrays as allow_pickle
        with tmp_npz.open("wb") as fh:
            savez(fh, **self._arrays())
        tmp_js.write_text(json.dumps(meta), encoding="utf-8")
        tmp_npz.replace(npz)
        tmp_js.replace(js)

    @classmethod
    def load(cls, path: Path) -> Self:
        """Load a model saved by :meth:`save`; refuses other format versions and kinds."""
        model = load_model(path)
        if not isinstance(model, cls):
            raise ModelFormatError(f"{path} holds a {model.kind} model, not {cls.kind}; "
                                   "retrain with `encore train`.")
        return model


def load_model(path: Path) -> Recommender:
    """Load whichever model kind is saved at ``path`` (without suffix)."""
    path = Path(path)
    npz, js = path.with_suffix(".npz"), path.with_suffix(".json")
    try:
        meta = json.loads(js.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFormatError(f"no saved model at {js}; run `encore train`.") from exc
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{js} is unreadable ({exc}); delete it and run "
                               "`encore train`.") from exc
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if version != FORMAT_VERSION:
        raise ModelFormatError(f"{js} has model format version {version}, this Encore reads "
                               f"version {FORMAT_VERSION}; retrain with `encore train`.")
    kinds: dict[str, type[Recommender]] = {c.kind: c for c in (LightFMRecommender,
                                                              PopularityRecommender)}
    kind = kinds.get(str(meta.get("kind")))
    if kind is None:
        raise ModelFormatError(f"{js} names an unknown model kind {meta.get('kind')!r}; "
                               "retrain with `encore train`.")
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        model = kind._from_saved(arrays, meta)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelFormatError(f"{npz} is missing or corrupt ({exc}); delete it and run "
                               "`encore train`.") from exc
    model.ids = IdMaps(list(meta.get("user_ids", [])), list(meta.get("item_ids", [])))
    model.fit_seconds = float(meta.get("fit_seconds", 0.0))
    model.extra = dict(meta.get("extra") or {})
    return model


class PopularityRecommender(Recommender):
    """Ranks items by summed interaction weight: the baseline and the fallback."""

    kind = "popularity"

    def __init__(self) -> None:
        super().__init__()
        self.popularity: np.ndarray | None = None
        self._n_users = 0

    @property
    def n_items(self) -> int:
        return 0 if self.popularity is None else int(self.popularity.size)

    @property
    def n_users(self) -> int:
        return self._n_users

    def fit(self, interactions: sp.spmatrix, user_features: FeatureMatrix | None = None,
            item_features: FeatureMatrix | None = None) -> PopularityRecommender:
        start = time.perf_counter()
        matrix = sp.csr_matrix(interactions)
        # Count listeners, not plays: one heavy listener should not make an item popular.
        self.popularity = np.asarray((matrix > 0).sum(axis=0), dtype=np.float32).ravel()
        self._n_users = matrix.shape[0]
        self.fit_seconds = time.perf_counter() - start
        return self

    def user_scores(self, user_index: int) -> np.ndarray:
        if self.popularity is None:
            raise NotFittedError("the popularity model is not fitted; call fit() first")
        return self.popularity

    def scores_for_users(self, user_indices: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.user_scores(0), (len(user_indices), self.n_items))

    def update(self, user_index: int, item_indices: np.ndarray, weights: np.ndarray) -> None:
        """Popularity has no per-user state; the engine's re-ranking handles feedback."""

    def similar_items(self, item_index: int, n: int = 10) -> Recommendations:
        scores = self.user_scores(0).astype(np.float64, copy=True)
        scores[item_index] = -np.inf
        top = _top_n(scores, n)
        return Recommendations(top, scores[top])

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"popularity": self.user_scores(0)}

    def _meta(self) -> dict[str, Any]:
        return {"n_users": self._n_users}

    @classmethod
    def _from_saved(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]
                    ) -> PopularityRecommender:
        model = cls()
        model.popularity = arrays["popularity"].astype(np.float32)
        model._n_users = int(meta.get("n_users", 0))
        return model


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
        top = _top_n(scores, n)
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
