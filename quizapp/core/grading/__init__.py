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
`zygote` (the trusted forking process and subreaper), `child` (what runs in the sandbox),
`sandbox` (Landlock, privileges, hard limits, environment), `protocol` (the private
channel), `compare` (verdicts and messages), `static` (source checks), `tripwire`
(runtime guards inside the child),
`solutions` (references and known mistakes), `offline` (judging a drill's own code, for
drill checks), `timing` (--bench). Case inputs come from the drill's bundle
(`quizapp.core.drills.build_inputs`).
"""

from __future__ import annotations

# Drill definitions sit below the grader (quizapp.core.drills never imports grading; an
# import-linter contract keeps it so), so the exports are plain imports. None imports torch.
from quizapp.core.grading.grader import (
    CaseResult,
    GradeResult,
    GradingCancelled,
    MistakeMatch,
    grade_solution,
    keep_warm,
    record_grade,
)
from quizapp.core.grading.static import detect_track
from quizapp.core.grading.timing import Timing

__all__ = ["CaseResult", "GradeResult", "GradingCancelled", "MistakeMatch", "Timing",
           "detect_track", "grade_solution", "keep_warm", "record_grade"]
