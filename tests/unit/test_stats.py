"""Statistics: mastery per topic and domain, accuracy, the calendar, the forecast, drills,
the `quizapp stats --json` shape, and the terminal charts that draw them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating

from quizapp.cli.main import main
from quizapp.core import charts
from quizapp.core import review as rv
from quizapp.core.bank import Bank, Question, Source, Taxonomy, Topic
from quizapp.core.stats import ACCURACY_DAYS, FORECAST_DAYS, HEATMAP_DAYS, compute_stats, forecast
from quizapp.core.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
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


def taxonomy() -> Taxonomy:
    def topic(tid: str, domain: str) -> Topic:
        return Topic(tid, tid.upper(), f"Topic {tid}", f"主题{tid}", domain, f"领域{domain}")

    return Taxonomy({t.id: t for t in (topic("a", "D1"), topic("b", "D1"), topic("c", "D2"),
                                       topic("unused", "D2"))})


def bank() -> Bank:
    out = Bank()
    for qid, topics in (("q1", ("a",)), ("q2", ("a", "b")), ("q3", ("b",)), ("q4", ("c",))):
        out.questions[qid] = Question(id=qid, kind="single", topics=topics, difficulty=1,
                                      source=Source(refs=("t",)), prompt={"en": qid},
                                      explanation={"en": "-"})
    return out


def review(store: Store, key: str, rating: Rating, at: datetime, duration_ms: int = 2000
           ) -> None:
    settings = rv.ReviewSettings.load(store)
    card = rv.load_card(store, key, at)
    preview = rv.preview_ratings(settings.scheduler(), card, at)[rating]
    rv.commit_rating(store, key, card, preview, duration_ms=duration_ms)


def test_empty_progress_has_zero_mastery_and_empty_charts(store: Store) -> None:
    stats = compute_stats(store, bank(), taxonomy(), T0)
    assert [m.id for m in stats.topics] == ["a", "b", "c"]      # 'unused' has no questions
    assert [(m.id, m.total) for m in stats.domains] == [("D1", 3), ("D2", 1)]
    assert all(m.mastery == 0 and m.retention is None for m in stats.topics + stats.domains)
    assert len(stats.accuracy) == ACCURACY_DAYS and len(stats.heatmap) == HEATMAP_DAYS
    assert stats.heatmap[-1][0] == date(2026, 3, 2)
    assert stats.forecast == [0] * FORECAST_DAYS
    assert stats.new_available == 4 and stats.due_today == 0 and stats.streak_days == 0
    json.dumps(stats.to_json())


def test_mastery_is_mean_retrievability_now(store: Store) -> None:
    review(store, "q:q1", Rating.Good, T0 - timedelta(days=20))
    review(store, "q:q1", Rating.Good, T0 - timedelta(days=19))
    review(store, "q:q2", Rating.Easy, T0 - timedelta(days=3))
    stats = compute_stats(store, bank(), taxonomy(), T0)
    scheduler = rv.ReviewSettings.load(store).scheduler()
    r1 = scheduler.get_card_retrievability(rv.load_card(store, "q:q1"), T0)
    r2 = scheduler.get_card_retrievability(rv.load_card(store, "q:q2"), T0)
    assert 0 < r1 < 1 and 0 < r2 <= 1
    topics = {m.id: m for m in stats.topics}
    assert topics["a"].mastery == pytest.approx((r1 + r2) / 2)
    assert topics["a"].retention == pytest.approx((r1 + r2) / 2) and topics["a"].reviewed == 2
    assert topics["b"].mastery == pytest.approx(r2 / 2)          # q3 unseen counts 0
    assert topics["b"].retention == pytest.approx(r2)
    d1 = stats.domains[0]
    assert d1.total == 3 and d1.mastery == pytest.approx((r1 + r2) / 3)  # q2 counted once


def test_accuracy_heatmap_streak_and_today(store: Store) -> None:
    review(store, "q:q1", Rating.Good, T0 - timedelta(days=2))
    review(store, "q:q2", Rating.Again, T0 - timedelta(days=1))
    review(store, "q:q2", Rating.Good, T0 - timedelta(days=1, minutes=-5))
    review(store, "q:q3", Rating.Hard, T0, duration_ms=4500)
    stats = compute_stats(store, bank(), taxonomy(), T0)
    by_day = {d.day: d for d in stats.accuracy}
    assert by_day[date(2026, 2, 28)].reviews == 1 and by_day[date(2026, 2, 28)].accuracy == 1
    assert by_day[date(2026, 3, 1)].reviews == 2 and by_day[date(2026, 3, 1)].correct == 1
    heat = dict(stats.heatmap)
    assert heat[date(2026, 3, 1)] == 2 and heat[date(2026, 3, 2)] == 1
    assert sum(heat.values()) == 4
    assert stats.reviewed_today == 1 and stats.time_today_ms == 4500
    assert stats.streak_days == 3 and stats.total_reviews == 4
    assert stats.cards["total"] == 3 and stats.cards["new"] == 0


def test_true_retention_counts_only_cards_in_review(store: Store) -> None:
    review(store, "q:q1", Rating.Easy, T0 - timedelta(days=25))    # new → review
    card = rv.load_card(store, "q:q1")
    review(store, "q:q1", Rating.Again, card.due)                    # a lapse of a review card
    stats = compute_stats(store, bank(), taxonomy(), card.due + timedelta(hours=1))
    assert stats.true_retention_30d == 0.0
    assert stats.desired_retention == 0.9


def test_forecast_buckets_due_cards_by_study_day(store: Store) -> None:
    review(store, "q:q1", Rating.Easy, T0 - timedelta(days=40))   # long overdue → today
    review(store, "q:q2", Rating.Easy, T0)
    due2 = rv.load_card(store, "q:q2").due
    counts = forecast(store, T0)
    assert len(counts) == FORECAST_DAYS and sum(counts) == 2
    assert counts[0] == 1
    assert counts[(rv.study_day(due2) - rv.study_day(T0)).days] == 1


def test_drill_results_best_time_and_ratio(store: Store) -> None:
    for passed, ms, ratio in ((False, None, None), (True, 2.5, 1.8), (True, 1.9, 2.2),
                              (True, 3.0, 1.1)):
        store.record_drill_result("rmsnorm", track="torch", status="passed" if passed
                                  else "failed", passed=passed, message="", at=T0,
                                  result={"timing": {"user_ms": ms, "ratio": ratio}}
                                  if passed else {})
    (drill,) = compute_stats(store, bank(), taxonomy(), T0).drills
    assert (drill.attempts, drill.passes, drill.best_ms, drill.best_ratio) == (4, 3, 1.9, 1.1)


def test_stats_json_command(store: Store, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZAPP_QUESTION_DIRS", str(FIXTURES / "good"))
    review(store, "q:fixture.attention.scale-why", Rating.Good, datetime.now(timezone.utc))
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"generated_at", "cards", "today", "streak_days", "reviews", "mastery",
                         "accuracy", "heatmap", "forecast", "drills"}
    assert data["reviews"]["total"] == 1 and data["today"]["reviewed"] == 1
    assert len(data["forecast"]) == FORECAST_DAYS
    topics = {t["id"]: t for t in data["mastery"]["topics"]}
    assert topics["scaled-dot-product-attention"]["reviewed"] == 1
    assert main(["stats"]) == 0
    text = capsys.readouterr().out
    assert "Mastery by domain" in text and "Reviews per day" in text


# --------------------------------------------------------------------------- charts


def test_bar_and_sparkline() -> None:
    assert charts.bar(0, 4) == "    " and charts.bar(1, 4) == "████"
    assert charts.bar(0.5, 4) == "██  " and charts.bar(0.53, 4)[2] == "▏"
    assert charts.sparkline([0, 4, 8, None]) == "▁▅█ "   # 4/8 of 7 steps rounds to 4
    assert charts.sparkline([1.0, 0.25], top=1.0) == "█▃"


def test_columns_show_small_counts_and_scale_to_the_top() -> None:
    rows = charts.columns([0, 1, 100], height=2)
    assert rows == ["  █", " ▁█"]


def test_calendar_levels_scale_to_the_90th_percentile() -> None:
    start = date(2026, 3, 2)  # a Monday
    days = [(start + timedelta(days=i), n) for i, n in enumerate([0, 1, 2, 3, 100, 0, 5, 7])]
    grid, mondays = charts.calendar_levels(days, levels=4)
    assert mondays == [start, start + timedelta(days=7)]
    # busy days 1 2 3 5 7 100 → the 90th percentile is 7; 100 is simply the top level
    assert [grid[d][0] for d in range(7)] == [0, 1, 2, 2, 4, 0, 3]
    assert grid[0][1] == 4 and grid[1][1] is None
    assert len(charts.calendar_text(days)) == 8


# --------------------------------------------------------------------------- daily totals


def _totals_from_log(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(
        "SELECT day, count(*), sum(rating > 1), sum(state_before = 2), "
        "sum(state_before = 2 AND rating > 1), sum(state_before = 0), "
        "coalesce(sum(duration_ms), 0) FROM review_log GROUP BY day ORDER BY day")]


def _totals(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(
        "SELECT day, reviews, correct, recall, recall_correct, new_cards, duration_ms "
        "FROM review_days ORDER BY day")]


def test_daily_totals_follow_ratings_undo_and_import(store: Store, tmp_path: Path) -> None:
    from quizapp.core.progress_io import export_progress, import_progress

    records = []
    at = T0 - timedelta(days=5)
    for i, rating in enumerate([Rating.Good, Rating.Again, Rating.Good, Rating.Easy] * 3):
        key = f"q:q{i % 4 + 1}"
        settings = rv.ReviewSettings.load(store)
        card = rv.load_card(store, key, at)
        preview = rv.preview_ratings(settings.scheduler(), card, at)[rating]
        records.append(rv.commit_rating(store, key, card, preview, duration_ms=1000 + i))
        at += timedelta(hours=9)
    assert _totals(store) == _totals_from_log(store) and len(_totals(store)) >= 4
    rv.undo_rating(store, records[-1])
    rv.undo_rating(store, records[-2])
    assert _totals(store) == _totals_from_log(store)
    export_progress(store, tmp_path / "p.json")
    with Store.open(tmp_path / "other.db") as other:
        import_progress(other, tmp_path / "p.json")
        import_progress(other, tmp_path / "p.json")
        assert _totals(other) == _totals(store)
    store.conn.execute("UPDATE review_log SET rating = 1 WHERE id = 1")
    assert _totals(store) == _totals_from_log(store)


def test_migration_builds_daily_totals_from_an_existing_log(tmp_path: Path) -> None:
    import sqlite3

    from quizapp.core.store import APPLICATION_ID, MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.executemany(
        "INSERT INTO review_log (card_id, rating, reviewed_at, duration_ms, day, state_before) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [("q:a", 3, "2026-03-01T10:00:00.000000+00:00", 100, "2026-03-01", 0),
         ("q:a", 1, "2026-03-03T10:00:00.000000+00:00", 200, "2026-03-03", 2),
         ("q:b", 4, "2026-03-03T11:00:00.000000+00:00", None, "2026-03-03", 0)])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert _totals(store) == [("2026-03-01", 1, 1, 0, 0, 1, 100),
                                  ("2026-03-03", 2, 1, 1, 0, 1, 200)]


def test_calendar_a_steady_routine_shows_as_busy() -> None:
    start = date(2026, 3, 2)
    days = [(start + timedelta(days=i), 80) for i in range(14)]
    grid, _ = charts.calendar_levels(days, levels=4)
    assert {cell for row in grid for cell in row} == {4}
