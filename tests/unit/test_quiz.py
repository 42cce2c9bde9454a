"""Choosing a session's questions, mock interviews and the end-of-session summary."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizapp.core.bank import Bank, Question, Source, load_bank, load_taxonomy
from quizapp.core.quiz import (
    AUTO_GRADED,
    AnswerRecord,
    ItemHistory,
    QuizSpec,
    choose,
    domain_progress,
    history_from_attempts,
    mock_interview,
    resolve_topic,
    summarize,
    surprise,
    topics_of,
)
from quizapp.core.store import Attempt

TUI_FIXTURES = Path(__file__).parents[1] / "tui" / "fixtures" / "content"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def taxonomy():  # noqa: ANN201
    return load_taxonomy(TUI_FIXTURES / "topics.yaml")


@pytest.fixture(scope="module")
def bank(taxonomy) -> Bank:  # noqa: ANN001
    return load_bank([TUI_FIXTURES / "questions"], taxonomy=taxonomy)


def make_question(qid: str, topic: str, kind: str = "single", difficulty: int = 2) -> Question:
    return Question(id=qid, kind=kind, topics=(topic,), difficulty=difficulty,
                    source=Source(refs=("x",)), prompt={"en": qid}, explanation={"en": "."})


def synthetic_bank(n_per_topic: dict[str, int]) -> Bank:
    questions = {}
    for topic, n in n_per_topic.items():
        for i in range(n):
            q = make_question(f"{topic}.{i}", topic, difficulty=1 + i % 5)
            questions[q.id] = q
    return Bank(questions=questions)


def test_spec_filters_by_topic_kind_and_difficulty(bank: Bank) -> None:
    spec = QuizSpec(topics=frozenset({"rmsnorm"}), kinds=frozenset({"short"}))
    assert [q.id for q in bank.questions.values() if spec.accepts(q)] == [
        "tui.norms.rmsnorm-vs-layernorm"]
    hard = QuizSpec(difficulties=frozenset({3}))
    assert {q.id for q in bank.questions.values() if hard.accepts(q)} == {
        "tui.kv.bytes-per-token", "tui.attention.spot-bug"}


def test_choose_respects_length_and_orders_easier_first(bank: Bank) -> None:
    picked = choose(bank, QuizSpec(length=5), random.Random(1))
    assert len(picked) == 5 and len({q.id for q in picked}) == 5
    assert [q.difficulty for q in picked] == sorted(q.difficulty for q in picked)


def test_choose_prefers_unseen_then_failed(bank: Bank) -> None:
    ids = sorted(bank.questions)
    history = {qid: ItemHistory(1, True, T0) for qid in ids[:6]}
    history[ids[0]] = ItemHistory(2, False, T0)
    picked = {q.id for q in choose(bank, QuizSpec(length=3), random.Random(3), history)}
    assert picked == {ids[6], ids[7], ids[0]}  # the two unseen, then the one got wrong


def test_choose_spreads_over_topics() -> None:
    big = synthetic_bank({"a": 30, "b": 3, "c": 3})
    picked = choose(big, QuizSpec(length=6), random.Random(0))
    topics = [q.topics[0] for q in picked]
    assert topics.count("b") == 2 and topics.count("c") == 2  # "a" does not crowd them out


def test_choose_is_deterministic_for_a_seed(bank: Bank) -> None:
    first = [q.id for q in choose(bank, QuizSpec(length=4), random.Random(42))]
    again = [q.id for q in choose(bank, QuizSpec(length=4), random.Random(42))]
    assert first == again


def test_surprise_covers_every_domain(bank: Bank, taxonomy) -> None:  # noqa: ANN001
    picked = surprise(bank, taxonomy, random.Random(5), length=4)
    domains = {taxonomy.topics[q.topics[0]].domain for q in picked}
    assert len(picked) == 4 and len(domains) == 4  # A, B, C and E each once


def test_mock_interview_is_auto_graded_and_ramps_up(bank: Bank, taxonomy) -> None:  # noqa: ANN001
    picked = mock_interview(bank, taxonomy, random.Random(2), length=5)
    assert len(picked) == 5
    assert all(q.kind in AUTO_GRADED for q in picked)
    assert all(q.difficulty >= 2 for q in picked)  # enough harder questions exist
    assert [q.difficulty for q in picked] == sorted(q.difficulty for q in picked)


def test_mock_interview_on_topics(bank: Bank, taxonomy) -> None:  # noqa: ANN001
    picked = mock_interview(bank, taxonomy, random.Random(2), length=5,
                            topics=frozenset({"scaled-dot-product-attention"}))
    assert {q.id for q in picked} == {"tui.attention.scale-why", "tui.attention.cloze-scale",
                                      "tui.attention.spot-bug"}


def test_topics_of_domains_and_resolve(taxonomy) -> None:  # noqa: ANN001
    domain = "Normalisation and residual connections"
    assert topics_of(taxonomy, domains=[domain]) == {"batchnorm-layernorm",
                                                      "pre-norm-post-norm", "rmsnorm"}
    assert resolve_topic(taxonomy, "rmsnorm") == {"rmsnorm"}
    assert resolve_topic(taxonomy, "b05") == {"rmsnorm"}  # a topic code
    assert resolve_topic(taxonomy, "E") == {"kv-cache-sizing", "mha-mqa-gqa"}  # a domain code
    with pytest.raises(KeyError, match="did you mean 'rmsnorm'"):
        resolve_topic(taxonomy, "rmsnrom")


def test_history_keeps_the_latest_outcome() -> None:
    def attempt(i: int, item: str, passed: bool, kind: str = "question") -> Attempt:
        return Attempt(i, item, kind, T0 + timedelta(minutes=i), "quiz", None,
                       float(passed), passed, None, 0)

    history = history_from_attempts([attempt(1, "q1", False), attempt(2, "q1", True),
                                     attempt(3, "rmsnorm", False, "drill")])
    assert history == {"q1": ItemHistory(2, True, T0 + timedelta(minutes=2))}


def test_summary_by_topic_and_what_to_review(bank: Bank) -> None:
    qs = bank.questions
    asked = [qs["tui.attention.scale-why"], qs["tui.attention.spot-bug"],
             qs["tui.kv.bytes-per-token"], qs["tui.norms.recentre"]]
    answers = [AnswerRecord(asked[0], 1.0, True), AnswerRecord(asked[1], 0.5, False),
               AnswerRecord(asked[2], 1.0, True)]
    summary = summarize(asked, answers)
    assert (summary.asked, summary.answered, summary.passed) == (4, 3, 2)
    assert summary.score == pytest.approx(2.5 / 4)  # the unanswered one counts 0
    assert [q.id for q in summary.to_review] == ["tui.attention.spot-bug", "tui.norms.recentre"]
    # Every asked topic has a row (the unanswered one scores 0), weakest first.
    assert [(t.topic, t.answered, t.passed) for t in summary.by_topic] == [
        ("batchnorm-layernorm", 0, 0), ("scaled-dot-product-attention", 2, 1),
        ("kv-cache-sizing", 1, 1)]


def test_summary_of_nothing() -> None:
    assert summarize([], []).score == 0.0


def test_domain_progress_counts_main_topics(bank: Bank, taxonomy) -> None:  # noqa: ANN001
    history = {"tui.norms.recentre": ItemHistory(1, True, T0),
               "tui.norms.prenorm-order": ItemHistory(1, False, T0)}
    progress = {p.domain: p for p in domain_progress(bank, taxonomy, history)}
    norms = progress["Normalisation and residual connections"]
    assert (norms.total, norms.seen, norms.mastered) == (3, 2, 1)
    assert list(progress) == list(taxonomy.domains)  # in taxonomy order
