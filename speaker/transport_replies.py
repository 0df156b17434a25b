"""Replies to requests that only move the player: next, pause, seek, volume, what's next, ...

Each function acts on the player and returns the sentence to say; none touches
the library or the recommender (the player's own events carry skips and
completes to it). :class:`speaker.dialogue.Dialogue` looks requests up in
:data:`TRANSPORT_REPLIES` by intent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from speaker.intents_clock import spoken_minutes

__all__ = ["TRANSPORT_REPLIES", "describe", "spoken_list", "spoken_number", "spoken_span",
           "spoken_times", "stop_time"]

Reply = Callable[[Any, dict[str, Any]], str]


def describe(track: Any) -> str:
    """ "Title by Artist", or the title alone when the artist is unknown."""
    return f"{track.title} by {track.artist}" if track.artist else track.title


def spoken_list(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"; empty for none."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" \
        if items else ""


def spoken_times(n: int) -> str:
    """ "once", "twice", "3 times"."""
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def spoken_number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def spoken_span(seconds: int) -> str:
    """A length of time as said: "30 seconds", "1 minute", "1 minute 30 seconds"."""
    minutes, rest = divmod(abs(seconds), 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    if rest or not minutes:
        parts.append(f"{rest} second" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def stop_time(slots: dict[str, Any]) -> str:
    """When a sleep timer ends: "in 20 minutes", or for a time of day (the dialogue's
    ``at``) "at 11 PM, in 1 hour 30 minutes"."""
    minutes = float(slots["minutes"])
    if slots.get("at"):
        return f"at {slots['at']}, in {spoken_minutes(minutes)}"
    return f"in {spoken_number(minutes)} minute" + ("" if minutes == 1 else "s")


def _next(player: Any, slots: dict[str, Any]) -> str:
    if player.now_playing is None:
        return "Nothing is playing."
    player.next(int(slots.get("count", 1)))
    upcoming = player.now_playing
    if upcoming is None:
        return "That was the last track in the queue."
    return f"Next: {describe(upcoming)}."


def _previous(player: Any, slots: dict[str, Any]) -> str:
    if player.now_playing is None:
        return "Nothing is playing."
    player.previous(int(slots.get("count", 1)))
    track = player.now_playing
    return f"Back to {describe(track)}." if track else "Going back."


def _restart(player: Any, slots: dict[str, Any]) -> str:
    if player.now_playing is None or not player.restart():
        return "Nothing is playing."
    if player.state == "paused":
        player.resume()
    return "Starting it over."


def _seek(player: Any, slots: dict[str, Any]) -> str:
    seconds = int(slots.get("seconds") or 0)
    track = player.now_playing
    if track is None:
        return "Nothing is playing."
    if not seconds:
        return "How far? Say, for example: skip forward 30 seconds."
    before_s = player.position_s
    if not player.seek(float(seconds)):
        return "Nothing is playing."
    if seconds < 0:
        if before_s + seconds < 0:  # clamped at the start
            return "Back to the start of the song."
        return f"Going back {spoken_span(seconds)}."
    now = player.now_playing
    if now is None:
        return "That was the end of the last song in the queue."
    if player.position_s + 0.5 < before_s + seconds:  # went past the end: a new track
        return f"That was the end of the song. Next: {describe(now)}."
    return f"Skipping ahead {spoken_span(seconds)}."


def _up_next(player: Any, slots: dict[str, Any]) -> str:
    track = player.now_playing
    if track is not None and player.repeat_track:
        return f"{describe(track)} again: it's on repeat. Say repeat off to go on."
    upcoming = player.queue
    if upcoming:
        return f"Next up: {describe(upcoming[0])}."
    if track is None:
        return "Nothing is playing."
    if player.repeat:
        return "That's the last song in the queue; with repeat on, it starts again after."
    return "That's the last song in the queue."


def _pause(player: Any, slots: dict[str, Any]) -> str:
    player.cancel_speech()
    if player.state != "playing":
        return "Nothing is playing."
    player.pause()
    return "Paused."


def _stop(player: Any, slots: dict[str, Any]) -> str:
    player.cancel_speech()
    if player.state == "stopped":
        return "Nothing is playing."
    player.stop()
    return "Stopped."


_COURTESY_REPLIES = {"thanks": "You're welcome.", "goodnight": "Good night."}


def _cancel(player: Any, slots: dict[str, Any]) -> str:
    target = slots.get("target")
    if target == "sleep_timer":  # "cancel the sleep timer"
        if player.sleep_at_s is None and not player.stops_after_track:
            return "There's no sleep timer to cancel."
        player.set_sleep_timer(None)
        return "Okay, no sleep timer: the music plays on."
    if target == "queue":  # "clear the queue"
        if not player.clear_queue():
            return "The queue is already empty."
        if player.now_playing is None:
            return "I've cleared the queue."
        if player.repeat:  # the songs played so far come round again
            return "I've cleared the queue. Repeat is on, so what has played comes round again."
        return "I've cleared the queue. The music stops after this song."
    courtesy = _COURTESY_REPLIES.get(str(slots.get("courtesy")))
    if courtesy:  # "thank you": nothing to do, and nothing to cut short
        return courtesy
    player.cancel_speech()
    return "Okay."


def _volume_up(player: Any, slots: dict[str, Any]) -> str:
    step = slots.get("step")  # "turn it up by 20"; else player.volume_step
    if slots.get("unmute"):
        if player.volume > 0:
            return f"The music isn't muted. Volume {player.volume}."
        before = player.muted_from
        if before:
            player.set_volume(before)
            return f"Unmuted. Volume {player.volume}."
    if step:
        player.set_volume(min(100, player.volume + int(step)))
    else:
        player.volume_up()
    return f"Volume {player.volume}."


def _volume_down(player: Any, slots: dict[str, Any]) -> str:
    step = slots.get("step")
    if step:
        player.set_volume(max(0, player.volume - int(step)))
    else:
        player.volume_down()
    return f"Volume {player.volume}."


def _volume_set(player: Any, slots: dict[str, Any]) -> str:
    level = slots.get("level")
    if level is None:
        return "What volume? Say a number from 0 to 100."
    player.set_volume(max(0, min(100, int(level))))
    return f"Volume {player.volume}."


def _shuffle(player: Any, slots: dict[str, Any]) -> str:
    on = bool(slots.get("on", True))
    player.set_shuffle(on)
    return "Shuffle is on." if on else "Shuffle is off."


def _repeat(player: Any, slots: dict[str, Any]) -> str:
    on = bool(slots.get("on", True))
    if on and slots.get("one"):  # "repeat this song": repeat one
        if not player.set_repeat_track(True):
            return "Nothing is playing, so there's nothing to repeat."
        return "Okay, this song will play again and again."
    player.set_repeat(on)
    return "Repeat is on." if on else "Repeat is off."


def _sleep_timer(player: Any, slots: dict[str, Any]) -> str:
    if slots.get("end_of_track"):  # "stop after this song"
        if not player.stop_after_track():
            return "Nothing is playing, so there's nothing to stop."
        return "Okay, I'll stop the music after this song."
    minutes = slots.get("minutes")
    if minutes is None:
        return "For how long? Say, for example: stop in 20 minutes."
    if player.now_playing is None:
        return "Nothing is playing, so there's nothing to stop."
    player.set_sleep_timer(float(minutes))
    return f"Okay, I'll stop the music {stop_time(slots)}."


TRANSPORT_REPLIES: dict[str, Reply] = {
    "next": _next, "previous": _previous, "restart": _restart, "seek": _seek,
    "up_next": _up_next, "pause": _pause, "stop": _stop, "cancel": _cancel,
    "volume_up": _volume_up, "volume_down": _volume_down, "volume_set": _volume_set,
    "shuffle": _shuffle, "repeat": _repeat, "sleep_timer": _sleep_timer,
}
"""Intent -> reply function ``(player, slots) -> sentence``."""
