"""The interview-date mode: every card met before the date was set is reviewed again before
the date, the extra load spread evenly; due cards are never hidden; afterwards the schedule
is FSRS's alone."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, State

from quizapp.core import review as rv
from quizapp.core.errors import UsageError
from quizapp.core.review import interview
from quizapp.core.store import Store, to_iso
from tests.unit.test_review import make_bank

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


def met_cards(store: Store, n: int, seed: int = 1) -> list[str]:
    """`n` question cards in the Review state, last reviewed in the past with stabilities
    from a few days to a year, so some are due soon and many long after three weeks."""
    rng = random.Random(seed)
    rows = []
    keys = [f"q:t.{i}" for i in range(n)]
    for key in keys:
        stability = rng.lognormvariate(4.0, 1.0)
        interval = max(1, round(stability))
        last = T0 - timedelta(days=rng.uniform(0, interval), hours=1)
        due = last + timedelta(days=interval)
        card = Card(card_id=rv.fsrs_id(key), state=State.Review, step=None,
                    stability=stability, difficulty=rng.uniform(2, 8), due=due,
                    last_review=last)
        rows.append((key, card.card_id, card.to_json(), to_iso(due), to_iso(last - timedelta(
            days=30)), int(State.Review), stability, to_iso(last)))
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO cards (card_id, fsrs_id, card, due, created_at, retired, state, "
            "stability, last_review) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)", rows)
    return keys


def rate_all(store: Store, items: list[rv.QueueItem], at: datetime) -> None:
    scheduler = rv.ReviewSettings.load(store).scheduler()
    for n, item in enumerate(items):
        moment = at + timedelta(seconds=n)
        card = rv.load_card(store, item.key, moment)
        preview = rv.preview_ratings(scheduler, card, moment)[Rating.Good]
        rv.commit_rating(store, item.key, card, preview, duration_ms=3000)


def test_three_weeks_out_300_met_cards_are_covered_evenly(store: Store) -> None:
    n = 300
    keys = met_cards(store, n)
    bank = make_bank({"t": n})
    rv.ReviewSettings(new_per_day=0).save(store)
    exam = date(2026, 3, 23)                     # three weeks after T0's study day
    interview.set_interview_date(store, exam, T0)
    first = interview.interview_plan(store, T0)
    assert first is not None and first.days_left == 21 and first.to_cover == n
    extra_per_day = []
    for day in range(21):
        now = T0 + timedelta(days=day)
        queue = rv.build_queue(store, bank, now)
        # FSRS's own due cards are all there: the mode only adds.
        assert len(queue.due) == rv.count_due(store, now)
        assert not {i.key for i in queue.due} & {i.key for i in queue.interview}
        assert all(i.interview and not i.is_new for i in queue.interview)
        extra_per_day.append(len(queue.interview))
        rate_all(store, queue.items, now)
        # Building the queue again the same day asks for nothing more: the day's share is done.
        again = rv.build_queue(store, bank, now + timedelta(hours=2))
        assert again.interview == []
    since = interview.interview_plan(store, T0 + timedelta(days=20)).since
    last = dict(store.conn.execute("SELECT card_id, last_review FROM cards"))
    exam_start = rv.day_start(exam, T0)
    assert all(since <= rv.from_iso(last[key]) < exam_start for key in keys)
    average = sum(extra_per_day) / len(extra_per_day)
    assert average > 5, extra_per_day            # the test exercises a real extra load
    assert max(extra_per_day) <= 1.5 * average, extra_per_day
    # Home's numbers on the last day: nothing left to cover.
    assert interview.interview_plan(store, T0 + timedelta(days=20)).to_cover == 0
    # On the date the mode is over: the queue is FSRS's alone.
    assert interview.interview_plan(store, T0 + timedelta(days=21)) is None
    assert rv.build_queue(store, bank, T0 + timedelta(days=21)).interview == []


def test_suspended_and_new_cards_are_not_covered_and_extras_stop_at_zero(store: Store) -> None:
    keys = met_cards(store, 10)
    rv.suspend(store, keys[0])
    rv.suspend(store, "q:t.new", T0)                 # a new card: nothing to cover
    interview.set_interview_date(store, date(2026, 3, 5), T0)
    plan = interview.interview_plan(store, T0)
    assert plan is not None and plan.to_cover == 9 and keys[0] not in plan.extra_keys
    assert plan.days_left == 3


def test_setting_and_clearing_the_date(store: Store) -> None:
    with pytest.raises(UsageError, match="after today"):
        interview.set_interview_date(store, date(2026, 3, 2), T0)
    assert interview.parse_interview_date("none") is None
    assert interview.parse_interview_date("2026-04-01") == date(2026, 4, 1)
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        interview.parse_interview_date("next friday")
    interview.set_interview_date(store, date(2026, 4, 1), T0)
    # Moving the date keeps when the mode began (coverage already done stays done).
    interview.set_interview_date(store, date(2026, 4, 8), T0 + timedelta(days=3))
    plan = interview.interview_plan(store, T0 + timedelta(days=3))
    assert plan is not None and plan.since == T0 and plan.date == date(2026, 4, 8)
    interview.set_interview_date(store, None)
    assert interview.interview_date(store) is None
    assert interview.interview_plan(store, T0) is None
    summary = rv.summary(store, make_bank({"t": 1}), T0)
    assert summary.interview is None
