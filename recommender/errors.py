"""Exceptions raised by the recommender package, each with a message that says what to do."""

from __future__ import annotations


class RecommenderError(Exception):
    """Base class for recommender errors."""


class StoreError(RecommenderError):
    """The library database cannot be opened, migrated or written."""


class ModelFormatError(RecommenderError):
    """A saved model file is missing, corrupt or of another format version."""


class NotFittedError(RecommenderError):
    """A model was asked to recommend before it was fitted or loaded."""
