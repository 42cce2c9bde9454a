"""The drill grader: sandboxed, strict, diagnosing, timed.

Public API (importing it never imports torch; torch is loaded when a grade starts):

- `grade_solution(drill_id, path=None, *, track=None, bench=False, device="cpu",
  cancel=None, progress=None, time_limit=None, record=True) -> GradeResult` — grade one
  file. `GradeResult.to_json()` is the `quizapp grade --json` object; `.mistake` (a
  `MistakeMatch`) keeps the title and explanation in both languages for the TUI. Safe to call
  from a worker thread: set the `cancel` event to kill the sandbox and get
  `GradingCancelled`.
- `keep_warm(True)` — keep one sandbox started ahead of time so the next grade skips
  `import torch` (the TUI and `drill watch` use it).
- `detect_track(source)` — "triton" when the source defines a `@triton.jit` kernel.

Modules: `grader` (the orchestration), `runner` (the child process and its channels),
`child` (what runs in the sandbox), `protocol` (the private channel), `compare` (verdicts
and messages), `static` (source checks), `tripwire` (runtime guards inside the child),
`solutions` (references and known mistakes), `offline` (judging a drill's own code, for
drill checks), `timing` (--bench). Case inputs come from the drill's bundle
(`quizapp.core.drills.build_inputs`).
"""

from __future__ import annotations

import importlib
from typing import Any

# Resolved on first use (PEP 562): quizapp.core.drills imports grading.cases, and the grader
# imports quizapp.core.drills, so eager imports here would be circular.
_EXPORTS = {
    "CaseResult": "grader", "GradeResult": "grader", "GradingCancelled": "grader",
    "MistakeMatch": "grader", "grade_solution": "grader", "keep_warm": "grader",
    "record_grade": "grader", "detect_track": "static", "Timing": "timing",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"quizapp.core.grading.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'quizapp.core.grading' has no attribute {name!r}")
