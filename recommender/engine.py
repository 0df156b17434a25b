"""The recommender facade the dialogue calls: recommend, similar, feedback, train.

One :class:`Engine` owns a serving snapshot (every library track as a precomputed
``[embedding, bias]`` row, filter indexes, popularity) and per-listener session state
(online user vectors, skip penalties, dislikes). Scoring one listener is one
matrix-vector product; feedback updates the session at once, so the very next
``recommend`` reflects it. Full retrains run on a background thread the engine owns.

Locks: ``_lock`` guards the snapshot and sessions and is held only for short swaps and
updates; ``_train_lock`` serialises retrains and is always taken first, never while
``_lock`` is held, so the two can never be taken in opposite orders.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from recommender.errors import ModelFormatError, RecommenderError
from recommender.features import event_interactions, event_weight, track_feature_names
from recommender.features import track_features as build_track_features
from recommender.lightfm_model import LightFMRecommender
from recommender.model import FeatureMatrix, Hyperparameters, IdMaps, online_user_update
from recommender.normalize import normalize_name
from recommender.serving import Catalog, Query, product, select_diverse
from recommender.store import Store, Track

__all__ = ["Catalog", "Engine", "Query", "select_diverse"]

logger = logging.getLogger(__name__)

MODEL_STEM = "lightfm"
SKIP_ARTIST_PENALTY = 0.75
"""Re-ranking penalty (in standard deviations of the score) per early skip of an artist."""
LIKE_ARTIST_BOOST = 0.5
CATALOG_CHECK_S = 30.0
"""How often the full track count is compared to notice writes between scans."""
POPULARITY_HALF_EVENTS = 5.0
"""A profile with this many positive events gets half popularity, half personal score."""


@dataclass
class _Session:
    """What one listener did since the model was trained."""

    user: str
    vector: np.ndarray | None = None
    positives: int = 0
    artist_penalty: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    skipped: set[int] = field(default_factory=set)
    disliked: set[int] = field(default_factory=set)
    liked: list[int] = field(default_factory=list)
    """Track ids of recent positive events (personalises the popularity fallback)."""
    last_event_id: int = 0


def _zscore(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    vals = x[mask]
    if vals.size == 0:
        return x
    std = float(vals.std())
    return (x - float(vals.mean())) / (std if std > 1e-9 else 1.0)


class Engine:
    """Recommendations for the household's profiles over the library in ``store``."""

    def __init__(self, store: Store, model_dir: Path, params: Hyperparameters, *,
                 retrain_after_events: int = 50, recent_window: int = 20,
                 recent_s: float = 4 * 3600.0, background: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.model_dir = Path(model_dir)
        self.params = params
        self.retrain_after_events = retrain_after_events
        self.recent_window = recent_window
        self.recent_s = recent_s
        """Only plays this recent (seconds) count as "recently played" for exclusion."""
        self._lock = threading.Lock()
        self._train_lock = threading.Lock()
        self._model: LightFMRecommender | None = None
        self._model_reason = "not loaded yet"
        self._catalog: Catalog | None = None
        self._catalog_key: tuple[object, ...] = ()
        self._catalog_checked_s = -math.inf
        self._clock = clock
        self._sessions: dict[str, _Session] = {}
        self._trained_through = 0
        self._rng = np.random.default_rng(params.seed)
        self.retrained = threading.Event()
        """Set after every finished retrain (tests and the CLI wait on it)."""
        self._load_model()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._retrain_loop, name="encore-retrain",
                                            daemon=True)
            self._thread.start()

    # -- model lifecycle ---------------------------------------------------------------

    @property
    def model_path(self) -> Path:
        return self.model_dir / MODEL_STEM

    @property
    def using_fallback(self) -> bool:
        """True when recommendations come from popularity only (no usable model)."""
        return self._model is None

    def _load_model(self) -> None:
        try:
            model = LightFMRecommender.load(self.model_path)
        except ModelFormatError as exc:
            self._model_reason = str(exc)
            logger.info("recommending by popularity: %s", exc)
            return
        with self._lock:
            self._model = model
            self._trained_through = int(model.extra.get("last_event_id", 0))
            self._catalog_key = ()
            self._sessions.clear()

    def train(self) -> None:
        """Full fit on every stored event, save to ``model_dir``, then swap it in."""
        with self._train_lock:
            tracks = self.store.tracks()
            inter = event_interactions(self.store.events(), tracks, self.store.users())
            if inter.matrix.nnz == 0:
                logger.info("no positive listening events yet; recommending by popularity")
                return
            played = np.asarray(inter.matrix.sum(axis=0)).ravel() > 0
            names = track_feature_names([t for t, p in zip(tracks, played, strict=True) if p])
            content = tuple(n for n in names if not n.startswith("track:"))
            names = tuple(f"track:{t.id}" for t in tracks) + content
            features = build_track_features(tracks, names)
            model = LightFMRecommender(self.params).fit(
                inter.matrix, item_features=FeatureMatrix(features, names))
            model.ids = IdMaps(list(inter.users), list(inter.track_ids))
            per_user = np.diff(inter.matrix.indptr)
            model.extra = {"last_event_id": inter.last_event_id,
                           "positives": {u: int(c) for u, c in zip(inter.users, per_user,
                                                                     strict=True)}}
            model.save(self.model_path)
            logger.info("trained on %d interactions (events up to %d) in %.1f s",
                        inter.matrix.nnz, inter.last_event_id, model.fit_seconds)
            with self._lock:
                self._model = model
                self._trained_through = inter.last_event_id
                self._catalog_key = ()
                self._sessions.clear()
            self.retrained.set()

    def _retrain_loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.train()
            except (RecommenderError, ValueError, OSError):
                logger.exception("background retrain failed; keeping the current model")

    def close(self) -> None:
        """Stop the background retrain thread (waits for a running fit to finish)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    # -- state -------------------------------------------------------------------------

    def refresh_catalog(self) -> None:
        """Re-read the library on the next request (the scanner's end does this anyway)."""
        with self._lock:
            self._catalog_key = ()

    def _current_catalog(self) -> Catalog:
        """The serving snapshot, rebuilt when a scan finished or the model changed.

        ``last_scan`` is a one-row lookup; the full track count (tens of ms on a large
        library) is compared only every ``CATALOG_CHECK_S`` to catch writes between scans.
        """
        now = self._clock()
        key: tuple[object, ...] = (self.store.last_scan(), id(self._model))
        if now - self._catalog_checked_s >= CATALOG_CHECK_S:
            key += (self.store.stats().tracks,)
        with self._lock:
            if self._catalog is not None and key[:2] == self._catalog_key[:2] and (
                    len(key) == 2 or key == self._catalog_key):
                return self._catalog
            model = self._model
        tracks = self.store.tracks()
        items = None
        if model is not None:
            items = model.represent(build_track_features(tracks, model.item_feature_names))
        inter = event_interactions(self.store.events(), tracks, self.store.users())
        popularity = np.log1p(np.asarray((inter.matrix > 0).sum(axis=0)).ravel())
        catalog = Catalog.build(tracks, items, popularity.astype(np.float32))
        key = (*key[:2], len(tracks))
        with self._lock:
            self._catalog, self._catalog_key = catalog, key
            self._catalog_checked_s = now
        return catalog

    def _session(self, user: str, catalog: Catalog) -> _Session:
        """The listener's session, catching up on events newer than the model."""
        with self._lock:
            session = self._sessions.setdefault(user, _Session(user))
            since = max(session.last_event_id, 0)
        events = self.store.events(user=user, since_id=since)
        with self._lock:
            for ev in events:
                if ev.id > session.last_event_id:
                    self._apply(session, catalog, ev.kind, ev.track_id, ev.position_s,
                                online=ev.id > self._trained_through)
                    session.last_event_id = ev.id
        return session

    def _user_vector(self, user: str, session: _Session) -> np.ndarray | None:
        model = self._model
        if model is None or model.user_matrix is None:
            return None
        if session.vector is not None:
            return session.vector
        try:
            return model.user_vector(model.ids.users.index(user))
        except ValueError:
            return model.user_vector(-1)

    def _apply(self, session: _Session, catalog: Catalog, kind: str, track_id: int | None,
               position_s: float | None, online: bool) -> None:
        """Fold one event into a session (caller holds ``_lock``)."""
        row = catalog.row.get(track_id) if track_id is not None else None
        if row is None:
            return
        track = catalog.tracks[row]
        plays, penalty = event_weight(kind, position_s, track.duration_s)
        artist = catalog.artist[row]
        # Dislikes hold for good; skip penalties and like boosts only for events the model
        # has not learnt from yet (older ones are already in its weights).
        if kind == "dislike":
            session.disliked.add(track.id)
        elif kind in ("like", "complete"):
            session.skipped.discard(track.id)
            if kind == "like":
                session.disliked.discard(track.id)
                if online:
                    session.artist_penalty[artist] -= LIKE_ARTIST_BOOST
        if penalty > 0 and kind == "skip" and online:
            session.skipped.add(track.id)
            session.artist_penalty[artist] += SKIP_ARTIST_PENALTY
        if plays > 0 and online:
            session.positives += 1
        if plays > penalty:
            session.liked = [*session.liked[-49:], track.id]
        weight = plays - penalty
        if online and weight and catalog.items is not None:
            vec = self._user_vector(session.user, session)
            if vec is not None:
                session.vector = online_user_update(vec, catalog.items[row], np.asarray([weight]))

    # -- public API --------------------------------------------------------------------

    def feedback(self, user: str, kind: str, track_id: int,
                 position_s: float | None = None) -> int:
        """Store the event durably, then fold it into the listener's session at once."""
        event_id = self.store.add_event(user, kind, track_id=track_id, position_s=position_s)
        catalog = self._current_catalog()
        self._session(user, catalog)
        if (self._thread is not None and
                self.store.event_count(since_id=self._trained_through)
                >= self.retrain_after_events):
            self._wake.set()
        return event_id

    def recommend(self, user: str, n: int = 10, query: Query | None = None) -> list[Track]:
        """Up to ``n`` tracks for ``user`` matching ``query``, best first, varied by artist."""
        query = query or Query()
        catalog = self._current_catalog()
        if not catalog.tracks or n <= 0:
            return []
        session = self._session(user, catalog)
        mask = catalog.filter_mask(query)
        excluded = set(query.exclude_track_ids) | session.disliked | session.skipped
        recent = set(self.store.recent_track_ids(user, self.recent_window,
                                                 since_t=self.store.now() - self.recent_s))
        base = catalog.exclusion_mask(excluded)
        if (query.artist or query.album) and not (mask & base).any():
            # asked for by name ("play Nora Vance" after "I don't like this artist"): play it
            base = catalog.exclusion_mask(set(query.exclude_track_ids))
        fresh = mask & base & catalog.exclusion_mask(recent)
        # Recently played tracks come back only when the request leaves nothing else.
        mask = fresh if fresh.sum() >= min(n, int((mask & base).sum())) else mask & base
        if query.like_track_id is not None:
            mask &= catalog.exclusion_mask({query.like_track_id})
        if query.like_artist:
            others = mask & (catalog.artist != normalize_name(query.like_artist))
            mask = others if others.any() else mask
        if not mask.any():
            return []
        scores = self._scores(user, session, catalog, mask, query)
        for artist, penalty in session.artist_penalty.items():
            if penalty:
                scores[catalog.artist == artist] -= penalty
        scores[~mask] = -np.inf
        single_artist = bool(query.artist or query.album)
        rows = select_diverse(scores, catalog.artist, n, allow_repeats=single_artist)
        return [catalog.tracks[r] for r in rows]

    def _scores(self, user: str, session: _Session, catalog: Catalog, mask: np.ndarray,
                query: Query) -> np.ndarray:
        pop = _zscore(catalog.popularity.astype(np.float64), mask)
        with self._lock:
            vec = self._user_vector(user, session)
        if catalog.items is None or vec is None:
            # No model: "more like what you played", by shared artist/album/genre/decade/tags.
            liked = np.asarray([catalog.row[t] for t in session.liked if t in catalog.row],
                               dtype=np.int64)
            personal = _zscore(catalog.similarity(liked), mask) if liked.size else pop
        else:
            personal = _zscore(product(catalog.items, vec).astype(np.float64), mask)
        known = session.positives + self._trained_positives(user)
        beta = POPULARITY_HALF_EVENTS / (POPULARITY_HALF_EVENTS + known)
        scores = beta * pop + (1.0 - beta) * personal
        seed = catalog.seed_rows(query)
        if seed.size:
            scores = 0.3 * scores + 0.7 * _zscore(catalog.similarity(seed), mask)
        # Tiny jitter breaks ties differently per call: a fresh library is not alphabetical.
        return scores + self._rng.uniform(0.0, 1e-6, scores.size)

    def _trained_positives(self, user: str) -> int:
        model = self._model
        if model is None:
            return 0
        return int(model.extra.get("positives", {}).get(user, 0))

    def similar(self, track_id: int, n: int = 10) -> list[Track]:
        """Tracks most like ``track_id`` (embedding cosine; shared content as a fallback)."""
        catalog = self._current_catalog()
        row = catalog.row.get(track_id)
        if row is None:
            return []
        scores = catalog.similarity(np.asarray([row]))
        scores[row] = -np.inf
        rows = select_diverse(scores, catalog.artist, n, allow_repeats=True)
        return [catalog.tracks[r] for r in rows]

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
