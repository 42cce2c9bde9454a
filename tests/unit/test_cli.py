"""The command line as a user meets it: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp import __version__
from quizapp.cli.main import main

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"quizapp {__version__}"


def test_content_check_clean_and_broken(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["content", "check", str(FIXTURES / "good")]) == 0
    monkeypatch.chdir(FIXTURES)
    assert main(["content", "check", "broken"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith("broken/") and ": " in line for line in out)
    assert len(out) == 16


def test_content_check_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert main(["content", "check", "no/such/dir"]) == 2
    err = capsys.readouterr().err
    assert err == "quizapp: no such file or directory: no/such/dir\n"


def test_bad_flag_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["content", "stats", "--bogus"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("quizapp: ") and "\n" not in err and "Traceback" not in err


def test_content_stats_json_shape(capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZAPP_QUESTION_DIRS", str(FIXTURES / "good"))
    assert main(["content", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert set(stats) == {"questions", "drills", "by_topic", "by_kind", "by_difficulty",
                          "by_language"}
    assert stats["by_kind"]["numeric"] >= 1
    assert set(stats["by_difficulty"]) == {"1", "2", "3", "4", "5"}
    assert stats["by_language"]["en"] == stats["questions"]
    # A question counts under every topic it lists.
    assert sum(stats["by_topic"].values()) >= stats["questions"]


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "QUIZAPP_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "quizapp.cli.main", "content", "check",
                             str(FIXTURES / "broken")], capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
