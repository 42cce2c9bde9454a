"""The prepared-case cache on disk (`quizapp.core.grading.casecache`): every drill's named
cases come back bit-exact, a changed file or case misses, a damaged file is a miss, a cached
grade runs no reference, and a solution cannot plant a file in the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quizapp.core.grading import casecache, expected
from quizapp.core.grading.sandbox import landlock_abi
from tests.drills.drill_helpers import DRILLS, drill_params, grade, write

FIELDS = ("values", "keywords", "grad", "expected", "expected_grads", "grad_output",
          "expected_inplace")


def _same(a: Any, b: Any, where: str) -> None:
    import torch

    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), where
        assert (a.dtype, a.shape, a.stride(), a.requires_grad) == \
            (b.dtype, b.shape, b.stride(), b.requires_grad), where
        if a.is_floating_point():
            assert bool(((a == b) | (a.isnan() & b.isnan())).all()), where
        else:
            assert torch.equal(a, b), where
        return
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b or (a != a and b != b), (where, a, b)


@pytest.mark.parametrize("drill", drill_params())
def test_named_cases_come_back_bit_exact(drill) -> None:  # noqa: ANN001 - a Drill
    cases = drill.cases_for("torch")
    picked = cases[:2] + [c for c in cases if c.memory_budget or c.grad][:2]
    key = casecache.drill_digest(drill, [])
    for case in picked:
        fresh = expected.compute(drill, case)
        assert not fresh.reference_error, fresh.reference_error
        fields = {f: getattr(fresh, f) for f in FIELDS}
        digest = casecache.case_digest(key, case)
        assert casecache.store(drill.id, digest, fields), case.name
        _same(fields, casecache.load(drill.id, digest), case.name)


def test_a_changed_file_or_case_is_another_entry(tmp_path: Path) -> None:
    drill = next(iter(DRILLS.values()))
    code = tmp_path / "code.py"
    code.write_text("A = 1\n")
    before = casecache.drill_digest(drill, [code])
    code.write_text("A = 2\n")
    assert casecache.drill_digest(drill, [code]) != before
    case = drill.cases_for("torch")[0]
    from dataclasses import replace

    digests = {casecache.case_digest(before, c) for c in
               (case, replace(case, seed=case.seed + 1), replace(case, grad=not case.grad),
                replace(case, params={**case.params, "extra": 1}))}
    assert len(digests) == 4


def test_a_damaged_or_foreign_file_is_a_miss() -> None:
    folder = casecache.folder("some_drill")
    folder.mkdir(parents=True)
    (folder / "abc.pt").write_bytes(b"not a torch file")
    assert casecache.load("some_drill", "abc") is None
    assert not (folder / "abc.pt").exists()
    assert casecache.store("some_drill", "def", {"values": {"x": 1}})
    (folder / "def.pt").rename(folder / "ghi.pt")  # a file under another digest's name
    assert casecache.load("some_drill", "ghi") is None
    assert casecache.load("some_drill", "missing") is None


@pytest.mark.skipif(landlock_abi() < 1, reason="no Landlock here: the cache stays off")
def test_a_cached_grade_runs_no_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    drill = next(iter(DRILLS.values()))
    reference = drill.solution_file("reference")
    monkeypatch.setattr(expected, "_PREPARED", {})
    first = grade(drill.id, reference, seed=7)
    assert first.passed, first.message
    assert list(casecache.folder(drill.id).glob("*.pt"))
    computed: list[str] = []
    real = expected.compute

    def counting(drill_: Any, case: Any) -> Any:
        computed.append(case.name)
        return real(drill_, case)

    monkeypatch.setattr(expected, "compute", counting)
    monkeypatch.setattr(expected, "_PREPARED", {})  # a new process: memory is empty
    second = grade(drill.id, reference, seed=7)
    assert second.passed, second.message
    # Only the fresh trials (a seed of their own) are computed again.
    assert computed and all("fresh trial" in name for name in computed)
    assert [(c.name, c.max_abs_err, c.max_rel_err) for c in first.cases] == \
        [(c.name, c.max_abs_err, c.max_rel_err) for c in second.cases]


def test_no_cache_without_landlock(monkeypatch: pytest.MonkeyPatch) -> None:
    drill = next(iter(DRILLS.values()))
    monkeypatch.setattr(casecache, "_enabled", False)
    monkeypatch.setattr(expected, "_PREPARED", {})
    result = grade(drill.id, drill.solution_file("reference"))
    assert result.passed, result.message
    assert not casecache.folder(drill.id).exists()


@pytest.mark.skipif(landlock_abi() < 1, reason="no Landlock here: the cache stays off")
def test_a_solution_cannot_plant_or_read_a_cache_file(solution_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    drill = next(iter(DRILLS.values()))
    reference = drill.solution_file("reference")
    monkeypatch.setattr(expected, "_PREPARED", {})  # so that the grade fills the disk cache
    assert grade(drill.id, reference).passed  # the cache folder now holds entries
    folder = casecache.folder(drill.id)
    existing = sorted(p.name for p in folder.iterdir())
    victim = folder / existing[0]
    source = reference.read_text(encoding="utf-8") + f"""

def _attack():
    for action in (lambda: open({str(folder / 'planted.pt')!r}, "wb").write(b"x"),
                   lambda: open({str(victim)!r}, "rb").read(),
                   lambda: open({str(victim)!r}, "ab").write(b"x")):
        try:
            action()
            print("ATTACK WORKED")
        except OSError as err:
            print("refused:", err)


_attack()
"""
    path = write(solution_dir, "cache_attack.py", source)
    result = grade(drill.id, path)
    assert "ATTACK WORKED" not in result.output, result.output
    assert result.output.count("refused:") == 3
    assert sorted(p.name for p in folder.iterdir()) == existing


@pytest.mark.skipif(landlock_abi() < 1, reason="no Landlock here: the cache stays off")
def test_a_changed_drill_leaves_no_stale_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    drill = next(iter(DRILLS.values()))
    folder = casecache.folder(drill.id)
    folder.mkdir(parents=True)
    stale = folder / "0123456789abcdef-from-an-older-version.pt"
    stale.write_bytes(b"x")
    monkeypatch.setattr(expected, "_PREPARED", {})
    monkeypatch.setattr(casecache, "_pruned", set())
    expected.prepare(drill, drill.cases_for("torch")[0])
    assert not stale.exists() and len(list(folder.glob("*.pt"))) == 1
