"""The drill workspace driven like a user, with the real grader: edit, save, reset, hints,
grade a failing and a passing solution, cancel a looping one, watch mode, $EDITOR, and what a
restart keeps."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from textual.widgets import DataTable, TextArea

from quizapp.core.drills import start_drill, workspace_file
from quizapp.tui.messages import GradeProgress
from quizapp.tui.screens.confirm import ConfirmScreen
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.widgets.drill.results import GradeResults

from .conftest import type_text

PASSING = """import torch


def rms_norm(x, weight, eps=1e-6):
    xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return (y * weight.to(y.dtype)).to(x.dtype)
"""

#: Squares in float16: overflows for |x| > 256 (the grader knows this mistake).
NO_UPCAST = """import torch


def rms_norm(x, weight, eps=1e-6):
    return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight
"""

LOOPING = """def rms_norm(x, weight, eps=1e-6):
    while True:
        pass
"""


async def open_drill(app: Any, pilot: Any, drill_id: str = "rmsnorm") -> DrillScreen:
    await pilot.pause()
    app.open_drill(drill_id)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, DrillScreen)
    return screen


async def grade(pilot: Any, key: str = "ctrl+r") -> GradeResults:
    await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen.query_one(GradeResults)


def status(results: GradeResults) -> str:
    return str(results.query_one(".status").render())


@pytest.fixture
def drill_app(make_app: Any) -> Any:
    return make_app(drills=True, warm_grader=False)


async def test_editor_highlights_python_and_saves_to_the_workspace(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        editor = screen.query_one("#editor", TextArea)
        assert editor.language == "python"
        assert editor.is_syntax_aware  # textual[syntax] (tree-sitter) is installed and used
        path = workspace_file("rmsnorm")
        assert editor.text == path.read_text()  # the starter, copied on first open
        editor.focus()
        await type_text(pilot, "# mine")
        assert screen.editor_dirty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_text().startswith("# mine")
        assert not screen.editor_dirty


async def test_reset_to_starter_asks_first(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        screen.editor.load_text(PASSING)
        await pilot.press("ctrl+s", "f8")
        await pilot.pause()
        assert isinstance(drill_app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert workspace_file("rmsnorm").read_text() == PASSING
        await pilot.press("f8", "y")
        await pilot.pause()
        starter = screen.drill.starter_path("torch").read_text()
        assert workspace_file("rmsnorm").read_text() == starter
        assert screen.editor.text == starter


async def test_failing_then_passing_solution(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        await pilot.press("ctrl+g")  # one hint before trying
        await pilot.pause()
        assert screen.hints_shown == 1
        assert len(screen.query(".hint")) == 1
        screen.editor.load_text(NO_UPCAST)
        results = await grade(pilot)
        assert "failed" in status(results)
        # The diagnosis names the known mistake, in the UI language, and the failing case
        # comes first in the table.
        assert "float32 upcast" in str(results.query_one(".mistake-title").render())
        table = results.query_one("#cases", DataTable)
        assert table.row_count >= 10
        first = [str(c) for c in table.get_row_at(0)]
        assert "float16" in first[0] and "failed" in first[1]
        screen.editor.load_text(PASSING)
        results = await grade(pilot)
        assert "✓ passed" in status(results)
        attempts = drill_app.store.attempts("rmsnorm")
        assert [(a.passed, a.hints_used, a.mode) for a in attempts] == [
            (False, 1, "drill"), (True, 1, "drill")]
        # The grader recorded both grades for the review queue and the home screen.
        assert [r.passed for r in drill_app.store.drill_results("rmsnorm")] == [False, True]
        # A pass closes the round: the next attempt starts with no hints used.
        assert drill_app.store.get_setting("drill.hints.rmsnorm") == 0
        # The pass is a review of the drill's card: Hard, after a hint and a failed run.
        logs = drill_app.store.conn.execute(
            "SELECT rating FROM review_log WHERE card_id = 'd:rmsnorm'").fetchall()
        assert [row[0] for row in logs] == [2]
        # The verdict counts passes in words ("24 of 24 cases passed", not "24/24").
        assert " of " in status(results) and "cases passed" in status(results)


async def test_a_looping_solution_is_cancelled_and_the_ui_stays_live(make_app: Any) -> None:
    running = asyncio.Event()

    def hook(message: Any) -> None:
        if isinstance(message, GradeProgress) and message.text.startswith("case "):
            running.set()  # the user's code is running now

    app = make_app(drills=True, warm_grader=False)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        screen = await open_drill(app, pilot)
        screen.editor.load_text(LOOPING)
        await pilot.press("ctrl+r")
        await asyncio.wait_for(running.wait(), timeout=120)
        assert screen.grading
        # The UI still answers while the solution spins: reveal a hint.
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert screen.hints_shown == 1
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.grading
        assert "cancelled" in status(screen.query_one(GradeResults))
        assert app.store.drill_results("rmsnorm") == []  # a cancelled grade is no verdict


async def test_watch_mode_regrades_when_the_file_changes(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert screen.watching and screen.watch_timer is not None
        assert not screen.poll_file()  # nothing changed yet
        # Another editor saves the file.
        workspace_file("rmsnorm").write_text(NO_UPCAST)
        assert screen.poll_file()
        assert screen.editor.text == NO_UPCAST
        await drill_app.workers.wait_for_complete()
        await pilot.pause()
        assert "failed" in status(screen.query_one(GradeResults))
        assert screen.grades_done == 1
        await pilot.press("f4")
        assert not screen.watching and screen.watch_timer is None


async def test_external_editor_edits_then_reloads(drill_app: Any, monkeypatch: Any,
                                                  tmp_path: Any) -> None:
    from contextlib import nullcontext

    script = tmp_path / "fake_editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('# edited outside\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        # Headless tests have no terminal to hand over; the real suspend is Textual's.
        monkeypatch.setattr(drill_app, "suspend", nullcontext)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert screen.editor.text.endswith("# edited outside\n")


async def test_track_switch_uses_the_triton_file(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.track == "triton"
        assert screen.path == workspace_file("rmsnorm", "triton")
        assert "triton" in screen.editor.text
        assert drill_app.store.get_setting("drill.track.rmsnorm") == "triton"


async def test_workspace_survives_a_restart(make_app: Any) -> None:
    start_drill("rmsnorm")
    workspace_file("rmsnorm").write_text(NO_UPCAST)
    app = make_app(drills=True, warm_grader=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(app, pilot)
        await pilot.press("ctrl+g", "ctrl+g")
        await grade(pilot)
    again = make_app(drills=True, warm_grader=False)
    async with again.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(again, pilot)
        assert screen.editor.text == NO_UPCAST
        assert screen.hints_shown == 2
        assert len(screen.query(".hint")) == 2
        assert "failed" in status(screen.query_one(GradeResults))  # the last result, again


@pytest.mark.slow
async def test_bench_shows_a_timing_table(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        screen.editor.load_text(PASSING)
        results = await grade(pilot, "ctrl+b")
        assert "✓ passed" in status(results)
        timing = results.query_one("#timing", DataTable)
        assert timing.display and timing.row_count == 1
        row = [str(c) for c in timing.get_row_at(0)]
        assert row[3].endswith("×")  # the ratio
        assert row[5] in ("faster", "slower", "inconclusive")


async def test_remote_grade_key_without_a_host_says_how_to_set_one(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert not screen.grading
        notices = [str(n.message) for n in drill_app._notifications]
        assert any("[grading] remote" in n for n in notices)
