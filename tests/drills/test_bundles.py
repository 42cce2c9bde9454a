"""The drill bundles checked without a sandbox, parametrised over the loaded drills: each
known mistake is exposed by its `exposed_by` case and agrees on its `agrees_on` case, the
mistakes of a drill can be told apart, nothing trusted modifies inputs it should not, the
references (and kernels, baselines, mistakes) keep the declared signatures, and the timing
baselines compute what the oracle computes."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
import torch

from quizapp.core.drills import Drill, build_inputs
from quizapp.core.grading import compare as cmp
from quizapp.core.grading.offline import run_on_case, verdict_on_case
from tests.drills.drill_helpers import DRILLS, drill_params, solution_module


def _reference(drill: Drill) -> dict[str, Any]:
    module = solution_module(drill, "reference")
    return {e.name: getattr(module, e.name) for e in drill.entry_points}


def _variants(drill: Drill) -> dict[str, dict[str, Any]]:
    if not drill.solution_file("mistakes").is_file():
        return {}
    reference = _reference(drill)
    return {m["id"]: {e: m.get(e) or reference[e] for e in reference}
            for m in solution_module(drill, "mistakes").MISTAKES}


MISTAKES = [pytest.param(d, m, id=f"{d.id}:{m.id}") for d in DRILLS.values()
            for m in d.mistakes]


@pytest.mark.parametrize(("drill", "mistake"), MISTAKES)
def test_mistake_is_exposed_where_it_says(drill: Drill, mistake: Any) -> None:
    functions = _variants(drill)[mistake.id]
    reference = _reference(drill)
    spec = drill.case_spec(mistake.exposed_by)
    track = next(t for t in mistake.tracks if t in spec.tracks)
    verdict = verdict_on_case(drill, drill.first_case(spec.name, track), functions, reference)
    assert not verdict.passed, f"{mistake.id} passes '{mistake.exposed_by}'"
    if mistake.agrees_on is not None:
        spec = drill.case_spec(mistake.agrees_on)
        verdict = verdict_on_case(drill, drill.first_case(spec.name, spec.tracks[0]),
                                  functions, reference)
        assert verdict.passed, f"{mistake.id} should agree on '{mistake.agrees_on}': " \
                               f"{verdict.message}"


@pytest.mark.parametrize("drill", drill_params(lambda d: bool(d.mistakes)))
def test_mistakes_are_well_formed(drill: Drill) -> None:
    reference = solution_module(drill, "reference")
    for m in solution_module(drill, "mistakes").MISTAKES:
        for field in ("title", "explanation"):
            assert set(m[field]) == {"en", "zh"}, (m["id"], field)
            assert m[field]["en"].strip() and m[field]["zh"].strip()
            assert re.search(r"[\u4e00-\u9fff]", m[field]["zh"]), "zh text must be Chinese"
        for entry in drill.entry_points:
            if entry.name in m:
                want = inspect.signature(getattr(reference, entry.name))
                got = inspect.signature(m[entry.name])
                assert [(p.name, p.default) for p in got.parameters.values()] == [
                    (p.name, p.default) for p in want.parameters.values()
                ], f"{m['id']}.{entry.name} must keep the drill's signature"


def _first_trials(drill: Drill) -> list[Any]:
    seen: set[str] = set()
    out = []
    for spec in drill.cases:
        if spec.name not in seen:
            seen.add(spec.name)
            out.append(drill.first_case(spec.name, spec.tracks[0]))
    return out


@pytest.mark.parametrize("drill", drill_params(lambda d: len(d.mistakes) > 1))
def test_mistakes_of_a_drill_can_be_told_apart(drill: Drill) -> None:
    """For every two mistakes some case's outputs differ (else a diagnosis could not tell
    them apart); judged with the grader's own comparison."""
    variants = _variants(drill)
    outputs = {mid: {c.name: run_on_case(drill, c, fns[c.entry]) for c in _first_trials(drill)}
               for mid, fns in variants.items()}
    cases = {c.name: c for c in _first_trials(drill)}
    from quizapp.core.grading.judging import judge

    ids = list(outputs)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            differs = False
            for name, case in cases.items():
                entry = drill.entry(case.entry)
                got, got_inplace = outputs[a][name]
                want, want_inplace = outputs[b][name]
                values = build_inputs(drill, case.entry, case.params, case.seed).values
                if not judge(drill, entry, values, cmp.pack_plain(got), got_inplace, want,
                             want_inplace, drill.tolerances).passed:
                    differs = True
                    break
            assert differs, f"{a} and {b} give the same output on every case"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and cmp.same_input(a, b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


@pytest.mark.parametrize("drill", drill_params())
def test_trusted_code_leaves_its_inputs_alone(drill: Drill) -> None:
    """The reference and every mistake modify no input except the declared in-place ones."""
    functions = {"reference": _reference(drill), **_variants(drill)}
    for case in _first_trials(drill):
        entry = drill.entry(case.entry)
        for label, fns in functions.items():
            inputs = build_inputs(drill, case.entry, case.params, case.seed)
            before = {n: v.clone() if isinstance(v, torch.Tensor) else
                      (list(v) if isinstance(v, list) else v) for n, v in inputs.values.items()}
            args = [v for n, v in inputs.values.items() if n not in inputs.keywords]
            kwargs = {n: inputs.values[n] for n in inputs.keywords}
            if entry.callables:
                pytest.skip("callable arguments are rebuilt per call; checked by the grader")
            fns[case.entry](*args, **kwargs)
            for name, value in before.items():
                if name not in entry.inplace:
                    assert _same(value, inputs.values[name]), \
                        f"{label} modified `{name}` on '{case.name}'"


@pytest.mark.parametrize("drill", drill_params())
def test_references_and_kernels_keep_the_signatures(drill: Drill) -> None:
    for name in ("reference", "kernel"):
        if not drill.solution_file(name).is_file():
            continue
        module = solution_module(drill, name)
        for entry in drill.entry_points:
            fn = getattr(module, entry.name, None)
            if fn is None and name == "kernel":
                continue  # a kernel may cover only some entry points
            got = [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]
            want = [(p.name, p.default if p.has_default else inspect.Parameter.empty)
                    for p in entry.parameters]
            assert got == want, f"{name}.py {entry.name}"


BENCH = [pytest.param(d, e, id=f"{d.id}-{e}") for d in DRILLS.values()
         for e in sorted({b.entry for b in d.bench.values()})]


@pytest.mark.parametrize(("drill", "entry"), BENCH)
def test_bench_baselines_compute_what_the_oracle_computes(drill: Drill, entry: str) -> None:
    """BENCH_BASELINES (same-precision, timed by --bench) agree with the float64 oracle on
    the drill's float32 and float16 cases of that entry point."""
    module = solution_module(drill, "reference")
    baseline = (getattr(module, "BENCH_BASELINES", {}) or {}).get(entry)
    if baseline is None:
        pytest.skip("no BENCH_BASELINES entry: --bench times the oracle itself")
    cases = [c for c in _first_trials(drill) if c.entry == entry
             and c.params.get("dtype", drill.entry(entry).params.get("dtype") and
                              drill.entry(entry).params["dtype"].default)
             in ("float32", "float16", None)][:6]
    assert cases
    for case in cases:
        want, _ = run_on_case(drill, case, getattr(module, entry))
        got, _ = run_on_case(drill, case, baseline)
        if isinstance(want, tuple) and all(isinstance(w, torch.Tensor) for w in want):
            assert isinstance(got, tuple) and len(got) == len(want), case.name
            pairs = list(zip(got, want, strict=True))
        elif isinstance(want, torch.Tensor):
            pairs = [(got, want)]
        else:
            pairs = []
        for g, w in pairs:
            tol = 1e-5 if w.dtype == torch.float32 else 4e-3
            assert g.dtype == w.dtype and g.shape == w.shape, case.name
            # Summed outputs (a weight gradient over many rows) scale the tolerance.
            scale = max(1.0, float(w.double().abs().max())) if len(pairs) > 1 else 1.0
            torch.testing.assert_close(g.double(), w.double(), atol=tol * scale, rtol=tol,
                                       equal_nan=True, msg=case.name)
        if not pairs:
            assert got == want, case.name
