"""Quiz sessions driven like a user: every kind answered right and wrong from the keyboard,
unreadable answers, the summary, retrying what was missed, and what gets recorded."""

from __future__ import annotations

from typing import Any

from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.summary import QuestionScreen, SummaryScreen
from quizapp.tui.widgets.question.feedback import FeedbackView

from .conftest import current_view, open_quiz, type_text


def attempts(app: Any) -> list[Any]:
    return app.store.attempts()


def headline(app: Any) -> str:
    return str(app.screen.query_one(FeedbackView).query_one(".headline").render())


async def submitted(pilot: Any, *keys: str) -> Any:
    await pilot.press(*keys)
    await pilot.pause()
    return current_view(pilot.app)


async def test_single_choice_right_and_wrong(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.scale-why", "tui.entropy.bits"])
        view = await submitted(pilot, "1", "enter")
        assert view.answered and view.verdict.passed
        assert "Correct" in headline(app)
        # Every option explains itself once graded.
        whys = [str(w.render()) for w in view.query(".why")]
        assert any("Softmax already does that." in w for w in whys)
        await pilot.press("enter")  # next question
        await pilot.pause()
        view = await submitted(pilot, "down", "space", "enter")  # wrong: 0.5 bit
        assert view.answered and not view.verdict.passed
        assert "Not quite" in headline(app)
        recorded = attempts(app)
        assert [(a.item_id, a.passed, a.mode) for a in recorded] == [
            ("tui.attention.scale-why", True, "quiz"), ("tui.entropy.bits", False, "quiz")]
        assert recorded[1].answer["answer"] == 1


async def test_multi_choice_right_and_wrong(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.norms.recentre", "tui.norms.recentre"])
        view = await submitted(pilot, "1", "2", "enter")
        assert view.verdict.passed and view.verdict.score == 1
        await pilot.press("enter")
        await pilot.pause()
        view = await submitted(pilot, "1", "3", "enter")  # one right, one wrong
        assert not view.verdict.passed
        assert view.verdict.score == 0  # partial scoring is not set: exact
        assert "1 right option(s) missed" in str(
            app.screen.query_one(FeedbackView).query_one(".details").render())
        assert [a.answer["answer"] for a in attempts(app)] == [[0, 1], [0, 2]]


async def test_choice_needs_a_choice_before_enter(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.scale-why"])
        view = await submitted(pilot, "enter")
        assert not view.answered
        assert "Choose an option first" in str(view.query_one(".error").render())
        view = await submitted(pilot, "1", "enter")
        assert view.answered and view.tries == 2


async def test_numeric_with_units_and_an_unreadable_answer(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.kv.bytes-per-token", "tui.kv.bytes-per-token"])
        await type_text(pilot, "lots")
        view = await submitted(pilot, "enter")
        assert not view.answered
        assert "Cannot read that answer" in str(view.query_one(".error").render())
        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, "512 KiB")
        view = await submitted(pilot, "enter")
        assert view.verdict.passed and view.tries == 2
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "1 MiB")
        view = await submitted(pilot, "enter")
        assert not view.verdict.passed
        details = str(app.screen.query_one(FeedbackView).query_one(".details").render())
        assert "524,288 B (524.3 KB = 512 KiB)" in details  # the right answer, readable
        assert "factor of 2" in details  # the classic-slip hint
        assert [a.answer.get("typed") for a in attempts(app)] == ["512 KiB", "1 MiB"]


async def test_short_answer_typed_then_key_points_ticked(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.norms.rmsnorm-vs-layernorm"] * 2)
        await type_text(pilot, "no mean subtraction")
        view = await submitted(pilot, "ctrl+s")
        assert not view.answered
        assert view.area.list.checked == [0]  # pre-ticked from the keywords
        view = await submitted(pilot, "3", "enter")
        assert view.verdict.passed and view.verdict.score == 0.75
        await pilot.press("enter")
        await pilot.pause()
        view = await submitted(pilot, "ctrl+s", "2", "3", "enter")  # the essential point unticked
        assert not view.verdict.passed
        first, second = attempts(app)
        assert first.answer["text"] == "no mean subtraction"
        assert sorted(first.answer["answer"]) == [0, 2]
        assert not second.passed


async def test_cloze_right_and_wrong(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.cloze-scale"] * 2)
        await type_text(pilot, "sqrt(d_k)")
        await pilot.press("enter")  # to the next gap
        await type_text(pilot, "1.0")
        view = await submitted(pilot, "enter")
        assert view.verdict.passed
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "d_k")
        await pilot.press("enter")
        await type_text(pilot, "1")
        view = await submitted(pilot, "enter")
        assert not view.verdict.passed and view.verdict.score == 0.5
        assert "expected: sqrt(d_k)" in str(view.query_one("#expected-1").render())


async def test_spot_the_bug_marks_lines(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.spot-bug"] * 2)
        await type_text(pilot, "2 4")
        await pilot.pause()
        assert set(view_marks(app)) == {2, 4}  # marked on the code as typed
        view = await submitted(pilot, "enter")
        assert view.verdict.passed
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "1,3")
        view = await submitted(pilot, "enter")
        assert not view.verdict.passed
        marks = view_marks(app)
        assert marks[1][0] == "✗" and marks[3][0] == "✗"  # wrong lines
        assert marks[2][0] == "!" and marks[4][0] == "!"  # missed bugs


def view_marks(app: Any) -> dict[int, tuple[str, str]]:
    return current_view(app).area.code.marks


async def put_in_order(pilot: Any) -> None:
    """Reorder the items with the keys: move each item up to its place."""
    area = current_view(pilot.app).area
    for target in range(len(area.order)):
        position = area.order.index(target)
        while area.list.cursor < position:
            await pilot.press("down")
        while area.list.cursor > position:
            await pilot.press("up")
        for _ in range(position - target):
            await pilot.press("shift+up")


async def test_ordering_with_keys(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.norms.prenorm-order"] * 2)
        assert current_view(app).area.order != [0, 1, 2]  # shuffled
        await put_in_order(pilot)
        assert current_view(app).area.order == [0, 1, 2]
        view = await submitted(pilot, "enter")
        assert view.verdict.passed
        await pilot.press("enter")
        await pilot.pause()
        shuffled = list(current_view(app).area.order)
        view = await submitted(pilot, "enter")  # as shuffled: wrong
        assert not view.verdict.passed
        assert attempts(app)[1].answer["answer"] == shuffled
        assert "Right order" in str(app.screen.query_one(FeedbackView).query_one(".details")
                                    .render())


async def test_summary_lists_scores_and_what_to_review(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.scale-why", "tui.entropy.bits",
                                     "tui.kv.bytes-per-token"])
        await submitted(pilot, "1", "enter")
        await pilot.press("enter")
        await submitted(pilot, "2", "enter")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+n")  # skip the numeric question
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert summary.summary.passed == 1 and summary.summary.asked == 3
        assert [q.id for q in summary.summary.to_review] == ["tui.entropy.bits",
                                                              "tui.kv.bytes-per-token"]
        assert "1 unanswered" in str(summary.query_one("#summary-headline").render())
        # Enter on a question replays it with its feedback.
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert current_view(app).answered and not current_view(app).verdict.passed
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("r")  # retry the missed ones
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert [q.id for q in app.screen.questions] == ["tui.entropy.bits",
                                                         "tui.kv.bytes-per-token"]


async def test_ending_early_asks_first(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.scale-why", "tui.entropy.bits"])
        await pilot.press("escape", "n")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.summary.asked == 1 and app.screen.summary.answered == 0


async def test_mock_interview_no_feedback_until_the_end(make_app: Any, clock: Any) -> None:
    from quizapp.core.config import Config

    app = make_app(config=Config(mock_length=3, mock_minutes=3))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.mode == "mock"
        assert len(screen.questions) == 3 and screen.time_limit_s == 180
        assert all(q.kind != "short" for q in screen.questions)
        first = current_view(app)
        assert not first.feedback
        # Answer the first question whatever it is: a readable answer moves straight on.
        await answer_anything(pilot)
        assert current_view(app) is not first
        assert not app.screen.query(FeedbackView)
        assert "⏱ 3:00 left" in str(screen.query_one("#quiz-bar").render())
        clock.advance(181)
        screen._tick()  # the one-second timer's work, without waiting a real second
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert summary.summary.asked == 3 and summary.summary.answered == 1
        # The answer, then the two questions time cut off, recorded as misses.
        recorded = attempts(app)
        assert [a.mode for a in recorded] == ["mock"] * 3
        assert [a.passed for a in recorded[1:]] == [False, False]
        # The feedback is there now.
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query(FeedbackView)


async def answer_anything(pilot: Any) -> None:
    """Give some readable answer to the question on screen."""
    view = current_view(pilot.app)
    kind = view.question.kind
    if kind in ("single", "multi"):
        await pilot.press("1", "enter")
    elif kind == "ordering":
        await pilot.press("enter")
    elif kind == "spot_bug":
        await pilot.press("1", "enter")
    elif kind == "cloze":
        for _ in view.area.inputs:
            await pilot.press("1", "enter")
    else:
        await pilot.press("1", "2", "enter")
    await pilot.pause()


async def test_quiz_command_starts_on_topics(make_app: Any) -> None:
    app = make_app("quiz", topics=["rmsnorm"], length=5)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert {q.id for q in screen.questions} == {"tui.norms.recentre",
                                                    "tui.norms.rmsnorm-vs-layernorm"}


def test_unknown_topic_is_one_clear_line(make_app: Any) -> None:
    import pytest

    from quizapp.core.errors import UsageError

    with pytest.raises(UsageError, match="unknown topic 'rmsnrom' \\(did you mean 'rmsnorm'"):
        make_app("quiz", topics=["rmsnrom"])


async def test_setup_screen_filters_and_starts(make_app: Any) -> None:
    from textual.widgets import SelectionList

    from quizapp.tui.screens.setup import QuizSetupScreen

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, QuizSetupScreen)
        assert "8 questions match" in str(setup.query_one("#match-count").render())
        kinds = setup.query_one("#kinds", SelectionList)
        kinds.select("numeric")
        kinds.select("spot_bug")
        await pilot.pause()
        assert "2 questions match" in str(setup.query_one("#match-count").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert sorted(q.kind for q in quiz.questions) == ["numeric", "spot_bug"]


async def test_surprise_me_spreads_over_domains(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert len(quiz.questions) == 8  # the whole fixture bank (default length 10)


async def test_numeric_reads_a_bare_number_in_the_unit_the_prompt_asks_for() -> None:
    from dataclasses import replace

    from textual.app import App
    from textual.widgets import Input

    from quizapp.tui.widgets.question import QuestionView
    from tests.tui.conftest import fixture_content

    base = fixture_content().bank.questions["tui.kv.bytes-per-token"]
    assert base.numeric is not None
    question = replace(base, numeric=replace(base.numeric, answer_in="KiB"))

    class Host(App[None]):
        def compose(self):  # noqa: ANN202
            yield QuestionView(question, "en")

    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(QuestionView)
        assert "KiB" in app.query_one("#numeric-input", Input).placeholder
        assert "a bare number is read in KiB" in str(view.query_one(".hint").render())
        await type_text(pilot, "512")
        await pilot.press("enter")
        await pilot.pause()
        assert view.answered and view.verdict is not None and view.verdict.passed
