"""`quizapp doctor`: one line per check, exit 0 when usable, 1 with the fix when not; it never
changes the user's data (a damaged database is reported, not moved)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.core.store import Store


def _report(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict[str, str]]]:
    code = main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["usable"] == (code == 0)
    return code, {c["name"]: c for c in report["checks"]}


def test_fresh_home_is_usable_and_nothing_is_created(quizapp_home: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, checks = _report(capsys)
    assert code == 0
    assert list(checks) == ["python", "quizapp", "torch", "cuda", "triton", "isolation", "home",
                            "database", "content", "config"]
    assert "not created yet" in checks["database"]["detail"]
    assert not (quizapp_home / "progress.db").exists()
    assert checks["torch"]["status"] == "ok" and "build" in checks["torch"]["detail"]


def test_healthy_database_is_described(quizapp_home: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        store.record_attempt("q1", "question", "a", 1.0, True)
    code, checks = _report(capsys)
    assert code == 0
    assert checks["database"]["status"] == "ok"
    assert "healthy" in checks["database"]["detail"] and "1 answers" in \
        checks["database"]["detail"]


def test_damaged_database_fails_with_the_fix_and_is_left_in_place(
        quizapp_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quizapp_home.mkdir(parents=True)
    db = quizapp_home / "progress.db"
    db.write_bytes(b"this is not a database" * 100)
    code, checks = _report(capsys)
    assert code == 1
    assert checks["database"]["status"] == "fail" and checks["database"]["fix"]
    assert db.read_bytes() == b"this is not a database" * 100
    assert not [p for p in quizapp_home.iterdir() if p.name.startswith("progress.db.")]


def test_foreign_and_newer_databases_fail(quizapp_home: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    quizapp_home.mkdir(parents=True)
    db = quizapp_home / "progress.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE other (x)")
    conn.commit()
    conn.close()
    code, checks = _report(capsys)
    assert code == 1 and "another program" in checks["database"]["detail"]

    db.unlink()
    with Store.open():
        pass
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    code, checks = _report(capsys)
    assert code == 1 and "newer quizapp" in checks["database"]["detail"]
    assert checks["database"]["fix"] == "upgrade quizapp"


def test_home_that_is_a_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "a-file"
    home.write_text("x")
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  home" in out and "→ set QUIZAPP_HOME" in out
    assert "ok    content" in out
    assert out.splitlines()[-1].startswith("quizapp cannot run")


def test_config_problems_are_a_warning(quizapp_home: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    quizapp_home.mkdir(parents=True)
    (quizapp_home / "config.toml").write_text("[quiz]\nlength = 'ten'\n")
    code, checks = _report(capsys)
    assert code == 0
    assert checks["config"]["status"] == "warn" and "problem" in checks["config"]["detail"]


def test_text_report_is_one_line_per_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11 and lines[-1] == "quizapp is ready."
    assert all(line[:4] in ("ok  ", "warn", "FAIL") for line in lines[:-1])
