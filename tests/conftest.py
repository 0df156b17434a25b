"""Shared fixtures: every test runs with its own config and data directories."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the user's config; the data dir stays shared for models."""
    config_home = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory for tests that write a database or model."""
    path = tmp_path / "data"
    monkeypatch.setenv("ENCORE_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def whisper_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper tiny.en converted and checked once per session into a temp models dir."""
    from speaker import models
    from speaker.config import SttSettings

    path = tmp_path_factory.mktemp("models")
    models.install(path, SttSettings())
    return path


@pytest.fixture
def pulse_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio server; yields the environment that reaches it.

    What is played into the null sink ``encore_out`` is what the default source
    ``encore_in`` records; ``encore_speaker`` is a second sink whose audio no source hears.
    """
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        pytest.skip("pulseaudio is not installed (make sysdeps installs it)")
    runtime = tmp_path / "pulse"
    runtime.mkdir()
    socket = runtime / "native"
    script = runtime / "encore-test.pa"
    script.write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        "load-module module-null-sink sink_name=encore_out rate=48000\n"
        "load-module module-null-sink sink_name=encore_speaker rate=48000\n"
        "load-module module-remap-source source_name=encore_in master=encore_out.monitor\n"
        "set-default-sink encore_out\n"
        "set-default-source encore_in\n")
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime),
           "PULSE_RUNTIME_PATH": str(runtime), "PULSE_SERVER": f"unix:{socket}"}
    log = (runtime / "pulseaudio.log").open("w")
    server = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--system=false",
         "--use-pid-file=no", "-F", str(script), "--log-target=stderr"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15.0
        while True:  # waiting on an external server, not on audio time
            ready = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=10)
            if ready.returncode == 0:
                break
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("pulseaudio did not start: "
                            + (runtime / "pulseaudio.log").read_text()[-2000:])
            time.sleep(0.1)
        yield env
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
