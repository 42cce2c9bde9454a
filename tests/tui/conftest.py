"""Fixtures for the TUI tests: a frozen question bank, fixed time and seeds, and helpers to
drive the app the way a user does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from quizapp.core.bank import load_bank, load_taxonomy
from quizapp.core.config import Config
from quizapp.tui.app import Content, QuizApp

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
#: A fixed moment for everything that reads the time.
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def fixture_content(drills: bool = False) -> Content:
    """The frozen test bank (and, when asked, the real drills)."""
    taxonomy = load_taxonomy(FIXTURE_CONTENT / "topics.yaml")
    bank = load_bank([FIXTURE_CONTENT / "questions"], taxonomy=taxonomy)
    assert not bank.problems, bank.problems
    found: dict[str, Any] = {}
    if drills:
        from quizapp.core.drills import load_drills

        found = load_drills()
    return Content(bank=bank, taxonomy=taxonomy, drills=found)


@pytest.fixture(autouse=True)
def _steady_ui(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursors: frames must not depend on when they are taken."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None,
                        raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(clock: FakeClock) -> Callable[..., QuizApp]:
    """Build a QuizApp on the fixture bank with fixed time, clock and seed."""

    def make(start: str = "home", *, drills: bool = False, config: Config | None = None,
             **kwargs: Any) -> QuizApp:
        return QuizApp(start, content=fixture_content(drills), seed=7, now=lambda: NOW,
                       clock=clock, config=config or Config(), **kwargs)

    return make


def bank_question(app: QuizApp, qid: str) -> Any:
    """A question of the fixture bank."""
    assert app.content is not None
    return app.content.bank.questions[qid]


async def open_quiz(app: QuizApp, pilot: Any, ids: list[str], mode: str = "quiz",
                    time_limit_s: int | None = None) -> Any:
    """Push a quiz session on the given questions and return its screen."""
    from quizapp.tui.screens.quiz import QuizScreen

    screen = QuizScreen([bank_question(app, i) for i in ids], mode=mode, title="Test",
                        time_limit_s=time_limit_s)
    await app.push_screen(screen)
    await pilot.pause()
    return screen


def current_view(app: QuizApp) -> Any:
    """The QuestionView on screen."""
    from quizapp.tui.widgets.question import QuestionView

    return app.screen.query_one(QuestionView)


async def type_text(pilot: Any, text: str) -> None:
    """Type `text` key by key, as a user would."""
    names = {" ": "space", ",": "comma", "(": "left_parenthesis", ")": "right_parenthesis",
             ".": "full_stop", "_": "underscore", "-": "minus", "/": "slash"}
    await pilot.press(*[names.get(ch, ch) for ch in text])
