"""The grading API as the TUI and scripts use it: cancel, progress, recording, timing,
tracks, memory budget and the errors a user can cause."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from quizapp.core.errors import UsageError
from quizapp.core.grading import GradingCancelled, grade_solution
from tests.drills.drill_helpers import SOLUTIONS, grade, write

LOOP = """
    def rms_norm(x, weight, eps=1e-6):
        while True:
            pass
"""


def test_cancel_kills_the_sandbox_and_raises(solution_dir: Path) -> None:
    path = write(solution_dir, "api_loop.py", LOOP)
    cancel = threading.Event()
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(grade("rmsnorm", path, cancel=cancel, time_limit=60))
        except BaseException as err:  # noqa: BLE001 - the test inspects it
            outcome.append(err)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(1.0)
    cancelled_at = time.monotonic()
    cancel.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert time.monotonic() - cancelled_at < 3
    assert len(outcome) == 1 and isinstance(outcome[0], GradingCancelled)


def test_progress_lines_and_recorded_grade(solution_dir: Path) -> None:
    from quizapp.core.store import Store

    lines: list[str] = []
    result = grade("clip_loss", SOLUTIONS / "clip_loss" / "reference.py",
                   progress=lines.append, record=True)
    assert result.passed
    assert any(line.startswith("case 1/") for line in lines)
    with Store.open() as store:
        recorded = store.drill_results("clip_loss")
        best = store.best_drill_results()
    assert len(recorded) == 1 and recorded[0].passed and recorded[0].track == "torch"
    assert recorded[0].result["cases"] == result.to_json()["cases"]
    assert best["clip_loss"].status == "passed"


def test_bench_reports_a_ratio_with_a_confidence_interval() -> None:
    result = grade("bpe_merge", SOLUTIONS / "bpe_merge" / "reference.py", bench=True,
                   bench_seconds=0.5)
    assert result.passed, result.message
    timing = result.to_json()["timing"]
    assert timing["device"] == "cpu" and timing["threads"] == 1
    assert timing["user_ms"] > 0 and timing["reference_ms"] > 0
    lo, hi = timing["ci95"]
    assert lo <= timing["ratio"] <= hi
    assert timing["verdict"] in ("faster", "slower", "inconclusive")
    assert "CPU timing" in timing["label"] and "reference's time" in result.message


def test_interpreted_triton_is_never_timed() -> None:
    result = grade("rmsnorm", SOLUTIONS / "rmsnorm" / "kernel.py", bench=True)
    assert result.passed and result.interpreted and result.timing is None
    assert "not timed" in result.message


def test_a_triton_solution_must_launch_its_kernel(solution_dir: Path) -> None:
    path = write(solution_dir, "no_launch.py", """
        import torch, triton, triton.language as tl
        @triton.jit
        def unused_kernel(x_ptr):
            pass
        def rms_norm(x, weight, eps=1e-6):
            xf = x.to(torch.float64)
            return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
                    * weight.to(torch.float64)).to(x.dtype)
    """)
    result = grade("rmsnorm", path)
    assert result.track == "triton" and result.status == "error"
    assert "launched no Triton kernel" in result.message
    as_torch = grade("rmsnorm", path, track="torch")
    assert as_torch.track == "torch" and as_torch.status == "passed"


def test_materialising_the_full_score_matrix_breaks_the_memory_budget(
        solution_dir: Path) -> None:
    path = write(solution_dir, "full_matrix.py", """
        import math, torch
        from importlib import util
        def merge_states(m1, l1, o1, m2, l2, o2):
            m = torch.maximum(m1, m2)
            safe = torch.where(torch.isneginf(m), torch.zeros_like(m), m)
            a1, a2 = torch.exp(m1 - safe), torch.exp(m2 - safe)
            return m, a1 * l1 + a2 * l2, a1[..., None] * o1 + a2[..., None] * o2
        def blockwise_attention(q, k, v, block_size):
            s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
            return torch.softmax(s, dim=-1) @ v
    """)
    result = grade("softmax_merge", path)
    assert result.status == "memory", result.message
    assert "memory budget" in result.message and "Sq×Sk" in result.message
    assert result.message.startswith("case 'blockwise within the memory budget")
    failing = [c for c in result.cases if not c.passed]
    assert [c.status for c in failing] == ["memory"]


def test_user_errors_are_usage_errors(solution_dir: Path, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    with pytest.raises(UsageError, match="unknown drill 'nope'"):
        grade_solution("nope", SOLUTIONS / "rmsnorm" / "reference.py")
    with pytest.raises(UsageError, match="no such file"):
        grade_solution("rmsnorm", solution_dir / "missing.py")
    with pytest.raises(UsageError, match="not a file"):
        grade_solution("rmsnorm", solution_dir)
    with pytest.raises(UsageError, match="quizapp drill start rmsnorm"):
        grade_solution("rmsnorm")  # no workspace copy yet
    with pytest.raises(UsageError, match="has no triton track"):
        grade_solution("clip_loss", SOLUTIONS / "clip_loss" / "reference.py", track="triton")
    with pytest.raises(UsageError, match="no triton track"):  # a kernel file, auto-detected
        grade_solution("clip_loss", SOLUTIONS / "attention" / "kernel.py")
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UsageError, match="no CUDA device"):
        grade_solution("rmsnorm", SOLUTIONS / "rmsnorm" / "reference.py", device="cuda",
                       record=False)


def test_workspace_copy_is_the_default_file() -> None:
    from quizapp.core.drills import start_drill

    path = start_drill("rmsnorm")
    path.write_text((SOLUTIONS / "rmsnorm" / "reference.py").read_text())
    result = grade_solution("rmsnorm", record=False)
    assert result.passed and result.path == str(path.resolve())


def test_non_utf8_file_is_an_error_result(solution_dir: Path) -> None:
    path = solution_dir / "latin1.py"
    path.write_bytes("# caf\xe9\n".encode("latin-1"))
    result = grade("rmsnorm", path)
    assert result.status == "error" and "not UTF-8" in result.message


def test_the_sandbox_runs_the_source_that_was_checked(solution_dir: Path) -> None:
    # Static checks and the child must see the same text even if the file changes midway:
    # the child runs the source it is sent, not whatever the file holds later.
    path = write(solution_dir, "rewritten.py", """
        import torch
        def rms_norm(x, weight, eps=1e-6):
            up = torch.float64 if x.dtype == torch.float64 else torch.float32
            xf = x.to(up)
            return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
                    * weight.to(up)).to(x.dtype)
    """)

    def rewrite(line: str) -> None:
        if line.startswith("importing"):
            path.write_text("import torch.nn.functional as F\n")

    assert grade("rmsnorm", path, progress=rewrite).status == "passed"
    assert path.read_text() == "import torch.nn.functional as F\n"


def test_a_solution_cannot_write_its_own_file(solution_dir: Path) -> None:
    source = """
        import pathlib
        pathlib.Path(__file__).write_text("gone")
        def rms_norm(x, weight, eps=1e-6):
            return x
    """
    path = write(solution_dir, "self_rewriting.py", source)
    result = grade("rmsnorm", path)
    assert result.status == "error" and "PermissionError" in result.message, result.message
    assert path.read_text() != "gone"


def test_cases_the_interpreter_cannot_run_are_named_not_dropped() -> None:
    """A pass under TRITON_INTERPRET=1 names every case left for a GPU (`interpreted:
    false`), so a pass never silently means "most of the cases"."""
    from tests.drills.drill_helpers import DRILLS

    drill = next((d for d in DRILLS.values() if "triton" in d.tracks and any(
        "triton" in s.tracks and not s.interpreted for s in d.cases)), None)
    if drill is None:
        pytest.skip("no drill has a case the Triton interpreter cannot run")
    result = grade(drill.id, drill.solution_file("kernel"), track="triton", device="cpu")
    assert result.passed and result.interpreted, result.message
    for spec in drill.cases:
        if "triton" in spec.tracks and not spec.interpreted:
            assert f"'{spec.name}'" in result.message, result.message
    assert "GPU only: not run by the Triton interpreter" in result.message
