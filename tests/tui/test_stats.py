"""The stats screen: empty and filled states, Chinese, and every string of the review and
stats screens translated."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fsrs import Rating
from textual.widgets import DataTable, Static

import quizapp.tui.widgets.review  # noqa: F401 - registers the Chinese strings
from quizapp.core import review as rv
from quizapp.core.config import Config
from quizapp.core.store import Store
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.stats import StatsScreen
from quizapp.tui.strings import ZH
from tests.tui.conftest import FakeClock, fixture_content

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
PACKAGE = Path(rv.__file__).resolve().parents[2]
OUR_FILES = [PACKAGE / "tui/screens/review.py", PACKAGE / "tui/screens/stats.py",
             *sorted((PACKAGE / "tui/widgets/review").glob("*.py"))]


def seed_progress() -> None:
    """A week of reviews of two fixture questions and a graded drill."""
    content = fixture_content()
    scheduler = rv.ReviewSettings().scheduler()
    with Store.open() as store:
        for qid in ("tui.attention.scale-why", "tui.entropy.bits"):
            at = T0 - timedelta(days=7)
            for rating in (Rating.Good, Rating.Good, Rating.Again, Rating.Good):
                card = rv.load_card(store, "q:" + qid, at)
                preview = rv.preview_ratings(scheduler, card, at)[rating]
                rv.commit_rating(store, "q:" + qid, card, preview, duration_ms=4000)
                at += timedelta(days=1, minutes=3)
        store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                                  message="", at=T0 - timedelta(days=2),
                                  result={"timing": {"user_ms": 0.84, "ratio": 1.37}})
        assert content.bank.questions


async def test_stats_screen_shows_every_panel(clock: FakeClock) -> None:
    seed_progress()
    app = QuizApp("home", content=fixture_content(), seed=7, now=lambda: T0, clock=clock,
                  config=Config())
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        app.action_open("stats")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        text = {name: str(app.screen.query_one(f"#{name}", Static).render())
                for name in ("today", "mastery", "forecast", "accuracy", "calendar")}
        assert "8 reviews in all" in text["today"] and "day streak" in text["today"]
        assert "Weakest reviewed topics" in text["mastery"]
        assert "days" in text["forecast"] and "30 days" in text["forecast"]
        assert "of 8 reviews in 90 days" in text["accuracy"]
        assert "active days of 365" in text["calendar"] and "■" in text["calendar"]
        table = app.screen.query_one("#drills", DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][:5] == ["rmsnorm", "1", "1", "0.84 ms",
                                                             "1.37×"]
        await pilot.press("l")                  # Chinese
        await pilot.pause()
        today = str(app.screen.query_one("#today", Static).render())
        assert "天连续" in today and "共复习 8 次" in today
        assert app.screen.query_one("#calendar").border_title == "过去 12 个月每天的复习量"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


async def test_stats_screen_with_no_progress(clock: FakeClock) -> None:
    app = QuizApp("home", content=fixture_content(), seed=7, now=lambda: T0, clock=clock,
                  config=Config())
    async with app.run_test(size=(100, 40)) as pilot:
        app.action_open("stats")
        await pilot.pause()
        accuracy = str(app.screen.query_one("#accuracy", Static).render())
        assert "No reviews yet." in accuracy
        assert not app.screen.query_one("#drills-box").display
        await pilot.press("r")                  # straight into the review
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"


def test_every_string_of_the_review_screens_has_chinese() -> None:
    missing = []
    for path in OUR_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            texts = []
            if name == "tr" and node.args and isinstance(node.args[0], ast.Constant):
                texts.append(node.args[0].value)
            if name == "Binding":
                texts += [a.value for a in node.args[2:3] if isinstance(a, ast.Constant)]
                texts += [k.value.value for k in node.keywords
                          if k.arg in ("description", "tooltip")
                          and isinstance(k.value, ast.Constant)]
            missing += [f"{path.name}: {t!r}" for t in texts if t not in ZH]
    assert missing == []
