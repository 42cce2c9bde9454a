"""Inputs the bpe_merge cases must try, each shown by a wrong solution that used to pass:
ids whose decimal strings collide when joined (merging by str.replace), long inputs (a
recursive merge), empty text (a loop that stops only at exactly one token), and ties broken
by the smallest pair. Each wrong file is graded as a user's file would be."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quizapp.core.drills import build_inputs, load_drills

CORRECT = (Path(__file__).with_name("correct") / "minbpe_style.py").read_text(encoding="utf-8")

MERGE = '''
def merge(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
'''

TRAIN = '''
def train(text, vocab_size):
    ids = list(text.encode("utf-8"))
    merges = []
    for i in range(vocab_size - 256):
        if len(ids) < 2:
            break
        counts = {}
        for p in zip(ids, ids[1:]):
            counts[p] = counts.get(p, 0) + 1
        best = max(counts, key=counts.get)
        ids = merge(ids, best, 256 + i)
        merges.append(best)
    return merges
'''

COLLIDE = "merge (1, 2) beside 11 and 22 (ids whose digits collide when joined)"


def _grade(tmp_path: Path, name: str, source: str):  # noqa: ANN202 - a GradeResult
    from quizapp.core.grading import grade_solution

    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade_solution("bpe_merge", path, track="torch", record=False)


@pytest.mark.parametrize("sep", [",", " "])
def test_merging_by_string_replace_fails_on_colliding_ids(tmp_path: Path, sep: str) -> None:
    merge = f'''
def merge(ids, pair, new_id):
    s = {sep!r}.join(map(str, ids))
    s = s.replace(f"{{pair[0]}}{sep}{{pair[1]}}", str(new_id))
    return [int(t) for t in s.split({sep!r})] if s else []
'''
    result = _grade(tmp_path, "string_replace", merge + TRAIN)
    assert result.status == "failed", result.message
    assert result.message.startswith(f"case '{COLLIDE}'"), result.message
    assert result.mistake is not None and result.mistake.id == "merge_string_replace"
    # It passes every case without colliding ids: the new case is what catches it.
    failing = {c.name for c in result.cases if not c.passed}
    assert COLLIDE in failing and "merge basic" not in failing


def test_a_recursive_merge_fails_on_the_long_input(tmp_path: Path) -> None:
    merge = '''
def merge(ids, pair, new_id):
    if len(ids) < 2:
        return list(ids)
    if ids[0] == pair[0] and ids[1] == pair[1]:
        return [new_id] + merge(ids[2:], pair, new_id)
    return [ids[0]] + merge(ids[1:], pair, new_id)
'''
    result = _grade(tmp_path, "recursive", merge + TRAIN)
    assert result.status == "error", result.message
    assert result.message.startswith("case 'merge 6000 ids"), result.message
    assert "RecursionError" in result.message
    # The short cases pass: only the long input needs a loop.
    assert next(c for c in result.cases if c.name == "merge random sequences #1").passed


def test_the_iterative_solution_passes_the_long_inputs(tmp_path: Path) -> None:
    result = _grade(tmp_path, "iterative", CORRECT)
    assert result.passed, result.message
    long_cases = [c for c in result.cases if "6000 ids" in c.name or "3000 characters" in c.name]
    assert len(long_cases) == 2 and all(c.passed for c in long_cases)


def test_the_long_cases_are_long() -> None:
    drill = load_drills()["bpe_merge"]
    merge = next(c for c in drill.cases if c.name.startswith("merge 6000 ids"))
    train = next(c for c in drill.cases if c.name.startswith("train 3000 characters"))
    ids = build_inputs(drill, "merge", merge.params, 0).values["ids"]
    text = build_inputs(drill, "train", train.params, 0).values["text"]
    assert len(ids) == 6000 and len(text.encode("utf-8")) > 4000


def test_stopping_only_at_one_token_fails_on_empty_text(tmp_path: Path) -> None:
    train = TRAIN.replace("if len(ids) < 2:", "if len(ids) == 1:")
    result = _grade(tmp_path, "stops_at_one", MERGE + train)
    assert result.status == "error", result.message
    assert result.message.startswith("case 'train empty text'"), result.message
    assert [c.name for c in result.cases if not c.passed] == ["train empty text"]


def test_ties_to_the_smallest_pair_is_named(tmp_path: Path) -> None:
    train = TRAIN.replace("best = max(counts, key=counts.get)",
                          "best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]")
    result = _grade(tmp_path, "smallest_pair", MERGE + train)
    assert result.status == "failed", result.message
    assert result.mistake is not None and result.mistake.id == "ties_smallest_pair", \
        result.message
