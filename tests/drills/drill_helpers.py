"""Helpers for the grader tests: grading without touching the store, writing solution files,
loading solutions/ modules, and turning a known mistake into a user-like solution file."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

from quizapp.core import paths
from quizapp.core.drills import load_drills

SOLUTIONS = paths.solutions_dir()
DRILLS = load_drills()


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


def load_solution_module(drill_id: str, name: str) -> ModuleType:
    """Import solutions/<drill>/<name>.py by path."""
    path = SOLUTIONS / drill_id / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_test_{drill_id}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mistake_file(folder: Path, drill_id: str, mistake_id: str) -> Path:
    """A user-like solution file that is the given known mistake (reference elsewhere)."""
    drill = DRILLS[drill_id]
    lines = [
        "import importlib.util as _util",
        "",
        "def _load(name):",
        f"    path = {str(SOLUTIONS / drill_id)!r} + '/' + name + '.py'",
        "    spec = _util.spec_from_file_location('_user_' + name, path)",
        "    module = _util.module_from_spec(spec)",
        "    spec.loader.exec_module(module)",
        "    return module",
        "",
        "_ref = _load('reference')",
        f"_variant = next(m for m in _load('mistakes').MISTAKES if m['id'] == {mistake_id!r})",
    ]
    for entry in drill.entry_points:
        lines.append(f"{entry.name} = _variant.get({entry.name!r}) or _ref.{entry.name}")
    path = folder / f"{drill_id}__{mistake_id}.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
