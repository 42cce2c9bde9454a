"""The drill workspace is readable at every size (issue 14): every revealed hint and every
line of the statement can be brought into view, a key moves between statement and editor,
revealed hints survive a reopen, the verdict reads in words, "Your file" follows the track,
and `quizapp drill open` starts on the drill."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets._markdown import MarkdownFence

from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.widgets.drill.results import GradeResults, status_line

SIZES = [(80, 24), (120, 40), (160, 48)]


@pytest.fixture
def drill_app(make_app: Any) -> Any:
    return make_app(drills=True, warm_grader=False)


async def open_drill(app: Any, pilot: Any, drill_id: str, track: str | None = None
                     ) -> DrillScreen:
    await pilot.pause()
    app.open_drill(drill_id, track)
    await pilot.pause()
    assert isinstance(app.screen, DrillScreen)
    return app.screen


def inside(widget: Any, pane: Any) -> bool:
    """Whether every line of `widget` is inside the visible region of `pane`."""
    region, visible = widget.region, pane.content_region
    return region.height > 0 and visible.y <= region.y and region.bottom <= visible.bottom


@pytest.mark.parametrize("size", SIZES)
async def test_every_revealed_hint_is_readable(drill_app: Any, size: tuple[int, int]) -> None:
    async with drill_app.run_test(size=size) as pilot:
        screen = await open_drill(drill_app, pilot, "attention")
        pane = screen.query_one("#statement-pane")
        for _ in screen.drill.hints:
            await pilot.press("ctrl+g")
            await pilot.pause()
            await pilot.pause()
            hints = list(screen.query(".hint"))
            # The hint just revealed is shown whole: its last line inside the visible pane.
            assert inside(hints[-1], pane), (size, hints[-1].region, pane.content_region)
        # Each hint has all its lines (not cut after the first).
        box = screen.query_one("#hints")
        assert box.region.height == box.virtual_size.height
        # Formulas wrap at the pane's width: no code block is wider than what is shown.
        for fence in screen.query(MarkdownFence):
            assert fence.virtual_size.width <= fence.region.width


@pytest.mark.parametrize("size", SIZES)
async def test_softmax_merge_statement_is_never_clipped(drill_app: Any,
                                                       size: tuple[int, int]) -> None:
    async with drill_app.run_test(size=size) as pilot:
        screen = await open_drill(drill_app, pilot, "softmax_merge")
        screen.add_class("-with-statement")
        await pilot.pause()
        fences = list(screen.query(MarkdownFence))
        assert fences
        for fence in fences:
            assert fence.virtual_size.width <= fence.region.width
        # The pane scrolls to its very end with the keyboard.
        pane = screen.query_one("#statement-pane")
        if screen.focused is not pane:
            await pilot.press("f6")
        assert screen.focused is pane
        await pilot.press("end")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y


@pytest.mark.parametrize("size", SIZES)
async def test_a_key_moves_between_statement_and_editor(drill_app: Any,
                                                       size: tuple[int, int]) -> None:
    async with drill_app.run_test(size=size) as pilot:
        screen = await open_drill(drill_app, pilot, "rmsnorm")
        pane = screen.query_one("#statement-pane")
        if screen.focused is not screen.editor:
            await pilot.press("f6")
        assert screen.focused is screen.editor and screen.editor.display
        await pilot.press("f6")
        assert screen.focused is pane and pane.display
        await pilot.press("f6")
        assert screen.focused is screen.editor and screen.editor.display
        # Tab in the editor indents; it does not leave the editor.
        await pilot.press("tab")
        assert screen.focused is screen.editor


async def test_revealed_hints_are_remembered(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot, "attention")
        await pilot.press("ctrl+g", "ctrl+g")
        await pilot.pause()
        await pilot.press("escape")  # save and leave
        await pilot.pause()
        screen = await open_drill(drill_app, pilot, "attention")
        await pilot.pause()
        assert screen.hints_shown == 2 and len(screen.query(".hint")) == 2


async def test_your_file_follows_the_track_and_drill_open_names_it(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot, "softmax_merge", "triton")
        assert screen.track == "triton"
        assert "triton" in str(screen.query_one("#signatures").render())
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.track == "torch"
        shown = str(screen.query_one("#signatures").render())
        assert screen.path.name in shown and "triton" not in screen.path.name


def test_verdict_reads_in_words() -> None:
    result = {"status": "failed", "message": "case x failed",
              "cases": [{"passed": True}] * 3 + [{"passed": False}] * 20}
    assert "3 of 23 cases passed" in status_line(result, "en").plain


async def test_notes_and_first_failure_are_shown_from_their_fields(drill_app: Any) -> None:
    note = ("float64 inputs were computed in float32: max rel err 1e-07 (1 of 1 float64 cases "
            "pass at float32's tolerance, not float64's)")
    cases = [{"name": "a", "passed": True, "status": "passed", "message": ""},
             {"name": "b", "passed": False, "status": "failed", "message": "b is wrong"},
             {"name": "c", "passed": False, "status": "failed", "message": "c is wrong"},
             {"name": "d", "passed": True, "status": "passed", "message": "",
              "note": "computed in float32: max rel err 1e-07"}]
    # The message is about case c (it failed first, say, in the drill's order); the matched
    # mistake is its own field and gets its own section, not a cut of the message.
    failed = {"status": "failed", "message": "case 'c': c is wrong", "cases": cases,
              "mistake": {"id": "m", "title": "The mistake", "explanation": "Why."},
              "first_failure": {"case": "c", "status": "failed", "message": "c is wrong",
                                "max_abs_err": 1.0, "max_rel_err": 1.0, "seed": None},
              "notes": [note]}
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot, "attention")
        results = screen.query_one(GradeResults)
        results.show_result(failed, "en")
        await pilot.pause()
        assert str(results.query_one(".status").render()).endswith(": case 'c': c is wrong")
        assert str(results.query_one(".verdict-notes").render()) == f"Note: {note}"
        assert "The mistake" in str(results.query_one(".mistake-title").render())
        table = results.query_one("#cases")
        assert table.get_row_at(table.cursor_row)[0].plain == "c"
        assert "c is wrong" in str(results.query_one(".case-detail").render())
        passed = {**failed, "status": "passed", "mistake": None, "first_failure": None,
                  "cases": [{**c, "passed": True, "status": "passed"} for c in cases],
                  "message": f"passed all 4 cases — note: {note}"}
        results.show_result(passed, "zh")
        await pilot.pause()
        assert str(results.query_one(".verdict-notes").render()) == f"注意：{note}"
        rows = [[cell.plain if hasattr(cell, "plain") else str(cell)
                 for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["d", "computed in float32: max rel err 1e-07"] == [rows[3][0], rows[3][4]]
        results.show_result({**passed, "notes": []}, "en")
        await pilot.pause()
        assert results.query_one(".verdict-notes").has_class("hidden")


async def test_no_timing_says_why_on_the_interpreted_triton_track(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot, "softmax_merge", "triton")
        screen.bench_requested = True
        reason = screen._no_timing_reason({"interpreted": True, "passed": True})
        results = screen.query_one(GradeResults)
        results.show_note("en", reason)
        await pilot.pause()
        assert "interpreter" in str(results.query_one(".note").render())


async def test_drill_open_starts_on_the_drill(make_app: Any) -> None:
    app = make_app("drill", drills=True, warm_grader=False, drill="softmax_merge",
                   track="triton")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        assert (app.screen.drill.id, app.screen.track) == ("softmax_merge", "triton")


def test_drill_open_unknown_id_is_one_line(capsys: Any) -> None:
    from quizapp.cli.main import main

    assert main(["drill", "open", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown drill 'nope'" in err[0]


async def test_after_a_pass_the_follow_up_questions_are_offered(drill_app: Any) -> None:
    from dataclasses import replace

    from quizapp.tui.screens.quiz import QuizScreen

    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot, "attention")
        screen.drill = replace(screen.drill, followups=("tui.attention.scale-why",
                                                        "tui.attention.cloze-scale"))
        assert not screen.check_action("followups", ())  # not before a pass
        drill_app.store.record_drill_result("attention", track="torch", status="passed",
                                            passed=True, message="", result={})
        assert screen.check_action("followups", ())
        await pilot.press("f7")
        await pilot.pause()
        quiz = drill_app.screen
        assert isinstance(quiz, QuizScreen)
        assert [q.id for q in quiz.questions] == ["tui.attention.scale-why",
                                                  "tui.attention.cloze-scale"]
