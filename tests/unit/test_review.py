"""FSRS review core: ids and days, settings, rating policy, the queue, rating, undo,
retirement, crash safety, cram mode and the optimizer entry point (all with a fake clock)."""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating, State

from quizapp.core import review as rv
from quizapp.core.bank import Bank, Question, Source, load_bank
from quizapp.core.errors import QuizappError, UsageError
from quizapp.core.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def set_tz(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("TZ", name)
    time.tzset()


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Study days follow local time; pin it so the tests do not depend on the machine."""
    set_tz(monkeypatch, "UTC")
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


def make_bank(spec: dict[str, int]) -> Bank:
    """A bank with `n` single-choice questions per topic, ids `<topic>.<i>`, topics in order."""
    bank = Bank()
    for topic, n in spec.items():
        for i in range(n):
            qid = f"{topic}.{i}"
            bank.questions[qid] = Question(
                id=qid, kind="single", topics=(topic,), difficulty=1,
                source=Source(refs=("test",)), prompt={"en": qid}, explanation={"en": "-"})
    return bank


def review(store: Store, key: str, rating: Rating, at: datetime,
           duration_ms: int | None = 1000) -> rv.RatingRecord:
    """Rate one card at `at` through the public API."""
    settings = rv.ReviewSettings.load(store)
    card = rv.load_card(store, key, at)
    preview = rv.preview_ratings(settings.scheduler(), card, at)[rating]
    return rv.commit_rating(store, key, card, preview, duration_ms=duration_ms)


# --------------------------------------------------------------------------- ids, days, text


def test_card_keys_and_fsrs_ids_are_stable_and_distinct() -> None:
    assert rv.card_key("question", "kv.a") == "q:kv.a"
    assert rv.split_card_key("d:rmsnorm") == ("drill", "rmsnorm")
    with pytest.raises(ValueError):
        rv.split_card_key("x:1")
    # A fixed value: progress must survive upgrades, so the hash may never change.
    assert rv.fsrs_id("q:kv.a") == rv.fsrs_id("q:kv.a") == 119029786751819
    assert rv.fsrs_id("q:rmsnorm") != rv.fsrs_id("d:rmsnorm")
    assert 0 <= rv.fsrs_id("q:x") < 2**48


def test_times_must_be_aware_and_come_out_as_fsrs_utc() -> None:
    with pytest.raises(ValueError, match="naive"):
        rv.as_utc(datetime(2026, 1, 1))
    shanghai = datetime(2026, 1, 1, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    utc = rv.as_utc(shanghai)
    assert utc.tzinfo is timezone.utc and utc.hour == 12
    # ZoneInfo("UTC") is rejected by fsrs itself; as_utc makes it acceptable.
    rv.ReviewSettings().scheduler().review_card(
        Card(card_id=1), Rating.Good, review_datetime=rv.as_utc(
            datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))))


def test_study_day_rolls_over_at_4am_local(monkeypatch: pytest.MonkeyPatch) -> None:
    set_tz(monkeypatch, "Asia/Shanghai")
    # 19:30 UTC = 03:30 in Shanghai on the 3rd: still the study day of the 2nd.
    assert rv.study_day(datetime(2026, 3, 2, 19, 30, tzinfo=timezone.utc)) == date(2026, 3, 2)
    assert rv.study_day(datetime(2026, 3, 2, 20, 30, tzinfo=timezone.utc)) == date(2026, 3, 3)
    end = rv.end_of_day(datetime(2026, 3, 2, 12, tzinfo=timezone.utc))
    assert end == datetime(2026, 3, 2, 20, 0, tzinfo=timezone.utc)  # 04:00 on the 3rd local


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=30), "<1m"), (timedelta(minutes=1), "1m"), (timedelta(minutes=10), "10m"),
    (timedelta(hours=3), "3h"), (timedelta(hours=1, minutes=30), "1.5h"), (timedelta(days=2), "2d"),
    (timedelta(days=45), "1.5mo"), (timedelta(days=730), "2.0y"),
])
def test_format_interval(delta: timedelta, text: str) -> None:
    assert rv.format_interval(delta) == text


def test_steps_parse_and_format() -> None:
    steps = rv.parse_steps("1m, 10m,1h, 1d")
    assert steps == (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1),
                     timedelta(days=1))
    assert rv.format_steps(steps) == "1m, 10m, 1h, 1d"
    assert rv.parse_steps("") == ()
    for bad in ("10", "5 minutes", "0m", "-1m"):
        with pytest.raises(UsageError):
            rv.parse_steps(bad)


# --------------------------------------------------------------------------- settings


def test_settings_round_trip_and_reach_the_scheduler(store: Store) -> None:
    assert rv.ReviewSettings.load(store) == rv.ReviewSettings()
    params = tuple(rv.ReviewSettings().scheduler().parameters)
    wanted = rv.ReviewSettings(desired_retention=0.85, new_per_day=5,
                               learning_steps=(timedelta(minutes=2),),
                               relearning_steps=(), parameters=params)
    wanted.save(store)
    loaded = rv.ReviewSettings.load(store)
    assert loaded == wanted
    scheduler = loaded.scheduler()
    assert scheduler.desired_retention == 0.85
    assert scheduler.learning_steps == (timedelta(minutes=2),)
    assert scheduler.enable_fuzzing


@pytest.mark.parametrize("kwargs", [{"desired_retention": 0.5}, {"desired_retention": 1.0},
                                    {"new_per_day": -1}, {"parameters": (0.1,) * 19}])
def test_bad_settings_are_one_line_errors(kwargs: dict) -> None:
    with pytest.raises(UsageError) as err:
        rv.ReviewSettings(**kwargs)
    assert "\n" not in str(err.value)


def test_learning_steps_setting_changes_the_first_intervals(store: Store) -> None:
    rv.ReviewSettings(learning_steps=(timedelta(minutes=3), timedelta(minutes=30))).save(store)
    previews = rv.preview_ratings(rv.ReviewSettings.load(store).scheduler(),
                                  rv.load_card(store, "q:x", T0), T0)
    assert previews[Rating.Again].interval == timedelta(minutes=3)
    assert previews[Rating.Good].interval == timedelta(minutes=30)


def test_bulk_retrievability_agrees_with_fsrs() -> None:
    rng = random.Random(7)
    for params in (None, tuple(p * 1.05 if i == 20 else p for i, p in
                               enumerate(rv.ReviewSettings().scheduler().parameters))):
        scheduler = rv.ReviewSettings(parameters=params).scheduler()
        curve = rv.retrievability_fn(scheduler)
        for _ in range(200):
            last = T0 - timedelta(days=rng.uniform(0, 400))
            card = Card(card_id=1, state=State.Review, stability=rng.uniform(0.01, 300),
                        difficulty=5.0, due=T0, last_review=last)
            expected = scheduler.get_card_retrievability(card, T0)
            assert curve(card.stability, (T0 - last).days) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- rating policy


@pytest.mark.parametrize(("passed", "tries", "hints", "expected"), [
    (False, 1, 0, Rating.Again), (False, 3, 2, Rating.Again), (True, 1, 0, Rating.Good),
    (True, 2, 0, Rating.Hard), (True, 1, 1, Rating.Hard),
])
def test_auto_graded_answers_propose_a_rating(passed: bool, tries: int, hints: int,
                                              expected: Rating) -> None:
    assert rv.propose_rating(passed, tries=tries, hints_used=hints) == expected


def test_short_answers_and_drills_propose_ratings() -> None:
    assert rv.propose_short_rating(0.4, passed=False) == Rating.Again
    assert rv.propose_short_rating(0.7, passed=True) == Rating.Hard
    assert rv.propose_short_rating(1.0, passed=True) == Rating.Good
    assert rv.propose_drill_rating(True) == Rating.Good
    assert rv.propose_drill_rating(True, hints_used=1) == Rating.Hard
    assert rv.propose_drill_rating(True, runs=3) == Rating.Hard
    assert rv.propose_drill_rating(False) == Rating.Again
    assert rv.propose_drill_rating(True, solution_shown=True) == Rating.Again


# --------------------------------------------------------------------------- the queue


def test_queue_due_cards_first_lowest_recall_first_then_new(store: Store) -> None:
    bank = make_bank({"a": 3, "b": 3})
    # Three reviewed cards with different stabilities, all due today.
    for qid, good_reviews in (("a.0", 1), ("a.1", 3), ("b.0", 2)):
        at = T0 - timedelta(days=60)
        for _ in range(good_reviews):
            review(store, "q:" + qid, Rating.Good, at)
            at += timedelta(days=1)
    queue = rv.build_queue(store, bank, T0)
    assert [i.item_id for i in queue.due] and all(not i.is_new for i in queue.due)
    recalls = [i.retrievability for i in queue.due]
    assert recalls == sorted(recalls)
    assert {i.item_id for i in queue.due} == {"a.0", "a.1", "b.0"}
    assert [i.item_id for i in queue.new] == ["a.2", "b.1", "b.2"]
    assert queue.items == queue.due + queue.new


def test_cards_due_later_today_are_in_the_queue_tomorrows_are_not(store: Store) -> None:
    bank = make_bank({"a": 2})
    review(store, "q:a.0", Rating.Easy, T0 - timedelta(days=30))
    card = rv.load_card(store, "q:a.0")
    due_date = card.due
    before = rv.build_queue(store, bank, due_date - timedelta(hours=11, minutes=59))
    assert [i.item_id for i in before.due] == (
        ["a.0"] if rv.study_day(due_date - timedelta(hours=11, minutes=59))
        == rv.study_day(due_date) else [])
    assert [i.item_id for i in rv.build_queue(store, bank, due_date - timedelta(days=1)).due] \
        == []
    assert [i.item_id for i in rv.build_queue(store, bank, due_date).due] == ["a.0"]


def test_new_cards_interleave_topics_and_respect_the_daily_limit(store: Store) -> None:
    bank = make_bank({"a": 4, "b": 2, "c": 1})
    rv.ReviewSettings(new_per_day=5).save(store)
    queue = rv.build_queue(store, bank, T0)
    assert [i.item_id for i in queue.new] == ["a.0", "b.0", "c.0", "a.1", "b.1"]
    assert queue.new_held_back == 2
    # Two new cards reviewed today use up two of the five.
    review(store, "q:a.0", Rating.Good, T0)
    review(store, "q:b.0", Rating.Good, T0)
    queue = rv.build_queue(store, bank, T0)
    assert queue.new_done_today == 2 and len(queue.new) == 3
    # The next study day starts a fresh allowance.
    assert len(rv.build_queue(store, bank, T0 + timedelta(days=1)).new) == 5


def test_items_met_in_a_quiz_become_cards_and_come_before_unseen_ones(store: Store) -> None:
    bank = make_bank({"a": 3, "b": 3})
    store.record_attempt("b.2", "question", 1, 1.0, True, at=T0 - timedelta(hours=2))
    store.record_attempt("a.1", "question", 0, 0.0, False, at=T0 - timedelta(hours=1))
    store.record_attempt("gone", "question", 0, 0.0, False, at=T0)   # not in the bank
    queue = rv.build_queue(store, bank, T0)
    keys = dict(store.conn.execute("SELECT card_id, last_review FROM cards").fetchall())
    assert set(keys) == {"q:b.2", "q:a.1"} and all(v is None for v in keys.values())
    assert [i.item_id for i in queue.new][:2] == ["b.2", "a.1"]
    assert len(queue.new) == 6


def test_interleave_keeps_priority_but_splits_runs_of_one_topic() -> None:
    def item(name: str, topic: str) -> rv.QueueItem:
        return rv.QueueItem("q:" + name, "question", name, topic, False, None, 0.0)

    items = [item("1", "a"), item("2", "a"), item("3", "a"), item("4", "b"), item("5", "a")]
    out = [i.item_id for i in rv.interleave(items, window=3)]
    assert out == ["1", "4", "2", "3", "5"]
    assert [i.item_id for i in rv.interleave(items[:3])] == ["1", "2", "3"]


def test_summary_counts_due_new_and_streak(store: Store) -> None:
    bank = make_bank({"a": 5})
    assert rv.summary(store, bank, T0) == rv.ReviewSummary(0, 5, 0)
    for days_ago in (3, 2, 1):
        review(store, f"q:a.{days_ago}", Rating.Good, T0 - timedelta(days=days_ago))
    s = rv.summary(store, bank, T0)
    assert s.streak_days == 3           # yesterday's streak is alive until today ends
    assert s.new_available == 2
    review(store, "q:a.0", Rating.Good, T0)
    assert rv.summary(store, bank, T0).streak_days == 4
    assert rv.summary(store, bank, T0 + timedelta(days=2)).streak_days == 0


# --------------------------------------------------------------------------- rating and undo


def test_commit_uses_the_preview_shown_and_logs_the_review(store: Store) -> None:
    bank = make_bank({"a": 1})
    clock = FakeClock()
    session = rv.ReviewSession(store, rv.build_queue(store, bank, T0).items, clock=clock)
    session.next_card()
    clock.advance(seconds=2)
    previews = session.reveal()
    assert previews is not None and session.reveal() is previews   # computed once
    labels = {r: p.label for r, p in previews.items()}
    assert labels == {Rating.Again: "1m", Rating.Hard: "6m", Rating.Good: "10m",
                      Rating.Easy: labels[Rating.Easy]}
    clock.advance(seconds=5)
    record = session.rate(Rating.Easy)
    assert record is not None
    card = rv.load_card(store, "q:a.0")
    assert card.due == previews[Rating.Easy].card.due   # the fuzzed interval that was shown
    row = store.conn.execute("SELECT * FROM review_log").fetchone()
    assert row["rating"] == 4 and row["duration_ms"] == 7000 and row["state_before"] == 0
    assert row["day"] == "2026-03-02"
    assert Card.from_json(row["card_before"]).last_review is None
    mirrored = store.conn.execute("SELECT * FROM cards").fetchone()
    assert mirrored["stability"] == card.stability and mirrored["state"] == int(card.state)


def test_undo_restores_the_card_and_removes_the_log_row(store: Store) -> None:
    first = review(store, "q:a", Rating.Good, T0)
    assert first.created_card
    before = store.conn.execute("SELECT card, due, state, stability, last_review FROM cards"
                                ).fetchone()
    second = review(store, "q:a", Rating.Again, T0 + timedelta(minutes=10))
    with pytest.raises(QuizappError, match="latest"):
        rv.undo_rating(store, first)
    rv.undo_rating(store, second)
    assert tuple(store.conn.execute("SELECT card, due, state, stability, last_review FROM cards"
                                    ).fetchone()) == tuple(before)
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    rv.undo_rating(store, first)   # the card was created by this rating: it goes away
    assert store.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 0


def test_session_learning_cards_return_and_undo_puts_the_card_back(store: Store) -> None:
    bank = make_bank({"a": 2})
    clock = FakeClock()
    session = rv.ReviewSession(store, rv.build_queue(store, bank, T0).items, clock=clock)
    assert session.next_card().item_id == "a.0"
    session.reveal()
    session.rate(Rating.Again)             # back in 1 minute
    assert session.next_card().item_id == "a.1"
    clock.advance(seconds=20)
    session.reveal()
    session.rate(Rating.Good)              # back in 10 minutes
    # Nothing else queued: the learning card due soonest is shown, a little early.
    nxt = session.next_card()
    assert nxt.item_id == "a.0" and not nxt.is_new
    assert session.remaining == 2
    session.reveal()
    session.rate(Rating.Good)
    assert session.can_undo()
    item = session.undo()
    assert item.item_id == "a.0" and session.current is item
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 2
    assert session.counts[Rating.Good] == 1 and session.reviewed == 2
    session.reveal()
    session.rate(Rating.Easy)              # graduates: not back today
    assert [k for _, k in session.learning] and all(
        k.item_id == "a.1" for _, k in session.learning)


def test_a_failed_rating_changes_nothing(store: Store) -> None:
    review(store, "q:a", Rating.Good, T0)
    card = rv.load_card(store, "q:a")
    settings = rv.ReviewSettings.load(store)
    # Same card, same instant: the log's UNIQUE(card_id, reviewed_at) refuses the insert;
    # the card update in the same transaction must be rolled back with it.
    preview = rv.preview_ratings(settings.scheduler(), card, card.last_review)[Rating.Again]
    with pytest.raises(Exception, match="UNIQUE"):
        rv.commit_rating(store, "q:a", card, preview)
    assert rv.load_card(store, "q:a") == card
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1


def test_ratings_survive_a_crash_mid_session(store: Store, tmp_path: Path) -> None:
    """Each rating is committed on its own: a process killed after rating two cards leaves
    both in the database (checked from a separate process that never closes cleanly)."""
    import subprocess
    import textwrap

    code = textwrap.dedent("""
        import os
        from datetime import datetime, timezone, timedelta
        from quizapp.core import review as rv
        from quizapp.core.store import Store
        store = Store.open()
        t = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
        items = [rv.QueueItem(f"q:{n}", "question", n, None, True, None, 0.0)
                 for n in ("x", "y", "z")]
        session = rv.ReviewSession(store, items, clock=lambda: t)
        for rating in (3, 1):
            session.next_card(); session.reveal(); session.rate(rating)
        session.next_card(); session.reveal()
        os._exit(9)   # dies before rating the third card, without closing anything
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    with Store.open() as fresh:
        rows = fresh.conn.execute("SELECT card_id, rating FROM review_log ORDER BY id").fetchall()
        assert [tuple(r) for r in rows] == [("q:x", 3), ("q:y", 1)]
        assert fresh.conn.execute("SELECT count(*) FROM cards WHERE last_review IS NOT NULL"
                                  ).fetchone()[0] == 2


# --------------------------------------------------------------------------- retirement


def test_removed_questions_retire_their_cards_and_keep_the_log(store: Store) -> None:
    bank = make_bank({"a": 2})
    review(store, "q:a.0", Rating.Good, T0 - timedelta(days=10))
    review(store, "q:a.1", Rating.Good, T0 - timedelta(days=10))
    smaller = make_bank({"a": 1})
    queue = rv.build_queue(store, smaller, T0)
    assert [i.item_id for i in queue.due] == ["a.0"]
    assert store.conn.execute("SELECT retired FROM cards WHERE card_id = 'q:a.1'"
                              ).fetchone()[0] == 1
    assert store.conn.execute("SELECT count(*) FROM review_log WHERE card_id = 'q:a.1'"
                              ).fetchone()[0] == 1
    # The question comes back (e.g. a file fixed): so does its card, with its history.
    queue = rv.build_queue(store, bank, T0)
    assert {i.item_id for i in queue.due} == {"a.0", "a.1"}
    # A bank that failed to load entirely retires nothing.
    rv.sync_cards(store, Bank())
    assert store.conn.execute("SELECT count(*) FROM cards WHERE retired = 1").fetchone()[0] == 0


def test_drill_cards_are_retired_only_when_the_drill_list_is_known(store: Store) -> None:
    bank = make_bank({"a": 1})
    store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                              message="", result={}, at=T0)
    rv.sync_cards(store, bank, drill_ids=None)
    assert store.conn.execute("SELECT card_id, retired FROM cards").fetchall()[0][:] == \
        ("d:rmsnorm", 0)
    rv.sync_cards(store, bank, drill_ids={"attention"})
    assert store.conn.execute("SELECT retired FROM cards").fetchone()[0] == 1
    rv.sync_cards(store, bank, drill_ids={"attention", "rmsnorm"})
    assert store.conn.execute("SELECT retired FROM cards").fetchone()[0] == 0
    rv.sync_cards(store, bank, drill_ids=[])    # no drills at all: a load failure, not removal
    assert store.conn.execute("SELECT retired FROM cards").fetchone()[0] == 0


def test_editing_a_question_keeps_its_card(store: Store) -> None:
    bank = make_bank({"a": 1})
    review(store, "q:a.0", Rating.Good, T0 - timedelta(days=5))
    edited = Bank(questions={"a.0": replace(bank.questions["a.0"], prompt={"en": "new text"},
                                            topics=("b",))})
    queue = rv.build_queue(store, edited, T0)
    assert [(i.item_id, i.topic) for i in queue.due] == [("a.0", "b")]


# --------------------------------------------------------------------------- cram


def test_cram_practises_a_topic_without_touching_the_schedule(store: Store) -> None:
    bank = load_bank([FIXTURES / "good"])
    review(store, "q:fixture.norms.rmsnorm-vs-layernorm", Rating.Good, T0 - timedelta(days=9))
    snapshot = store.conn.execute("SELECT * FROM cards").fetchall()
    items = rv.cram_items(store, bank, "rmsnorm", T0)
    assert [i.item_id for i in items][0] == "fixture.norms.rmsnorm-vs-layernorm"
    assert {i.item_id for i in items} == {q.id for q in bank.by_topic("rmsnorm")}
    session = rv.ReviewSession(store, items, clock=FakeClock(), cram=True)
    session.next_card()
    assert session.reveal() is None
    assert session.rate(Rating.Again) is None
    while session.next_card() is not None:
        session.rate(Rating.Good)
    assert session.reviewed == len(items) + 1           # the Again card came back once
    assert store.conn.execute("SELECT * FROM cards").fetchall() == snapshot
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    with pytest.raises(UsageError):
        rv.cram_items(store, bank, "no-such-topic", T0)


# --------------------------------------------------------------------------- optimizer


def _history(store: Store, cards: int, days: int, start: datetime) -> None:
    """`cards` cards each reviewed once a day for `days` days."""
    with store.transaction() as conn:
        for c in range(cards):
            for d in range(days):
                at = start + timedelta(days=d, minutes=c)
                conn.execute("INSERT INTO review_log (card_id, rating, reviewed_at, duration_ms,"
                             " day, state_before) VALUES (?, ?, ?, ?, ?, ?)",
                             (f"q:c{c}", 3 if (c + d) % 5 else 1, rv.to_iso(at), 3000,
                              rv.study_day(at).isoformat(), 0 if d == 0 else 2))


def test_optimizer_refuses_below_512_reviews_and_says_how_many(store: Store) -> None:
    _history(store, cards=10, days=20, start=T0)   # 10 × 19 later-day reviews = 190
    # Same-day repeats do not count.
    review(store, "q:c0", Rating.Good, T0 + timedelta(days=19, hours=1))
    assert rv.count_optimizer_reviews(store) == 190
    with pytest.raises(QuizappError, match="needs 512 .* you have 190 \\(322 to go\\)"):
        rv.optimize(store)


def test_optimizer_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)   # import pandas → ImportError
    with pytest.raises(QuizappError) as err:
        rv.load_optimizer()
    assert 'pip install "fsrs[optimizer]"' in str(err.value)


def test_optimizer_entry_point_saves_parameters(store: Store) -> None:
    _history(store, cards=30, days=20, start=T0)   # 30 × 19 = 570 usable reviews
    seen: dict[str, object] = {}
    fitted = [round(p * 1.01, 6) for p in rv.ReviewSettings().scheduler().parameters]

    class FakeOptimizer:
        def __init__(self, logs: list) -> None:
            seen["logs"] = logs

        def compute_optimal_parameters(self, verbose: bool = False) -> list[float]:
            return fitted

        def compute_optimal_retention(self, parameters: list[float]) -> float:
            seen["parameters"] = parameters
            return 0.85

    clock = FakeClock(T0 + timedelta(days=30))
    result = rv.optimize(store, optimizer_cls=FakeOptimizer, clock=clock)
    assert result.reviews_used == 570 and result.optimal_retention == 0.85
    logs = seen["logs"]
    assert len(logs) == 600 and all(log.review_datetime.tzinfo is timezone.utc for log in logs)
    assert logs[0].card_id == rv.fsrs_id("q:c0") and logs[0].review_duration == 3000
    assert seen["parameters"] == fitted
    settings = rv.ReviewSettings.load(store)
    assert settings.parameters == tuple(fitted)
    assert list(settings.scheduler().parameters) == fitted
    assert store.get_setting("review.optimized_at") == rv.to_iso(clock.now)
    # A dry run computes without saving.
    rv.ReviewSettings().save(store)
    rv.optimize(store, optimizer_cls=FakeOptimizer, apply=False, clock=clock)
    assert rv.ReviewSettings.load(store).parameters is None


def test_review_log_rows_are_json_cards(store: Store) -> None:
    review(store, "q:a", Rating.Hard, T0)
    row = store.conn.execute("SELECT card FROM cards").fetchone()
    assert json.loads(row["card"])["card_id"] == rv.fsrs_id("q:a")


def test_previews_never_offer_easy_less_than_good_or_good_less_than_hard() -> None:
    """fsrs fuzzes each rating independently; the previews shown must still be ordered."""
    rng = random.Random(11)
    scheduler = rv.ReviewSettings().scheduler()
    for _ in range(300):
        last = T0 - timedelta(days=rng.uniform(1, 20))
        card = Card(card_id=1, state=State.Review, stability=rng.uniform(0.3, 12),
                    difficulty=rng.uniform(1, 10), due=T0, last_review=last)
        p = rv.preview_ratings(scheduler, card, T0)
        assert p[Rating.Hard].interval <= p[Rating.Good].interval <= p[Rating.Easy].interval
        for rating, preview in p.items():   # each one is what fsrs computed for that rating
            assert preview.log.rating == rating and preview.card.last_review == T0
