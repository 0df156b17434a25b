"""Recommendation models behind one small interface; the popularity baseline lives here,
the LightFM hybrid in :mod:`recommender.lightfm_model`.

Models work on dense indices: users ``0..n_users-1`` and items ``0..n_items-1``. The caller
(``recommender.engine`` or ``recommender.evaluate``) keeps the mapping to track ids and user
names; a model stores the id lists it was given so a saved model is self-describing.

Serving is precomputed: after a fit or load, every item is one row ``[embedding, bias]`` of a
float32 matrix, every user one row ``[embedding, 1]``, so scoring one user over all items is a
single matrix-vector product.

Saved models are two files side by side: ``<stem>.npz`` (arrays, loaded with
``allow_pickle=False``) and ``<stem>.json`` (format version, hyperparameters, id maps, feature
names). A file pair of another ``FORMAT_VERSION`` is refused with :class:`ModelFormatError`.
"""

from __future__ import annotations

import abc
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
    "PopularityRecommender",
    "Recommendations",
    "Recommender",
    "load_model",
    "online_user_update",
    "top_n",
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


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
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
        top = top_n(scores, n)
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
    from recommender.lightfm_model import LightFMRecommender

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
        top = top_n(scores, n)
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
