"""The drill grader: sandboxed, strict, diagnosing, timed.

Public API (importing it never imports torch; torch is loaded when a grade starts):

- `grade_solution(drill_id, path=None, *, track=None, bench=False, device="cpu",
  cancel=None, progress=None, time_limit=None, record=True) -> GradeResult` — grade one
  file. `GradeResult.to_json()` is the `quizapp grade --json` object; `.mistake` (a
  `MistakeMatch`) keeps the title and explanation in both languages for the TUI;
  `.first_failure` (a `FirstFailure`) is the case the message is about; `.notes` the
  verdict's caveats (a float64 case computed in float32). Safe to call
  from a worker thread: set the `cancel` event to kill the sandbox and get
  `GradingCancelled`.
- `keep_warm(True)` — keep one sandbox started ahead of time so the next grade skips
  `import torch` (the TUI and `drill watch` use it).
- `detect_track(source)` — "triton" when the source defines a `@triton.jit` kernel.

Modules. The parent: `grader` (the order of work), `results` (the result types and their
JSON), `expected` (case inputs and reference outputs), `conversation` (receiving the
child's messages), `judging` (verdicts and messages per case; the numeric comparison is
`compare`), `diagnosis` (naming the known mistake), `limits` (time and memory limits,
protected paths, the parent's hardening), `static` (source checks), `timing` (--bench),
`runner` (a child process and its channels, the warm pool), `zygote_handle` (the parent's
handle on the zygote). Between processes: `protocol` (the private channel),
`zygote_records` (the zygote's record format). The sandboxed side: `zygote` (the trusted
forking process and subreaper), `child` (the grade in the sandbox), `child_io` (packing what
crosses the channel), `child_timed` (timed calls and the baseline child), `sandbox`
(Landlock, privileges, hard limits, environment), `tripwire` (runtime guards). Drill
checks: `solutions` (references and known mistakes), `offline` (judging a drill's own
code), `verify`. Case inputs come from the drill's bundle (`quizapp.core.drills.build_inputs`).
"""

from __future__ import annotations

# Drill definitions sit below the grader (quizapp.core.drills never imports grading; an
# import-linter contract keeps it so), so the exports are plain imports. None imports torch.
from quizapp.core.grading.grader import (
    CaseResult,
    FirstFailure,
    GradeResult,
    GradingCancelled,
    MistakeMatch,
    grade_solution,
    keep_warm,
    record_grade,
)
from quizapp.core.grading.static import detect_track
from quizapp.core.grading.timing import Timing

__all__ = ["CaseResult", "FirstFailure", "GradeResult", "GradingCancelled", "MistakeMatch",
           "Timing", "detect_track", "grade_solution", "keep_warm", "record_grade"]
