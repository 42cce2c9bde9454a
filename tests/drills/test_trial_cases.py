"""The cases a grade adds to a drill's named ones, for every drill: fresh trials (a new seed
per grade, replayable) and forward passes under torch.no_grad() / torch.inference_mode()."""

from __future__ import annotations

import pytest

from quizapp.core.drills import FRESH_TRIALS
from tests.drills.drill_helpers import DRILLS

TRACKS = [pytest.param(d.id, t, t == "triton", id=f"{d.id}-{t}")
          for d in DRILLS.values() for t in d.tracks]


@pytest.mark.parametrize(("drill_id", "track", "interpreted"), TRACKS)
def test_fresh_trials_are_drawn_from_random_specs_by_the_seed_alone(
        drill_id: str, track: str, interpreted: bool) -> None:
    drill = DRILLS[drill_id]
    named = drill.cases_for(track, interpreted=interpreted)
    first = drill.fresh_cases(track, 81723, interpreted=interpreted)
    assert first == drill.fresh_cases(track, 81723, interpreted=interpreted)  # replayable
    assert len(first) == FRESH_TRIALS
    names = [c.name for c in named] + [c.name for c in first]
    assert len(set(names)) == len(names)
    seeds = {c.seed for c in named}
    for case in first:
        spec = drill.case_spec(case.base)
        assert spec.trials > 1 and not spec.memory_budget and not case.memory_budget
        assert track in spec.tracks and (spec.interpreted or not interpreted)
        assert case.fresh_seed == 81723 and case.seed not in seeds
        assert case.params == spec.params and case.entry == spec.entry
    # Another grade's seed draws other inputs.
    other = drill.fresh_cases(track, 81724, interpreted=interpreted)
    assert {c.seed for c in other}.isdisjoint({c.seed for c in first})


@pytest.mark.parametrize(("drill_id", "track", "interpreted"), TRACKS)
def test_every_entry_point_runs_under_no_grad_and_inference_mode(
        drill_id: str, track: str, interpreted: bool) -> None:
    drill = DRILLS[drill_id]
    named = {c.name: c for c in drill.cases_for(track, interpreted=interpreted)}
    modes = drill.grad_mode_cases(track, interpreted=interpreted)
    entries = {c.entry for c in named.values()}
    assert {(c.entry, c.grad_mode) for c in modes} == {
        (e, m) for e in entries for m in ("no_grad", "inference_mode")}
    for case in modes:
        base = named[case.base]
        assert not base.memory_budget and not case.grad
        assert (case.entry, case.params, case.seed) == (base.entry, base.params, base.seed)
        assert case.name not in named
