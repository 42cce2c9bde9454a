""""Report a problem with this question": a small dialog for the user's note.

Dismisses with the text (ctrl+s or the Send button) or None (Escape, Cancel); the card browser
writes the report (`quizapp.core.card_browser.report_problem`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from quizapp.tui.strings import tr


class ReportDialog(ModalScreen[str | None]):
    """Ask what is wrong with a card's question."""

    HELP_SECTION = "Report a problem"

    DEFAULT_CSS = """
    ReportDialog { align: center middle; }
    ReportDialog #report-box { width: 90%; max-width: 90; height: auto; max-height: 90%;
                               border: thick $primary; background: $surface; padding: 0 1; }
    ReportDialog #report-title { text-style: bold; height: auto; }
    ReportDialog #report-help { color: $text-muted; height: auto; }
    ReportDialog TextArea { height: 8; }
    ReportDialog #report-buttons { height: auto; align-horizontal: right; }
    """

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="report.send", priority=True,
                tooltip="Save the report to the reports file"),
        Binding("escape", "cancel", "Cancel", id="report.cancel",
                tooltip="Close without saving a report"),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        with Vertical(id="report-box"):
            yield Static(tr("Report a problem with {q}", lang).format(q=self.item_id),
                         id="report-title", markup=False)
            yield Static(tr("What is wrong (a wrong answer, a typo, an unclear prompt)? The "
                            "report stays on this computer until you send the file.", lang),
                         id="report-help", markup=False)
            yield TextArea(id="report-text", soft_wrap=True)
            with Horizontal(id="report-buttons"):
                yield Button(tr("Send", lang) + " (ctrl+s)", id="send", variant="primary")
                yield Button(tr("Cancel", lang) + " (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_send(self) -> None:
        """Close with the text (an empty one is refused by the caller, with a reason)."""
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        """Close without a report."""
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()
