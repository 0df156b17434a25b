"""Encore's recommender: library catalog, event store, features, LightFM model, evaluation.

It knows nothing about audio devices or speech; the speaker package calls it.
"""
