"""Mistake diagnosis: which known wrong variant (`solutions/<id>/mistakes/`) a failing
solution's outputs match.

A mistake is named only when it explains *every* failing case looked at (up to
`MISTAKE_CASES`), judged at twice the drill's tolerances. Runs the drill's own trusted
mistake functions in the grading parent, on the same inputs the solution saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from quizapp.core.drills import Drill, Tolerance
from quizapp.core.grading.expected import Prepared, call, clone, detach, with_callables
from quizapp.core.grading.judging import judge
from quizapp.core.grading.results import CaseResult, MistakeMatch

#: Failing cases a mistake must explain (all of them, up to this many).
MISTAKE_CASES = 4


def match_mistake(drill: Drill, track: str, device: str, prepared: Sequence[Prepared],
                  results: Sequence[CaseResult],
                  wrong: Mapping[str, tuple[Any, Any]]) -> MistakeMatch | None:
    """The known mistake whose outputs match the solution's on every failing case. `wrong`
    maps a case name to the solution's (packed output, in-place arguments) on that case, for
    the cases judged wrong by value."""
    from quizapp.core.grading.solutions import mistakes

    failing = [(r.name, wrong[r.name]) for r in results if r.name in wrong][:MISTAKE_CASES]
    if not failing:
        return None
    by_name = {p.case.name: p for p in prepared}
    entries = [e.name for e in drill.entry_points]
    loose = {k: Tolerance(t.atol * 2, t.rtol * 2) for k, t in drill.tolerances.items()}
    for mistake in mistakes(drill.id, entries):
        if track not in mistake.tracks:
            continue
        matched = True
        for case_name, (got, got_inplace) in failing:
            p = by_name[case_name]
            entry = drill.entry(p.case.entry)
            try:
                values = {n: clone(v) for n, v in p.values.items()}
                want = detach(call(mistake.functions[p.case.entry],
                                   with_callables(drill, entry, values), p.keywords))
                want_inplace = {n: detach(values[n]) for n in entry.inplace}
                verdict = judge(drill, entry, p.values, got, got_inplace, want,
                                want_inplace, loose, device)
            except Exception:  # noqa: BLE001 - a mistake that cannot run does not match
                matched = False
                break
            if not verdict.passed:
                matched = False
                break
        if matched:
            return MistakeMatch(mistake.id, mistake.title, mistake.explanation)
    return None
