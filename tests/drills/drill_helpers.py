"""Helpers for the drill tests: the loaded drills (bundled plus QUIZAPP_DRILL_ROOTS), grading
without touching the store, writing solution files, importing a bundle's Python file by
path, and turning a known mistake into a user-like solution file. No drill is named here:
every drill test is parametrised over `DRILLS`."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

from quizapp.core import paths
from quizapp.core.drills import Drill, load_drills, load_module
from quizapp.core.grading.verify import write_mistake_file

DRILLS: dict[str, Drill] = load_drills()
#: The bundled solutions/ (for the grader tests that use a bundled drill as their vehicle).
SOLUTIONS = paths.solutions_dir()


def write(folder: Path, name: str, source: str) -> Path:
    """Write a (dedented) solution file and return its path."""
    path = folder / name
    path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return path


def grade(drill_id: str, path: Path, **kwargs: Any) -> Any:
    """grade_solution without touching the progress store unless asked."""
    from quizapp.core.grading import grade_solution

    kwargs.setdefault("record", False)
    return grade_solution(drill_id, path, **kwargs)


def solution_module(drill: Drill | str, name: str) -> ModuleType:
    """Import solutions/<drill>/<name>.py by path (once per process)."""
    drill = DRILLS[drill] if isinstance(drill, str) else drill
    return load_module(drill.solution_file(name))


def mistake_file(folder: Path, drill_id: str, mistake_id: str) -> Path:
    """A user-like solution file that is the given known mistake (reference elsewhere)."""
    return write_mistake_file(folder / mistake_id, DRILLS[drill_id], mistake_id)


def drill_params(pick: Any = None) -> list[Any]:
    """pytest params of every drill (optionally those for which `pick(drill)` holds)."""
    import pytest

    return [pytest.param(d, id=d.id) for d in DRILLS.values() if pick is None or pick(d)]
