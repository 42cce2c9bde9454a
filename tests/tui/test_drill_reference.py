"""The reference after a pass (issue 17): hidden before a pass (F5 asks first), shown after
one beside the user's code with a diff, and a reveal before a pass counts like a hint."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import TabbedContent, TextArea

from quizapp.core import review
from quizapp.core.drills import get_drill, workspace_file
from quizapp.core.drills.reference_view import reference_view, revealed, unified_diff
from quizapp.tui.screens.confirm import ConfirmScreen
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.widgets.drill.reference import CodePair, ReferenceScreen

SIZES = [(80, 24), (120, 40), (160, 48)]


@pytest.fixture
def drill_app(make_app: Any) -> Any:
    return make_app(drills=True, warm_grader=False)


async def open_drill(app: Any, pilot: Any, drill_id: str) -> DrillScreen:
    await pilot.pause()
    app.open_drill(drill_id)
    await pilot.pause()
    assert isinstance(app.screen, DrillScreen)
    return app.screen


def passing_grade(drill_id: str, path: Any = None, **_: Any) -> Any:
    """A pass, recorded the way the real grader records its grades."""
    from quizapp.core.grading.grader import CaseResult, GradeResult, record_grade

    result = GradeResult(drill_id, "torch", "cpu", "passed", "passed all 1 cases",
                         cases=[CaseResult("float32 basic", "passed", max_abs_err=0.0,
                                           max_rel_err=0.0)])
    record_grade(result)
    return result


def test_reference_and_baseline_come_from_the_solution_files() -> None:
    drill = get_drill("attention")
    view = reference_view(drill)
    assert view.reference is not None and view.baseline is not None
    assert "def attention(" in view.reference.source
    assert "attention_same_precision" not in view.reference.source
    assert "def attention_same_precision(" in view.baseline.source
    assert "BENCH_BASELINES" not in view.baseline.source
    compile(view.reference.source, "reference", "exec")  # whole definitions, imports kept
    compile(view.baseline.source, "baseline", "exec")
    triton = reference_view(drill, "triton")
    assert triton.reference is not None and triton.reference.path.name == "kernel.py"
    # A drill without timed baselines has none to show.
    assert reference_view(get_drill("bpe_merge")).baseline is None
    diff = unified_diff(drill.starter_path().read_text(), view.baseline)
    assert diff.startswith("--- your solution\n+++ baseline: attention/reference.py")
    assert unified_diff(view.baseline.source, view.baseline) == ""


async def test_hidden_before_a_pass(drill_app: Any) -> None:
    async with drill_app.run_test(size=(120, 40)) as pilot:
        await open_drill(drill_app, pilot, "attention")
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(drill_app.screen, ConfirmScreen)
        assert not drill_app.screen.query(TextArea)  # nothing of the reference on it
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(drill_app.screen, DrillScreen)
        assert not revealed(drill_app.store, "attention")


@pytest.mark.parametrize("size", SIZES)
async def test_shown_after_a_pass_beside_your_code(drill_app: Any,
                                                   size: tuple[int, int]) -> None:
    async with drill_app.run_test(size=size) as pilot:
        screen = await open_drill(drill_app, pilot, "attention")
        screen.editor.load_text("def attention(q, k, v, mask=None, is_causal=False):\n"
                                "    return q  # mine\n")
        drill_app.store.record_drill_result("attention", track="torch", status="passed",
                                            passed=True, message="", result={})
        await pilot.press("f5")
        await pilot.pause()
        ref = drill_app.screen
        assert isinstance(ref, ReferenceScreen)
        pair = ref.query_one(CodePair)
        mine = pair.query_one(".mine-code", TextArea)
        other = pair.query_one(".other-code", TextArea)
        assert "return q  # mine" in mine.text and "def attention(" in other.text
        assert workspace_file("attention").read_text().endswith("return q  # mine\n")  # saved
        # Side by side when wide, stacked (yours on top) when narrow; both visible.
        if size[0] < 110:
            assert mine.region.y < other.region.y
        else:
            assert mine.region.x < other.region.x and mine.region.y == other.region.y
        assert mine.region.height >= 3 and other.region.height >= 3
        await pilot.press("2")
        await pilot.pause()
        assert ref.query_one(TabbedContent).active == "tab-baseline"
        await pilot.press("3")
        await pilot.pause()
        assert ref.query_one(TabbedContent).active == "tab-diff"
        diffs = [str(s.render()) for s in ref.query(".diff")]
        assert len(diffs) == 2 and all("-    return q  # mine" in d for d in diffs)
        await pilot.press("escape")
        await pilot.pause()
        assert drill_app.screen is screen
        assert not revealed(drill_app.store, "attention")  # a pass needs no reveal


async def test_a_reveal_before_a_pass_counts_like_a_hint(drill_app: Any,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    import quizapp.core.grading as grading

    monkeypatch.setattr(grading, "grade_solution", passing_grade)
    store = drill_app.store
    async with drill_app.run_test(size=(120, 40)) as pilot:
        screen = await open_drill(drill_app, pilot, "attention")
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(drill_app.screen, ReferenceScreen)
        assert "counted as a hint" in str(drill_app.screen.query_one("#reference-note")
                                          .render())
        assert revealed(store, "attention")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f5")  # seen already: no second question, still one hint
        await pilot.pause()
        assert isinstance(drill_app.screen, ReferenceScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.hints_shown == 0
        await pilot.press("ctrl+r")
        await drill_app.workers.wait_for_complete()
        await pilot.pause()
        attempt = store.attempts("attention")[-1]
        assert attempt.passed and attempt.hints_used == 1
        # The drill card is rated as after a hint: Hard, not Good.
        rating = store.conn.execute("SELECT rating FROM review_log WHERE card_id = ?",
                                    (review.card_key("drill", "attention"),)).fetchone()[0]
        assert rating == 2
        assert not revealed(store, "attention")  # the pass closed the round
