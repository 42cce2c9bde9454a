"""The trusted side of a drill: `solutions/<drill>/reference.py`, `kernel.py`, `mistakes.py`.

`solutions/` is data, not a package: each file is imported by path under a private module
name, once per process. Only the grading parent (and the benchmark phase of a child, after
the verdict) loads these files — the sandboxed solution never gets a chance to read an
expected output from them while it is being graded.

`mistakes.py` defines `MISTAKES`, a list of `{"id", "title": {en, zh}, "explanation": {en,
zh}, <entry name>: callable, ...}`; an entry point a mistake does not override falls back to
the reference.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from quizapp.core import paths

_modules: dict[Path, ModuleType] = {}
_lock = threading.Lock()


def solution_file(drill_id: str, name: str) -> Path:
    """solutions/<drill_id>/<name>.py."""
    return paths.solutions_dir() / drill_id / f"{name}.py"


def load_module(path: Path) -> ModuleType:
    """Import a Python file by path (cached per process)."""
    path = path.resolve()
    with _lock:
        module = _modules.get(path)
        if module is None:
            name = "_quizapp_solution_" + "_".join(path.parts[-2:]).replace(".", "_")
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot import {path}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _modules[path] = module
    return module


def reference_functions(drill_id: str, entries: list[str]) -> dict[str, Callable[..., Any]]:
    """The reference (oracle) implementation of each entry point."""
    module = load_module(solution_file(drill_id, "reference"))
    missing = [e for e in entries if not callable(getattr(module, e, None))]
    if missing:
        raise ImportError(f"solutions/{drill_id}/reference.py lacks {', '.join(missing)}")
    return {entry: getattr(module, entry) for entry in entries}


@dataclass(frozen=True)
class Mistake:
    """A known-wrong variant of a drill."""

    id: str
    title: Mapping[str, str]
    explanation: Mapping[str, str]
    functions: Mapping[str, Callable[..., Any]]


def mistakes(drill_id: str, entries: list[str]) -> list[Mistake]:
    """The drill's known mistakes, each with every entry point (reference where not
    overridden). Empty when the drill has no mistakes.py."""
    path = solution_file(drill_id, "mistakes")
    if not path.is_file():
        return []
    module = load_module(path)
    reference = reference_functions(drill_id, entries)
    out: list[Mistake] = []
    for item in getattr(module, "MISTAKES", []):
        functions = {e: item.get(e) or reference[e] for e in entries}
        out.append(Mistake(str(item["id"]), dict(item["title"]), dict(item["explanation"]),
                           functions))
    return out
