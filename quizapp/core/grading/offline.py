"""Judging trusted code in this process, the grader's way: for drill checks only.

`quizapp drill verify` and the generic drill tests run a drill's *own* files — the reference,
each known mistake, a baseline — on a case and compare the result with the reference's the
way the grader compares a solution (`judging.judge`). No sandbox: never call this with a
user's code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from quizapp.core.drills import Case, Drill, build_inputs, make_callables
from quizapp.core.grading import compare as cmp
from quizapp.core.grading.expected import call, clone, detach
from quizapp.core.grading.judging import judge


def run_on_case(drill: Drill, case: Case, fn: Callable[..., Any]) -> tuple[Any, dict[str, Any]]:
    """`fn`'s result on `case` (fresh inputs) and its in-place arguments after the call."""
    entry = drill.entry(case.entry)
    inputs = build_inputs(drill, case.entry, case.params, case.seed)
    values = {n: clone(v) for n, v in inputs.values.items()}
    called = make_callables(drill.inputs_path, entry.callables, values) \
        if entry.callables else values
    out = detach(call(fn, called, inputs.keywords))
    return out, {n: detach(values[n]) for n in entry.inplace}


def verdict_on_case(drill: Drill, case: Case, functions: Mapping[str, Callable[..., Any]],
                    reference: Mapping[str, Callable[..., Any]]) -> cmp.Verdict:
    """How `functions[case.entry]` fares against the reference on `case` (drill tolerances)."""
    entry = drill.entry(case.entry)
    inputs = build_inputs(drill, case.entry, case.params, case.seed)
    want, want_inplace = run_on_case(drill, case, reference[case.entry])
    got, got_inplace = run_on_case(drill, case, functions[case.entry])
    return judge(drill, entry, inputs.values, cmp.pack_plain(got), got_inplace, want,
                 want_inplace, drill.tolerances)
