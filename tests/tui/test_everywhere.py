"""What holds on every screen (issue 14, "Everywhere" and "Setup"): the footer keeps quit, help
and language at 80×24; home keeps its Start panel at 80×24 and shows drill names whole at
160×48; toasts cover neither the editor, the rating bar nor results; setup's ticks differ in
shape and its filters are remembered; cram's picker filters as you type and its key works on a
typed-answer card; home's "due" is the review header's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static

from quizapp.core import review as rv
from quizapp.core.bank import localize
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.review import ReviewScreen, TopicPicker
from quizapp.tui.screens.setup import QuizSetupScreen
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.review.rating import RatingBar
from quizapp.tui.widgets.ticklist import TICKED, UNTICKED

from .conftest import NOW, open_quiz, type_text


def visible(widget: Any, size: tuple[int, int]) -> bool:
    """Whether `widget` is drawn whole inside a terminal of `size`."""
    region = widget.region
    return (region.width > 0 and region.height > 0 and region.x >= 0 and region.y >= 0
            and region.right <= size[0] and region.bottom <= size[1])


def footer_keys(screen: Any) -> dict[str, Any]:
    """The footer's keys by action."""
    return {key.action: key for key in screen.query_one(LocalizedFooter).query("FooterKey")}


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()


# ---------------------------------------------------------------------------- footer, home

async def test_at_80x24_the_footer_keeps_quit_help_and_language(make_app: Any) -> None:
    app = make_app(drills=True, warm_grader=False)
    size = (80, 24)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for name in ("home", "drill"):
            if name == "drill":
                app.open_drill("attention")       # the screen with the most keys
                await settle(pilot)
            screen = app.screen
            keys = footer_keys(screen)
            for action in ("quit", "help", "toggle_language"):
                assert action in keys, (name, action)
                assert visible(keys[action], size), (name, action, keys[action].region)
                assert keys[action].region.y == size[1] - 1


async def test_at_80x24_home_keeps_its_start_panel(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        modes = home.query_one("#modes")
        assert visible(modes, (80, 23)), modes.region   # above the footer
        text = str(modes.render())
        for name in ("Quiz", "Surprise me", "Mock interview", "Review", "Drills", "Stats",
                     "Help"):
            assert name in text
        # The domain lines fit the panel: none wraps (two domains a line).
        domains = home.query_one("#domains")
        lines = (len(app.content.taxonomy.domains) + 1) // 2
        assert domains.region.height == lines + 2


async def test_at_160x48_drill_names_are_not_cut(make_app: Any) -> None:
    app = make_app(drills=True, warm_grader=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#drills")
        assert table.row_count == len(app.content.drills)
        for row, drill in enumerate(app.content.drills.values()):
            shown = table.get_row_at(row)[0]
            assert str(getattr(shown, "plain", shown)) == localize(drill.title, "en")
        column = next(iter(table.columns.values()))
        assert column.width >= max(len(localize(d.title, "en"))
                                   for d in app.content.drills.values())
        assert visible(table, (160, 47))


# ---------------------------------------------------------------------------- toasts

def overlaps(a: Any, b: Any) -> bool:
    return a.region.overlaps(b.region)


def toast_over(screen: Any, widget: Any, rows: int = 4) -> list[tuple[int, int]]:
    """The cells of `widget`'s first `rows` lines where a toast is what the user sees."""
    region = widget.region
    cells = []
    for y in range(region.y, min(region.bottom, region.y + rows)):
        for x in range(region.x, region.right):
            try:
                found, _ = screen.get_widget_at(x, y)
            except Exception:  # nothing there
                continue
            if type(found).__name__ in ("Toast", "ToastHolder", "ToastRack"):
                cells.append((x, y))
    return cells


async def toasts(screen: Any, pilot: Any) -> list[Any]:
    await settle(pilot)
    found = list(screen.query("Toast"))
    assert found, "no toast shown"
    return found


async def test_toasts_cover_neither_the_editor_nor_results(make_app: Any) -> None:
    app = make_app(drills=True, warm_grader=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_drill("attention")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        await pilot.press("ctrl+s")        # "Saved …"
        # Two at once (no pause between): the second must not stack over the editor.
        app.notify("a second message, long enough to need much of the line " * 3)
        app.notify("a third one")
        await pilot.press("ctrl+g", "ctrl+g", "ctrl+g", "ctrl+g", "ctrl+g", "ctrl+g")
        found = await toasts(screen, pilot)
        for essential in ("#editor", "#results-pane", "LocalizedFooter"):
            assert not toast_over(screen, screen.query_one(essential)), essential
        assert any(toast.region.y == 0 and toast.region.height == 1 for toast in found)


async def test_toasts_never_cover_the_rating_bar(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen())
        await settle(pilot)
        await pilot.press("1", "enter")    # answered: the rating bar shows
        await settle(pilot)
        screen = app.screen
        bar = screen.query_one(RatingBar)
        assert bar.display and bar.region.height
        await pilot.press("u")             # "Nothing to undo."
        app.notify("Rating taken back.")
        app.notify("Another message")
        for toast in await toasts(screen, pilot):
            assert not overlaps(toast, bar)
        assert not toast_over(screen, bar)
        assert not toast_over(screen, screen.query_one("#review-card"))


# ---------------------------------------------------------------------------- setup

def tick_marks(selection_list: Any) -> list[str]:
    return [selection_list.render_line(y).text[:3]
            for y in range(min(selection_list.option_count, selection_list.size.height))]


async def test_setup_ticks_differ_in_shape_and_are_remembered(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        setup = app.screen
        assert isinstance(setup, QuizSetupScreen)
        kinds = setup.query_one("#kinds")
        kinds.select("numeric")
        setup.query_one("#difficulty").select(2)
        domains = setup.query_one("#domains")
        domain = domains.get_option_at_index(0).value
        domains.select(domain)
        await settle(pilot)
        marks = tick_marks(kinds)
        index = [kinds.get_option_at_index(i).value for i in range(kinds.option_count)].index(
            "numeric")
        assert marks[index] == TICKED and set(marks) == {TICKED, UNTICKED}
        setup.query_one("#length", Input).value = "7"
        await settle(pilot)
        spec = setup.spec()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        saved = app.store.get_setting("setup.filters")
        assert saved["kinds"] == ["numeric"] and saved["length"] == 7
        # Next visit: the same filters are ticked.
        await pilot.press("q")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, QuizSetupScreen) and again is not setup
        assert again.query_one("#kinds").selected == ["numeric"]
        assert again.query_one("#difficulty").selected == [2]
        assert again.query_one("#domains").selected == [domain]
        assert again.query_one("#length", Input).value == "7"
        assert again.spec() == spec


# ---------------------------------------------------------------------------- cram, due

async def test_cram_picker_filters_as_you_type_and_opens_from_a_typed_answer(
        make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen())
        await settle(pilot)
        review = app.screen
        # Answer and rate cards until a typed-answer card (a number) has the keyboard.
        for _ in range(20):
            if isinstance(app.focused, Input):
                break
            assert review.query("QuestionView"), "the queue ended"
            await pilot.press("3" if review.query_one(RatingBar).display else "1")
            if not review.query_one(RatingBar).display:
                await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.focused, Input), "no typed-answer card in the fixture queue"
        await pilot.press("f4")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, TopicPicker)
        options = picker.query_one(OptionList)
        everything = options.option_count
        await type_text(pilot, "norm")
        await settle(pilot)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert 0 < len(labels) < everything
        assert all("norm" in label.lower() for label in labels)
        await pilot.press("enter")
        await settle(pilot)
        cram = app.screen
        assert isinstance(cram, ReviewScreen) and cram.cram_topic is not None
        assert "norm" in cram.cram_topic or "norm" in labels[0].lower()


async def test_home_due_equals_the_review_header(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        # Three answers in a quiz: one right, two wrong; all three become due today.
        await open_quiz(app, pilot, ["tui.attention.scale-why", "tui.entropy.bits",
                                     "tui.norms.recentre"])
        await pilot.press("1", "enter", "enter")
        await settle(pilot)
        await pilot.press("2", "enter", "enter", "enter")
        await settle(pilot)
        await pilot.press("escape", "y")
        await settle(pilot)
        while len(app.screen_stack) > 1:
            app.pop_screen()
            await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        today = str(home.query_one("#today").render())
        due_home = int(re.search(r"Due today (\d+)", today).group(1))
        assert due_home == rv.summary(app.store, app.content.bank, NOW).due_today
        assert due_home >= 2
        await pilot.press("r")
        await settle(pilot)
        header = str(app.screen.query_one("#review-status", Static).render())
        found = re.search(r"(\d+) learning · (\d+) due", header)
        assert found, header
        assert int(found.group(1)) + int(found.group(2)) == due_home, (today, header)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_picker_speaks_the_language(make_app: Any, lang: str) -> None:
    app = make_app()
    app.lang = lang
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen())
        await settle(pilot)
        app.screen.action_cram()
        await settle(pilot)
        placeholder = app.screen.query_one(Input).placeholder
        assert placeholder == ("Type to filter" if lang == "en" else "输入以筛选")
