"""The daily loop in the TUI (issue 14): quiz work feeds review and the streak, a timed-out
mock interview says so and records its misses, the summary replays what was typed and shows
every topic, labels follow the language."""

from __future__ import annotations

from typing import Any

from quizapp.core import review as rv
from quizapp.tui.screens.summary import QuestionScreen, SummaryScreen
from quizapp.tui.widgets.question.feedback import FeedbackView

from .conftest import NOW, current_view, open_quiz, type_text


async def test_a_quiz_answer_makes_the_card_due_and_the_streak_one(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        assert rv.summary(app.store, app.content.bank, NOW).streak_days == 0
        await open_quiz(app, pilot, ["tui.attention.scale-why"])
        await pilot.press("1", "enter")
        await pilot.pause()
        numbers = rv.summary(app.store, app.content.bank, NOW)
        assert numbers.due_today == 1 and numbers.streak_days == 1
        key = rv.card_key("question", "tui.attention.scale-why")
        assert key not in {i.key for i in rv.build_queue(app.store, app.content.bank, NOW).new}
        # Home shows the same numbers as the review module.
        await pilot.press("enter")  # to the summary
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        today = str(app.screen.query_one("#today").render())
        assert "Streak 1" in today or "1 d" in today


async def test_mock_interview_that_times_out(make_app: Any, clock: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_quiz(app, pilot, ["tui.attention.scale-why", "tui.entropy.bits",
                                              "tui.kv.bytes-per-token"], mode="mock",
                                 time_limit_s=120)
        await pilot.press("1", "enter")
        await pilot.pause()
        clock.advance(125)
        screen._tick()
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen) and summary.timed_out
        headline = str(summary.query_one("#summary-headline").render())
        assert "Time is up." in headline and "time used 2:00 of 2:00" in headline
        assert "2 unanswered (counted as missed)" in headline
        # Unanswered questions are on record as misses, and due in review.
        recorded = app.store.attempts()
        assert [(a.item_id, a.passed) for a in recorded[1:]] == [
            ("tui.entropy.bits", False), ("tui.kv.bytes-per-token", False)]
        queue = rv.build_queue(app.store, app.content.bank, NOW)
        assert {i.item_id for i in queue.due} >= {"tui.entropy.bits", "tui.kv.bytes-per-token"}
        # An unanswered question opens read-only, with its answer: not answerable afterwards.
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        view = current_view(app)
        assert view.answered and view.area.locked and app.screen.query(FeedbackView)
        assert len(app.store.attempts()) == 3
        # Every topic asked has a row in the summary's table.
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one("#by-topic")
        topics = {q.topics[0] for q in summary.asked}
        assert table.row_count == len(topics)


async def test_replaying_a_short_answer_shows_what_was_typed_and_ticked(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.norms.rmsnorm-vs-layernorm"])
        await type_text(pilot, "no mean subtraction")
        await pilot.press("ctrl+s", "3", "enter")
        await pilot.pause()
        await pilot.press("enter")  # to the summary
        await pilot.pause()
        await pilot.press("enter")  # replay the question
        await pilot.pause()
        view = current_view(app)
        assert view.area.editor.text == "no mean subtraction"
        assert sorted(view.area.list.checked) == [0, 2]


async def test_switching_language_updates_the_question_heading(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.scale-why"])
        heading = str(current_view(app).query_one(".heading").render())
        app.lang = "zh"
        await pilot.pause()
        zh = str(current_view(app).query_one(".heading").render())
        assert zh != heading and zh.startswith("1/1 · ")
        topic = app.content.taxonomy.topics[current_view(app).question.topics[0]]
        assert topic.title("zh") in zh
