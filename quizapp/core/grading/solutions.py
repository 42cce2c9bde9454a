"""The trusted side of a drill: `solutions/<drill>/reference.py`, `kernel.py`, `mistakes.py`.

`solutions/` is data, not a package: each file is imported by path under a private module
name, once per process (`quizapp.core.drills.bundle.load_module`). Only the grading parent
(and the benchmark phase of a child, after the verdict) loads these files — the sandboxed
solution never gets a chance to read an expected output from them while it is being graded.

`mistakes.py` defines `MISTAKES`, a list of `{"id", "title": {en, zh}, "explanation": {en,
zh}, "exposed_by", "agrees_on", "tracks", <entry name>: callable, ...}`; an entry point a
mistake does not override falls back to the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizapp.core.drills import Drill, get_drill, load_module

__all__ = ["Mistake", "load_module", "mistakes", "reference_functions", "solution_file"]


def solution_file(drill_id: str, name: str) -> Path:
    """solutions/<drill_id>/<name>.py (wherever the drill's bundle lives)."""
    return get_drill(drill_id).solution_file(name)


def reference_functions(drill_id: str, entries: list[str]) -> dict[str, Callable[..., Any]]:
    """The reference (oracle) implementation of each entry point."""
    module = load_module(solution_file(drill_id, "reference"))
    missing = [e for e in entries if not callable(getattr(module, e, None))]
    if missing:
        raise ImportError(f"solutions/{drill_id}/reference.py lacks {', '.join(missing)}")
    return {entry: getattr(module, entry) for entry in entries}


def reference_check(drill: Drill) -> Callable[..., str | None]:
    """reference.py's `check(entry, got, want, inputs)` (for entries with `compare: check`)."""
    check = getattr(load_module(drill.solution_file("reference")), "check", None)
    if not callable(check):
        raise ImportError(f"solutions/{drill.id}/reference.py defines no check()")
    return check


@dataclass(frozen=True)
class Mistake:
    """A known-wrong variant of a drill."""

    id: str
    title: Mapping[str, str]
    explanation: Mapping[str, str]
    functions: Mapping[str, Callable[..., Any]]
    tracks: tuple[str, ...] = ()
    exposed_by: str = ""
    agrees_on: str | None = None


def mistakes(drill_id: str, entries: list[str]) -> list[Mistake]:
    """The drill's known mistakes, each with every entry point (reference where not
    overridden). Empty when the drill has no mistakes.py."""
    path = solution_file(drill_id, "mistakes")
    if not path.is_file():
        return []
    module = load_module(path)
    reference = reference_functions(drill_id, entries)
    tracks = get_drill(drill_id).tracks
    out: list[Mistake] = []
    for item in getattr(module, "MISTAKES", []):
        functions = {e: item.get(e) or reference[e] for e in entries}
        out.append(Mistake(str(item["id"]), dict(item["title"]), dict(item["explanation"]),
                           functions, tuple(item.get("tracks") or tracks),
                           str(item.get("exposed_by", "")), item.get("agrees_on")))
    return out
