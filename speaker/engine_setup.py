"""The one place Encore's ``[recommender]`` settings become a recommender engine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from speaker.config import RecommenderSettings

if TYPE_CHECKING:
    from recommender.engine import Engine
    from recommender.model import Hyperparameters
    from recommender.store import Store


def hyperparameters(settings: RecommenderSettings) -> Hyperparameters:
    """The model's hyperparameters from the ``[recommender]`` settings."""
    from recommender.model import Hyperparameters

    return Hyperparameters(components=settings.components, epochs=settings.epochs,
                           loss=settings.loss, learning_rate=settings.learning_rate,
                           max_sampled=settings.max_sampled, threads=settings.threads)


def make_engine(settings: RecommenderSettings, store: Store, model_dir: Path, *,
                background: bool) -> Engine:
    """An engine over ``store`` saving its model in ``model_dir``."""
    from recommender.engine import Engine

    return Engine(store, model_dir, hyperparameters(settings),
                  retrain_after_events=settings.retrain_after_events,
                  recent_window=settings.recent_window,
                  recent_s=settings.recent_hours * 3600.0, background=background)
