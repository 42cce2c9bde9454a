"""The footer, showing every key's description in the user's language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from quizapp.tui.strings import tr


class LocalizedFooter(Footer):
    """Textual's Footer with the binding descriptions translated (`strings.tr`).

    Bindings are declared with English descriptions; the footer re-composes whenever the
    bindings change, and the app refreshes bindings when the language changes.
    """

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = tr(widget.description, lang)
                if isinstance(widget.tooltip, str):
                    widget.tooltip = tr(widget.tooltip, lang)
            yield widget
