"""The home screen, the language switch, and what survives a restart."""

from __future__ import annotations

from typing import Any

from quizapp.tui.app import QuizApp
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.widgets.footer import LocalizedFooter

from .conftest import current_view, open_quiz


def text_of(widget: Any) -> str:
    return str(widget.render())


async def test_home_shows_today_progress_and_modes(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        today = text_of(home.query_one("#today"))
        assert "Due today 0" in today and "Streak 0 d" in today
        domains = text_of(home.query_one("#domains"))
        assert "B Normalisation" in domains and "0/3" in domains
        footer_keys = {key.key for key in home.query_one(LocalizedFooter).query("FooterKey")}
        assert {"q", "s", "m", "r", "d", "t"} <= footer_keys


async def test_home_wide_layout_at_160_columns(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-wide")
        assert "Normalisation and residual connections" in text_of(
            app.screen.query_one("#domains"))


async def test_language_switch_follows_everywhere_and_is_remembered(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.attention.scale-why"])
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert app.lang == "zh"
        view = current_view(app)
        assert "为什么注意力打分" in str(view.prompt.source)
        assert "✓ 正确" in text_of(app.screen.query_one(".headline"))
        descriptions = {key.description for key in app.screen.query("FooterKey")}
        assert "下一题" in descriptions
        await pilot.press("escape", "y")  # end, then home
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "今日" in str(app.screen.query_one("#today").border_title)
    again = make_app()
    async with again.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert again.lang == "zh"
        await pilot.press("f2")
        await pilot.pause()
        assert again.lang == "en"


async def test_progress_persists_across_a_restart(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_quiz(app, pilot, ["tui.norms.recentre"])
        await pilot.press("1", "2", "enter")
        await pilot.pause()
    again = make_app()
    async with again.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert len(again.store.attempts()) == 1
        assert "1/3" in text_of(again.screen.query_one("#domains"))
        assert "Answered today 1" in text_of(again.screen.query_one("#today"))


async def test_content_loads_in_a_worker_without_blocking_the_first_frame(
        make_app: Any, monkeypatch: Any, tmp_path: Any) -> None:
    from .conftest import FIXTURE_CONTENT

    monkeypatch.setenv("QUIZAPP_CONTENT", str(FIXTURE_CONTENT))
    app = QuizApp(seed=1)  # no content handed in: it loads in a thread
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.content is not None and len(app.content.bank.questions) == 8
        assert "0/1" in text_of(app.screen.query_one("#domains"))


async def test_drills_table_opens_a_drill(make_app: Any) -> None:
    from quizapp.tui.screens.drill import DrillScreen

    app = make_app(drills=True, warm_grader=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("d", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        assert app.screen.drill.id == next(iter(app.content.drills))
