"""`quizapp drill list|start|watch` and `quizapp grade`: output, JSON shape, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizapp.cli.main import main
from tests.drills.drill_helpers import DRILLS, SOLUTIONS, write

SPEC_KEYS = {"drill", "passed", "status", "message", "mistake", "cases", "timing"}
CASE_KEYS = {"name", "passed", "max_abs_err", "max_rel_err", "message"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_grade_json_of_a_passing_solution(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "grade", "rmsnorm", str(SOLUTIONS / "rmsnorm" / "reference.py"),
                       "--json")
    assert code == 0
    data = json.loads(out)  # exactly one JSON object on stdout
    assert SPEC_KEYS <= set(data)
    assert data["drill"] == "rmsnorm" and data["passed"] is True and data["status"] == "passed"
    assert data["mistake"] is None and data["timing"] is None
    assert all(CASE_KEYS <= set(case) for case in data["cases"])
    assert all(isinstance(case["max_abs_err"], float) for case in data["cases"])


def test_grade_json_of_a_known_mistake(capsys: pytest.CaptureFixture[str],
                                       solution_dir: Path) -> None:
    path = write(solution_dir, "cli_no_scale.py", """
        import torch
        def attention(q, k, v, mask=None, is_causal=False):
            s = q.double() @ k.double().transpose(-2, -1)
            if is_causal:
                mask = torch.ones(s.shape[-2], s.shape[-1], dtype=torch.bool).tril()
            if mask is not None:
                s = s.masked_fill(~mask, float("-inf"))
            p = torch.softmax(s, dim=-1).nan_to_num(0.0)
            return (p @ v.double()).to(q.dtype)
    """)
    code, out, _ = run(capsys, "grade", "attention", str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["passed"] is False and data["status"] == "failed"
    assert data["mistake"]["id"] == "no_scale" and data["mistake"]["explanation"]
    assert data["message"].startswith("case '")
    # The case the message is about, as data; the mistake stays out of the message.
    first = data["first_failure"]
    assert set(first) == {"case", "status", "message", "max_abs_err", "max_rel_err", "seed"}
    case = next(c for c in data["cases"] if c["name"] == first["case"])
    assert first["status"] == case["status"] == "failed" and first["message"] == case["message"]
    assert first["max_abs_err"] == case["max_abs_err"] and first["seed"] is None
    assert data["message"] == f"case '{first['case']}': {first['message']}"
    assert "no_scale" not in data["message"] and data["notes"] == []


def test_grade_reports_a_precision_note(capsys: pytest.CaptureFixture[str]) -> None:
    hf = str(SOLUTIONS / "rmsnorm" / "correct" / "hf_llama_float32.py")
    code, out, _ = run(capsys, "grade", "rmsnorm", hf, "--json")
    data = json.loads(out)
    assert code == 0 and data["passed"] and data["first_failure"] is None
    assert len(data["notes"]) == 1 and "computed in float32" in data["notes"][0]
    code, out, _ = run(capsys, "grade", "rmsnorm", hf)
    first = out.splitlines()[0]
    assert code == 0 and first.startswith("✓ rmsnorm (torch, cpu): PASSED — passed all ")
    assert f"note: {data['notes'][0]}" in first


def test_human_report(capsys: pytest.CaptureFixture[str]) -> None:
    starter = SOLUTIONS.parent / "content" / "drills" / "clip_loss" / "starter_torch.py"
    code, out, _ = run(capsys, "grade", "clip_loss", str(starter), "--seed", "5")
    assert code == 1
    first, second, third = out.splitlines()[:3]
    assert first.startswith("! clip_loss (torch, cpu): ERROR — case 'float32 basic #1'")
    graded = DRILLS["clip_loss"].graded_cases("torch", 5)
    assert second.strip() == f"0 of {len(graded)} cases passed"
    assert "more cases" in third and "NotImplementedError" in third


@pytest.mark.parametrize(("argv", "needle"), [
    (["grade", "nope"], "unknown drill 'nope'"),
    (["grade", "rmsnorm", "/no/such/file.py"], "no such file"),
    (["grade", "rmsnorm"], "quizapp drill start rmsnorm"),
    (["drill", "start", "nope"], "unknown drill"),
    (["drill", "start", "clip_loss", "--track", "triton"], "no triton track"),
])
def test_usage_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                           argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("quizapp: ") and needle in err


def test_bad_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["grade", "rmsnorm", "--device", "tpu"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("quizapp: ")


def test_drill_start_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = list(DRILLS.values())[:2]
    code, out, err = run(capsys, "drill", "start", first.id)
    path = Path(out.strip())
    assert code == 0 and path.is_file() and err == ""
    assert f"def {first.entry_points[0].name}(" in path.read_text()
    code, out, err = run(capsys, "drill", "start", first.id)
    assert Path(out.strip()) == path and "kept your existing file" in err
    code, out, _ = run(capsys, "drill", "list", "--json")
    listing = json.loads(out)
    assert [d["id"] for d in listing] == list(DRILLS)
    assert all({"id", "title", "topics", "difficulty", "tracks", "best", "cases",
                "mistakes"} <= set(d) for d in listing)
    for row in listing:
        drill = DRILLS[row["id"]]
        assert row["cases"] == {t: len(drill.cases_for(t)) for t in drill.tracks}
        assert row["mistakes"] == len(drill.mistakes) and row["best"] is None
    run(capsys, "grade", first.id, str(first.solution_file("reference")))
    code, out, _ = run(capsys, "drill", "list", "--json")
    best = {d["id"]: d["best"] for d in json.loads(out)}
    assert best[first.id]["passed"] is True and best[second.id] is None
    code, out, _ = run(capsys, "drill", "list")
    assert code == 0 and "torch/triton" in out and "passed" in out


def _cli(*argv: str, home: Path) -> list[str]:
    return [sys.executable, "-m", "quizapp.cli.main", *argv]


def test_console_grade_in_a_fresh_process(tmp_path: Path) -> None:
    # The real path a user takes: a fresh process, a freshly spawned sandbox (no zygote).
    env = dict(os.environ, QUIZAPP_HOME=str(tmp_path / "home"))
    done = subprocess.run(_cli("grade", "softmax_merge",
                               str(SOLUTIONS / "softmax_merge" / "reference.py"), "--json",
                               home=tmp_path),
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["passed"] is True and data["drill"] == "softmax_merge"


def test_drill_watch_regrades_on_save(tmp_path: Path) -> None:
    env = dict(os.environ, QUIZAPP_HOME=str(tmp_path / "home"))
    solution = tmp_path / "watched.py"
    solution.write_text("def rms_norm(x, weight, eps=1e-6):\n    return x\n")
    proc = subprocess.Popen(_cli("drill", "watch", "rmsnorm", str(solution), home=tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        def wait_for(word: str) -> None:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                line = proc.stdout.readline()
                seen.append(line)
                if word in line:
                    return
            raise AssertionError(f"no {word!r} in {seen}")

        wait_for("FAILED")
        solution.write_text((SOLUTIONS / "rmsnorm" / "reference.py").read_text())
        wait_for("PASSED")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
