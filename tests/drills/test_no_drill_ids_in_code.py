"""No drill is named in the code: every drill-specific fact lives in its bundle
(content/drills/<id>/, solutions/<id>/). This test reads every string literal of quizapp/ and
of the generic drill tests and fails on one that is a bundled drill's id or a path into a
drill's folders, or (in quizapp/) an entry point's name. (Entry point names in tests may
coincide with torch APIs the static checks are tested on, such as `F.rms_norm`.)

A few grader tests use one bundled drill as the *vehicle* for a grader feature (a memory
budget case, a Triton track, the CLI's output): they are listed in VEHICLES with the reason,
and are not generic drill tests — a new drill needs no edit there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from quizapp.core.drills import load_drills

REPO = Path(__file__).resolve().parents[2]
VEHICLES = {
    # grader behaviour (cancel, bench, memory budget, Triton launches, usage errors) shown
    # on a bundled drill that has the feature
    "tests/drills/test_grading_api.py",
    "tests/drills/test_adversarial.py",  # hostile solutions need a real signature to attack
    "tests/drills/test_isolation.py",  # so do the sandbox's hostile solutions
    "tests/drills/test_timing_tricks.py",  # and the --bench tricks
    "tests/drills/test_cli_drill.py",  # the CLI's output formats on a real grade
    # the precision policy on the canonical float32-in-float64 solutions (HF's LlamaRMSNorm,
    # flash-style attention) and on rmsnorm's eps mistake that only float64 can see
    "tests/drills/test_precision.py",
    "tests/drills/test_trials.py",  # fresh trials, grad modes and --seed on a real grade
    # Triton kernels: per-kernel launch tables and ahead-of-time compilation
    "tests/drills/test_solutions_kernels.py",
    "tests/drills/test_solutions_compile.py",
}


#: Entry-point names that are also ordinary words of the app: `verify` is
#: speculative_decoding's entry point and the `quizapp drill verify` command.
COMMON_WORDS = {"verify"}


def _names() -> set[str]:
    drills = load_drills()
    entries = {e.name for d in drills.values() for e in d.entry_points}
    return set(drills) | (entries - COMMON_WORDS)


def _files() -> list[Path]:
    files = sorted((REPO / "quizapp").rglob("*.py")) + sorted((REPO / "tests" / "drills")
                                                             .glob("*.py"))
    return [f for f in files if str(f.relative_to(REPO)) not in VEHICLES]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_drill_is_named(path: Path) -> None:
    ids = set(load_drills())
    names = _names() if path.is_relative_to(REPO / "quizapp") else ids
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text in names or any(f"/{i}/" in text or text.startswith(f"{i}/") for i in ids):
                found.append(f"line {node.lineno}: {text!r}")
    assert not found, f"{path.relative_to(REPO)} names drills: {found}"
