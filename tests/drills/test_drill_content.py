"""The drill definitions: they load, validate, and say precisely what is wrong when broken."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizapp.core import drills as drills_mod
from quizapp.core.drills import (
    build_inputs,
    check_drills,
    load_drills,
    parse_signature,
    start_drill,
)
from quizapp.core.errors import UsageError

DRILLS = load_drills()


def test_bundled_drills_are_valid_complete_and_ordered() -> None:
    assert check_drills() == []
    drills = list(DRILLS.values())
    keys = [(d.order if d.order is not None else 1000, d.id) for d in drills]
    assert keys == sorted(keys)
    for drill in drills:
        assert drill.title["en"] and drill.title["zh"]
        assert drill.statement["en"] and drill.statement["zh"]
        assert len(drill.hints) >= 3
        assert drill.tracks and set(drill.starters) == set(drill.tracks)
        if any(c.memory_budget for c in drill.cases):
            assert drill.memory_budget_mb and drill.memory_budget_hint


@pytest.mark.parametrize("drill_id", list(DRILLS))
def test_cases_cover_the_edges(drill_id: str) -> None:
    drill = DRILLS[drill_id]
    cases = drill.cases_for(drill.main_track)
    assert len(cases) >= 12
    names = [c.name for c in cases]
    assert len(set(names)) == len(names)
    seeds = [c.seed for c in cases]
    assert len(set(seeds)) == len(seeds), "every trial needs its own seed"
    dtyped = [c for c in cases if "dtype" in drill.entry(c.entry).params]
    if dtyped:
        dtypes = {c.params.get("dtype", drill.entry(c.entry).params["dtype"].default)
                  for c in dtyped}
        assert dtypes & {"float16", "bfloat16"} and len(dtypes) >= 3, dtypes
    for entry in drill.entry_points:
        assert any(c.entry == entry.name for c in cases)
    if drill.entry_points[0].differentiable:
        assert any(c.grad for c in cases)
    if "triton" in drill.tracks:
        interpreted = drill.cases_for("triton", interpreted=True)
        # Gradients on the Triton track only where the drill asks for a Triton backward.
        assert interpreted and not any(
            c.grad for c in interpreted
            if "triton" not in drill.entry(c.entry).differentiable_tracks)
        assert not any(c.params.get("dtype") == "bfloat16" for c in interpreted)


@pytest.mark.parametrize("drill_id", list(DRILLS))
def test_inputs_are_deterministic(drill_id: str) -> None:
    """Same case, same seed → the same inputs (what each drill's inputs mean is tested in
    solutions/<id>/test_oracle.py)."""

    drill = DRILLS[drill_id]
    for case in drill.cases_for(drill.main_track)[:3]:
        a = build_inputs(drill, case.entry, case.params, case.seed).values
        b = build_inputs(drill, case.entry, case.params, case.seed).values
        assert list(a) == list(b)
        for name in a:
            assert _equal(a[name], b[name]), (case.name, name)


def _equal(a: object, b: object) -> bool:
    """Equal values, tensors bit for bit, also inside lists and tuples (adamw's params)."""
    import torch

    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_equal, a, b))
    return bool(a == b)


def test_parse_signature() -> None:
    name, params, returns = parse_signature("f(a, b=1e-6, c=None) -> list[int]")
    assert name == "f" and returns == "list[int]"
    assert [(p.name, p.has_default, p.default) for p in params] == [
        ("a", False, None), ("b", True, 1e-6), ("c", True, None)]
    with pytest.raises(ValueError):
        parse_signature("f(*args)")
    with pytest.raises(ValueError):
        parse_signature("not a signature(")


def _broken_drill(tmp_path: Path, body: str, starter: str = "def f(x, eps=1e-6):\n    pass\n"
                  ) -> Path:
    """A one-entry bundle under tmp_path (content/drills/mini + solutions/mini)."""
    folder = tmp_path / "content" / "drills" / "mini"
    folder.mkdir(parents=True)
    (folder / "drill.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    (folder / "starter_torch.py").write_text(starter, encoding="utf-8")
    (folder / "inputs.py").write_text("def rms_norm(p, seed):\n    pass\n", encoding="utf-8")
    solutions = tmp_path / "solutions" / "mini"
    solutions.mkdir(parents=True)
    (solutions / "reference.py").write_text("def rms_norm(x, weight, eps=1e-6):\n    pass\n",
                                            encoding="utf-8")
    return folder


GOOD = """\
    id: mini
    title: {en: T, zh: 题}
    topics: [rmsnorm]
    difficulty: 2
    tracks: [torch]
    statement: {en: S rms_norm, zh: 说明 rms_norm}
    entry_points:
      - signature: "rms_norm(x, weight, eps=1e-6) -> Tensor"
        params: {shape: {kind: ints, default: [2, 3]}, dtype: {kind: dtype, default: float32}}
    hints:
      - {en: h, zh: 提示}
    tolerances:
      float32: {atol: 1.0e-5, rtol: 1.0e-5}
    cases:
      - name: one
        params: {shape: [2, 3]}
    starters: {torch: starter_torch.py}
    """


def test_a_valid_minimal_drill_passes(tmp_path: Path) -> None:
    folder = _broken_drill(tmp_path, GOOD, "def rms_norm(x, weight, eps=1e-6):\n    pass\n")
    assert check_drills([folder]) == []


@pytest.mark.parametrize(("change", "line", "needle"), [
    (("difficulty: 2", "difficulty: 9"), 4, "difficulty"),
    (("params: {shape: [2, 3]}", "params: {shape: [2, 3], colour: red}"), 16, "unknown "
     "parameter 'colour'"),
    (("params: {shape: [2, 3]}", "params: {shape: [2, 3], dtype: float8}"), 16, "'dtype' must "
     "be one of"),
    (('"rms_norm(x, weight, eps=1e-6) -> Tensor"', '"rms_norm(x, *rest)"'), 8, "signature"),
    (("topics: [rmsnorm]", "topics: [no-such-topic]"), 3, "unknown topic"),
    (("title: {en: T, zh: 题}", "title: {en: T}"), 2, "'zh'"),
    (("tracks: [torch]", "tracks: [torch, cuda]"), 5, "unknown track"),
])
def test_problems_point_at_the_line(tmp_path: Path, change: tuple[str, str], line: int,
                                    needle: str) -> None:
    body = GOOD.replace(*change)
    assert body != GOOD
    folder = _broken_drill(tmp_path, body, "def rms_norm(x, weight, eps=1e-6):\n    pass\n")
    problems = check_drills([folder])
    assert any(f"drill.yaml:{line}: " in p and needle in p for p in problems), problems


def test_starter_must_match_the_signature(tmp_path: Path) -> None:
    folder = _broken_drill(tmp_path, GOOD, "def rms_norm(x, w, eps=1e-5):\n    pass\n")
    problems = check_drills([folder])
    assert len(problems) == 1 and "starter starter_torch.py" in problems[0]
    assert "takes (x, w, eps)" in problems[0]


def test_invalid_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    folder = _broken_drill(tmp_path, "id: mini\ntitle: [unclosed\n")
    problems = check_drills([folder])
    assert problems and "invalid YAML" in problems[0] and ":3:" in problems[0]


def test_start_drill_copies_once_and_keeps_user_work() -> None:
    both = next(d for d in DRILLS.values() if "triton" in d.tracks)
    torch_only = next(d for d in DRILLS.values() if "triton" not in d.tracks)
    path = start_drill(both.id)
    assert path.read_text() == both.starter_path("torch").read_text()
    path.write_text("# my work\n")
    assert start_drill(both.id) == path and path.read_text() == "# my work\n"
    start_drill(both.id, overwrite=True)
    assert f"def {both.entry_points[0].name}" in path.read_text()
    triton = start_drill(both.id, "triton")
    assert triton != path and "@triton.jit" in triton.read_text()
    with pytest.raises(UsageError, match="no triton track"):
        start_drill(torch_only.id, "triton")
    with pytest.raises(UsageError, match="unknown drill 'nope'"):
        start_drill("nope")


def test_every_entry_point_declares_params_and_has_a_builder() -> None:
    for drill in load_drills().values():
        for entry in drill.entry_points:
            assert entry.params, (drill.id, entry.name)
            inputs = build_inputs(drill, entry.name, {}, 0)
            assert list(inputs.values)[0] == entry.parameters[0].name


def test_loading_drills_and_the_cli_never_imports_torch() -> None:
    code = ("import sys, quizapp.core.drills as d, quizapp.cli.drill, quizapp.core.grading\n"
            "d.load_drills(); d.check_drills()\n"
            "print('torch' in sys.modules, 'triton' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_load_drills_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    folder = _broken_drill(tmp_path, GOOD, "def rms_norm(x, weight, eps=1e-6):\n    pass\n")
    first = drills_mod.load_drills(folder.parent)
    assert list(first) == ["mini"]
    assert drills_mod.load_drills(folder.parent)["mini"] is first["mini"]
    yaml_path = folder / "drill.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("difficulty: 2", "difficulty: 3"))
    import os

    os.utime(yaml_path, ns=(1, 10**18))
    assert drills_mod.load_drills(folder.parent)["mini"].difficulty == 3
