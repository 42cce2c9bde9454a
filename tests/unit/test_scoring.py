"""The graders, one per kind, with property tests for the fiddly parts."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.core.arith import ArithmeticError_, evaluate
from quizapp.core.bank import Blank, NumericSpec, load_bank
from quizapp.core.quantities import QuantityError, parse_quantity
from quizapp.core.scoring import (
    AnswerError,
    blank_correct,
    grade,
    kendall_score,
    suggest_key_points,
)

BANK = load_bank([Path(__file__).parent.parent / "fixtures" / "good"])
Q = BANK.questions


def test_single() -> None:
    q = Q["fixture.attention.scale-why"]
    assert grade(q, 0).passed and grade(q, 0).score == 1
    assert not grade(q, 1).passed
    with pytest.raises(AnswerError):
        grade(q, 7)


def test_multi_partial_credit() -> None:
    q = Q["fixture.norms.which-are-norms"]
    assert grade(q, {0, 1}).passed
    assert grade(q, {0}).score == 0.5 and not grade(q, {0}).passed
    assert grade(q, {0, 2}).score == 0.0
    assert grade(q, {0, 1, 2}).score == 0.5
    exact = replace(q, scoring="exact")
    assert grade(exact, {0}).score == 0.0


@pytest.mark.parametrize("typed", ["512", "524288 B", "524,288 bytes", "524_288B", "512 KiB",
                                   "512KiB", "0.5 MiB", "2^9", "2**19 B", "5.12e2", " 512 kib "])
def test_numeric_accepts_units_and_separators(typed: str) -> None:
    assert grade(Q["fixture.kv.bytes-per-token"], typed).passed


def test_numeric_wrong_answers_get_a_hint() -> None:
    q = Q["fixture.kv.bytes-per-token"]
    assert q.numeric is not None and q.numeric.answer_in == "KiB"  # "(in KiB)" in the prompt
    assert not grade(q, "524288").passed  # a bare number is read in KiB
    half = grade(q, "256 KiB")
    assert not half.passed and "factor of 2" in half.feedback[0]["en"]
    decimal = grade(q, "512 KB")  # 512000: GB-vs-GiB style slip
    assert not decimal.passed and "1.024" in decimal.feedback[0]["en"]
    with pytest.raises(AnswerError):
        grade(q, "lots")
    with pytest.raises(AnswerError):
        grade(q, "512 parsecs")


def test_numeric_also_accept() -> None:
    spec = NumericSpec(answer=1.0, work="1", rel=0.01, also_accept=(2.0,))
    q = replace(Q["fixture.kv.bytes-per-token"], numeric=spec)
    verdict = grade(q, "2")
    assert verdict.passed and verdict.details["matched"] == 2.0


@given(st.integers(min_value=0, max_value=10**15))
def test_grouped_integers_parse_exactly(n: int) -> None:
    assert parse_quantity(f"{n:,}") == n
    assert parse_quantity(f"{n:_}") == n


@given(st.floats(min_value=1e-3, max_value=1e6, allow_nan=False),
       st.sampled_from([("KiB", 2**10), ("MiB", 2**20), ("GiB", 2**30), ("KB", 1e3),
                        ("MB", 1e6), ("GB", 1e9), ("TB", 1e12)]))
def test_byte_units_scale(value: float, unit: tuple[str, float]) -> None:
    name, factor = unit
    text = repr(value)
    assert math.isclose(parse_quantity(f"{text} {name}", "bytes"), float(text) * factor,
                        rel_tol=1e-12)
    assert math.isclose(parse_quantity(f"{text}{name.lower()}", "bytes"),
                        float(text) * factor, rel_tol=1e-12)


@pytest.mark.parametrize("text,family,value", [
    ("6.7B", "count", 6.7e9), ("7 亿", "count", 7e8), ("3万", "count", 3e4),
    ("1.2 TFLOPs", "flops", 1.2e12), ("3×10^8", None, 3e8), ("50%", "percent", 0.5),
    ("−3", None, -3.0), ("1，024", None, 1024.0), ("250 ms", "seconds", 0.25),
    (".5", None, 0.5), ("1e-3", None, 1e-3),
])
def test_quantities(text: str, family: str | None, value: float) -> None:
    assert math.isclose(parse_quantity(text, family), value)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1,23", "--1", "1e"])
def test_bad_quantities(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_short_answer_self_grading() -> None:
    q = Q["fixture.norms.rmsnorm-vs-layernorm"]
    assert grade(q, {0, 1}).passed  # 3/4 ≥ 0.6 with the required point
    missing_required = grade(q, {1, 2})
    assert not missing_required.passed and missing_required.details["missing_required"] == [0]
    assert grade(q, {0}).score == 0.5 and not grade(q, {0}).passed
    assert suggest_key_points(q, "No MEAN subtraction and no β, so it is cheaper") == {0, 1, 2}


def test_cloze() -> None:
    q = Q["fixture.attention.cloze-scale"]
    assert grade(q, {"scale": "√d_k", "var": "1"}).passed
    assert grade(q, {"scale": " SQRT( d_k ) ", "var": "1.0"}).passed
    half = grade(q, {"scale": "d_k", "var": "1"})
    assert half.score == 0.5 and half.details["blanks"] == {"scale": False, "var": True}
    assert grade(q, {}).score == 0


@given(st.sampled_from(["sqrt(d_k)", "√d_k"]), st.sampled_from(["", " ", "  "]),
       st.booleans(), st.booleans())
def test_cloze_matching_ignores_case_space_and_notation(answer: str, pad: str, upper: bool,
                                                        dollars: bool) -> None:
    blank = Blank(accept=("sqrt(d_k)",))
    typed = pad + (answer.upper() if upper else answer) + pad
    if dollars:
        typed = f"${typed}$"
    assert blank_correct(blank, typed)


def test_cloze_keeps_minus_signs_but_not_hyphens() -> None:
    assert not blank_correct(Blank(accept=("-q1",)), "q1")
    assert not blank_correct(Blank(accept=("q1",)), "−q1")
    assert blank_correct(Blank(accept=("-q_1",)), "−q1")
    assert blank_correct(Blank(accept=("pre-norm",)), "Pre Norm")
    assert not blank_correct(Blank(accept=("2",)), "-2")


def test_cloze_regex_and_empty() -> None:
    blank = Blank(accept=(r"d_?k\^?0\.5",), regex=True)
    assert blank_correct(blank, "dk^0.5") and blank_correct(blank, "D_K0.5")
    assert not blank_correct(Blank(accept=("x",)), "   ")


def test_spot_bug() -> None:
    q = Q["fixture.attention.spot-bug"]
    assert grade(q, {2, 3}).passed and grade(q, {2, 3}).score == 1
    one = grade(q, {2})
    assert not one.passed and one.score == 0.5
    sprayed = grade(q, {1, 2, 3, 4})
    assert not sprayed.passed and sprayed.details["wrong_lines"] == [1, 4]


@given(st.sets(st.integers(min_value=1, max_value=4)))
def test_spot_bug_naming_every_line_never_beats_naming_the_bugs(named: set[int]) -> None:
    q = Q["fixture.attention.spot-bug"]
    assert grade(q, named).score <= grade(q, {2, 3}).score


def test_ordering() -> None:
    q = Q["fixture.norms.prenorm-order"]
    assert grade(q, [0, 1, 2]).passed
    swapped = grade(q, [1, 0, 2])
    assert not swapped.passed and 0 < swapped.score < 1
    assert grade(q, [2, 1, 0]).score == 0
    with pytest.raises(AnswerError):
        grade(q, [0, 0, 1])


@given(st.permutations(list(range(6))))
def test_kendall_score_bounds_and_symmetry(order: list[int]) -> None:
    score = kendall_score(order)
    assert 0 <= score <= 1
    assert (score == 1) == (order == sorted(order))
    assert math.isclose(score + kendall_score(order[::-1]), 1.0)


@pytest.mark.parametrize("expr,value", [("2 * 32 * 128", 8192), ("2**10", 1024),
                                        ("sqrt(16) + ln(e)", 5), ("ceil(7/2)", 4),
                                        ("-(3 - 5) % 3", 2), ("max(1, 2, 3)", 3)])
def test_arith(expr: str, value: float) -> None:
    assert math.isclose(evaluate(expr), value)


@pytest.mark.parametrize("expr", ["__import__('os')", "x + 1", "10 ** 10 ** 10", "1/0",
                                  "(1).real", "open('f')", "2 +"])
def test_arith_rejects(expr: str) -> None:
    with pytest.raises(ArithmeticError_):
        evaluate(expr)


def test_bare_numbers_are_read_in_the_unit_the_prompt_asks_for() -> None:
    base = Q["fixture.kv.bytes-per-token"]
    spec = replace(base.numeric, answer=14e9, work="14e9", rel=0.01, abs=0.0, answer_in="GB")
    q = replace(base, numeric=spec)
    assert grade(q, "14").passed and grade(q, "14 GB").passed and grade(q, "14e9 B").passed
    assert not grade(q, "14000").passed  # 14000 GB: a unit slip stays wrong
    assert not grade(q, "14 GiB").passed


def test_percent_questions_take_a_percentage_or_a_fraction() -> None:
    base = Q["fixture.kv.bytes-per-token"]
    spec = NumericSpec(answer=0.2, work="0.2", unit="percent", rel=0.01)
    q = replace(base, numeric=spec)
    assert grade(q, "20").passed and grade(q, "0.2").passed and grade(q, "20%").passed
    assert not grade(q, "0.2%").passed and not grade(q, "2").passed


@pytest.mark.parametrize("prompt,family,unit", [
    ("How much memory? Answer in GB (10⁹ bytes).", "bytes", "GB"),
    ("Answer in GiB (2³⁰ bytes); ignore activations.", "bytes", "GiB"),
    ("what is the lower bound on the time per token, in milliseconds?", "seconds", "ms"),
    ("A GPU with 80 GB holds it. How many bytes per token?", "bytes", None),
    ("Answer in GB.", None, None),
    ("Answer in FLOPs.", "flops", None),
])
def test_asked_unit(prompt: str, family: str | None, unit: str | None) -> None:
    from quizapp.core.quantities import asked_unit

    assert asked_unit(prompt, family) == unit
