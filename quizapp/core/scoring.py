"""Grading an answer to a question: one pure function per kind, answer in, `Verdict` out.

| kind     | answer                                   | score                                   |
|----------|------------------------------------------|-----------------------------------------|
| single   | index of the chosen option               | 1 or 0                                  |
| multi    | set of chosen indices                    | exact: 1/0; partial: max(0,(TP−FP)/#right) |
| numeric  | the text typed (`1.5 GiB`, `6.7B`)       | 1 within tolerance of answer/also_accept |
| short    | set of ticked key-point indices          | ticked weight / total weight            |
| cloze    | {slot: text}                             | fraction of blanks right                |
| spot_bug | set of line numbers                      | max(0, found − ½·wrong) / #bugs         |
| ordering | correct-order item indices, as arranged   | Kendall τ rescaled to [0, 1]            |

Indices always refer to the question's own (unshuffled) order; the UI maps its display order.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quizapp.core import patterns
from quizapp.core.bank import Blank, NumericSpec, Question, Text
from quizapp.core.quantities import QuantityError, parse_quantity


@dataclass(frozen=True)
class Verdict:
    """The result of grading one answer."""

    score: float
    passed: bool
    #: Short bilingual remarks for the user (what was right, what was off).
    feedback: tuple[Text, ...] = ()
    #: Kind-specific details the UI can show (per-blank results, found bugs, parsed value).
    details: Mapping[str, Any] = field(default_factory=dict)


class AnswerError(ValueError):
    """The answer cannot be graded as given (e.g. not a number); the message says why."""


def grade(question: Question, answer: Any) -> Verdict:
    """Grade `answer` to `question` with the grader of its kind."""
    return _GRADERS[question.kind](question, answer)


def grade_single(question: Question, answer: int) -> Verdict:
    """Single choice: right or wrong."""
    if not isinstance(answer, int) or not 0 <= answer < len(question.choices):
        raise AnswerError(f"choose an option from 1 to {len(question.choices)}")
    ok = question.choices[answer].correct
    return Verdict(1.0 if ok else 0.0, ok, details={"chosen": answer})


def grade_multi(question: Question, answer: Collection[int]) -> Verdict:
    """Multiple choice: all and only the right options; partial credit if the question says so."""
    chosen = set(answer)
    if not all(isinstance(i, int) and 0 <= i < len(question.choices) for i in chosen):
        raise AnswerError(f"options are numbered 1 to {len(question.choices)}")
    right = {i for i, c in enumerate(question.choices) if c.correct}
    exact = chosen == right
    if question.scoring == "partial":
        score = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
    else:
        score = 1.0 if exact else 0.0
    feedback = []
    if not exact:
        missed, extra = len(right - chosen), len(chosen - right)
        feedback.append({
            "en": f"{missed} right option(s) missed, {extra} wrong option(s) chosen.",
            "zh": f"漏选 {missed} 个正确选项，多选 {extra} 个错误选项。",
        })
    return Verdict(score, exact, tuple(feedback),
                   {"chosen": sorted(chosen), "right": sorted(right)})


def grade_numeric(question: Question, answer: str) -> Verdict:
    """Numeric: the typed quantity (units accepted) within tolerance of the answer."""
    assert question.numeric is not None
    return _grade_number(question.numeric, answer)


def _grade_number(spec: NumericSpec, answer: str) -> Verdict:
    try:
        value = parse_quantity(str(answer), spec.unit, spec.answer_in)
    except QuantityError as err:
        raise AnswerError(str(err)) from None
    if spec.accepts(value):
        return Verdict(1.0, True, details={"value": value})
    # A bare number on a percentage question may be a percentage ("20") or a fraction ("0.2").
    if spec.unit == "percent" and "%" not in str(answer) and spec.accepts(value / 100):
        return Verdict(1.0, True, details={"value": value / 100})
    for other in spec.also_accept:
        if spec.accepts(value, other):
            return Verdict(1.0, True, ({"en": "Accepted under another valid convention — see "
                                              "the explanation.",
                                        "zh": "按另一种合理约定也算对，见解析。"},),
                           {"value": value, "matched": other})
    hint = _numeric_hint(value, spec.answer)
    return Verdict(0.0, False, (hint,) if hint else (), {"value": value})


def _numeric_hint(value: float, answer: float) -> Text | None:
    """A nudge for the classic slips: factor 2, GB vs GiB, off by 10³ⁿ, wrong sign."""
    if value == 0 or answer == 0:
        return None
    if math.isclose(value, -answer, rel_tol=1e-3):
        return {"en": "Right magnitude, wrong sign.", "zh": "数值对了，符号反了。"}
    ratio = value / answer
    for n in (1, 2, 3, 4):
        if math.isclose(abs(ratio), (1.024**n), rel_tol=2e-3) or math.isclose(
            abs(ratio), 1 / 1.024**n, rel_tol=2e-3
        ):
            return {"en": "Off by a factor of 1.024ⁿ: decimal (GB = 10⁹) vs binary "
                          "(GiB = 2³⁰) units?",
                    "zh": "差了 1.024ⁿ 倍：十进制单位（GB = 10⁹）和二进制单位（GiB = 2³⁰）弄混了？"}
    for factor, en, zh in (
        (2.0, "Off by a factor of 2 (e.g. K and V both cached, or 2 bytes per fp16 value?)",
         "差了 2 倍（比如 K 和 V 都要缓存，或者 fp16 每个数 2 字节？）"),
        (1e3, "Off by a factor of 1000: check the unit.", "差了 1000 倍：检查一下单位。"),
        (1e6, "Off by a factor of 10⁶: check the unit.", "差了 10⁶ 倍：检查一下单位。"),
        (1e9, "Off by a factor of 10⁹: check the unit.", "差了 10⁹ 倍：检查一下单位。"),
    ):
        if math.isclose(abs(ratio), factor, rel_tol=1e-2) or math.isclose(
            abs(ratio), 1 / factor, rel_tol=1e-2
        ):
            return {"en": en, "zh": zh}
    return None


def grade_short(question: Question, answer: Collection[int]) -> Verdict:
    """Short answer, self-graded: the weight of the ticked key points; required ones needed."""
    ticked = set(answer)
    if not all(isinstance(i, int) and 0 <= i < len(question.key_points) for i in ticked):
        raise AnswerError(f"key points are numbered 1 to {len(question.key_points)}")
    total = sum(p.weight for p in question.key_points)
    score = sum(question.key_points[i].weight for i in ticked) / total
    missing_required = [i for i, p in enumerate(question.key_points)
                        if p.required and i not in ticked]
    passed = score >= question.pass_threshold - 1e-9 and not missing_required
    feedback = []
    if missing_required:
        feedback.append({"en": "An essential key point is missing.",
                         "zh": "漏掉了必答的要点。"})
    return Verdict(score, passed, tuple(feedback),
                   {"ticked": sorted(ticked), "missing_required": missing_required})


def suggest_key_points(question: Question, typed: str) -> set[int]:
    """Key points whose keywords appear in the user's typed answer (pre-ticked for them).

    Keywords are regexes matched with RE2 (`quizapp.core.patterns`): linear time in `typed`.
    """
    found = set()
    for i, point in enumerate(question.key_points):
        if any(patterns.search(k, typed) for k in point.keywords):
            found.add(i)
    return found


def normalize_blank(text: str) -> str:
    """Canonical form of a cloze answer: case, width, spaces, `$`, `√`/`sqrt()`, `**`/`^`,
    hyphens between letters; minus signs are kept."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = text.replace("√", "sqrt").replace("**", "^").replace("−", "-")
    text = re.sub(r"[\s$`_]", "", text)
    # Hyphens join words ("pre-norm" = "prenorm"); a minus sign is meaning, never dropped.
    text = re.sub(r"(?<=[^\W\d])-(?=[^\W\d])", "", text)
    text = re.sub(r"sqrt\(([^()]*)\)", r"sqrt\1", text)
    return text.strip(".。")


def blank_correct(blank: Blank, answer: str) -> bool:
    """Whether one cloze blank is filled correctly."""
    if blank.numeric is not None:
        try:
            return blank.numeric.accepts(
                parse_quantity(answer, blank.numeric.unit, blank.numeric.answer_in))
        except QuantityError:
            return False
    if blank.regex:
        return any(patterns.fullmatch(p, answer.strip()) for p in blank.accept)
    given = normalize_blank(answer)
    return bool(given) and any(given == normalize_blank(a) for a in blank.accept)


def grade_cloze(question: Question, answer: Mapping[str, str]) -> Verdict:
    """Cloze: the fraction of blanks filled correctly; passed when all are."""
    results = {slot: blank_correct(blank, str(answer.get(slot, "")))
               for slot, blank in question.blanks.items()}
    score = sum(results.values()) / len(results)
    return Verdict(score, all(results.values()), details={"blanks": results})


def grade_spot_bug(question: Question, answer: Collection[int]) -> Verdict:
    """Spot the bug: a bug is found when any of its lines is named; wrong lines cost ½ a bug."""
    named = {int(n) for n in answer}
    found = [i for i, bug in enumerate(question.bugs) if named & set(bug.lines)]
    bug_lines = {n for bug in question.bugs for n in bug.lines}
    wrong = sorted(named - bug_lines)
    credit = max(0.0, len(found) - 0.5 * len(wrong))
    score = min(1.0, credit / len(question.bugs))
    passed = credit >= question.min_bugs_to_pass
    feedback = []
    if wrong:
        feedback.append({"en": f"Line(s) {', '.join(map(str, wrong))} are fine.",
                         "zh": f"第 {', '.join(map(str, wrong))} 行没有问题。"})
    return Verdict(score, passed, tuple(feedback), {"found": found, "wrong_lines": wrong})


def kendall_score(order: Sequence[int]) -> float:
    """Kendall τ between `order` and the identity, rescaled from [−1, 1] to [0, 1]."""
    n = len(order)
    if n < 2:
        return 1.0
    concordant = sum(1 for i in range(n) for j in range(i + 1, n) if order[i] < order[j])
    pairs = n * (n - 1) // 2
    tau = (2 * concordant - pairs) / pairs
    return (tau + 1) / 2


def grade_ordering(question: Question, answer: Sequence[int]) -> Verdict:
    """Ordering: exact order passes; otherwise partial credit by Kendall τ."""
    order = list(answer)
    if sorted(order) != list(range(len(question.items))):
        raise AnswerError("the answer must order every item exactly once")
    exact = order == sorted(order)
    misplaced = sum(1 for pos, item in enumerate(order) if pos != item)
    feedback = () if exact else ({"en": f"{misplaced} step(s) out of place.",
                                  "zh": f"有 {misplaced} 个步骤位置不对。"},)
    return Verdict(1.0 if exact else kendall_score(order), exact, feedback,
                   {"misplaced": misplaced})


_GRADERS = {
    "single": grade_single,
    "multi": grade_multi,
    "numeric": grade_numeric,
    "short": grade_short,
    "cloze": grade_cloze,
    "spot_bug": grade_spot_bug,
    "ordering": grade_ordering,
}
