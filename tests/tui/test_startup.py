"""Start-up stays light: opening the app, its content and a drill screen imports neither torch
nor triton (only the grader's sandbox does, when a drill is graded). bench/startup.py times
the first frame."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import asyncio, sys
from quizapp.cli.main import build_parser
build_parser()
from quizapp.tui.app import QuizApp

async def main():
    app = QuizApp(warm_grader=False)
    async with app.run_test(size=(120, 40)) as pilot:
        # The content worker starts after the first refresh: wait_for_complete() alone can
        # return before it exists, so wait for the content itself (up to 60 s).
        for _ in range(600):
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
            if app.content is not None:
                break
        assert app.content is not None and app.content.bank.questions
        app.open_drill(next(iter(app.content.drills)))   # the drill screen, not grading
        await pilot.pause()
        await pilot.press('q')
    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'triton'))
    print(','.join(heavy) or 'none')

asyncio.run(main())
"""


def test_start_imports_neither_torch_nor_triton(tmp_path) -> None:  # noqa: ANN001
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out == ["none"]
