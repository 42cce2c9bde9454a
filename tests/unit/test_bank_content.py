"""The bundled question bank: valid, bilingual, covering the taxonomy, numbers recomputed."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from quizapp.core.arith import evaluate
from quizapp.core.bank import Bank, load_bank, load_taxonomy
from quizapp.core.paths import questions_dir
from quizapp.core.quantities import UNIT_FAMILIES
from quizapp.core.scoring import grade

#: Topics an interviewer is most likely to ask about: at least 5 questions each (issue 4).
HOT_TOPICS = [
    "scaled-dot-product-attention", "multi-head-attention", "attention-masks",
    "mha-mqa-gqa", "mla", "kv-cache-mechanics", "kv-cache-sizing", "rope",
    "position-interpolation", "ntk-aware-scaling", "yarn", "rmsnorm", "batchnorm-layernorm",
    "pre-norm-post-norm", "swiglu-ffn", "flashattention-tiling", "online-softmax", "bpe",
    "wordpiece", "lora", "lora-parameter-memory-accounting", "adam-bias-correction", "adamw",
    "zero-stages", "tensor-parallelism", "pipeline-parallelism", "ppo-clipped-objective",
    "dpo", "grpo", "router-gating", "load-balancing-capacity", "clip", "greedy-beam-search",
    "top-p", "temperature",
]
BEYOND_NOTES = ["gelu", "lr-warmup-schedules", "gradient-clipping", "scaling-laws", "alibi",
                "speculative-decoding", "paged-attention-continuous-batching", "quantisation",
                "qlora"]
#: ERRATA.md's High items (each needs its own "what is wrong here?" question) and Medium items.
HIGH_ERRATA = ["E05", "E11", "E14", "E18", "E23", "E24", "E31", "E32", "E46", "E49"]
MEDIUM_ERRATA = ["E06", "E08", "E09", "E10", "E13", "E16", "E17", "E19", "E21", "E25", "E27",
                 "E30", "E33", "E34", "E36", "E37", "E38", "E41", "E42", "E45", "E50", "E51"]
MINIMUM_BY_KIND = {"numeric": 60, "spot_bug": 25, "ordering": 15, "cloze": 20, "short": 50}


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([questions_dir()])


def test_bank_is_valid(bank: Bank) -> None:
    assert [str(p) for p in bank.problems] == []


def test_every_question_is_bilingual(bank: Bank) -> None:
    assert [q.id for q in bank.questions.values() if q.languages != {"en", "zh"}] == []


def test_every_numeric_answer_is_recomputed_from_its_work(bank: Bank) -> None:
    numeric = [q for q in bank.questions.values() if q.kind == "numeric"]
    assert numeric
    for q in numeric:
        spec = q.numeric
        assert spec is not None and spec.work, q.id
        value = evaluate(spec.work)
        assert spec.accepts(value), f"{q.id}: work gives {value}, answer {spec.answer}"
        # The stated answer itself, typed as a user would, is graded right.
        if spec.answer_in:
            factor = UNIT_FAMILIES[spec.unit][spec.answer_in.lower()]
            assert grade(q, repr(spec.answer / factor)).passed, q.id
            assert grade(q, f"{spec.answer / factor!r} {spec.answer_in}").passed, q.id
        else:
            assert grade(q, repr(spec.answer)).passed, q.id


def test_every_numeric_cloze_blank_accepts_its_answer(bank: Bank) -> None:
    for q in bank.questions.values():
        for slot, blank in q.blanks.items():
            if blank.numeric is not None:
                answers = {s: "" for s in q.blanks}
                answers[slot] = repr(blank.numeric.answer)
                assert grade(q, answers).details["blanks"][slot], (q.id, slot)
            else:
                answers = {s: "" for s in q.blanks}
                answers[slot] = blank.accept[0] if not blank.regex else ""
                if not blank.regex:
                    assert grade(q, answers).details["blanks"][slot], (q.id, slot)


def test_right_answers_pass_and_wrong_ones_fail(bank: Bank) -> None:
    for q in bank.questions.values():
        if q.kind == "single":
            right = next(i for i, c in enumerate(q.choices) if c.correct)
            assert grade(q, right).passed
            assert not grade(q, (right + 1) % len(q.choices)).passed
        elif q.kind == "multi":
            right = {i for i, c in enumerate(q.choices) if c.correct}
            assert grade(q, right).passed
            assert not grade(q, set(range(len(q.choices))) ^ right).passed
        elif q.kind == "ordering":
            assert grade(q, list(range(len(q.items)))).passed
            assert not grade(q, list(range(len(q.items)))[::-1]).passed
        elif q.kind == "spot_bug":
            assert grade(q, {bug.lines[0] for bug in q.bugs}).passed
            n_lines = len(q.code.rstrip("\n").split("\n"))
            assert not grade(q, set(range(1, n_lines + 1))).passed or n_lines <= 3, q.id


def test_spot_bug_lines_point_at_code(bank: Bank) -> None:
    for q in bank.questions.values():
        if q.kind != "spot_bug":
            continue
        lines = q.code.rstrip("\n").split("\n")
        for bug in q.bugs:
            assert any(lines[n - 1].strip() for n in bug.lines), (q.id, bug.lines)


def test_coverage_of_the_taxonomy(bank: Bank) -> None:
    taxonomy = load_taxonomy()
    counts = Counter(t for q in bank.questions.values() for t in q.topics)
    thin = {t: counts[t] for t in taxonomy.topics if counts[t] < 2}
    assert thin == {}
    cold = {t: counts[t] for t in HOT_TOPICS if counts[t] < 5}
    assert cold == {}


def test_size_and_mix_of_kinds(bank: Bank) -> None:
    kinds = Counter(q.kind for q in bank.questions.values())
    assert len(bank.questions) >= 330
    for kind, minimum in MINIMUM_BY_KIND.items():
        assert kinds[kind] >= minimum, kind
    beyond = [q for q in bank.questions.values() if set(q.topics) & set(BEYOND_NOTES)]
    assert len(beyond) >= 30


def test_each_high_and_medium_erratum_has_its_own_question(bank: Bank) -> None:
    corrected = {q.source.erratum for q in bank.questions.values()}
    assert [e for e in HIGH_ERRATA + MEDIUM_ERRATA if e not in corrected] == []


def test_every_question_names_a_source(bank: Bank) -> None:
    for q in bank.questions.values():
        assert q.source.seed or q.source.refs, q.id
        if not q.source.seed:
            assert all(len(r.strip()) >= 8 for r in q.source.refs), q.id


def test_no_numeric_answer_is_nan(bank: Bank) -> None:
    assert all(math.isfinite(q.numeric.answer) for q in bank.questions.values()
               if q.numeric is not None)
