"""The review screen driven like a user: answer, see the four intervals, rate with every
rating, undo, self-rate a short answer, cram without touching the schedule, review a drill."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fsrs import Card
from textual.widgets import Static

from quizapp.core import review as rv
from quizapp.core.bank import Bank
from quizapp.core.config import Config
from quizapp.core.store import Store
from quizapp.tui.app import Content, QuizApp
from quizapp.tui.screens.review import ReviewScreen, TopicPicker
from quizapp.tui.widgets.question import QuestionView
from quizapp.tui.widgets.review.drill_card import DrillCard
from quizapp.tui.widgets.review.rating import RatingBar
from tests.tui.conftest import FakeClock, fixture_content

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


class Now:
    """The app's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)


def content_with(*ids: str, drills: dict[str, Any] | None = None) -> Content:
    """The fixture content, its bank cut down to `ids` (in that order)."""
    full = fixture_content()
    bank = Bank(questions={qid: full.bank.questions[qid] for qid in ids})
    return Content(bank=bank, taxonomy=full.taxonomy, drills=drills or {})


def make(content: Content, now: Now, clock: FakeClock, **kwargs: Any) -> QuizApp:
    return QuizApp("review", content=content, seed=7, now=now, clock=clock, config=Config(),
                   **kwargs)


def screen(app: QuizApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


def current_question(app: QuizApp) -> str:
    return screen(app).query_one(QuestionView).question.id


def bar(app: QuizApp) -> RatingBar:
    return screen(app).query_one(RatingBar)


def status(app: QuizApp) -> str:
    return str(screen(app).query_one("#review-status", Static).render())


def stored_card(app: QuizApp, qid: str) -> Card:
    return rv.load_card(app.store, "q:" + qid)


def log(app: QuizApp) -> list[tuple]:
    return [tuple(r) for r in app.store.conn.execute(
        "SELECT card_id, rating, duration_ms FROM review_log ORDER BY id")]


SINGLE, MULTI, COIN = "tui.attention.scale-why", "tui.norms.recentre", "tui.entropy.bits"


async def test_each_rating_shows_its_interval_and_schedules_the_card(clock: FakeClock) -> None:
    now = Now()
    app = make(content_with(SINGLE, MULTI, COIN), now, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "3 new" in status(app) and "0 done" in status(app)
        assert not bar(app).has_class("-shown")

        # Card 1: right answer → Good proposed; the user overrides with Again.
        assert current_question(app) == SINGLE
        await pilot.press("1", "enter")
        await pilot.pause()
        assert bar(app).has_class("-shown") and bar(app).proposed == 3
        assert bar(app).labels == {1: "1m", 2: "6m", 3: "10m", 4: bar(app).labels[4]}
        assert bar(app).labels[4].endswith("d")
        box = str(screen(app).query_one("#rate-2", Static).render())
        assert "Hard" in box and "6m" in box
        clock.advance(12.5)
        await pilot.press("1")
        await pilot.pause()
        assert stored_card(app, SINGLE).due == T0 + timedelta(minutes=1)
        assert log(app) == [("q:" + SINGLE, 1, 12500)]
        assert "1 learning" in status(app) and "1 done" in status(app)

        # Card 2: a wrong answer (submitted twice: the first earns a second try) proposes
        # Again; the user says Hard.
        now.advance(seconds=30)
        assert current_question(app) == MULTI
        await pilot.press("3", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert bar(app).proposed == 1
        await pilot.press("2")
        await pilot.pause()
        # fsrs's Hard on a new card is halfway between the steps: 5.5 min, shown as "6m".
        assert stored_card(app, MULTI).due == now.t + timedelta(minutes=5.5)

        # Card 3: Enter takes the proposed rating (Good for a right answer).
        now.advance(seconds=30)
        assert current_question(app) == COIN
        await pilot.press("1", "enter")
        await pilot.pause()
        labels = dict(bar(app).labels or {})
        await pilot.press("enter")
        await pilot.pause()
        assert stored_card(app, COIN).due == now.t + timedelta(minutes=10)
        assert labels[3] == "10m"

        # The Again card is back (its minute is up): Easy graduates it by days.
        now.advance(minutes=1)
        assert current_question(app) == SINGLE
        heading = str(screen(app).query_one(QuestionView).query_one(".heading", Static).render())
        assert heading.startswith("Learning · ")
        await pilot.press("1", "enter")
        await pilot.pause()
        easy = (bar(app).labels or {})[4]
        await pilot.press("4")
        await pilot.pause()
        card = stored_card(app, SINGLE)
        assert rv.format_interval(card.due - now.t) == easy
        assert card.due - now.t >= timedelta(days=1)
        assert [r[1] for r in log(app)] == [1, 2, 3, 4]
        # Every answer was also recorded as an attempt in review mode.
        attempts = app.store.attempts()
        assert {a.mode for a in attempts} == {"review"} and len(attempts) == 4


async def test_undo_takes_the_rating_back_and_shows_the_card_again(clock: FakeClock) -> None:
    now = Now()
    app = make(content_with(SINGLE, COIN), now, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert current_question(app) == COIN and len(log(app)) == 1
        await pilot.press("u")
        await pilot.pause()
        assert log(app) == []
        assert app.store.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
        # The same card, shown answered as it was, with the rating bar ready again.
        assert current_question(app) == SINGLE
        view = screen(app).query_one(QuestionView)
        assert view.answered and view.verdict is not None and view.verdict.passed
        assert bar(app).has_class("-shown") and bar(app).proposed == 3
        assert "1 new" in status(app) or "2 new" in status(app)
        now.advance(seconds=5)
        await pilot.press("2")
        await pilot.pause()
        assert [r[1] for r in log(app)] == [2]
        # Rated from the answer shown again: scheduled from when it was shown (Hard: 5.5 min).
        assert stored_card(app, SINGLE).due == T0 + timedelta(minutes=5.5)


async def test_short_answers_are_self_rated_from_the_key_points(clock: FakeClock) -> None:
    now = Now()
    short = "tui.norms.rmsnorm-vs-layernorm"
    app = make(content_with(short), now, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        question = screen(app).query_one(QuestionView).question
        await pilot.press("ctrl+s")            # reveal the key points without typing
        await pilot.pause()
        for n in range(1, len(question.key_points) + 1):
            await pilot.press(str(n))          # tick every point
        await pilot.press("enter")
        await pilot.pause()
        assert bar(app).proposed == 3          # all points made → Good
        await pilot.press("u")                 # nothing rated yet: undo does nothing
        await pilot.pause()
        assert log(app) == []


async def test_cram_leaves_the_schedule_alone(clock: FakeClock) -> None:
    now = Now()
    app = make(content_with(SINGLE, MULTI, COIN), now, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("3")                 # one real rating
        await pilot.pause()
        cards = app.store.conn.execute("SELECT * FROM cards").fetchall()
        now.advance(seconds=10)
        await pilot.press("escape")            # leave the card half-answered…
        await pilot.pause()
        app.push_screen(ReviewScreen())
        await pilot.pause()
        await pilot.press("c")                 # …and cram a topic instead
        await pilot.pause()
        assert isinstance(app.screen, TopicPicker)
        picker_ids = [o.id for o in app.screen.query_one("OptionList").options]  # type: ignore
        assert "scaled-dot-product-attention" in picker_ids
        index = picker_ids.index("scaled-dot-product-attention")
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        cram = screen(app)
        assert cram.cram_topic == "scaled-dot-product-attention"
        assert "Cram" in status(app)
        await pilot.press("2", "enter", "enter")   # wrong, and wrong again on the second try
        await pilot.pause()
        assert bar(app).labels is None and bar(app).proposed == 1
        await pilot.press("enter")             # Again: it comes back at the end
        await pilot.pause()
        assert current_question(app) == SINGLE
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert "Done" in str(cram.query_one("#review-done", Static).render())
        assert app.store.conn.execute("SELECT * FROM cards").fetchall() == cards
        assert len(log(app)) == 1
        assert [a.mode for a in app.store.attempts()] == ["review", "cram", "cram"]


async def test_review_then_stats_update(clock: FakeClock) -> None:
    from quizapp.tui.screens.stats import StatsScreen

    now = Now()
    app = make(content_with(SINGLE, MULTI, COIN), now, clock)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("t")                 # the rating bar is gone: t reaches the screen
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        today = str(app.screen.query_one("#today", Static).render())
        assert "1 reviewed today" in today and "1 day streak" in today
        mastery = str(app.screen.query_one("#mastery", Static).render())
        assert "1/1" in mastery                # the attention domain: one of one reviewed
        await pilot.press("escape")
        await pilot.pause()
        now.advance(seconds=20)
        await pilot.press("3", "enter", "enter")   # wrong on the multi question, twice
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        today = str(app.screen.query_one("#today", Static).render())
        assert "2 reviewed today" in today
        accuracy = str(app.screen.query_one("#accuracy", Static).render())
        assert "50% of 2 reviews" in accuracy
        forecast = str(app.screen.query_one("#forecast", Static).render())
        assert "2 due today" in forecast


async def test_a_drill_card_is_solved_again_from_a_blank_starter(
        clock: FakeClock, quizapp_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quizapp.core.drills import load_drills, workspace_file

    drills = load_drills()
    now = Now()
    with Store.open() as store:                # the user met the drill before
        store.record_drill_result("rmsnorm", track="torch", status="failed", passed=False,
                                  message="", result={}, at=T0 - timedelta(days=1))
        store.set_setting("drill.hints.rmsnorm", 2)   # hints left over from an old attempt
    mine = workspace_file("rmsnorm")
    mine.write_text("# my old solution\n", encoding="utf-8")
    opened: list[str] = []
    monkeypatch.setattr(QuizApp, "open_drill", lambda self, drill_id: opened.append(drill_id))
    app = make(content_with(SINGLE, drills=drills), now, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        card = screen(app).query_one(DrillCard)
        assert card.drill.id == "rmsnorm"
        await pilot.press("o")
        await pilot.pause()
        assert opened == ["rmsnorm"]
        assert app.store.get_setting("drill.hints.rmsnorm") == 0
        assert mine.read_text(encoding="utf-8") == \
            drills["rmsnorm"].starter_path("torch").read_text(encoding="utf-8")
        assert (mine.parent / "rmsnorm.before-review.py").read_text(encoding="utf-8") == \
            "# my old solution\n"
        assert bar(app).proposed == 1          # nothing passed yet
        # The grader records a failed run, then a pass: Hard (passed on the second run).
        now.advance(minutes=1)
        app.store.record_drill_result("rmsnorm", track="torch", status="failed",
                                      passed=False, message="", result={}, at=now.t)
        now.advance(minutes=1)
        app.store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                                      message="", result={}, at=now.t)
        await pilot.press("g")
        await pilot.pause()
        assert card.outcome is not None and card.outcome.runs_to_pass == 2
        assert bar(app).proposed == 2
        await pilot.press("enter")
        await pilot.pause()
        assert log(app)[0][:2] == ("d:rmsnorm", 2)
        assert current_question(app) == SINGLE     # the drill is back in 5.5 min, not yet


async def test_a_wrong_first_answer_gets_a_second_try_and_right_then_proposes_hard(
        clock: FakeClock) -> None:
    now = Now()
    app = make(content_with(SINGLE, COIN), now, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = screen(app).query_one(QuestionView)
        # Wrong first: no feedback, no rating bar, a nudge to try once more.
        await pilot.press("2", "enter")
        await pilot.pause()
        assert not view.answered and not bar(app).has_class("-shown")
        assert "Try once more" in str(view.query_one(".error", Static).render())
        # Right on the second try: answered, and Hard (not Good) is proposed.
        await pilot.press("1", "enter")
        await pilot.pause()
        assert view.answered and bar(app).has_class("-shown") and bar(app).proposed == 2
        await pilot.press("enter")
        await pilot.pause()
        assert log(app)[0][:2] == ("q:" + SINGLE, 2)
        # Wrong twice: the answer is revealed and Again is proposed.
        assert current_question(app) == COIN
        await pilot.press("2", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen(app).query_one(QuestionView).answered and bar(app).proposed == 1
