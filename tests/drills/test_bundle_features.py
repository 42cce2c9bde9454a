"""What the bundle format offers beyond "return a tensor", graded end to end on a test-only
drill (tests/fixtures/drill_root, reached through QUIZAPP_DRILL_ROOTS): an entry that works in
place and returns None, a callable argument rebuilt from plain data on both sides of the
sandbox, an exact comparison — and the validation messages of broken bundles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quizapp.core.drills import check_drills, load_drills
from tests.drills.drill_helpers import grade, write

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "drill_root"
DRILL = "toy_cache"

REST = """
def apply_fn(fn, x):
    return fn(x)


def count_tokens(ids, vocab):
    return [ids.count(i) for i in range(vocab)]
"""


@pytest.fixture(autouse=True)
def _fixture_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZAPP_DRILL_ROOTS", str(ROOT))


def test_the_fixture_drill_loads_after_the_bundled_ones() -> None:
    drills = load_drills()
    assert DRILL in drills and check_drills() == []
    entry = drills[DRILL].entry("append_kv")
    assert entry.inplace == ("cache",) and entry.returns_none
    assert drills[DRILL].entry("apply_fn").callables == {"fn": "make_affine"}


@pytest.mark.parametrize(("append", "status", "needle"), [
    ("    cache[:, pos:pos + new.shape[1]] = new\n", "passed", ""),
    ("    cache[:, pos:pos + new.shape[1]] = new\n    return cache\n", "error",
     "works in place and returns None"),
    ("    out = cache.clone()\n    out[:, pos:pos + new.shape[1]] = new\n", "failed",
     "`cache` after the call:"),
    ("    cache[:, pos:pos + new.shape[1]] = new\n    new.zero_()\n", "failed",
     "modified its input `new`"),
])
def test_in_place_entries(solution_dir: Path, append: str, status: str, needle: str) -> None:
    source = "def append_kv(cache, new, pos):\n" + append + REST
    path = write(solution_dir, f"toy_{abs(hash(append))}.py", source)
    result = grade(DRILL, path)
    assert result.status == status, result.message
    assert needle in result.message


def test_a_known_in_place_mistake_is_named(solution_dir: Path) -> None:
    source = ("def append_kv(cache, new, pos):\n"
              "    cache[:, pos + 1:pos + 1 + new.shape[1]] = new[:, : cache.shape[1] - pos - 1]\n"
              + REST)
    result = grade(DRILL, write(solution_dir, "toy_late.py", source))
    assert result.status == "failed" and result.mistake is not None, result.message
    assert result.mistake.id == "append_one_late"


def test_exact_comparison_and_callable_arguments(solution_dir: Path) -> None:
    source = ("def append_kv(cache, new, pos):\n    cache[:, pos:pos + new.shape[1]] = new\n\n"
              "def apply_fn(fn, x):\n    assert callable(fn)\n    return fn(x)\n\n"
              "def count_tokens(ids, vocab):\n"
              "    return [ids.count(i) for i in range(vocab)][:-1]\n")
    result = grade(DRILL, write(solution_dir, "toy_short.py", source))
    assert result.status == "failed", result.message
    assert result.message.startswith("case 'counts': returned 4 items, expected 5")
    affine = [c for c in result.cases if c.name.startswith("affine")]
    assert affine and all(c.passed for c in affine)


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root / "content" / "drills" / DRILL


@pytest.mark.parametrize(("edit", "file", "needle"), [
    (lambda d: (d / "inputs.py").unlink(), "drill.yaml", "missing"),
    (lambda d: (d / "inputs.py").write_text("def append_kv(p, seed):\n    pass\n"),
     "inputs.py", "no builder apply_fn(p, seed)"),
    (lambda d: (d / "inputs.py").write_text("def broken(:\n"), "inputs.py", "SyntaxError"),
    (lambda d: _replace(d / "drill.yaml", "inplace: [cache]", "inplace: [kv]"), "drill.yaml",
     "inplace: 'kv' is not a parameter"),
    (lambda d: _replace(d / "drill.yaml", "    inplace: [cache]\n", ""), "drill.yaml",
     "returns None but modifies nothing"),
    (lambda d: _replace(d / "drill.yaml", "compare: exact", "compare: fuzzy"), "drill.yaml",
     "'compare' must be one of"),
    (lambda d: _replace(d / "drill.yaml", "make_affine}", "make_line}"), "inputs.py",
     "no factory make_line(data)"),
    (lambda d: _replace(d / "drill.yaml", "order: 5", "order: first"), "drill.yaml",
     "'order' must be an integer"),
    (lambda d: _replace(d / "drill.yaml", "difficulty: 1", "difficulty: 1\nfollowups: [x]"),
     "drill.yaml", "at least 2 question ids"),
    (lambda d: _replace(d / "drill.yaml", "      n: {kind: int, default: 2}",
                        "      n: {kind: integer, default: 2}"), "drill.yaml",
     "unknown kind 'integer'"),
    (lambda d: _replace(d.parents[2] / "solutions" / DRILL / "mistakes.py",
                        '"exposed_by": "counts"', '"exposed_by": "nope"'), "mistakes.py",
     "exposed_by names no case of the drill: 'nope'"),
    (lambda d: _replace(d.parents[2] / "solutions" / DRILL / "mistakes.py",
                        '        "exposed_by": "counts",\n', ""), "mistakes.py",
     "'exposed_by' must name the case"),
    (lambda d: _replace(d.parents[2] / "solutions" / DRILL / "reference.py",
                        "def apply_fn", "def apply_fun"), "reference.py",
     "does not define the entry point apply_fn()"),
])
def test_broken_bundles_are_reported_with_file_and_line(tmp_path: Path, edit, file: str,  # noqa: ANN001
                                                       needle: str) -> None:
    folder = _copy(tmp_path)
    edit(folder)
    problems = check_drills([folder])
    assert any(f"{file}:" in p and needle in p for p in problems), problems
    for problem in problems:
        path, line, message = problem.split(":", 2)
        assert line.isdigit() and message.strip()


def test_followups_must_exist_in_the_bank(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(folder / "drill.yaml", "difficulty: 1", "difficulty: 1\nfollowups: [q-a, q-b]")
    problems = check_drills([folder], question_ids={"q-a"})
    assert len(problems) == 1 and "no question 'q-b' in the bank" in problems[0]
    assert check_drills([folder], question_ids={"q-a", "q-b"}) == []


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
