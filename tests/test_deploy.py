"""Deployment files: scripts lint clean, units verify and stay hardened, dry runs change nothing.

The full install into a debootstrapped Debian root is ``make test-deploy``
(deploy/test-in-chroot.sh); these checks are the fast part that runs with ``make test``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from speaker.config import from_dict

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
INSTALL = DEPLOY / "install.sh"
UNITS = ("encore.service", "encore-rescan.service", "encore-rescan.timer")
EXPOSURE_TARGET = 3.0


def _scripts() -> list[Path]:
    found = [p for p in sorted(DEPLOY.iterdir())
             if p.is_file() and p.read_bytes().startswith(b"#!")]
    return [*found, REPO / ".ci" / "run"]


def _snapshot(root: Path) -> dict[str, tuple[int, float]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime)
            for p in root.rglob("*")}


def _fake_debian_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc" / "group").write_text("root:x:0:\naudio:x:29:\n")
    return root


def _unit_env(text: str) -> set[str]:
    return {line.split("=", 1)[1] for line in text.splitlines()
            if line.startswith("Environment=")}


def _script_env(text: str) -> set[str]:
    match = re.search(r"SERVICE_ENV=\((.*?)\)", text, re.S)
    assert match, "SERVICE_ENV array not found"
    values = match.group(1).split()
    data_dir = re.search(r'DATA_DIR="([^"]+)"', text)
    assert data_dir
    return {v.replace('"$DATA_DIR', data_dir.group(1)).replace('"', "") for v in values}


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("script", _scripts(), ids=lambda p: p.name)
def test_every_script_is_shellcheck_clean(script: Path) -> None:
    result = subprocess.run(["shellcheck", "--shell=bash", str(script)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_scripts_are_executable() -> None:
    for script in _scripts():
        assert os.access(script, os.X_OK), f"chmod +x {script}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """verify also checks that ExecStart exists, so point it at an executable that does.

    The real paths are verified inside the test root by ``make test-deploy``.
    """
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        (tmp_path / unit).write_text(text.replace("/opt/encore/bin/encore", sys.executable))
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / u) for u in UNITS)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
def test_user_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """The PipeWire/PulseAudio alternative: a unit for `systemctl --user`."""
    text = (DEPLOY / "encore-user.service").read_text()
    (tmp_path / "encore.service").write_text(
        text.replace("/opt/encore/bin/encore", sys.executable))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    command = ["systemd-analyze", "--user", "verify", str(tmp_path / "encore.service")]
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def _exposure(unit: Path) -> float:
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager",
                             str(unit)], capture_output=True, text=True, check=False)
    if "offline" in result.stderr and result.returncode != 0:
        pytest.skip(f"systemd-analyze security --offline is not supported: {result.stderr}")
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", result.stdout)
    assert match, result.stdout + result.stderr
    return float(match.group(1))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
@pytest.mark.parametrize("unit", ["encore.service", "encore-rescan.service"])
def test_service_exposure_is_at_most_3(unit: str) -> None:
    assert _exposure(DEPLOY / unit) <= EXPOSURE_TARGET


def test_service_unit_has_what_the_speaker_needs() -> None:
    text = (DEPLOY / "encore.service").read_text()
    lines = set(text.splitlines())
    for directive in ("ExecStart=/opt/encore/bin/encore run", "User=encore",
                      "SupplementaryGroups=audio", "Restart=on-failure",
                      "ReadWritePaths=/var/lib/encore", "DeviceAllow=char-alsa rw",
                      "PrivateNetwork=yes", "ProtectSystem=strict", "ProtectHome=read-only",
                      "NoNewPrivileges=yes", "PrivateTmp=yes", "StandardOutput=journal",
                      "WantedBy=multi-user.target"):
        assert directive in lines, directive
    assert re.search(r"^After=.*\bsound\.target\b", text, re.M)
    assert "PrivateDevices=yes" not in lines, "would hide /dev/snd"
    assert not re.search(r"^MemoryDenyWriteExecute=yes", text, re.M), "breaks torch's JIT"


def test_encorectl_and_installer_use_the_service_environment() -> None:
    unit_env = _unit_env((DEPLOY / "encore.service").read_text())
    assert unit_env == _unit_env((DEPLOY / "encore-rescan.service").read_text())
    for script in (DEPLOY / "encorectl", INSTALL):
        script_env = _script_env(script.read_text())
        assert unit_env <= script_env, f"{script.name} differs from encore.service"


def test_dry_run_prints_the_whole_plan_and_changes_nothing(tmp_path: Path) -> None:
    root = _fake_debian_root(tmp_path)
    before = _snapshot(root)
    result = subprocess.run(
        ["bash", str(INSTALL), "--dry-run", "--root", str(root), "--library", "/srv/music",
         "--mic", "USB Audio", "--speaker", "1", "--wake-word", "hey_mycroft",
         "--wheels", "/wheels"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    plan = result.stdout
    assert _snapshot(root) == before
    expected = [
        "apt-get install -y -q --no-install-recommends",
        "libportaudio2", "espeak-ng", "build-essential",
        "useradd --system --user-group --groups audio",
        "python3 -m venv /opt/encore",
        "torch==2.13.0",
        "--no-deps openwakeword==0.5.1",
        "+ write /etc/encore/config.toml",
        "+ write /etc/systemd/system/encore.service",
        "+ write /etc/systemd/system/encore-rescan.timer",
        "+ write /usr/local/bin/encorectl",
        "runuser -u encore -- env -i ENCORE_DATA_DIR=/var/lib/encore",
        "/opt/encore/bin/encore models install",
        "/opt/encore/bin/encore config show",
        f"systemctl --root={root} enable encore.service encore-rescan.timer",
        "/opt/encore/bin/encore library scan",
        "/opt/encore/bin/encore doctor",
    ]
    for step in expected:
        assert step in plan, f"missing from the plan: {step}\n{plan}"
    commands = [line for line in plan.splitlines() if line.startswith("+ chroot")]
    assert commands and all(f"chroot {root} " in c for c in commands)


def test_dry_run_uninstall_keeps_data_unless_purge(tmp_path: Path) -> None:
    root = _fake_debian_root(tmp_path)
    keep = subprocess.run(["bash", str(INSTALL), "--dry-run", "--root", str(root), "--uninstall"],
                          capture_output=True, text=True, check=True).stdout
    assert f"rm -rf {root}/opt/encore" in keep
    assert "/var/lib/encore" not in keep.replace("kept /etc/encore and /var/lib/encore", "")
    purge = subprocess.run(["bash", str(INSTALL), "--dry-run", "--root", str(root), "--uninstall",
                            "--purge"], capture_output=True, text=True, check=True).stdout
    assert f"{root}/var/lib/encore" in purge and f"{root}/etc/encore" in purge


def test_written_config_parses_and_keeps_odd_names(tmp_path: Path) -> None:
    root = _fake_debian_root(tmp_path)
    result = subprocess.run(
        ["bash", str(INSTALL), "--print-config", "--root", str(root),
         "--library", '/srv/my "best" music', "--library", "/home/pi/Music",
         "--mic", "2", "--speaker", "USB Audio Device", "--wake-word", "alexa"],
        capture_output=True, text=True, check=True)
    data = tomllib.loads(result.stdout)
    settings = from_dict(data)
    assert settings.library.dirs == ('/srv/my "best" music', "/home/pi/Music")
    assert settings.audio.input_device == 2
    assert settings.audio.output_device == "USB Audio Device"
    assert settings.wake.model == "alexa"
    assert settings.paths.data_dir == "/var/lib/encore"


def test_installer_rejects_unknown_options_and_needs_root_for_real_runs(tmp_path: Path) -> None:
    result = subprocess.run(["bash", str(INSTALL), "--frobnicate"], capture_output=True,
                            text=True, check=False)
    assert result.returncode != 0 and "unknown option '--frobnicate'" in result.stderr
    purge_alone = subprocess.run(["bash", str(INSTALL), "--purge"], capture_output=True,
                                 text=True, check=False)
    assert purge_alone.returncode != 0 and "--uninstall" in purge_alone.stderr


_MDWE_PROBE = """
import ctypes, sys
if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE
    sys.exit(77)
import torch
torch.nn.GELU()(torch.randn(4, 8))
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")
def test_torch_fails_under_write_xor_execute_so_the_unit_must_not_set_it() -> None:
    """Why encore.service leaves MemoryDenyWriteExecute off: torch's oneDNN kernels are JIT."""
    result = subprocess.run([sys.executable, "-c", _MDWE_PROBE], capture_output=True,
                            text=True, check=False)
    if result.returncode == 77:
        pytest.skip("kernel without PR_SET_MDWE (Linux < 6.3)")
    assert result.returncode != 0, "torch now works under W^X: consider MemoryDenyWriteExecute"
    assert "could not create a primitive" in result.stderr


def test_encorectl_help_lists_the_admin_commands() -> None:
    result = subprocess.run(["bash", str(DEPLOY / "encorectl"), "--help"], capture_output=True,
                            text=True, check=True)
    for command in ("doctor", "library scan", "logs", "status"):
        assert f"encorectl {command}" in result.stdout
