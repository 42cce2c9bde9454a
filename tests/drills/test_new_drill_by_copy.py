"""Issue 9's "done" test: a new drill is its two folders and nothing else. Copy a bundled
torch-only drill's `content/drills/<id>/` and `solutions/<id>/` into a temporary root under a
new id, change only the `id:` line, point QUIZAPP_DRILL_ROOTS at it — and `quizapp content
check` accepts it, `quizapp drill verify` passes, `quizapp grade` grades it, and every
generic drill test collects and passes it. Nothing under quizapp/ or tests/ is edited."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.drills.drill_helpers import DRILLS

REPO = Path(__file__).resolve().parents[2]
NEW = "copied_drill"
#: Every generic test module and the test functions in it that take a drill parameter.
GENERIC = {
    "tests/drills/test_references_and_starters.py": [
        "test_reference_passes", "test_starter_fails_cleanly",
        "test_every_drill_has_a_correct_solution_in_another_style",
        "test_correct_solutions_in_other_styles_pass"],
    "tests/drills/test_mistakes.py": [
        "test_every_drill_has_at_least_four_mistakes", "test_mistake_fails_and_is_identified",
        "test_a_bug_that_is_no_known_mistake_gets_no_diagnosis"],
    "tests/drills/test_bundles.py": [
        "test_mistake_is_exposed_where_it_says", "test_mistakes_are_well_formed",
        "test_mistakes_of_a_drill_can_be_told_apart", "test_trusted_code_leaves_its_inputs_alone",
        "test_references_and_kernels_keep_the_signatures",
        "test_bench_baselines_compute_what_the_oracle_computes"],
    "tests/drills/test_drill_content.py": ["test_cases_cover_the_edges"],
}


def _source() -> str:
    torch_only = [d for d in DRILLS.values() if d.tracks == ("torch",) and d.mistakes]
    return min(torch_only, key=lambda d: len(d.cases_for("torch"))).id


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = DRILLS[_source()]
    root = tmp_path_factory.mktemp("drill-root")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(source.folder, root / "content" / "drills" / NEW, ignore=ignore)
    shutil.copytree(source.solutions, root / "solutions" / NEW, ignore=ignore)
    yaml_path = root / "content" / "drills" / NEW / "drill.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    new_text, count = re.subn(rf"(?m)^id: {source.id}$", f"id: {NEW}", text)
    assert count == 1
    yaml_path.write_text(new_text, encoding="utf-8")
    return root


def _run(root: Path, *argv: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUIZAPP_DRILL_ROOTS": str(root)}
    return subprocess.run([sys.executable, *argv], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_content_check_accepts_the_copy(root: Path) -> None:
    done = _run(root, "-m", "quizapp.cli.main", "content", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(DRILLS) + 1} drills: 0 problem(s)" in done.stderr


@pytest.mark.slow
def test_drill_verify_passes_and_grade_grades(root: Path) -> None:
    done = _run(root, "-m", "quizapp.cli.main", "drill", "verify", NEW)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout and done.stdout.count(f"{NEW}: ok") >= 4
    reference = root / "solutions" / NEW / "reference.py"
    done = _run(root, "-m", "quizapp.cli.main", "grade", NEW, str(reference), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["drill"] == NEW and json.loads(done.stdout)["passed"]


@pytest.mark.slow
def test_every_generic_test_collects_and_passes_the_copy(root: Path) -> None:
    done = _run(root, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=",
                "--import-mode=importlib", "--collect-only", *GENERIC)
    assert done.returncode == 0, done.stdout[-3000:]
    collected = done.stdout
    for module, functions in GENERIC.items():
        for function in functions:
            assert re.search(rf"{re.escape(module)}::{function}\[[^\]]*{NEW}", collected), \
                f"{module}::{function} does not collect {NEW}"
    done = _run(root, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=",
                "--import-mode=importlib", "-k", NEW, *GENERIC)
    assert done.returncode == 0, done.stdout[-3000:]
    assert re.search(r"\d+ passed", done.stdout), done.stdout[-500:]
