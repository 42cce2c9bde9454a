"""The drill workspace's remote grade key (F9) against the loopback SSH server: the grade
runs there, the status line says where, and the result is recorded here."""

from __future__ import annotations

from typing import Any

from quizapp.core.config import Config
from quizapp.core.drills import start_drill
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.widgets.drill.results import GradeResults

HOST = "localhost-test-host"
PASSING = """import torch


def rms_norm(x, weight, eps=1e-6):
    xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return (y * weight.to(y.dtype)).to(x.dtype)
"""


async def test_f9_grades_on_the_configured_host(remote_env: Any, monkeypatch: Any) -> None:
    # The loopback host has no GPU: grade on its CPU (the key asks for CUDA by default).
    monkeypatch.setattr("quizapp.core.remote.REMOTE_DEVICE", "cpu")
    start_drill("rmsnorm")
    app = QuizApp(config=Config(remote=HOST), warm_grader=False)
    async with app.run_test(size=(120, 40)) as pilot:
        # The bank and the drills load in a worker thread at start-up; wait for them.
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.content is not None
        app.open_drill("rmsnorm")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        screen.editor.load_text(PASSING)
        await pilot.press("f9")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one(GradeResults).query_one(".status").render())
        assert "passed" in status and f"graded on {HOST}" in status
        assert [r.passed for r in app.store.drill_results("rmsnorm")] == [True]
    assert any("--remote-request" in c for c in remote_env.commands)
