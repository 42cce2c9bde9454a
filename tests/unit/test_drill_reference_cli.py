"""`quizapp drill reference ID`: refused before a pass unless --reveal (which is recorded and
counts as a hint), printed after one; --diff diffs the workspace file against each."""

from __future__ import annotations

import pytest

from quizapp.cli.main import main
from quizapp.core.drills import start_drill
from quizapp.core.drills.reference_view import help_used, revealed
from quizapp.core.store import Store


def test_refused_before_a_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drill", "reference", "rmsnorm"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("quizapp: you have not passed 'rmsnorm' yet: a pass unlocks its "
                            "reference (--reveal shows it now and counts as a hint)\n")
    with Store.open() as store:
        assert not revealed(store, "rmsnorm")


def test_reveal_is_recorded_and_counts_as_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drill", "reference", "rmsnorm", "--reveal"]) == 0
    captured = capsys.readouterr()
    assert "# Reference solution — rmsnorm/reference.py" in captured.out
    assert "# Idiomatic baseline (timed) — rmsnorm/reference.py" in captured.out
    assert "def rms_norm_same_precision(" in captured.out
    assert "counted as a hint" in captured.err
    with Store.open() as store:
        assert revealed(store, "rmsnorm") and help_used(store, "rmsnorm", 2) == 3
    assert main(["drill", "reference", "rmsnorm"]) == 0  # revealed this round: no refusal


def test_after_a_pass_with_diff(capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                                  message="", result={})
    assert main(["drill", "reference", "rmsnorm", "--diff"]) == 2  # no workspace file yet
    assert "quizapp drill start rmsnorm" in capsys.readouterr().err
    path = start_drill("rmsnorm")
    assert main(["drill", "reference", "rmsnorm", "--diff"]) == 0
    out = capsys.readouterr().out
    assert f"--- {path}\n+++ reference: rmsnorm/reference.py" in out
    assert "+++ baseline: rmsnorm/reference.py" in out
    assert main(["drill", "reference", "rmsnorm", "--track", "triton"]) == 0
    assert "# Reference solution — rmsnorm/kernel.py" in capsys.readouterr().out
    assert main(["drill", "reference", "bpe_merge", "--track", "triton"]) == 2
    with Store.open() as store:
        assert not revealed(store, "rmsnorm")
