"""Quiz work feeds review, streak and mastery (issue 14): an answer outside the review screen
is a review of its card; a missed card comes first and never shows 100 % recall; a session
summary has a row for every asked topic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating

from quizapp.core import review as rv
from quizapp.core.bank import load_bank, load_taxonomy
from quizapp.core.quiz import AnswerRecord, summarize
from quizapp.core.stats import compute_stats
from quizapp.core.store import Store

CONTENT = Path(__file__).parent.parent / "tui" / "fixtures" / "content"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


@pytest.fixture(scope="module")
def content():  # noqa: ANN201
    taxonomy = load_taxonomy(CONTENT / "topics.yaml")
    return load_bank([CONTENT / "questions"], taxonomy=taxonomy, cache=False), taxonomy


def test_a_quiz_answer_is_a_review(store: Store, content) -> None:  # noqa: ANN001
    bank, _ = content
    qid = next(iter(bank.questions))
    key = rv.card_key("question", qid)
    assert rv.summary(store, bank, T0).due_today == 0
    record = rv.record_practice(store, key, passed=True, now=T0)
    assert record.rating == Rating.Good
    numbers = rv.summary(store, bank, T0)
    assert numbers.due_today == 1          # the learning step comes back today
    assert numbers.streak_days == 1        # any study day counts
    # Review now serves it as a due card, not as New.
    queue = rv.build_queue(store, bank, T0 + timedelta(minutes=15))
    assert [(i.key, i.is_new) for i in queue.due] == [(key, False)]
    assert key not in {i.key for i in queue.new}


def test_rating_rule_for_practice(store: Store) -> None:
    assert rv.record_practice(store, "q:a", passed=False, now=T0).rating == Rating.Again
    assert rv.record_practice(store, "q:b", passed=True, tries=2, now=T0).rating == Rating.Hard
    assert rv.record_practice(store, "q:c", passed=True, score=0.7, self_graded=True,
                              now=T0).rating == Rating.Hard
    assert rv.record_practice(store, "d:attention", passed=True, hints_used=1,
                              now=T0).rating == Rating.Hard
    assert rv.record_practice(store, "d:rmsnorm", passed=True, now=T0).rating == Rating.Good


def test_missed_cards_come_first_and_show_no_recall(store: Store, content) -> None:  # noqa: ANN001
    bank, taxonomy = content
    ids = list(bank.questions)[:3]
    for qid in ids[:2]:
        rv.record_practice(store, rv.card_key("question", qid), passed=True, now=T0)
    missed = rv.card_key("question", ids[2])
    rv.record_practice(store, missed, passed=False, now=T0)
    queue = rv.build_queue(store, bank, T0 + timedelta(minutes=30))
    assert queue.due[0].key == missed
    stats = compute_stats(store, bank, taxonomy, T0 + timedelta(minutes=30))
    topic = bank.questions[ids[2]].topics[0]
    row = next(m for m in stats.topics if m.id == topic)
    # The card just rated Again is not "100 % known".
    assert row.retention is not None and row.retention < 1.0
    weakest = sorted((m for m in stats.topics if m.reviewed), key=lambda m: m.retention)
    assert weakest[0].retention == 0.0


def test_summary_has_a_row_for_every_asked_topic(content) -> None:  # noqa: ANN001
    bank, _ = content
    by_topic = {}
    for question in bank.questions.values():
        by_topic.setdefault(question.topics[0], question)
    asked = list(by_topic.values())[:3]
    summary = summarize(asked, [AnswerRecord(asked[0], 1.0, True)])
    assert {row.topic for row in summary.by_topic} == {q.topics[0] for q in asked}
    unanswered = [row for row in summary.by_topic if row.answered == 0]
    assert len(unanswered) == 2 and all(row.score == 0 and row.asked == 1 for row in unanswered)


def test_one_definition_of_a_domains_question_count(content) -> None:  # noqa: ANN001
    from quizapp.core.quiz import domain_progress, questions_in
    from quizapp.core.stats import compute_stats

    bank, taxonomy = content
    with Store.open() as store:
        stats = compute_stats(store, bank, taxonomy, T0)
    home = {p.domain: p.total for p in domain_progress(bank, taxonomy, {})}
    for domain, topics in taxonomy.domains.items():
        expected = len(questions_in(bank, (t.id for t in topics)))
        assert home[domain] == expected
        row = next((m for m in stats.domains if m.id == domain), None)
        assert (row.total if row else 0) == expected
