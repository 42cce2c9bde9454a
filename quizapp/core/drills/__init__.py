"""Drill bundles: each drill is `content/drills/<id>/` (drill.yaml, inputs.py, starters) plus
`solutions/<id>/` (reference, kernel, mistakes, oracle tests, correct solutions).

The bundle is the single source of truth for everything about a drill: title and statement
(en/zh), entry points (signatures, declared case parameters, comparison kind, in-place
arguments, callable arguments), tracks, hints, cases, tolerances, forbidden APIs, limits,
benchmark sizes, display order, follow-up questions and known mistakes. The grader
(`quizapp.core.grading`), the CLI and the TUI all read it from here; nothing outside the two
folders names a drill. Format and checklist: docs/ADDING_A_DRILL.md.

Modules: `model` (the dataclasses), `params` (case parameter kinds, seeds), `loader` (reading
and validating bundles, without running them), `bundle` (running inputs.py and solutions/
files), `builders` (helpers for inputs.py), `workspace` (the user's copies).

Public API (importing this package never imports torch, so the TUI can load it at start-up):

- `load_drills(root=None) -> dict[str, Drill]`: every valid drill, in display order.
- `get_drill(drill_id) -> Drill`: one drill, or `UsageError` naming the known ids.
- `check_drills(paths=None, question_ids=None) -> list[str]`: every problem as
  `path:line: message` (what `quizapp content check` prints).
- `start_drill(drill_id, track=None, overwrite=False) -> Path`: copy the track's starter
  into the workspace (never overwriting the user's file unless asked) and return its path.
- `workspace_file(drill_id, track) -> Path`: where that copy lives.
- `build_inputs(drill, entry, params, seed) -> CaseInputs`: one case's arguments.
"""

from __future__ import annotations

from quizapp.core.drills.builders import CaseInputs
from quizapp.core.drills.bundle import BundleError, build_inputs, load_module, make_callables
from quizapp.core.drills.loader import (
    check_drills,
    get_drill,
    load_drills,
    parse_signature,
    solutions_folder,
)
from quizapp.core.drills.model import (
    COMPARE_KINDS,
    DEVICES,
    FRESH_TRIALS,
    GRAD_MODES,
    TRACKS,
    BenchSpec,
    Case,
    CaseSpec,
    Drill,
    EntryPoint,
    ForbiddenAPI,
    MistakeInfo,
    Parameter,
    Tolerance,
)
from quizapp.core.drills.params import DTYPES, KINDS, Param, case_seed
from quizapp.core.drills.workspace import start_drill, workspace_file

__all__ = [
    "COMPARE_KINDS", "DEVICES", "DTYPES", "FRESH_TRIALS", "GRAD_MODES", "KINDS", "TRACKS",
    "BenchSpec", "BundleError", "Case",
    "CaseInputs", "CaseSpec", "Drill", "EntryPoint", "ForbiddenAPI", "MistakeInfo", "Param",
    "Parameter", "Tolerance", "build_inputs", "case_seed", "check_drills", "get_drill",
    "load_drills", "load_module", "make_callables", "parse_signature", "solutions_folder",
    "start_drill", "workspace_file",
]
