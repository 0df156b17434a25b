"""Encore's speaker: audio I/O, wake word, VAD, Whisper, intents, dialogue, TTS, playback."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("encore-speaker")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
