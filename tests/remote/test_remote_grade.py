"""`quizapp grade --remote HOST` and `quizapp remote check HOST` against a real SSH server on
127.0.0.1 with the real OpenSSH client (tests/remote/conftest.py): the same verdict as a
local grade, recorded here; every failure one line, exit 3, never a hang."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from quizapp.cli.main import main

#: The test server's host name in its ssh config (tests/remote/conftest.py).
HOST = "localhost-test-host"
SSHServer = Any

CORRECT = """\
import torch

def rms_norm(x, weight, eps=1e-6):
    work = x.to(torch.promote_types(x.dtype, torch.float32))
    scale = torch.rsqrt(work.pow(2).mean(dim=-1, keepdim=True) + eps)
    return (work * scale * weight.to(work.dtype)).to(x.dtype)
"""
UNFINISHED = """\
def rms_norm(x, weight, eps=1e-6):
    raise NotImplementedError
"""


def _grade_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["grade", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _summary(result: dict) -> tuple:
    return (result["status"], result["passed"], result["track"],
            [(c["name"], c["status"]) for c in result["cases"]],
            (result["mistake"] or {}).get("id"), result["first_failure"], result["notes"])


@pytest.mark.parametrize("source", [CORRECT, UNFINISHED], ids=["correct", "unfinished"])
def test_remote_grade_gives_the_local_verdict_and_is_recorded_here(
        remote_env: SSHServer, tmp_path: Path, quizapp_home: Path, source: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    solution = tmp_path / "rmsnorm_solution.py"
    solution.write_text(source)
    # One seed for both: the fresh trials (and so the case list) depend on it.
    local_code, local = _grade_json(capsys, "rmsnorm", str(solution), "--seed", "7")
    remote_code, remote = _grade_json(capsys, "rmsnorm", str(solution), "--remote", HOST,
                                      "--seed", "7")
    assert remote_code == local_code == (0 if source is CORRECT else 1)
    assert _summary(remote) == _summary(local) and remote["seed"] == local["seed"] == 7
    assert remote["host"] == HOST and local["host"] is None
    # The remote was asked for a JSON grade of stdin, and recorded nothing there.
    assert any(" grade rmsnorm - --json --remote-request" in c for c in remote_env.commands)
    assert not (remote_env.remote_home / "progress.db").exists()
    rows = sqlite3.connect(quizapp_home / "progress.db").execute(
        "SELECT count(*) FROM drill_results WHERE drill_id = 'rmsnorm'").fetchone()[0]
    assert rows >= 2  # the local grade and the remote one, both recorded here


def test_remote_grade_text_report_says_where_it_ran(
        remote_env: SSHServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    solution = tmp_path / "s.py"
    solution.write_text(UNFINISHED)
    assert main(["grade", "rmsnorm", str(solution), "--remote", HOST]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("! rmsnorm (torch, cpu, on localhost-test-host): ERROR")


def test_remote_check_reports_the_host(remote_env: SSHServer,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remote", "check", HOST]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[1] for line in lines[:-1]]
    assert names[:3] == ["reachable", "quizapp", "torch"] and "cuda" in names
    assert lines[-1] == f"{HOST} is ready for remote grades."


def _remote_failure(capsys: pytest.CaptureFixture[str], tmp_path: Path, host: str,
                    limit_s: float = 60) -> str:
    solution = tmp_path / "s.py"
    solution.write_text(CORRECT)
    started = time.monotonic()
    code = main(["grade", "rmsnorm", str(solution), "--remote", host])
    assert time.monotonic() - started < limit_s
    captured = capsys.readouterr()
    assert code == 3 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("quizapp: ")
    return lines[0]


def test_unreachable_host(remote_env: SSHServer, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    line = _remote_failure(capsys, tmp_path, "closed-port-host")
    assert "cannot reach closed-port-host" in line and "refused" in line


def test_authentication_failure(remote_env: SSHServer, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    line = _remote_failure(capsys, tmp_path, "wrong-key-host")
    assert "authentication to wrong-key-host failed" in line


def test_quizapp_missing_on_the_host(remote_env: SSHServer, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    remote_env.mode["name"] = "no_quizapp"
    line = _remote_failure(capsys, tmp_path, HOST)
    assert "quizapp is not installed on localhost-test-host" in line, remote_env.errors


def test_connection_dropped_mid_grade(remote_env: SSHServer, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    remote_env.mode.update(name="drop", after="1.5")
    line = _remote_failure(capsys, tmp_path, HOST)
    assert "connection to localhost-test-host dropped" in line


def test_remote_timeout_is_enforced_here(remote_env: SSHServer, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    remote_env.mode["name"] = "stall"
    monkeypatch.setenv("QUIZAPP_REMOTE_TIMEOUT", "3")
    line = _remote_failure(capsys, tmp_path, HOST, limit_s=20)
    assert "did not finish the grade within 3 s" in line


def test_other_major_version_is_refused_with_the_fix(
        remote_env: SSHServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "old-quizapp"
    answer = {"drill": "rmsnorm", "passed": True, "status": "passed", "message": "",
              "mistake": None, "cases": [], "timing": None, "quizapp_version": "9.1.0"}
    fake.write_text(f"#!/bin/sh\ncat > /dev/null\necho '{json.dumps(answer)}'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("QUIZAPP_REMOTE_COMMAND", str(fake))
    line = _remote_failure(capsys, tmp_path, HOST)
    assert "runs quizapp 9.1.0" in line and "pipx upgrade quizapp" in line


def test_remote_without_a_host_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "rmsnorm", "--remote"]) == 2
    assert "needs a HOST" in capsys.readouterr().err
