"""The serving snapshot: the library as precomputed score rows, request filters, diversity.

:class:`Catalog` holds every track as a ``[embedding, bias]`` row (or content features
when serving popularity) with indexes for the filters the dialogue needs;
:func:`select_diverse` turns scores into a varied, shuffle-friendly list.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.features import track_feature_names
from recommender.features import track_features as build_track_features
from recommender.normalize import normalize_name
from recommender.store import Track

__all__ = ["Catalog", "Query", "product", "select_diverse"]


@dataclass(frozen=True)
class Query:
    """What a request constrains; names are compared by their ``normalize_name`` keys."""

    artist: str | None = None
    album: str | None = None
    genre: str | None = None
    decade: int | None = None
    year: int | None = None
    like_track_id: int | None = None
    like_artist: str | None = None
    exclude_track_ids: frozenset[int] = frozenset()


_BLAS: Any = None


def product(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` on one BLAS thread.

    Waking OpenBLAS's worker threads for a 20k x 65 product costs tens of milliseconds on
    a busy machine, a hundred times the product itself.
    """
    global _BLAS
    if _BLAS is None:
        from threadpoolctl import ThreadpoolController

        _BLAS = ThreadpoolController()
    with _BLAS.limit(limits=1, user_api="blas"):
        return np.asarray(matrix @ vector)


def _unit_rows(m: np.ndarray) -> np.ndarray:
    return m / (np.linalg.norm(m, axis=1, keepdims=True) + 1e-9)


@dataclass(frozen=True)
class Catalog:
    """Serving snapshot of the library: score rows plus indexes for the request filters."""

    tracks: tuple[Track, ...]
    row: dict[int, int]
    items: np.ndarray | None
    """``[n_tracks, components + 1]`` LightFM rows, or None when serving popularity."""
    popularity: np.ndarray
    artist: np.ndarray
    """Artist key per row (object array of str)."""
    album_artist: np.ndarray
    album: np.ndarray
    decade: np.ndarray
    year: np.ndarray
    genres: dict[str, np.ndarray]
    """Genre key -> bool mask of the rows tagged with it."""
    unit: np.ndarray | sp.csr_matrix
    """Row-normalised vectors for "like this" similarity (embeddings, or content features)."""

    @classmethod
    def build(cls, tracks: Sequence[Track], items: np.ndarray | None,
              popularity: np.ndarray) -> Catalog:
        if items is not None:
            unit: np.ndarray | sp.csr_matrix = _unit_rows(items[:, :-1])
        else:
            names = tuple(n for n in track_feature_names(tracks) if not n.startswith("track:"))
            content = build_track_features(tracks, names).tocsr()
            norms = np.sqrt(np.asarray(content.multiply(content).sum(axis=1)).ravel()) + 1e-9
            unit = sp.csr_matrix(sp.diags(1.0 / norms) @ content)
        return cls(
            tracks=tuple(tracks), row={t.id: i for i, t in enumerate(tracks)}, items=items,
            popularity=popularity,
            artist=np.asarray([t.artist_key for t in tracks] or [""], dtype=object)[:len(tracks)],
            album_artist=np.asarray([t.album_artist_key for t in tracks] or [""],
                                    dtype=object)[:len(tracks)],
            album=np.asarray([t.album_key for t in tracks] or [""], dtype=object)[:len(tracks)],
            decade=np.asarray([t.decade if t.decade is not None else -1 for t in tracks]),
            year=np.asarray([t.year if t.year is not None else -1 for t in tracks]),
            genres=cls._genre_index(tracks), unit=unit)

    @staticmethod
    def _genre_index(tracks: Sequence[Track]) -> dict[str, np.ndarray]:
        index: dict[str, np.ndarray] = {}
        for row, track in enumerate(tracks):
            for key in track.genre_keys:
                index.setdefault(key, np.zeros(len(tracks), bool))[row] = True
        return index

    def filter_mask(self, query: Query) -> np.ndarray:
        mask = np.ones(len(self.tracks), bool)
        if query.artist:
            key = normalize_name(query.artist)
            mask &= (self.artist == key) | (self.album_artist == key)
        if query.album:
            mask &= self.album == normalize_name(query.album)
        if query.genre:
            # "rock" matches "Rock" and "Classic Rock", not "Rockabilly".
            key = f" {normalize_name(query.genre)} "
            genre = np.zeros(len(self.tracks), bool)
            for name, rows in self.genres.items():
                if key in f" {name} ":
                    genre |= rows
            mask &= genre
        if query.decade is not None:
            mask &= self.decade == query.decade // 10 * 10
        if query.year is not None:
            mask &= self.year == query.year
        return mask

    def exclusion_mask(self, track_ids: Iterable[int]) -> np.ndarray:
        """True for rows *not* in ``track_ids``."""
        keep = np.ones(len(self.tracks), bool)
        rows = [self.row[t] for t in track_ids if t in self.row]
        keep[rows] = False
        return keep

    def seed_rows(self, query: Query) -> np.ndarray:
        rows: list[int] = []
        if query.like_track_id is not None and query.like_track_id in self.row:
            rows.append(self.row[query.like_track_id])
        if query.like_artist:
            rows += np.flatnonzero(self.artist == normalize_name(query.like_artist)).tolist()
        return np.asarray(rows, dtype=np.int64)

    def similarity(self, seed_rows: np.ndarray) -> np.ndarray:
        """Cosine of every row with the mean of the seed rows."""
        seed = np.asarray(self.unit[seed_rows].mean(axis=0)).ravel()
        if isinstance(self.unit, np.ndarray):
            return product(self.unit, seed.astype(np.float32)).astype(np.float64)
        return np.asarray(self.unit @ seed, dtype=np.float64).ravel()


def select_diverse(scores: np.ndarray, artists: np.ndarray, n: int,
                   allow_repeats: bool = False) -> list[int]:
    """Best-first rows, no artist twice in a row and at most ``ceil(n/4)`` (min 2) per artist.

    The cap keeps a list varied even after the player shuffles it. Both rules relax only
    when the candidates leave no other choice; ``allow_repeats`` (an artist or album
    request) turns them off.
    """
    finite = np.flatnonzero(np.isfinite(scores))
    pool_size = min(finite.size, max(50, 5 * n))
    if pool_size == 0:
        return []
    part = finite[np.argpartition(-scores[finite], pool_size - 1)[:pool_size]]
    pool = [int(r) for r in part[np.argsort(-scores[part], kind="stable")]]
    if allow_repeats:
        return pool[:n]
    cap = max(2, math.ceil(n / 4))
    counts: Counter[str] = Counter()
    out: list[int] = []
    while pool and len(out) < n:
        last = artists[out[-1]] if out else None
        pick = next((i for i, r in enumerate(pool)
                     if artists[r] != last and counts[artists[r]] < cap), None)
        if pick is None:
            pick = next((i for i, r in enumerate(pool) if artists[r] != last), 0)
        row = pool.pop(pick)
        counts[artists[row]] += 1
        out.append(row)
    return out
