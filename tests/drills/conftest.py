"""Shared fixtures for the grader tests: one warm grading zygote per test session and a folder
for generated solution files (helpers live in drill_helpers.py).

Grading a file costs ~0.2–0.5 s once the zygote runs (each grade still gets its own fresh,
sandboxed child), so the suite can grade every reference, starter, mistake and adversarial
solution in well under a minute on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def warm_grader() -> Iterator[None]:
    """Keep the grading zygote up for the whole session."""
    from quizapp.core.grading import keep_warm

    keep_warm(True)
    yield
    keep_warm(False)


@pytest.fixture(scope="session")
def solution_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for generated solution files (shared by the session)."""
    return tmp_path_factory.mktemp("solutions")
