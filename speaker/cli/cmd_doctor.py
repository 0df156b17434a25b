"""``encore doctor``: check devices, models, library, database and the machine."""

from __future__ import annotations

import argparse
import json

from speaker.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "doctor", help="check sound devices, models, library, database, memory and CPU",
        description="Check everything a speaker needs and say what to fix. "
                    "Exits 1 if any check FAILs.")
    parser.add_argument("--json", action="store_true",
                        help="print {ok, findings: [{check, status, message, fix}]} as JSON")
    parser.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from speaker import doctor

    findings = doctor.run_checks(settings)
    code = doctor.exit_code(findings)
    if args.json:
        print(json.dumps({"ok": code == 0, "data_dir": str(settings.data.root),
                          "findings": [f.to_dict() for f in findings]}, indent=2))
    else:
        print(doctor.format_report(findings))
        fails = sum(f.status is doctor.Status.FAIL for f in findings)
        warns = sum(f.status is doctor.Status.WARN for f in findings)
        print(f"\n{fails} FAIL, {warns} WARN: "
              + ("fix the FAIL lines above." if fails else "ready."))
    return code
