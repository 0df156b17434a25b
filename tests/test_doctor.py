"""``encore doctor``: each check finds the real problem and names the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.catalog import scan
from recommender.migrations import SCHEMA_VERSION
from recommender.store import Store
from speaker import doctor
from speaker.cli import main
from speaker.config import Settings, from_dict, load
from speaker.doctor import Finding, Status

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "audio_assets" / "library"


def _settings(**sections: dict[str, object]) -> Settings:
    return from_dict(sections, sources=("/etc/encore/config.toml",))


def _by_status(findings: list[Finding], status: Status) -> list[Finding]:
    return [f for f in findings if f.status is status]


def test_missing_whisper_model_fails_and_says_to_run_models_install(data_dir: Path) -> None:
    findings = doctor.check_models(load())
    whisper = findings[0]
    assert whisper.status is Status.FAIL
    assert "tiny.en not installed" in whisper.message
    assert "encore models install" in whisper.fix


def test_a_missing_second_whisper_model_names_its_setting_and_install_flag(
        data_dir: Path) -> None:
    findings = doctor.check_models(_settings(stt={"second_model": "base"}))
    second = findings[1]
    assert second.status is Status.FAIL
    assert "Whisper base not installed" in second.message
    assert "stt.second_model = 'base'" in second.message
    assert "encore models install --model base" in second.fix
    assert len(findings) == 3 and "hey_jarvis" in findings[2].message  # the wake model, last


def test_the_install_advice_names_a_model_only_when_the_bare_command_would_miss_it(
        data_dir: Path) -> None:
    findings = doctor.check_models(_settings(stt={"model": "base", "second_model": "tiny.en"}))
    assert findings[0].fix.startswith("run `encore models install` ")  # installs stt.model
    assert "encore models install --model tiny.en" in findings[1].fix


def test_wake_model_shipped_with_openwakeword_is_found(data_dir: Path) -> None:
    wake = doctor.check_models(load())[1]
    assert wake.status is Status.OK, wake
    assert "hey_jarvis_v0.1.onnx" in wake.message


def test_missing_custom_wake_model_fails_naming_the_setting(tmp_path: Path,
                                                            data_dir: Path) -> None:
    settings = _settings(wake={"model": str(tmp_path / "nope.onnx")})
    wake = doctor.check_models(settings)[1]
    assert wake.status is Status.FAIL
    assert "nope.onnx" in wake.message and "wake.model" in wake.fix


def test_real_database_with_scanned_library_is_ok(data_dir: Path) -> None:
    settings = _settings(library={"dirs": [str(LIBRARY)]})
    with Store(settings.data.database) as store:
        summary = scan(store, [LIBRARY])
        assert store.last_scan() is not None
    findings = doctor.check_database(settings) + doctor.check_library(settings)
    assert _by_status(findings, Status.FAIL) == []
    database = findings[0]
    assert database.status is Status.OK
    assert f"schema version {SCHEMA_VERSION}" in database.message
    assert "integrity ok" in database.message
    library = findings[1]
    assert library.status is Status.OK
    tracks = len(Store(settings.data.database).tracks())
    assert tracks > 0 and summary is not None
    assert library.message.startswith(f"{tracks} tracks") and "last scan" in library.message


def test_no_database_yet_warns_and_says_to_scan(data_dir: Path) -> None:
    findings = doctor.check_database(load()) + doctor.check_library(load())
    assert _by_status(findings, Status.FAIL) == []
    assert any("encore library scan" in f.fix for f in findings)
    assert not (data_dir / "library.sqlite3").exists(), "doctor must not create the database"


def test_garbage_database_fails_with_the_fix(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "library.sqlite3").write_bytes(b"this is not sqlite" * 100)
    database = doctor.check_database(load())[0]
    assert database.status is Status.FAIL
    assert "move it aside" in database.fix


def test_database_from_newer_encore_fails(data_dir: Path) -> None:
    settings = load()
    Store(settings.data.database).close()
    import sqlite3

    conn = sqlite3.connect(settings.data.database)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    database = doctor.check_database(settings)[0]
    assert database.status is Status.FAIL and "upgrade Encore" in database.fix


def test_missing_library_folder_fails_naming_the_setting(tmp_path: Path,
                                                         data_dir: Path) -> None:
    settings = _settings(library={"dirs": [str(tmp_path / "unmounted")]})
    library = doctor.check_library(settings)[0]
    assert library.status is Status.FAIL
    assert "library.dirs" in library.fix and "/etc/encore/config.toml" in library.fix


def test_unknown_microphone_fails_naming_the_config_key(data_dir: Path) -> None:
    """Uses the real sounddevice/PortAudio: a device name that cannot exist anywhere."""
    settings = _settings(audio={"input_device": "no-such-microphone-xyz"})
    findings = doctor.check_audio(settings)
    mic = next(f for f in findings if "audio.input_device" in f.message)
    assert mic.status is Status.FAIL
    assert "audio.input_device" in mic.fix


def test_low_memory_and_busy_cpu_warn(tmp_path: Path, data_dir: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  1000000 kB\nMemFree:  100000 kB\nMemAvailable:  200000 kB\n")
    findings = doctor.check_system(load(), meminfo_path=meminfo,
                                   loadavg=lambda: (9.0, 8.0, 7.0), cpus=4)
    memory = next(f for f in findings if f.message.startswith("memory"))
    cpu = next(f for f in findings if f.message.startswith("CPU load"))
    assert memory.status is Status.WARN and "195 MiB available" in memory.message
    assert cpu.status is Status.WARN and cpu.fix


def test_idle_machine_with_memory_is_ok(tmp_path: Path, data_dir: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  4000000 kB\nMemAvailable:  3000000 kB\n")
    findings = doctor.check_system(load(), meminfo_path=meminfo,
                                   loadavg=lambda: (0.1, 0.2, 0.3), cpus=4)
    assert _by_status(findings[:2], Status.OK) == findings[:2]


def test_config_without_file_warns_and_with_file_lists_it(tmp_path: Path) -> None:
    assert doctor.check_config(load())[0].status in (Status.WARN, Status.OK)
    config = tmp_path / "encore.toml"
    config.write_text('[library]\ndirs = ["/srv/music"]\n')
    finding = doctor.check_config(load(config))[0]
    assert finding.status is Status.OK and str(config) in finding.message


def test_a_crashing_check_becomes_a_fail_finding(data_dir: Path) -> None:
    def check_broken(settings: Settings) -> list[Finding]:
        raise RuntimeError("boom")

    findings = doctor.run_checks(load(), checks=(doctor.check_config, check_broken))
    assert findings[-1].status is Status.FAIL and findings[-1].check == "broken"
    assert doctor.exit_code(findings) == 1
    assert doctor.exit_code(findings[:-1]) == 0


def test_cli_json_reports_failures_and_exits_1(data_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["data_dir"] == str(data_dir)
    statuses = {(f["check"], f["status"]) for f in report["findings"]}
    assert ("models", "FAIL") in statuses
    assert all(set(f) == {"check", "status", "message", "fix"} for f in report["findings"])


def test_cli_text_report_prints_fix_lines(data_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL models" in out and "fix: run `encore models install`" in out
    assert out.rstrip().endswith("fix the FAIL lines above.")


@pytest.mark.slow
def test_installed_model_is_ok_until_a_byte_changes(data_dir: Path) -> None:
    from speaker import models

    settings = load()
    models.install(settings.data.models_dir, settings.stt, check=False)
    assert doctor.check_models(settings)[0].status is Status.OK
    path = models.checkpoint_path(settings.data.models_dir, settings.stt.model)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    tampered = doctor.check_models(settings)[0]
    assert tampered.status is Status.FAIL
    assert "SHA-256" in tampered.message and "encore models install" in tampered.fix


_DOCTOR_AUDIO = """
import json
from speaker import doctor
from speaker.config import from_dict
settings = from_dict({"audio": {"input_device": "pulse", "output_device": "pulse"}})
print(json.dumps([f.to_dict() for f in doctor.check_audio(settings)]))
"""


@pytest.mark.pulse
def test_configured_devices_that_open_are_ok(pulse_server: dict[str, str]) -> None:
    """Real PortAudio devices (ALSA's pulse plugin on a private PulseAudio server)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _DOCTOR_AUDIO], env={**pulse_server,
                          "PYTHONPATH": str(REPO)}, cwd=REPO, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    findings = json.loads(done.stdout.strip().splitlines()[-1])
    listing, mic, speaker = findings
    assert listing["status"] == "OK" and "'pulse'" in listing["message"]
    assert mic["status"] == "OK" and "audio.input_device = 'pulse'" in mic["message"]
    assert speaker["status"] == "OK" and "opens mono" in speaker["message"]


def test_music_behind_a_private_home_folder_is_reported_unreadable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: Path.is_dir() raises PermissionError under a 0700 parent (Bookworm homes
    are 0700), which crashed the library check. Root bypasses permissions, so the error the
    service user gets is raised here by hand."""
    music = tmp_path / "home" / "Music"

    def denied(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_dir", denied)
    finding = doctor._check_folder(music, "/etc/encore/config.toml")[0]
    assert finding.status is Status.FAIL and "not readable" in finding.message
    assert "chmod o+x" in finding.fix


def test_wake_networks_are_verified_and_a_changed_one_fails(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wake = doctor.check_models(load())[1]
    assert wake.status is Status.OK, wake
    assert "music head and mel network verified" in wake.message
    from speaker import wake_mel

    shipped = wake_mel.mel_net_path("hey_jarvis")
    changed = tmp_path / shipped.name
    data = bytearray(shipped.read_bytes())
    data[-1] ^= 0xFF
    changed.write_bytes(bytes(data))
    monkeypatch.setattr(wake_mel, "mel_net_path", lambda name: tmp_path / f"{name}_mel_net.npz")
    broken = doctor.check_models(load())[1]
    assert broken.status is Status.FAIL
    assert "SHA-256" in broken.message and "wake.mel_net = false" in broken.message
    assert "reinstall Encore" in broken.fix
    off = doctor.check_models(_settings(wake={"mel_net": False}))[1]
    assert off.status is Status.OK and "mel network" not in off.message
