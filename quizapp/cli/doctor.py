"""`quizapp doctor`: one line per check of the installation, exit 0 when quizapp is usable.

The checks themselves are in `quizapp.core.doctor`; this module only prints them: a mark,
the check's name, what was found, and (when it is not ok) the fix after an arrow.
"""

from __future__ import annotations

import argparse
import json

_MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `doctor` command."""
    doctor = sub.add_parser("doctor", help="check the installation: Python, torch, CUDA, "
                            "Triton, grader isolation, your data; exit 1 with the fix if broken")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    doctor.set_defaults(func=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    """Run every check and print the report."""
    from quizapp.core.doctor import run_checks, usable

    checks = run_checks()
    ok = usable(checks)
    if args.json:
        print(json.dumps({"usable": ok, "checks": [
            {"name": c.name, "status": c.status, "detail": c.detail, "fix": c.fix}
            for c in checks]}, ensure_ascii=False))
        return 0 if ok else 1
    width = max(len(c.name) for c in checks)
    for c in checks:
        line = f"{_MARKS[c.status]}  {c.name:<{width}}  {c.detail}"
        if c.fix and c.status != "ok":
            line += f"  → {c.fix}"
        print(line)
    print("quizapp is ready." if ok else "quizapp cannot run as installed: fix the FAIL lines.")
    return 0 if ok else 1
