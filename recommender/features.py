"""Features and implicit-feedback weights for the recommender.

Item features: identity plus content (artist, album, genres, decade, tags). A row is
normalised so its weights sum to 1: ``identity_weight`` on the identity feature and the rest
shared by the content features, so an item with rich tags and one with none live on the same
scale. An item the model never saw (a newly scanned track, a cold artist) gets a row without
identity, so it is scored from its content alone.

Implicit feedback, per (user, track):

* ``complete`` adds a play, ``like`` adds ``LIKE_PLAYS`` plays, a late skip half a play;
* repeated plays count sub-linearly: the positive weight is ``1 + log(plays)``;
* an early skip (before ``EARLY_SKIP_S`` seconds or ``EARLY_SKIP_FRACTION`` of the track)
  subtracts ``SKIP_PENALTY``, a dislike ``DISLIKE_PENALTY``.

LightFM's WARP loss learns only from positive interactions, so a (user, track) pair whose
net weight is not positive is *left out* of training rather than given a negative weight;
negative feedback acts at serving time instead (the engine's online update pushes the user
vector away from the item, dislikes are never recommended again, skips add a re-ranking
penalty).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.model import FeatureMatrix
from recommender.normalize import normalize_name
from recommender.store import ListeningEvent, Track

__all__ = [
    "DISLIKE_PENALTY",
    "EARLY_SKIP_FRACTION",
    "EARLY_SKIP_S",
    "LIKE_PLAYS",
    "SKIP_PENALTY",
    "Interactions",
    "combine_item_features",
    "cooccurrence_neighbours",
    "event_interactions",
    "event_weight",
    "is_early_skip",
    "play_weight",
    "share_blocks",
    "tag_features",
    "tag_matrix",
    "track_feature_names",
    "track_features",
    "volume_buckets",
]

EARLY_SKIP_S = 30.0
EARLY_SKIP_FRACTION = 0.25
LIKE_PLAYS = 3.0
SKIP_PENALTY = 1.0
DISLIKE_PENALTY = 5.0


def play_weight(plays: np.ndarray) -> np.ndarray:
    """Sub-linear weight of a play count: ``1 + log(plays)`` for plays >= 1, else ``plays``."""
    plays = np.asarray(plays, dtype=np.float64)
    out = plays.copy()
    many = plays >= 1.0
    out[many] = 1.0 + np.log(plays[many])
    return out.astype(np.float32)


def is_early_skip(position_s: float | None, duration_s: float | None) -> bool:
    """A skip before 30 s or before a quarter of the track (unknown position counts early)."""
    if position_s is None:
        return True
    if position_s < EARLY_SKIP_S:
        return True
    return bool(duration_s and position_s < EARLY_SKIP_FRACTION * duration_s)


def event_weight(kind: str, position_s: float | None, duration_s: float | None
                 ) -> tuple[float, float]:
    """(plays, penalty) one event contributes to its (user, track) pair."""
    if kind == "complete":
        return 1.0, 0.0
    if kind == "like":
        return LIKE_PLAYS, 0.0
    if kind == "skip":
        return (0.0, SKIP_PENALTY) if is_early_skip(position_s, duration_s) else (0.5, 0.0)
    if kind == "dislike":
        return 0.0, DISLIKE_PENALTY
    return 0.0, 0.0


@dataclass(frozen=True)
class Interactions:
    """Training matrix built from stored events."""

    matrix: sp.csr_matrix
    """``[n_users, n_tracks]`` positive weights (pairs with a non-positive net are absent)."""
    users: tuple[str, ...]
    track_ids: tuple[int, ...]
    last_event_id: int


def event_interactions(events: Iterable[ListeningEvent], tracks: Sequence[Track],
                       users: Sequence[str]) -> Interactions:
    """Net implicit weights per (user, track) from the event log, following the module rules."""
    track_ids = tuple(t.id for t in tracks)
    column = {tid: i for i, tid in enumerate(track_ids)}
    duration = {t.id: t.duration_s for t in tracks}
    user_list = list(users)
    row = {u: i for i, u in enumerate(user_list)}
    plays: dict[tuple[int, int], float] = defaultdict(float)
    penalty: dict[tuple[int, int], float] = defaultdict(float)
    last = 0
    for ev in events:
        last = max(last, ev.id)
        if ev.track_id is None or ev.track_id not in column:
            continue
        if ev.user not in row:
            row[ev.user] = len(user_list)
            user_list.append(ev.user)
        key = (row[ev.user], column[ev.track_id])
        p, n = event_weight(ev.kind, ev.position_s, duration.get(ev.track_id))
        plays[key] += p
        penalty[key] += n
    rows, cols, vals = [], [], []
    for key, p in plays.items():
        w = float(play_weight(np.asarray([p]))[0]) - penalty.get(key, 0.0) if p > 0 else 0.0
        if w > 0:
            rows.append(key[0])
            cols.append(key[1])
            vals.append(w)
    matrix = sp.csr_matrix((np.asarray(vals, np.float32), (rows, cols)),
                           shape=(len(user_list), len(track_ids)))
    return Interactions(matrix, tuple(user_list), track_ids, last)


def _normalised_rows(identity: np.ndarray, content: sp.csr_matrix,
                     identity_weight: float) -> sp.csr_matrix:
    """Identity block then content block; each row sums to 1 (see the module docstring)."""
    n = content.shape[0]
    content = sp.csr_matrix(content, dtype=np.float32)
    sums = np.asarray(content.sum(axis=1)).ravel()
    has_content = sums > 0
    share = np.where(identity, np.where(has_content, 1.0 - identity_weight, 0.0), 1.0)
    scale = np.divide(share, sums, out=np.zeros(n), where=has_content)
    content = sp.diags(scale.astype(np.float32)) @ content
    ident_val = np.where(identity, np.where(has_content, identity_weight, 1.0), 0.0)
    ident = sp.diags(ident_val.astype(np.float32), format="csr")
    out = sp.hstack([ident, content], format="csr", dtype=np.float32)
    out.eliminate_zeros()
    return out


def cooccurrence_neighbours(train: sp.spmatrix, k: int = 20) -> sp.csr_matrix:
    """``[n_items, n_items]``: each item's ``k`` nearest items by cosine of co-listening.

    Used as item features over the *identity* columns, an item's vector becomes a mix of
    its own embedding and its neighbours' (one step of graph smoothing), which helps the
    many items with few listeners. Built from training interactions only.
    """
    binary = sp.csr_matrix(sp.csr_matrix(train) > 0, dtype=np.float32)
    listeners = np.asarray(binary.sum(axis=0)).ravel()
    co = sp.csr_matrix(binary.T @ binary)
    co.setdiag(0)
    co.eliminate_zeros()
    coo = co.tocoo()
    scale = np.sqrt(listeners[coo.row] * listeners[coo.col])
    co = sp.csr_matrix((coo.data / scale, (coo.row, coo.col)), shape=co.shape)
    return keep_top_per_row(co, k)


def keep_top_per_row(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Zero all but the ``k`` largest entries of each row (ties at the k-th are kept)."""
    for r in range(matrix.shape[0]):
        lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
        if hi - lo > k:
            row = matrix.data[lo:hi]
            row[row < np.sort(row)[-k]] = 0.0
    matrix.eliminate_zeros()
    return matrix


def _part_scales(sums: Sequence[np.ndarray], weights: Sequence[float]) -> list[np.ndarray]:
    """Per part, the factor that makes each row's part sum to its share; a part missing
    from a row (sum 0) gives its share to the row's other parts in proportion."""
    present = np.vstack([s > 0 for s in sums]) * np.asarray(weights, np.float64)[:, None]
    total = present.sum(axis=0)
    share = np.divide(present, total, out=np.zeros_like(present), where=total > 0)
    return [np.divide(share[i], s, out=np.zeros_like(total), where=s > 0)
            for i, s in enumerate(sums)]


def combine_item_features(identity: np.ndarray, neighbours: sp.spmatrix | None,
                          content: sp.spmatrix | None, content_names: Sequence[str],
                          weights: tuple[float, float, float] = (0.5, 0.25, 0.25),
                          ) -> FeatureMatrix:
    """Rows ``[identity + neighbours | content]``, each part normalised, rows summing to 1.

    ``weights`` are the shares of identity, neighbours and content; a part a row lacks
    (no identity for an unseen item, no neighbours, no content) gives its share to the
    others in proportion.
    """
    n = identity.size
    nb = sp.csr_matrix((n, n), dtype=np.float32) if neighbours is None else sp.csr_matrix(
        neighbours, dtype=np.float32)
    ct = sp.csr_matrix((n, len(content_names)), dtype=np.float32) if content is None else \
        sp.csr_matrix(content, dtype=np.float32)
    part = _part_scales([identity.astype(np.float64), np.asarray(nb.sum(axis=1)).ravel(),
                         np.asarray(ct.sum(axis=1)).ravel()], weights)
    square = sp.diags(part[0].astype(np.float32)) + sp.diags(part[1].astype(np.float32)) @ nb
    matrix = sp.hstack([square, sp.diags(part[2].astype(np.float32)) @ ct], format="csr",
                       dtype=np.float32)
    matrix.eliminate_zeros()
    names = tuple([f"item:{i}" for i in range(n)] + list(content_names))
    return FeatureMatrix(matrix, names)


def share_blocks(blocks: Sequence[sp.spmatrix], shares: Sequence[float]) -> sp.csr_matrix:
    """Blocks side by side, each row of block ``i`` rescaled to sum to ``shares[i]``.

    A block that is empty in a row gives its share to the row's other blocks in proportion,
    so every row with any entry sums to 1 (e.g. an untagged item's tag-volume bucket alone).
    """
    parts = [sp.csr_matrix(b, dtype=np.float32) for b in blocks]
    scale = _part_scales([np.asarray(b.sum(axis=1)).ravel() for b in parts], shares)
    out = sp.hstack([sp.diags(scale[i].astype(np.float32)) @ b for i, b in enumerate(parts)],
                    format="csr", dtype=np.float32)
    out.eliminate_zeros()
    return out


def volume_buckets(n_items: int, item_idx: np.ndarray, user_idx: np.ndarray,
                   max_bucket: int = 8) -> sp.csr_matrix:
    """``[n_items, max_bucket + 1]`` one-hot ``floor(log2(1 + distinct taggers))``, capped.

    How many people tagged an item is content the catalogue has before anyone plays it, and
    a strong proxy for its popularity; tag rows normalised to sum 1 lose it. Bucket 0 is
    "nobody tagged it", so untagged items get a feature (and a learnt bias) too.
    """
    pairs = np.unique(np.stack([np.asarray(user_idx, np.int64),
                                np.asarray(item_idx, np.int64)]), axis=1)
    taggers = np.bincount(pairs[1], minlength=n_items).astype(np.float64)
    bucket = np.minimum(np.floor(np.log2(1.0 + taggers)), max_bucket).astype(np.int64)
    return sp.csr_matrix((np.ones(n_items, np.float32), (np.arange(n_items), bucket)),
                         shape=(n_items, max_bucket + 1))


def tag_matrix(n_items: int, item_idx: np.ndarray, tag_idx: np.ndarray, counts: np.ndarray,
               n_tags: int, min_items_per_tag: int = 2, top_tags: int = 25) -> sp.csr_matrix:
    """``[n_items, n_tags]`` tag weights (see :func:`tag_features`)."""
    raw = sp.csr_matrix((np.asarray(counts, np.float32), (item_idx, tag_idx)),
                        shape=(n_items, n_tags))
    raw.sum_duplicates()
    spread = np.asarray((raw > 0).sum(axis=0)).ravel()
    raw = sp.csr_matrix(raw @ sp.diags((spread >= min_items_per_tag).astype(np.float32)))
    raw.eliminate_zeros()
    raw.data = play_weight(raw.data)
    return keep_top_per_row(raw, top_tags)


def tag_features(n_items: int, item_idx: np.ndarray, tag_idx: np.ndarray, counts: np.ndarray,
                 n_tags: int, identity: np.ndarray | None, identity_weight: float = 0.5,
                 min_items_per_tag: int = 2, top_tags: int = 25) -> FeatureMatrix:
    """Identity + tag features from (item, tag, count) triples.

    ``counts`` are summed per (item, tag) and weighted ``1 + log``; each item keeps its
    ``top_tags`` strongest tags; tags on fewer than ``min_items_per_tag`` items are
    dropped. ``identity`` is a bool mask of items that get an identity feature (items
    without training data should not: their identity embedding would stay random).
    """
    tags = tag_matrix(n_items, item_idx, tag_idx, counts, n_tags, min_items_per_tag, top_tags)
    ident = np.ones(n_items, bool) if identity is None else np.asarray(identity, bool)
    return combine_item_features(ident, None, tags, [f"tag:{t}" for t in range(n_tags)],
                                 (identity_weight, 0.0, 1.0 - identity_weight))


def _content(track: Track) -> list[str]:
    feats = []
    artist = normalize_name(track.album_artist or track.artist or "")
    if track.artist:
        feats.append("artist:" + normalize_name(track.artist))
    if track.album:
        feats.append(f"album:{artist}|{normalize_name(track.album)}")
    feats += ["genre:" + normalize_name(g) for g in track.genres if g.strip()]
    if track.year:
        feats.append(f"decade:{track.year // 10 * 10}")
    feats += ["tag:" + normalize_name(t) for t in track.tags if t.strip()]
    return list(dict.fromkeys(f for f in feats if not f.endswith(":")))


def track_feature_names(tracks: Sequence[Track]) -> tuple[str, ...]:
    """The vocabulary: one identity feature per track, then every content feature seen."""
    content = sorted({f for t in tracks for f in _content(t)})
    return tuple([f"track:{t.id}" for t in tracks] + content)


def track_features(tracks: Sequence[Track], names: Sequence[str],
                   identity_weight: float = 0.5) -> sp.csr_matrix:
    """Feature rows for ``tracks`` over the vocabulary ``names``.

    A track whose ``track:<id>`` feature is in the vocabulary gets it; any other track (new
    since the last fit) is represented by its known content features only.
    """
    index = {name: i for i, name in enumerate(names)}
    n_ident = sum(1 for name in names if name.startswith("track:"))
    rows, cols = [], []
    identity = np.zeros(len(tracks), bool)
    ident_col = np.zeros(len(tracks), np.int64)
    for r, track in enumerate(tracks):
        col = index.get(f"track:{track.id}")
        if col is not None:
            identity[r], ident_col[r] = True, col
        for f in _content(track):
            if f in index:
                rows.append(r)
                cols.append(index[f] - n_ident)
    content = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                            shape=(len(tracks), len(names) - n_ident))
    block = _normalised_rows(identity, content, identity_weight)
    # Move the identity block from the diagonal onto each track's own identity column.
    weights = np.asarray(block[:, :len(tracks)].sum(axis=1)).ravel()[identity]
    ident = sp.csr_matrix((weights, (np.flatnonzero(identity), ident_col[identity])),
                          shape=(len(tracks), n_ident), dtype=np.float32)
    out = sp.hstack([ident, block[:, len(tracks):]], format="csr", dtype=np.float32)
    out.eliminate_zeros()
    return out
