"""The sandbox (issue 10 §4): hostile solutions cannot harm the user or the grader.

Each hostile solution is otherwise correct, so only the isolation can make it fail. After
each: the verdict is not a pass, the grader still grades, nothing of the solution is left
running, and the progress store is untouched. Landlock-dependent checks are skipped, with
the reason, on a kernel without Landlock (the degraded path has its own test).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizapp.core import paths
from quizapp.core.grading import sandbox
from tests.drills.drill_helpers import SOLUTIONS, grade, write

HAS_LANDLOCK = sandbox.landlock_abi() > 0
needs_landlock = pytest.mark.skipif(not HAS_LANDLOCK, reason="this kernel has no Landlock")

GOOD_RMS = """
import torch
def rms_norm(x, weight, eps=1e-6):
    up = torch.float64 if x.dtype == torch.float64 else torch.float32
    xf = x.to(up)
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
            * weight.to(up)).to(x.dtype)
"""


def _survivors(marker: bytes) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if marker in cmdline:
                found.append(pid)
    return found


def _store_fingerprint() -> dict[str, str]:
    home = paths.home()
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file()}


def _grader_still_grades() -> None:
    assert grade("rmsnorm", SOLUTIONS / "rmsnorm" / "reference.py").passed


def test_isolation_is_reported_in_the_result() -> None:
    result = grade("rmsnorm", SOLUTIONS / "rmsnorm" / "reference.py")
    data = result.to_json()["isolation"]
    assert data["line"].startswith("isolation: ")
    if HAS_LANDLOCK:
        assert data["level"] == "full", data
        assert data["landlock_abi"] == sandbox.landlock_abi()
        assert any(a.startswith("Landlock") for a in data["applied"])


def test_without_landlock_the_grade_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    report = sandbox.Isolation()
    sandbox.restrict_filesystem(workdir="/tmp", solution="/dev/null", protected=[], cuda=False,
                                report=report)
    assert report.level == "partial" and report.line() == "isolation: partial (no Landlock)"
    assert report.to_json()["missing"] == ["no Landlock"]


@needs_landlock
@pytest.mark.parametrize("how", ["open", "import"])
def test_reading_the_oracle_is_refused(solution_dir: Path, how: str) -> None:
    oracle = SOLUTIONS / "rmsnorm" / "reference.py"
    steal = (f"open({str(oracle)!r}).read()" if how == "open" else
             "import importlib.util as u\n"
             f"spec = u.spec_from_file_location('ref', {str(oracle)!r})\n"
             "module = u.module_from_spec(spec); spec.loader.exec_module(module)")
    result = grade("rmsnorm", write(solution_dir, f"steal_{how}.py", steal + "\n" + GOOD_RMS))
    assert not result.passed and "PermissionError" in result.message, result.message
    _grader_still_grades()


def test_importing_the_grader_is_refused(solution_dir: Path) -> None:
    static = grade("rmsnorm", write(solution_dir, "grader_static.py",
                                    "from quizapp.core.grading import tripwire\n" + GOOD_RMS))
    assert static.status == "banned" and "quizapp" in static.message
    runtime = grade("rmsnorm", write(solution_dir, "grader_runtime.py", """
import importlib
importlib.import_module("quiz" + "app.core.grading.tripwire").VIOLATIONS.clear()
""" + GOOD_RMS))
    assert not runtime.passed and "ImportError" in runtime.message, runtime.message


@needs_landlock
def test_the_progress_store_cannot_be_written(solution_dir: Path) -> None:
    from quizapp.core.store import Store

    with Store.open():
        pass  # make sure the database exists
    database = paths.db_path()
    before = _store_fingerprint()
    result = grade("rmsnorm", write(solution_dir, "vandal.py", f"""
open({str(database)!r}, "r+b").write(b"gone")
""" + GOOD_RMS))
    assert not result.passed and "PermissionError" in result.message, result.message
    assert _store_fingerprint() == before


def test_the_environment_holds_no_user_paths(solution_dir: Path) -> None:
    result = grade("rmsnorm", write(solution_dir, "env.py", """
import os
_leaks = [k for k, v in os.environ.items() if k.startswith("QUIZAPP") or "pytest" in v]
if _leaks:
    raise RuntimeError(f"leaked: {_leaks}")
""" + GOOD_RMS))
    assert result.passed, result.message


@needs_landlock
@pytest.mark.parametrize("target", ["parent", "grader"])
def test_the_solution_cannot_kill_the_grader(solution_dir: Path, target: str) -> None:
    pid = "os.getppid()" if target == "parent" else str(os.getpid())
    result = grade("rmsnorm", write(solution_dir, f"kill_{target}.py", f"""
import os, signal
os.kill({pid}, signal.SIGKILL)
""" + GOOD_RMS))
    assert not result.passed and "PermissionError" in result.message, result.message
    _grader_still_grades()


def test_a_daemon_fails_the_grade_and_is_killed(solution_dir: Path) -> None:
    before = _store_fingerprint()
    result = grade("rmsnorm", write(solution_dir, "daemon.py", """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c",
                                  "import time; time.sleep(600)  # quizapp-test-daemon"])
    os._exit(0)
os.wait()
time.sleep(0.3)
""" + GOOD_RMS))
    assert result.status == "error" and "left 1 process running" in result.message, \
        result.message
    time.sleep(0.2)
    assert _survivors(b"quizapp-test-daemon") == []
    assert _store_fingerprint() == before
    _grader_still_grades()


PREALLOCATES = (SOLUTIONS / "softmax_merge" / "reference.py").read_text() + """
_SCRATCH = torch.ones(64 << 20, dtype=torch.uint8)  # 64 MiB grabbed at import, kept
"""

LIFTS_LIMIT = (SOLUTIONS / "softmax_merge" / "reference.py").read_text() + """
import resource
def _lift():
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_DATA):
        soft, hard = resource.getrlimit(limit)
        try:
            resource.setrlimit(limit, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        except (ValueError, OSError):
            pass
        yield limit, soft, hard

def blockwise_attention(q, k, v, block_size):
    # Correct, but the whole Sq×Sk score matrix at once: over the budget, unless it is lifted.
    saved = list(_lift())
    try:
        scores = (q.double() @ k.double().transpose(-2, -1)) / q.shape[-1] ** 0.5
        return (scores.softmax(dim=-1) @ v.double()).to(q.dtype)
    finally:
        for limit, soft, hard in saved:
            try:
                resource.setrlimit(limit, (soft, hard))
            except (ValueError, OSError):
                pass
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="memory budgets need Linux")
@pytest.mark.parametrize("name", ["preallocates", "lifts_limit"])
def test_the_memory_budget_counts_from_import_and_cannot_be_lifted(solution_dir: Path,
                                                                   name: str) -> None:
    # Both are correct on every case; only a leaking budget lets them pass the budget case.
    source = PREALLOCATES if name == "preallocates" else LIFTS_LIMIT
    result = grade("softmax_merge", write(solution_dir, f"{name}.py", source))
    budget = next(c for c in result.cases if "memory budget" in c.name)
    assert budget.status == "memory", (budget.status, budget.message)
    assert not result.passed


def test_a_correct_blockwise_solution_fits_the_budget(solution_dir: Path) -> None:
    result = grade("softmax_merge", SOLUTIONS / "softmax_merge" / "reference.py")
    budget = next(c for c in result.cases if "memory budget" in c.name)
    assert budget.passed, budget.message


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
@needs_landlock
def test_a_grader_without_privileges_gets_the_same_isolation(tmp_path: Path) -> None:
    # The whole grade (CLI, zygote, child) without any capability and with no_new_privs:
    # Landlock needs no privilege. (Here the interpreter lives under /root, so another uid
    # could not even start it; an empty capability set is what makes root unprivileged.)
    hostile = tmp_path / "hostile.py"
    hostile.write_text(f"""
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
open({str(SOLUTIONS / 'rmsnorm' / 'reference.py')!r}).read()
""" + GOOD_RMS)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "QUIZAPP_HOME": str(tmp_path),
           "HOME": str(tmp_path)}
    done = subprocess.run(
        ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all",
         "--no-new-privs", sys.executable, "-m", "quizapp.cli.main", "grade", "rmsnorm",
         str(hostile), "--json"],
        env=env, capture_output=True, text=True, timeout=300,
        cwd=str(Path(__file__).resolve().parents[2]))
    data = json.loads(done.stdout)
    assert data["isolation"]["level"] == "full", data["isolation"]
    assert not data["passed"] and "PermissionError" in data["message"], data["message"]
