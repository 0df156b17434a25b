"""Decoded tracks for the player: the cache the output path reads and the thread that fills it.

Decoding (soundfile + resampling) takes long enough to glitch the output, so it
never runs on the output path: the caller of a transport method or the decoder
thread decodes into a :class:`TrackCache`, and the output path only looks up
what is there. A file that cannot be decoded is cached as the reason, so the
player can skip it with a message instead of retrying it every block.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np

from speaker.audio import load_audio

__all__ = ["DecoderThread", "Playable", "TrackCache", "decode_track", "track_key"]

logger = logging.getLogger(__name__)


class Playable(Protocol):
    """A track the player can play; ``recommender.store.Track`` is one."""

    @property
    def id(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def artist(self) -> str: ...


def track_key(track: Playable) -> tuple[int, str]:
    """Cache key: the same id at a new path (a re-scanned file) is decoded again."""
    return (track.id, track.path)


def decode_track(track: Playable, rate_hz: int) -> np.ndarray | str:
    """Mono float32 samples at ``rate_hz``, or why the file cannot be played."""
    try:
        audio = load_audio(track.path, rate_hz)
    except Exception as exc:  # any decoder failure skips the track, never the loop
        return str(exc)
    if len(audio) == 0:
        return f"Cannot play {track.path}: the file has no audio."
    return audio


class TrackCache:
    """Decoded tracks by :func:`track_key`, guarded by the player's lock.

    ``get`` and ``has`` must be called with that lock held; ``decode`` and
    ``wait_for`` take it themselves.
    """

    def __init__(self, lock: threading.Lock, rate_hz: int) -> None:
        self.rate_hz = rate_hz
        self._entries: dict[tuple[int, str], np.ndarray | str] = {}
        self._decoded = threading.Condition(lock)

    def get(self, track: Playable) -> np.ndarray | str | None:
        """Samples, the reason the track cannot play, or None if not decoded yet."""
        return self._entries.get(track_key(track))

    def has(self, track: Playable) -> bool:
        return track_key(track) in self._entries

    def decode(self, track: Playable,
               keep: Callable[[], Iterable[Playable | None]]) -> None:
        """Decode ``track`` (without the lock), store it, and drop entries not in ``keep()``.

        ``keep`` is called with the lock held: the tracks the player still needs.
        """
        entry = decode_track(track, self.rate_hz)
        with self._decoded:
            self._entries[track_key(track)] = entry
            self._decoded.notify_all()
            wanted = {track_key(t) for t in (*keep(), track) if t is not None}
            for key in list(self._entries):
                if key not in wanted:
                    del self._entries[key]

    def wait_for(self, tracks: Callable[[], Iterable[Playable | None]], timeout_s: float) -> bool:
        """Wait until every track in ``tracks()`` is decoded; False on timeout."""

        def ready() -> bool:
            return all(t is None or self.has(t) for t in tracks())

        with self._decoded:
            return self._decoded.wait_for(ready, timeout_s)


class DecoderThread:
    """A daemon thread that runs ``work`` each time it is kicked, until closed."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._work = work
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="encore-decoder", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        self._wake.set()

    def close(self, timeout_s: float = 5.0) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closing:
                return
            try:
                self._work()
            except Exception:
                logger.exception("decoder thread failed; the next track change retries")
