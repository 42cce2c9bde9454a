"""The interview date from the TUI (issue 17 §3): `i` on home (and the palette) opens a date
field; a date three weeks out is saved and home counts down to it; a past or malformed date
is refused in the dialog with one line; an empty field clears the date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from textual.widgets import Input, Static

from quizapp.core import review as rv
from quizapp.core.store import Store
from quizapp.tui.screens.interview import InterviewDateScreen

from .conftest import type_text

SIZES = [(80, 24), (120, 40), (160, 48)]


def text(widget: Any) -> str:
    return str(widget.render())


async def open_dialog(app: Any, pilot: Any) -> InterviewDateScreen:
    await pilot.pause()
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(app.screen, InterviewDateScreen)
    return app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_set_then_clear_the_date(make_app: Any, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        dialog = await open_dialog(app, pilot)
        assert dialog.query_one(Input).value == ""
        await type_text(pilot, "2026-03-23")  # NOW is 2026-03-02: three weeks out
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, InterviewDateScreen)
        assert rv.interview_date(app.store) == date(2026, 3, 23)
        if size[1] >= 40:  # the countdown line is in the tall Today panel
            assert "Interview in 21 d" in text(app.screen.query_one("#today"))
        dialog = await open_dialog(app, pilot)
        assert dialog.query_one(Input).value == "2026-03-23"  # the current date to edit
        dialog.query_one(Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert rv.interview_date(app.store) is None
        assert "Interview in" not in text(app.screen.query_one("#today"))


@pytest.mark.parametrize("typed", ["2026-02-01", "2026-03-02", "next week", "2026-13-40"])
async def test_a_bad_date_is_one_line_in_the_dialog(make_app: Any, typed: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot)
        await type_text(pilot, typed)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # still open, the text kept for fixing
        error = text(dialog.query_one("#interview-error", Static))
        assert error.startswith("✗ ") and "\n" not in error.strip()
        assert dialog.query_one(Input).value == typed
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InterviewDateScreen)
    with Store.open() as store:
        assert rv.interview_date(store) is None


async def test_the_palette_opens_it(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.action_interview_date()
        await pilot.pause()
        assert isinstance(app.screen, InterviewDateScreen)
        from quizapp.tui.commands import SCREENS

        assert any(action == "interview_date" for _, _, action in SCREENS)
