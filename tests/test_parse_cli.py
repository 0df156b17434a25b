"""``encore parse``: one request, many requests on standard input, library matches."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.store import Store, TrackFile
from speaker.cli import main
from speaker.config import load

LIBRARY = [
    ("Dammit", "blink-182", "Enema of the State", "Punk"),
    ("Miss Jackson", "Panic! at the Disco", "Too Weird to Live, Too Rare to Die!", "Pop"),
    ("Come Together", "The Beatles", "Abbey Road", "Rock"),
    ("So What", "Miles Davis", "Kind of Blue", "Jazz"),
]


def _library(data_dir: Path) -> Path:
    path = load().data.database
    assert path.parent == data_dir
    with Store(path) as store:
        for number, (title, artist, album, genre) in enumerate(LIBRARY, start=1):
            store.upsert_track(TrackFile(
                path=f"/music/{number}.flac", mtime_ns=1, size_bytes=1000, title=title,
                artist=artist, album=album, album_artist=artist, genres=(genre,), year=None,
                track_no=number, duration_s=180.0))
    return path


def test_json_output_has_intent_and_slots(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--json", "Hey Jarvis, play Like A Hurricane by Paul Landers."]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == {"intent": "play",
                       "slots": {"track": "like a hurricane", "artist": "paul landers"}}


def test_human_line_is_compact(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "set the volume to 5"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["volume_set  level=50"]


def test_library_matches_in_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _library(data_dir)
    assert main(["parse", "--library", "--json", "play blink one eighty two"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["slots"] == {"artist": "blink one eighty two"}
    assert payload["matches"]["artist"]["value"] == "blink-182"
    assert payload["matches"]["artist"]["score"] == 100.0


def test_library_cross_slot_and_not_found(data_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _library(data_dir)
    assert main(["parse", "--library", "play kind of blue"]) == 0
    assert "album='Kind of Blue'" in capsys.readouterr().out
    assert main(["parse", "--library", "--json", "play nirvana"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["slots"] == {"artist": "nirvana"} and payload["matches"] == {}


def test_queueing_requests_are_matched_like_play(data_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _library(data_dir)
    assert main(["parse", "--library", "--json", "play miles davis next"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["intent"] == "enqueue"
    assert payload["slots"] == {"artist": "miles davis", "next": True}
    assert payload["matches"]["artist"]["value"] == "Miles Davis"
    assert main(["parse", "--library", "add kind of blue to the queue"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("enqueue") and "album='Kind of Blue'" in out
    assert main(["parse", "skip forward thirty seconds"]) == 0
    assert capsys.readouterr().out.splitlines() == ["seek  seconds=30"]


def test_library_without_database_says_what_to_run(data_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--library", "play jazz"]) == 2
    assert "encore library scan DIR" in capsys.readouterr().err
    assert not load().data.database.exists()


def test_stdin_mode_prints_one_json_line_per_request(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("pause\n\nplay some jazz\nvolume to 7\n"))
    assert main(["parse", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"intent": "pause", "slots": {}},
        {"intent": "play", "slots": {"genre": "jazz"}},
        {"intent": "volume_set", "slots": {"level": 70}},
    ]


def test_thousands_of_requests_in_one_process(data_dir: Path) -> None:
    """The real program, one process, 2,000 requests with library matching."""
    _library(data_dir)
    requests = ["play the beetles", "next", "play songs by miles davis", "what's playing"] * 500
    done = subprocess.run(
        [sys.executable, "-m", "speaker", "parse", "--library", "-"],
        input="\n".join(requests) + "\n", capture_output=True, text=True, timeout=120,
        env={**os.environ, "ENCORE_DATA_DIR": str(data_dir)}, check=True)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(requests)
    assert results[0]["matches"]["artist"]["value"] == "The Beatles"
    assert results[1] == {"intent": "next", "slots": {}, "matches": {}}
    assert results[2]["matches"]["artist"]["value"] == "Miles Davis"
