"""Exceptions raised by the speaker package.

Every message is written for the person running Encore: it says what went wrong
and what to do about it.
"""

from __future__ import annotations


class EncoreError(Exception):
    """Base class for every error Encore reports to a user."""


class ConfigError(EncoreError):
    """The configuration file or a setting in it is invalid."""


class AudioDeviceError(EncoreError):
    """A microphone or speaker could not be opened."""


class AudioFileError(EncoreError):
    """An audio file could not be read or decoded."""


class ModelError(EncoreError):
    """A model file is missing, corrupt or of the wrong version."""


class SpeechError(EncoreError):
    """Text could not be rendered to speech, even after restarting the engine."""
