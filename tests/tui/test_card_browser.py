"""The card browser (issue 17): reachable from home, the palette and F1; search by text,
kind, state and topic; suspend and unsuspend, reset, open, and report a problem."""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select, TextArea

from quizapp.core import paths, review
from quizapp.core.card_browser import app_version, browse
from quizapp.tui.keys import binding_sections
from quizapp.tui.screens.cards import CardBrowserScreen
from quizapp.tui.widgets.cards.report import ReportDialog

from .conftest import NOW, type_text

SIZES = [(80, 24), (120, 40), (160, 48)]


async def open_browser(app: Any, pilot: Any) -> CardBrowserScreen:
    await pilot.pause()
    await pilot.press("b")  # from home
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CardBrowserScreen)
    return screen


def keys_listed(screen: CardBrowserScreen) -> list[str]:
    """The item ids the table lists (its row keys are the card keys)."""
    table = screen.query_one(DataTable)
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value).split(":", 1)[1]
            for i in range(table.row_count)]


@pytest.mark.parametrize("size", SIZES)
async def test_search_by_text_kind_state_and_topic(make_app: Any,
                                                   size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_browser(app, pilot)
        every = keys_listed(screen)
        assert len(every) == len(app.content.bank.questions)  # all new, none met yet
        table, detail = screen.query_one(DataTable), screen.query_one("#card-detail")
        assert table.region.height >= 3 and detail.region.height >= 3
        if size[0] >= 120:
            assert detail.region.x > table.region.x
        await pilot.press("slash")
        assert isinstance(screen.focused, Input)
        await type_text(pilot, "cloze")
        await pilot.pause()
        assert keys_listed(screen) == ["tui.attention.cloze-scale"]
        screen.query_one("#cards-search", Input).value = ""
        await type_text(pilot, "variance")  # text of the question, not its id
        await pilot.pause()
        assert "tui.attention.cloze-scale" in keys_listed(screen)
        assert len(keys_listed(screen)) < len(every)
        await pilot.press("escape")  # search box → list, not back
        assert screen.focused is table and app.screen is screen
        screen.query_one("#cards-search", Input).value = ""
        screen.query_one("#cards-topic", Select).value = "rmsnorm"
        await pilot.pause()
        assert sorted(keys_listed(screen)) == ["tui.norms.recentre",
                                               "tui.norms.rmsnorm-vs-layernorm"]
        screen.query_one("#cards-state", Select).value = "suspended"
        await pilot.pause()
        assert keys_listed(screen) == []
        assert "No cards match" in str(screen.query_one("#card-facts").render())


async def test_suspend_unsuspend_and_reset(make_app: Any) -> None:
    app = make_app()
    store = app.store
    key = review.card_key("question", "tui.entropy.bits")
    review.record_practice(store, key, passed=False, now=NOW)  # met once, a lapse
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_browser(app, pilot)
        screen.query_one("#cards-search", Input).value = "tui.entropy"
        await pilot.pause()
        assert keys_listed(screen) == ["tui.entropy.bits"]
        await pilot.press("s")
        await pilot.pause()
        assert [c.key for c in review.find_cards(store, suspended=True)] == [key]
        screen.query_one("#cards-state", Select).value = "suspended"
        await pilot.pause()
        assert keys_listed(screen) == ["tui.entropy.bits"]
        assert "⏸" in str(screen.query_one(DataTable).get_row_at(0)[1])
        await pilot.press("s")
        await pilot.pause()
        assert review.find_cards(store, suspended=True) == []
        assert keys_listed(screen) == []
        # A card never met can be suspended too (it gets a suspended card).
        screen.query_one("#cards-state", Select).value = ""
        screen.query_one("#cards-search", Input).value = "prenorm"
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert {c.item_id for c in review.find_cards(store, suspended=True)} == \
            {"tui.norms.prenorm-order"}
        # Reset asks, then makes the met card new again.
        screen.query_one("#cards-search", Input).value = "tui.entropy"
        await pilot.pause()
        assert screen.current is not None and screen.current.state != "new"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert screen.current is not None and screen.current.state == "new"
        assert browse(store, app.content.bank, {}, text="tui.entropy")[0].state == "new"


async def test_report_a_problem(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(app, pilot)
        screen.query_one("#cards-search", Input).value = "tui.kv"
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ReportDialog)
        await pilot.press("ctrl+s")  # empty: refused, nothing written
        await pilot.pause()
        assert not paths.reports_path().exists()
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one(TextArea).insert("The answer should be in KiB, not bytes.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
    lines = paths.reports_path().read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["question"] == "tui.kv.bytes-per-token"
    assert report["card"] == "q:tui.kv.bytes-per-token"
    assert report["report"] == "The answer should be in KiB, not bytes."
    assert report["app_version"] == app_version()
    assert report["at"].startswith("2026-03-02T09:30")
    assert report["file"].endswith(".yaml:" + report["file"].rsplit(":", 1)[1])


async def test_open_a_question_and_reach_it_from_the_palette_and_help(make_app: Any) -> None:
    from quizapp.tui.screens.summary import QuestionScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_browser(app, pilot)
        screen.query_one("#cards-search", Input).value = "tui.norms.prenorm"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.question.id == "tui.norms.prenorm-order"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, CardBrowserScreen)
        app.action_open("cards")
        await pilot.pause()
        assert isinstance(app.screen, CardBrowserScreen)
    from quizapp.tui.commands import SCREENS

    assert any(action == "open('cards')" for _, _, action in SCREENS)
    sections = {s.title: s for s in binding_sections()}
    assert {b.id for b in sections["Card browser"].bindings} >= {
        "cards.search", "cards.suspend", "cards.reset", "cards.report"}
    assert "home.cards" in {b.id for b in sections["Home"].bindings}
