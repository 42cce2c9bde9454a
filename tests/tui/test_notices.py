"""Notices (config problems, a moved database) reach the user verbatim: never parsed as
Rich markup, so text the user wrote cannot restyle or break them (issue 15)."""

from __future__ import annotations

from pathlib import Path

from quizapp.core import paths


async def test_notices_are_shown_verbatim_not_as_markup(quizapp_home: Path) -> None:
    """A config problem quoting `[bold]…[/]` must reach the user as typed, not styled (nor
    crash Rich's markup parser with an unbalanced tag)."""
    from quizapp.tui.app import QuizApp

    quizapp_home.mkdir(parents=True, exist_ok=True)
    paths.config_path().write_text('[ui]\nlanguage = "[/bold][red]x"\n')
    app = QuizApp(warm_grader=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = [n for n in app._notifications if "ui.language" in n.message]
        assert shown and all(not n.markup for n in shown)
        assert "[/bold][red]x" in shown[0].message
