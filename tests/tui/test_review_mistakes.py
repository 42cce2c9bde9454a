"""The review screen with the cards of issue 17: a mistake card shown as a self-graded short
answer with its code excerpt, a leech marked with its remedy, and the home screen's
interview-date line."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fsrs import Rating
from textual.widgets import Static

from quizapp.core import review as rv
from quizapp.core.bank import Bank
from quizapp.core.config import Config
from quizapp.core.store import Store
from quizapp.tui.app import Content, QuizApp
from quizapp.tui.screens.review import ReviewScreen
from quizapp.tui.widgets.question import QuestionView
from quizapp.tui.widgets.review.rating import RatingBar
from tests.tui.conftest import NOW, FakeClock, fixture_content


def review_app(clock: FakeClock, ids: tuple[str, ...] = (), *, drills: bool = False,
               config: Config | None = None) -> QuizApp:
    full = fixture_content(drills)
    bank = Bank(questions={qid: full.bank.questions[qid] for qid in ids})
    content = Content(bank=bank, taxonomy=full.taxonomy, drills=full.drills)
    return QuizApp("review", content=content, seed=7, now=lambda: NOW, clock=clock,
                   config=config or Config())


def text(widget: Any) -> str:
    return str(widget.render())


async def test_a_mistake_card_is_answered_and_rated(clock: FakeClock) -> None:
    with Store.open() as store:
        rv.record_grade_review(store, "attention", passed=False, mistake_id="no_scale",
                               now=NOW - timedelta(days=1))
    app = review_app(clock, drills=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        view = screen.query_one(QuestionView)
        question = view.question
        assert question.id == "m:attention:no_scale" and question.kind == "short"
        assert "scores = q @ k.transpose(-2, -1)" in question.prompt["en"]
        await pilot.press("ctrl+s")            # reveal the key points without typing
        await pilot.pause()
        for n in range(1, len(question.key_points) + 1):
            await pilot.press(str(n))
        await pilot.press("enter")
        await pilot.pause()
        bar = screen.query_one(RatingBar)
        assert bar.has_class("-shown") and bar.proposed == 3
        await pilot.press("enter")             # accept Good
        await pilot.pause()
        rows = [tuple(r) for r in app.store.conn.execute(
            "SELECT card_id, rating FROM review_log")]
        assert rows == [("m:attention:no_scale", 3)]
        # No quiz attempt under the mistake's key: it would make a stray question card.
        assert app.store.attempts() == []


async def test_a_leech_is_marked_with_its_remedy(clock: FakeClock) -> None:
    qid = "tui.attention.scale-why"
    key = "q:" + qid
    with Store.open() as store:
        scheduler = rv.ReviewSettings().scheduler()
        at = NOW - timedelta(days=200)

        def rate(rating: Rating, moment: Any) -> None:
            card = rv.load_card(store, key, moment)
            rv.commit_rating(store, key, card, rv.preview_ratings(scheduler, card,
                                                                  moment)[rating])

        rate(Rating.Good, at)
        rate(Rating.Good, at + timedelta(minutes=11))
        for _ in range(3):
            at += timedelta(days=5)
            rate(Rating.Again, at)
            rate(Rating.Good, at + timedelta(minutes=11))
    app = review_app(clock, (qid,), config=Config(leech_threshold=3))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        mark = text(app.screen.query_one("#leech", Static))
        assert "Leech: forgotten 3 times" in mark
        assert f"quizapp progress suspend {key}" in mark
    app = review_app(clock, (qid,), config=Config(leech_threshold=4))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#leech")


async def test_home_shows_the_interview_countdown(make_app: Any) -> None:
    with Store.open() as store:
        rv.set_interview_date(store, date(2026, 3, 23), NOW)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        today = text(app.screen.query_one("#today"))
        assert "Interview in 21 d" in today and "Cards still to cover 0" in today
