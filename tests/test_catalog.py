"""Library scanning on real audio files in every supported format."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import mutagen
import numpy as np
import pytest
import soundfile as sf
from mutagen.id3 import TALB, TCON, TDRC, TIT2, TPE1, TPE2, TRCK

from recommender import catalog
from recommender.catalog import ScanSummary, read_track, scan
from recommender.store import Store, Track
from speaker.cli import main

_SUBTYPES = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"),
             ".ogg": ("OGG", "VORBIS"), ".opus": ("OGG", "OPUS"),
             ".mp3": ("MP3", "MPEG_LAYER_III")}
FORMATS = [s for s, (fmt, _) in _SUBTYPES.items() if fmt in sf.available_formats()]
_ID3_FRAMES = {"title": TIT2, "artist": TPE1, "album": TALB, "albumartist": TPE2,
               "genre": TCON, "date": TDRC, "tracknumber": TRCK}


def write_audio(path: Path, hz: float, seconds: float = 2.0,
                tags: dict[str, str | list[str]] | None = None) -> Path:
    """A real sine-tone file, tagged with mutagen (ID3 in WAV, as taggers do)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rate = 48_000 if path.suffix == ".opus" else 22_050
    t = np.arange(int(rate * seconds)) / rate
    fmt, subtype = _SUBTYPES[path.suffix]
    sf.write(path, (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), rate,
             format=fmt, subtype=subtype)
    if tags:
        values = {k: v if isinstance(v, list) else [v] for k, v in tags.items()}
        if path.suffix == ".wav":
            wave = mutagen.File(path)
            wave.add_tags()
            for key, text in values.items():
                wave.tags.add(_ID3_FRAMES[key](text=text))
            wave.save()
        else:
            audio = mutagen.File(path, easy=True)
            if audio.tags is None:
                audio.add_tags()
            for key, text in values.items():
                audio[key] = text
            audio.save()
    return path


def truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


Tags = dict[str, str | list[str]]
GOOD: Tags = {"artist": "The Good Band", "album": "Good Album", "albumartist": "Various Artists",
        "genre": ["Rock", "Indie"], "date": "1994-05-01"}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Good, tagless, duplicate, corrupt and non-audio files in the usual layout."""
    root = tmp_path / "music"
    album = root / "Good Band" / "Good Album"
    write_audio(album / "01 First Song.flac", 440, tags={**GOOD, "title": "First Song",
                                                           "tracknumber": "1/10"})
    write_audio(album / "01 First Song.mp3", 440, tags={**GOOD, "title": "First Song",
                                                          "tracknumber": "1"})
    write_audio(album / "02 Second.ogg", 550, tags={**GOOD, "title": "Second Song"})
    write_audio(album / "03 Third.wav", 660, tags={**GOOD, "title": "Third Song"})
    write_audio(root / "Tagless Artist" / "Quiet Album (2001)" / "07 Quiet Song.flac", 330)
    truncate(write_audio(album / "09 Broken.flac", 880, tags={**GOOD, "title": "Broken"}))
    (root / "notes.mp3").write_text("shopping list, not music\n" * 40)
    (album / "cover.jpg").write_bytes(b"\xff\xd8 not scanned")
    (album / ".hidden.flac").write_text("ignored")
    return root


def _by_title(store: Store) -> dict[str, Track]:
    return {t.title: t for t in store.tracks()}


@pytest.mark.parametrize("suffix", FORMATS)
def test_tags_and_duration_are_read_in_every_format(tmp_path: Path, suffix: str) -> None:
    tags: dict[str, str | list[str]] = {**GOOD, "title": "Title é", "tracknumber": "3/12"}
    path = write_audio(tmp_path / "x" / f"file{suffix}", 440, seconds=3.0, tags=tags)
    record = read_track(path, tmp_path)
    assert (record.title, record.artist, record.album) == ("Title é", "The Good Band",
                                                           "Good Album")
    assert record.album_artist == "Various Artists"
    assert record.genres == ("Rock", "Indie")
    assert record.year == 1994 and record.track_no == 3
    assert record.duration_s == pytest.approx(3.0, abs=0.1)
    assert record.tag_source == "tags"
    assert record.lossless == (suffix in (".flac", ".wav")) and record.quality_bps > 0


def test_scan_builds_the_catalog_and_reports_what_it_skipped(library: Path,
                                                             tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        summary = scan(store, [library])
        tracks = _by_title(store)
        assert sorted(tracks) == ["First Song", "Quiet Song", "Second Song", "Third Song"]
        assert summary.added == 5 and summary.updated == summary.removed == 0
        skipped = {Path(p).name: reason for p, reason in summary.skipped}
        assert set(skipped) == {"notes.mp3", "09 Broken.flac"}
        assert "not a readable MP3" in skipped["notes.mp3"]
        assert "truncated" in skipped["09 Broken.flac"]
        assert store.last_scan() is not None


def test_tagless_files_are_named_from_their_folders(library: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        scan(store, [library])
        quiet = _by_title(store)["Quiet Song"]
    assert (quiet.artist, quiet.album, quiet.album_artist) == ("Tagless Artist", "Quiet Album",
                                                               "Tagless Artist")
    assert (quiet.track_no, quiet.year, quiet.tag_source) == (7, 2001, "folder")


def test_partly_tagged_file_fills_gaps_from_folders(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "Artist X" / "Album Y" / "05 Name.ogg", 300,
                       tags={"title": "Real Title"})
    record = read_track(path, tmp_path)
    assert (record.title, record.artist, record.album) == ("Real Title", "Artist X", "Album Y")
    assert record.tag_source == "mixed" and record.track_no == 5


def test_duplicate_recording_is_served_once_from_the_lossless_copy(library: Path,
                                                                     tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        summary = scan(store, [library])
        first = _by_title(store)["First Song"]
        assert first.codec == "flac"
        assert [(Path(d).suffix, Path(k).suffix) for d, k in summary.duplicates] == [
            (".mp3", ".flac")]
        mp3 = next(t for t in store.tracks(include_duplicates=True) if t.codec == "mp3")
        assert mp3.duplicate_of == first.id
        store.add_event("default", "complete", mp3.id)
        assert store.events()[0].track_id == first.id

        Path(first.path).unlink()  # the better copy goes; the other is served again
        store.add_event("default", "like", first.id)
        summary = scan(store, [library])
        assert summary.duplicates == [] and _by_title(store)["First Song"].id == mp3.id
        assert [e.track_id for e in store.events()] == [mp3.id, mp3.id]


def test_a_different_recording_with_the_same_name_is_not_a_duplicate(tmp_path: Path) -> None:
    root = tmp_path / "m"
    tags: dict[str, str | list[str]] = {"title": "Song", "artist": "A", "album": "B"}
    write_audio(root / "studio.flac", 440, seconds=2.0, tags=tags)
    write_audio(root / "live.flac", 440, seconds=6.0, tags=tags)
    with Store(tmp_path / "db.sqlite3") as store:
        summary = scan(store, [root])
        assert summary.duplicates == [] and len(store.tracks()) == 2


@pytest.mark.parametrize("suffix", [".wav", ".ogg", ".mp3"])
def test_truncated_files_are_skipped(tmp_path: Path, suffix: str) -> None:
    if suffix not in FORMATS:
        pytest.skip(f"libsndfile here cannot write {suffix}")
    path = truncate(write_audio(tmp_path / f"cut{suffix}", 440, seconds=3.0,
                                tags={"title": "Cut"}))
    with pytest.raises(catalog.UnreadableFile, match=r"truncated|not a readable"):
        read_track(path, tmp_path)


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    reads: list[Path] = []
    real: Callable[..., object] = catalog.read_track

    def counting(path: Path, root: Path, verify: bool = True) -> object:
        reads.append(path)
        return real(path, root, verify=verify)

    monkeypatch.setattr(catalog, "read_track", counting)
    return reads


def test_rescan_reads_only_changed_files_and_keeps_history(
        library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    album = library / "Good Band" / "Good Album"
    with Store(tmp_path / "db.sqlite3") as store:
        scan(store, [library])
        ids = {t.title: t.id for t in store.tracks()}
        store.add_event("default", "complete", ids["Third Song"])
        reads = _counting_reads(monkeypatch)

        again = scan(store, [library])
        assert again.added == again.updated == again.removed == 0
        assert again.unchanged == 5
        assert sorted(p.name for p in reads) == ["09 Broken.flac", "notes.mp3"]  # still bad

        audio = mutagen.File(album / "02 Second.ogg")
        audio["title"] = ["Second Song (Remastered)"]
        audio.save()
        (album / "03 Third.wav").unlink()
        reads.clear()
        summary: ScanSummary = scan(store, [library])
        assert [Path(p).name for p in summary.updated_paths] == ["02 Second.ogg"]
        assert [Path(p).name for p in summary.removed_paths] == ["03 Third.wav"]
        assert "02 Second.ogg" in [p.name for p in reads]
        assert summary.unchanged == 3 and len(reads) == 3
        titles = _by_title(store)
        assert titles["Second Song (Remastered)"].id == ids["Second Song"]
        assert "Third Song" not in titles
        gone = store.track(ids["Third Song"])
        assert gone is not None and gone.gone
        assert store.events()[0].track_id == ids["Third Song"]  # history kept


def test_moved_file_keeps_its_id_and_history(library: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        scan(store, [library])
        quiet = _by_title(store)["Quiet Song"]
        store.add_event("default", "like", quiet.id)
        target = library / "Tagless Artist" / "Quiet Album" / "07 Quiet Song.flac"
        shutil.move(library / "Tagless Artist" / "Quiet Album (2001)", target.parent)
        summary = scan(store, [library])
        assert summary.moved_paths == [(quiet.path, str(target))]
        assert summary.added == summary.removed == 0
        assert _by_title(store)["Quiet Song"].id == quiet.id


def test_a_missing_folder_does_not_empty_the_library(library: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        scan(store, [library])
        moved = tmp_path / "unmounted"
        os.rename(library, moved)
        summary = scan(store, [library])
        assert summary.removed == 0 and len(store.tracks()) == 4
        assert "not found" in summary.skipped[0][1]


def test_cli_scan_list_and_stats(library: Path, data_dir: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "scan", "--no-progress", str(library)]) == 0
    out = capsys.readouterr().out
    assert "5 added, 0 updated, 0 removed" in out and "2 skipped" in out
    assert "notes.mp3: not a readable MP3 file" in out
    assert "09 Broken.flac: truncated" in out
    assert "Duplicates" in out and "First Song.mp3" in out
    assert "4 tracks, 1 named from folders" in out
    assert (data_dir / "library.sqlite3").exists()

    assert main(["library", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(t["title"] for t in listed) == ["First Song", "Quiet Song", "Second Song",
                                                  "Third Song"]
    assert main(["library", "stats"]) == 0
    stats = capsys.readouterr().out
    assert "Tracks:       4" in stats and "Last scan:" in stats and "never" not in stats


def test_cli_lists_the_playlists_made_by_voice(library: Path, data_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "scan", "--no-progress", str(library)]) == 0
    assert main(["library", "playlists"]) == 0
    assert "No playlists yet" in capsys.readouterr().out
    with Store(data_dir / "library.sqlite3") as store:
        first, second = store.tracks()[:2]
        store.add_to_playlist("alex", "Workout", second.id)
        store.add_to_playlist("alex", "Workout", first.id)
        store.add_to_playlist("sam", "Rainy Days", first.id)
    assert main(["library", "playlists", "--user", "Alex"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "alex: Workout (2 tracks)" and "sam" not in out
    assert out.index(second.title) < out.index(first.title)
    assert main(["library", "playlists", "--user", "nobody"]) == 2
    assert "no profile is called 'nobody'" in capsys.readouterr().err
    assert main(["library", "playlists", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [{"user": "alex", "name": "Workout", "track_ids": [second.id, first.id]},
                      {"user": "sam", "name": "Rainy Days", "track_ids": [first.id]}]


def test_cli_scan_without_folders_names_the_setting(data_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "scan"]) == 2
    assert "library.dirs" in capsys.readouterr().err
