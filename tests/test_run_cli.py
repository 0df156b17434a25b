"""``encore run``: the service loop on real sound devices, and its start-up errors.

The device test gives ``encore run`` a private PulseAudio server (``pulse_server``):
a recorded request is played into the null sink the microphone records from, and
Encore's own output goes to a second sink no microphone hears.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from speaker.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "audio_assets" / "demo"


def test_without_a_sound_device_run_names_the_setting_to_fix(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice as sd

    try:
        devices = sd.query_devices()
    except Exception:  # PortAudio itself missing counts as no device
        devices = []
    if len(devices):
        pytest.skip("this machine has sound devices")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "audio.output_device" in err and "no sound device" in err


@pytest.mark.pulse
@pytest.mark.slow
def test_run_hears_a_request_from_the_microphone_and_answers(
        pulse_server: dict[str, str], whisper_models_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "models").symlink_to(whisper_models_dir, target_is_directory=True)
    config = tmp_path / "config.toml"
    config.write_text('[audio]\ninput_device = "pulse"\noutput_device = "pulse"\n')
    env = {**pulse_server, "ENCORE_DATA_DIR": str(data), "PYTHONPATH": str(ROOT),
           "PULSE_SINK": "encore_speaker"}
    encore = [sys.executable, "-m", "speaker", "-c", str(config)]
    scan = subprocess.run([*encore, "library", "scan", "--no-progress",
                           str(ROOT / "audio_assets" / "library")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert scan.returncode == 0, scan.stderr[-2000:]

    proc = subprocess.Popen([*encore, "run", "--user", "alex"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read(stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line)
            if "Listening for" in line:
                ready.set()

    readers = [threading.Thread(target=read, args=(s,), daemon=True)
               for s in (proc.stdout, proc.stderr)]
    for reader in readers:
        reader.start()
    try:
        assert ready.wait(120), "".join(lines)[-3000:]
        clip = DEMO / "01_play-some-jazz.flac"
        play = subprocess.run(["paplay", "--device=encore_out", str(clip)], env=env,
                              capture_output=True, text=True, timeout=60)
        assert play.returncode == 0, play.stderr
        deadline = time.monotonic() + 60  # waiting on another process, not audio time
        while time.monotonic() < deadline and not any("played" in ln for ln in lines):
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    output = "".join(lines)
    assert "woke       hey_jarvis" in output, output[-3000:]
    assert "understood play" in output and "said       \"Playing some Jazz" in output, output
    assert "played     " in output, output[-3000:]
    assert code == 0, output[-3000:]
    assert os.path.exists(data / "library.sqlite3")


def test_the_running_speaker_follows_a_scan_stored_by_another_process(tmp_path: Path) -> None:
    from recommender.store import Store
    from speaker.cli.cmd_run import follow_scans

    changed = threading.Event()
    calls: list[float | None] = []
    with Store(tmp_path / "library.sqlite3") as speaker_store:
        speaker_store.set_last_scan(1000.0)

        def refresh() -> None:
            calls.append(speaker_store.last_scan())
            changed.set()

        done = follow_scans(speaker_store.last_scan, refresh, every_s=0.02)
        try:
            assert not changed.wait(0.2)  # nothing new: nothing refreshed
            with Store(tmp_path / "library.sqlite3") as timer_store:  # the rescan timer
                timer_store.set_last_scan(2000.0)
            assert changed.wait(5.0)
        finally:
            done.set()
    assert calls == [2000.0]
