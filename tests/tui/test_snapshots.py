"""Snapshots of the main screens at fixed sizes (pytest-textual-snapshot).

Deterministic by construction: the frozen fixture bank, fixed time, clock and seed, no
blinking cursors (conftest), and a canned grade for the drill workspace (the real grader's
verdicts are tested in test_drill.py; here only the frame matters). Update deliberately with
`pytest tests/tui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from quizapp.core.drills import workspace_file

from .conftest import NOW, open_quiz, type_text

SIZE = (100, 32)

#: Stand-ins for the drills on the home screen, so that its frame does not change whenever a
#: drill's title is edited.
FAKE_DRILLS = {
    "attention": SimpleNamespace(id="attention", title={"en": "Scaled dot-product attention",
                                                        "zh": "缩放点积注意力"},
                                 difficulty=3, tracks=("torch",)),
    "rmsnorm": SimpleNamespace(id="rmsnorm", title={"en": "RMSNorm", "zh": "RMSNorm"},
                               difficulty=2, tracks=("torch", "triton")),
    "bpe_merge": SimpleNamespace(id="bpe_merge", title={"en": "BPE merge", "zh": "BPE 合并"},
                                 difficulty=2, tracks=("torch",)),
}


def home_app(make_app: Any) -> Any:
    app = make_app()
    assert app._preloaded is not None
    app._preloaded.drills = dict(FAKE_DRILLS)
    app.store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                                  message="passed all 18 cases",
                                  result={"timing": {"ratio": 0.92, "user_ms": 1.0}}, at=NOW)
    app.store.record_drill_result("attention", track="torch", status="failed", passed=False,
                                  message="…", result={}, at=NOW)
    return app


def test_home_80x24(make_app: Any, snap_compare: Any) -> None:
    assert snap_compare(home_app(make_app), terminal_size=(80, 24))


def test_home_160x48(make_app: Any, snap_compare: Any) -> None:
    assert snap_compare(home_app(make_app), terminal_size=(160, 48))


def quiz_snapshot(make_app: Any, snap_compare: Any, qid: str, *keys: str, text: str = "",
                  after: tuple[str, ...] = (), lang: str = "en") -> bool:
    app = make_app()

    async def run_before(pilot: Any) -> None:
        if lang != "en":
            app.lang = lang
        await open_quiz(app, pilot, [qid])
        await pilot.press(*keys)
        if text:
            await type_text(pilot, text)
        await pilot.press(*after)
        await pilot.pause()

    return snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_single_choice_wrong_with_feedback(make_app: Any, snap_compare: Any) -> None:
    assert quiz_snapshot(make_app, snap_compare, "tui.attention.scale-why", "2", "enter")


def test_multi_choice_in_chinese_with_feedback(make_app: Any, snap_compare: Any) -> None:
    assert quiz_snapshot(make_app, snap_compare, "tui.norms.recentre", "1", "3", "enter",
                         lang="zh")


def test_numeric_wrong_with_feedback(make_app: Any, snap_compare: Any) -> None:
    assert quiz_snapshot(make_app, snap_compare, "tui.kv.bytes-per-token", text="1 MiB",
                         after=("enter",))


def test_spot_the_bug_with_feedback(make_app: Any, snap_compare: Any) -> None:
    assert quiz_snapshot(make_app, snap_compare, "tui.attention.spot-bug", text="2 3",
                         after=("enter",))


def test_ordering_with_feedback(make_app: Any, snap_compare: Any) -> None:
    assert quiz_snapshot(make_app, snap_compare, "tui.norms.prenorm-order", "enter")


def test_short_answer_key_points(make_app: Any, snap_compare: Any) -> None:
    assert quiz_snapshot(make_app, snap_compare, "tui.norms.rmsnorm-vs-layernorm",
                         text="It skips the mean", after=("ctrl+s",))


def test_cloze_with_feedback(make_app: Any, snap_compare: Any) -> None:
    assert quiz_snapshot(make_app, snap_compare, "tui.attention.cloze-scale", text="sqrt(d_k)",
                         after=("enter", "2", "enter"))


CANNED_CODE = """import torch


def rms_norm(x, weight, eps=1e-6):
    ms = x.pow(2).mean(dim=-1, keepdim=True)
    return x * torch.rsqrt(ms + eps) * weight
"""


def canned_grade(drill_id: str, path: Any = None, **_: Any) -> Any:
    """What the grader says about CANNED_CODE, without running it."""
    from quizapp.core.grading.grader import CaseResult, GradeResult, MistakeMatch

    cases = [CaseResult("float32 basic #1", "passed", max_abs_err=4.8e-7, max_rel_err=1.3e-7),
             CaseResult("size one", "passed", max_abs_err=0.0, max_rel_err=0.0),
             CaseResult("float16, |x|≈300", "failed",
                        "1024 of 1024 values differ from the reference (first at [0, 0]: got "
                        "0, expected 2.037)", max_abs_err=3.35, max_rel_err=1.0),
             CaseResult("bfloat16, |x|≈3000", "failed", "output has inf where the reference "
                        "is finite", max_abs_err=None, max_rel_err=None)]
    mistake = MistakeMatch("no_fp32_upcast",
                           {"en": "No float32 upcast in half precision",
                            "zh": "半精度下没有升到 float32"},
                           {"en": "x² is computed in float16, which overflows once |x| > 256: "
                                  "compute the statistics in float32 and cast back.",
                            "zh": "x² 在 float16 下计算，|x| > 256 时溢出：统计量要用 float32。"})
    return GradeResult(drill_id, "torch", "cpu", "failed",
                       "case 'float16, |x|≈300': 1024 of 1024 values differ from the reference",
                       cases=cases, mistake=mistake)


def test_drill_workspace_with_results(make_app: Any, snap_compare: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import quizapp.core.grading as grading
    from quizapp.core.drills import start_drill

    monkeypatch.setattr(grading, "grade_solution", canned_grade)  # what the drill screen calls
    start_drill("rmsnorm")
    workspace_file("rmsnorm").write_text(CANNED_CODE)
    app = make_app(drills=True, warm_grader=False)

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        app.open_drill("rmsnorm")
        await pilot.pause()
        await pilot.press("f3")  # narrow terminal: from the statement to the editor
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
