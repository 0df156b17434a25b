"""The lines `encore demo` and `encore simulate` print for a person to read."""

from __future__ import annotations

import io

from speaker.events import ListeningAgain, Queued, Seeked
from speaker.turns import TurnPrinter, describe


def test_a_rescored_transcript_shows_what_whisper_heard() -> None:
    line = describe({"type": "transcript", "text": "cancel the sleep timer",
                     "heard": "can't so not sleep", "stt_seconds": 0.12})
    assert line == ('heard      "cancel the sleep timer" (Whisper: "can\'t so not sleep")  '
                    "[0.12 s Whisper]")
    plain = describe({"type": "transcript", "text": "Play some jazz.", "heard": "",
                      "stt_seconds": 0.1})
    assert plain == 'heard      "Play some jazz."  [0.10 s Whisper]'


def test_each_turn_is_grouped_under_its_input_and_feedback_hidden_by_default() -> None:
    out = io.StringIO()
    printer = TurnPrinter(out)
    printer({"type": "wake", "model": "hey_jarvis", "score": 0.91, "t": 1.2, "input": "a.flac"})
    printer({"type": "intent", "intent": "pause", "slots": {}, "t": 2.5, "input": "a.flac"})
    printer({"type": "feedback", "kind": "skip", "track_id": 3, "t": 2.6, "input": "a.flac"})
    printer({"type": "volume", "level": 40, "t": 5.0, "input": "b.flac"})
    printer({"type": "speech_end", "timed_out": False, "t": 5.1, "input": "b.flac"})
    assert out.getvalue().splitlines() == [
        "", "── a.flac",
        "     1.20s  woke       hey_jarvis (score 0.91)",
        "     2.50s  understood pause",
        "", "── b.flac",
        "     5.00s  player     volume 40",
    ]


def test_seeks_and_queued_requests_are_shown() -> None:
    seek = Seeked(t_s=3.0, track_id=7, position_s=42.0).to_dict()
    assert describe(seek) == "player     seek to 42.0 s (track 7)"
    album = Queued(t_s=4.0, track_id=9, title="So What", artist="Miles Davis", count=5)
    assert describe(album.to_dict()) == (
        "queued     So What by Miles Davis and 4 more to the queue (track 9)")
    one = Queued(t_s=4.0, track_id=9, title="So What", artist="Miles Davis", play_next=True)
    assert describe(one.to_dict()) == "queued     So What by Miles Davis next (track 9)"


def test_listening_again_is_shown() -> None:
    line = describe(ListeningAgain(t_s=3.0, timeout_s=5.0).to_dict())
    assert line == "listening  again, no wake word needed (5 s)"
