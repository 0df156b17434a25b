"""Health checks for an Encore installation: what ``encore doctor`` reports.

Each check looks at one thing a speaker needs (sound devices, models, the library
and its database, memory and CPU, configuration) and returns findings: a status,
what was found, and for anything not OK the exact thing to do about it. Checks
never raise: a broken part becomes a FAIL finding, so one report covers all.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from speaker.config import WAKE_MODELS, Settings, system_config_paths
from speaker.errors import ModelError

__all__ = [
    "CHECKS",
    "Finding",
    "Status",
    "check_audio",
    "check_config",
    "check_database",
    "check_library",
    "check_models",
    "check_system",
    "exit_code",
    "format_report",
    "run_checks",
]

logger = logging.getLogger(__name__)

OPENWAKEWORD_SUPPORT = ("melspectrogram.onnx", "embedding_model.onnx", "silero_vad.onnx")
MIN_AVAILABLE_MEMORY_MB = 400
"""Whisper tiny.en, torch, the wake and VAD models and LightFM need about this much."""
MAX_LOAD_PER_CPU = 1.5
CONFIG_FILE_HINT = "/etc/encore/config.toml"


class Status(StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """One line of the report: ``check`` is the area (audio, models, ...)."""

    check: str
    status: Status
    message: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        out = asdict(self)
        out["status"] = self.status.value
        return out


def _config_hint(settings: Settings) -> str:
    return settings.sources[-1] if settings.sources else CONFIG_FILE_HINT


def check_config(settings: Settings) -> list[Finding]:
    """Which files the configuration came from (it parsed, or we would not be here)."""
    looked = ", ".join(str(p) for p in system_config_paths())
    if settings.sources:
        return [Finding("config", Status.OK, f"read {', '.join(settings.sources)}")]
    return [Finding("config", Status.WARN,
                    f"no config file found (looked at {looked}); using packaged defaults",
                    f"create {CONFIG_FILE_HINT} with at least [library] dirs = [\"/your/music\"]")]


# -- audio ---------------------------------------------------------------------------

def _device_label(info: dict[str, Any]) -> str:
    return f"#{info.get('index')} {info.get('name')!r}"


def check_audio(settings: Settings, sd: Any | None = None) -> list[Finding]:
    """List the sound devices and check the configured input and output.

    ``sd`` is the sounddevice module (injected by tests); PortAudio missing is a
    finding, not a crash.
    """
    if sd is None:
        try:
            import sounddevice

            sd = sounddevice
        except OSError as exc:  # sounddevice raises OSError when libportaudio is missing
            return [Finding("audio", Status.FAIL, f"PortAudio is not available ({exc})",
                            "install it: sudo apt-get install libportaudio2")]
        except ImportError as exc:
            return [Finding("audio", Status.FAIL, f"sounddevice is not installed ({exc})",
                            "reinstall Encore (deploy/install.sh or `pip install .`)")]
    findings: list[Finding] = []
    try:
        devices = [dict(d) for d in sd.query_devices()]
    except Exception as exc:
        return [Finding("audio", Status.FAIL, f"cannot list sound devices ({exc})",
                        "check that the sound card is connected and `aplay -l` lists it")]
    inputs = [d for d in devices if d.get("max_input_channels", 0) > 0]
    outputs = [d for d in devices if d.get("max_output_channels", 0) > 0]
    listing = "; ".join(
        f"{_device_label(d)} in={d.get('max_input_channels', 0)} "
        f"out={d.get('max_output_channels', 0)}" for d in devices) or "none"
    findings.append(Finding("audio", Status.OK if devices else Status.WARN,
                            f"{len(devices)} sound device(s): {listing}"))
    hint = _config_hint(settings)
    for kind, key, configured, candidates in (
            ("input", "audio.input_device", settings.audio.input_device, inputs),
            ("output", "audio.output_device", settings.audio.output_device, outputs)):
        findings.append(_check_device(sd, kind, key, configured, candidates, hint))
    return findings


def _check_device(sd: Any, kind: str, key: str, configured: str | int,
                  candidates: list[dict[str, Any]], hint: str) -> Finding:
    wanted = "the default device" if configured in ("", None) else repr(configured)
    names = ", ".join(_device_label(d) for d in candidates) or "none"
    try:
        info = dict(sd.query_devices(None if configured == "" else configured, kind=kind))
    except Exception as exc:
        if candidates:
            fix = f"set {key} in {hint} to one of: {names}"
        else:
            fix = (f"connect a {'microphone' if kind == 'input' else 'speaker'} "
                   f"(`{'arecord' if kind == 'input' else 'aplay'} -l` must list it), "
                   f"then set {key} in {hint}")
        return Finding("audio", Status.FAIL,
                       f"{kind} {wanted} ({key}) not found: {exc}", fix)
    rate = 16000 if kind == "input" else int(info.get("default_samplerate") or 48000)
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=info.get("index"), channels=1, samplerate=rate, dtype="int16")
    except Exception as exc:
        return Finding("audio", Status.FAIL,
                       f"{kind} {_device_label(info)} ({key}) cannot open mono at {rate} Hz: "
                       f"{exc}", f"if encore.service is running it holds the device: "
                                 f"sudo systemctl stop encore and check again; otherwise "
                                 f"pick another device for {key} in {hint}; choices: {names}")
    return Finding("audio", Status.OK, f"{kind} {_device_label(info)} ({key} = {wanted}) opens "
                                       f"mono at {rate} Hz")


# -- models --------------------------------------------------------------------------

def check_models(settings: Settings) -> list[Finding]:
    """The Whisper checkpoint (present, SHA-256 as in the manifest) and the wake models."""
    second = settings.stt.second_model
    return [_check_whisper(settings, settings.stt.model, "stt.model"),
            *([_check_whisper(settings, second, "stt.second_model")] if second else []),
            *_check_wake(settings)]


def _check_whisper(settings: Settings, name: str, key: str) -> Finding:
    models_dir = settings.data.models_dir
    try:
        from speaker import models
    except ImportError as exc:
        return Finding("models", Status.FAIL, f"the model manager cannot load ({exc})",
                       "reinstall Encore (deploy/install.sh or `pip install .`)")
    flag = models.install_flag(name, settings.stt.model)
    fix = (f"run `encore models install{flag}` (on an installed speaker: "
           f"sudo encorectl models install{flag})")
    try:
        manifest = {info.name: info for info in models.installed(models_dir)}
    except Exception as exc:
        return Finding("models", Status.FAIL, f"model manifest unreadable: {exc}", fix)
    info = manifest.get(name)
    path = models.checkpoint_path(models_dir, name)
    if info is None or not path.is_file():
        return Finding("models", Status.FAIL,
                       f"Whisper {name} not installed in {models_dir} ({key} = {name!r})",
                       fix)
    digest = models.sha256_file(path)
    if digest != info.sha256:
        return Finding("models", Status.FAIL,
                       f"{path} does not match its recorded SHA-256 (corrupt or changed)", fix)
    return Finding("models", Status.OK, f"Whisper {name}: {path} ({path.stat().st_size} bytes, "
                                        f"sha256 {digest[:12]}… matches the manifest)")


def _check_wake(settings: Settings) -> list[Finding]:
    model = settings.wake.model
    spec = importlib.util.find_spec("openwakeword")
    if spec is None or spec.origin is None:
        return [Finding("models", Status.FAIL, "openwakeword is not installed",
                        "pip install --no-deps openwakeword==0.5.1 into Encore's environment")]
    resources = Path(spec.origin).parent / "resources" / "models"
    wake_file = Path(model) if model.endswith(".onnx") else resources / f"{model}_v0.1.onnx"
    needed = [wake_file, *(resources / name for name in OPENWAKEWORD_SUPPORT)]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        choices = ", ".join(WAKE_MODELS)
        return [Finding("models", Status.FAIL, f"wake-word files missing: {', '.join(missing)}",
                        f"set wake.model to one of {choices} or an existing .onnx file, "
                        "or reinstall openwakeword==0.5.1 (--no-deps)")]
    try:
        networks = _wake_networks(settings, wake_file)
    except ModelError as exc:
        return [Finding("models", Status.FAIL, f"wake-word network unusable: {exc}",
                        "reinstall Encore (deploy/install.sh or `pip install .`), or turn "
                        "that network off in [wake]")]
    return [Finding("models", Status.OK,
                    f"wake word {model!r} ({wake_file.name}), mel, embedding and Silero VAD "
                    f"models present{networks}")]


def _wake_networks(settings: Settings, wake_file: Path) -> str:
    """Load the music networks the settings turn on; '' or ', music head ... verified'."""
    from speaker.wake_head import WakeHead, head_path
    from speaker.wake_mel import MelNet, mel_net_path

    name = wake_file.name.removesuffix(".onnx").removesuffix("_v0.1")
    loaded = []
    if settings.wake.music_head and head_path(name).is_file():
        WakeHead.load(head_path(name))
        loaded.append("music head")
    if settings.wake.mel_net and mel_net_path(name).is_file():
        MelNet.load(mel_net_path(name))
        loaded.append("mel network")
    return f"; {' and '.join(loaded)} verified" if loaded else ""


# -- library and database ------------------------------------------------------------

def check_library(settings: Settings) -> list[Finding]:
    """Configured music folders, track count and the time of the last scan."""
    hint = _config_hint(settings)
    findings: list[Finding] = []
    dirs = settings.library.dirs
    if not dirs:
        findings.append(Finding("library", Status.WARN, "no music folders configured",
                                f"set [library] dirs = [\"/path/to/music\"] in {hint}"))
    for folder in dirs:
        findings.extend(_check_folder(Path(folder), hint))
    database = settings.data.database
    if not database.is_file():
        findings.append(Finding("library", Status.WARN, f"no library database yet ({database})",
                                "run `encore library scan` (sudo encorectl library scan)"))
        return findings
    try:
        from recommender.store import Store

        with Store(database) as store:
            stats = store.stats()
    except Exception as exc:
        findings.append(Finding("library", Status.FAIL, f"cannot read the library: {exc}",
                                "move the database aside and run `encore library scan`"))
        return findings
    if stats.last_scan_t is None:
        when = "never scanned"
    else:
        age_h = max(0.0, time.time() - stats.last_scan_t) / 3600.0
        when = f"last scan {time.strftime('%Y-%m-%d %H:%M', time.localtime(stats.last_scan_t))}" \
               f" ({age_h:.1f} h ago)"
    status = Status.OK if stats.tracks else Status.WARN
    fix = "" if stats.tracks else "add music to the library folders and run `encore library scan`"
    findings.append(Finding("library", status,
                            f"{stats.tracks} tracks ({stats.gone} gone, {stats.duplicates} "
                            f"duplicates), {stats.users} user(s), {stats.events} events; {when}",
                            fix))
    return findings


def _check_folder(path: Path, hint: str) -> list[Finding]:
    unreadable = Finding(
        "library", Status.FAIL, f"{path} is not readable by this user",
        f"let the service user in: sudo chmod o+x on each parent folder (home folders are "
        f"0700 on Bookworm) and sudo chmod -R o+rX {path}, or move the music to /srv/music")
    try:
        if not path.is_dir():
            return [Finding("library", Status.FAIL, f"{path} is not a folder",
                            f"fix library.dirs in {hint} or create/mount {path}")]
    except PermissionError:
        return [unreadable]
    if not os.access(path, os.R_OK | os.X_OK):
        return [unreadable]
    return []


def check_database(settings: Settings) -> list[Finding]:
    """The SQLite file opens read-only, its schema version is known, integrity_check passes."""
    database = settings.data.database
    if not database.is_file():
        return [Finding("database", Status.WARN, f"{database} does not exist yet",
                        "run `encore library scan` to create it")]
    from recommender.migrations import SCHEMA_VERSION

    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            integrity = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [Finding("database", Status.FAIL, f"{database} cannot be read: {exc}",
                        "check its owner (the service user) or move it aside and rescan")]
    if integrity != ["ok"]:
        return [Finding("database", Status.FAIL,
                        f"{database} is damaged: {'; '.join(integrity[:3])}",
                        f"stop the service, move {database} aside and run "
                        "`encore library scan` (listening history is lost)")]
    if version > SCHEMA_VERSION:
        return [Finding("database", Status.FAIL,
                        f"schema version {version} is newer than this Encore ({SCHEMA_VERSION})",
                        "upgrade Encore (re-run deploy/install.sh from a newer checkout)")]
    size_kb = database.stat().st_size // 1024
    return [Finding("database", Status.OK, f"{database}: schema version {version}, "
                                           f"integrity ok, {size_kb} KiB")]


# -- system --------------------------------------------------------------------------

def _meminfo(path: Path = Path("/proc/meminfo")) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        key, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            out[key] = int(fields[0])  # kB
    return out


def check_system(settings: Settings, meminfo_path: Path = Path("/proc/meminfo"),
                 loadavg: Callable[[], tuple[float, float, float]] = os.getloadavg,
                 cpus: int | None = None) -> list[Finding]:
    """Free memory, CPU load and free disk in the data directory."""
    findings: list[Finding] = []
    try:
        info = _meminfo(meminfo_path)
        available_mb = info.get("MemAvailable", info.get("MemFree", 0)) // 1024
        total_mb = info.get("MemTotal", 0) // 1024
        ok = available_mb >= MIN_AVAILABLE_MEMORY_MB
        findings.append(Finding(
            "system", Status.OK if ok else Status.WARN,
            f"memory: {available_mb} MiB available of {total_mb} MiB",
            "" if ok else f"Encore needs about {MIN_AVAILABLE_MEMORY_MB} MiB; stop other "
                          "services or use a Pi with more RAM"))
    except (OSError, ValueError) as exc:
        findings.append(Finding("system", Status.WARN, f"cannot read {meminfo_path}: {exc}"))
    n_cpus = cpus or os.cpu_count() or 1
    load1, load5, _ = loadavg()
    busy = load5 / n_cpus > MAX_LOAD_PER_CPU
    findings.append(Finding(
        "system", Status.WARN if busy else Status.OK,
        f"CPU load {load1:.2f} / {load5:.2f} (1 / 5 min) on {n_cpus} CPU(s)",
        "something else keeps the CPU busy (see `top`); replies will be slow" if busy else ""))
    root = settings.data.root
    probe = root
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        stat = os.statvfs(probe)
        free_mb = stat.f_bavail * stat.f_frsize // (1 << 20)
        low = free_mb < 200
        findings.append(Finding("system", Status.WARN if low else Status.OK,
                                f"disk: {free_mb} MiB free for {root}",
                                "free some disk space" if low else ""))
    except OSError as exc:
        findings.append(Finding("system", Status.WARN, f"cannot check disk space of {probe}: "
                                                       f"{exc}"))
    espeak = ctypes.util.find_library("espeak-ng") is not None
    findings.append(Finding("system", Status.OK if espeak else Status.FAIL,
                            "espeak-ng library " + ("present" if espeak else "missing"),
                            "" if espeak else "install it: sudo apt-get install libespeak-ng1"))
    return findings


CHECKS: tuple[Callable[[Settings], list[Finding]], ...] = (
    check_config, check_audio, check_models, check_library, check_database, check_system)


def run_checks(settings: Settings,
               checks: Iterable[Callable[[Settings], list[Finding]]] = CHECKS) -> list[Finding]:
    """Run every check; an unexpected exception in one becomes a FAIL finding."""
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check(settings))
        except Exception as exc:
            logger.debug("check %s crashed", check.__name__, exc_info=True)
            area = check.__name__.removeprefix("check_")
            findings.append(Finding(area, Status.FAIL, f"the check itself failed: {exc!r}",
                                    "run `encore --debug doctor` and report the traceback"))
    return findings


def exit_code(findings: Iterable[Finding]) -> int:
    return 1 if any(f.status is Status.FAIL for f in findings) else 0


def format_report(findings: Iterable[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.status.value:<4} {f.check:<8} {f.message}")
        if f.fix:
            lines.append(f"{'':<4} {'':<8} fix: {f.fix}")
    return "\n".join(lines)
