"""The interview-date setting: a small modal with one date field (the TUI side of
`quizapp progress settings --interview-date`)."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from quizapp.core.errors import QuizappError
from quizapp.core.review import interview_date, parse_interview_date, set_interview_date
from quizapp.tui.strings import tr


class InterviewDateScreen(ModalScreen[bool]):
    """Set, move or clear the interview date. Dismisses with True when the setting changed."""

    HELP_SECTION = "Interview date"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="interview.cancel",
                tooltip="Close without changing the date"),
    ]

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        current = interview_date(self.app.store)  # type: ignore[attr-defined]
        with Vertical(id="interview-box"):
            yield Static(tr("Interview date", lang), id="interview-title")
            yield Static(tr("Until that day, review adds a few cards a day so that every card "
                            "you have met is seen once more before it. Enter to save; an "
                            "empty field clears the date; Esc cancels.", lang),
                         id="interview-text", markup=False)
            yield Input(value=current.isoformat() if current else "",
                        placeholder="YYYY-MM-DD", id="interview-input")
            yield Static("", id="interview-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        lang = getattr(self.app, "lang", "en")
        text = event.value.strip()
        try:
            day: date | None = parse_interview_date(text) if text else None
            set_interview_date(self.app.store, day, self.app.now())  # type: ignore[attr-defined]
        except QuizappError as error:
            self.query_one("#interview-error", Static).update(f"✗ {error}")
            return
        self.app.notify(tr("Interview date cleared", lang) if day is None else
                        tr("Interview date set: {d}", lang).format(d=day.isoformat()))
        self.dismiss(True)
