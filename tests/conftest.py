"""Test-wide fixtures: every test gets its own QUIZAPP_HOME, so no test touches real user state."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def quizapp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, private QUIZAPP_HOME for each test."""
    home = tmp_path / "quizapp-home"
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    monkeypatch.delenv("QUIZAPP_QUESTION_DIRS", raising=False)
    return home
