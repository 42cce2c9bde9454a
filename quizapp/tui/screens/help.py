"""The help screen: every key of the app, by screen, with the id to remap it in the config."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from quizapp.core import paths
from quizapp.tui.keys import binding_sections, key_label
from quizapp.tui.strings import tr


class HelpScreen(ModalScreen[None]):
    """Every binding, grouped by where it works; Escape closes."""

    HELP_SECTION = "Help"

    DEFAULT_CSS = """
    HelpScreen .help-section { text-style: bold; color: $text-accent; margin: 1 0 0 0; }
    HelpScreen .help-row { height: auto; }
    HelpScreen .help-keys { width: 18; text-style: bold; }
    HelpScreen .help-text { width: 1fr; }
    """

    BINDINGS = [
        Binding("escape,f1,question_mark,q", "app.pop_screen", "Close", id="help.close",
                tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        with VerticalScroll(id="help-box"):
            yield Static(tr("Remap any key in {path} under [keys], e.g. "
                            "\"drill.grade\" = \"ctrl+r,f5\".", lang).format(
                                path=paths.config_path()), markup=False)
            for section in binding_sections():
                yield Static(tr(section.title, lang), classes="help-section", markup=False)
                for run in _runs(section.bindings):
                    first, last = run[0], run[-1]
                    keys = key_label(self.app, first)
                    ids = first.id or ""
                    if len(run) > 1:  # the number keys: one line for the lot
                        keys = f"{keys}…{key_label(self.app, last)}"
                        ids = f"{ids}…{(last.id or '').rsplit('.', 1)[-1]}"
                    text = Content(tr(first.tooltip or first.description, lang)) + \
                        Content.styled(f"  {ids}", "$text-muted")
                    with Horizontal(classes="help-row"):
                        yield Static(f"  {keys}", classes="help-keys", markup=False)
                        yield Static(text, classes="help-text")

    def on_mount(self) -> None:
        lang = getattr(self.app, "lang", "en")
        box = self.query_one("#help-box")
        box.border_title = tr("Keys", lang)
        box.border_subtitle = tr("Escape closes", lang)
        box.focus()

    @property
    def text(self) -> str:
        """Everything the help shows, as plain text (for tests and screen readers)."""
        return "\n".join(str(w.render()) for w in self.query(Static))


def _runs(bindings: tuple[Binding, ...]) -> list[list[Binding]]:
    """Consecutive bindings that share a tooltip (the number keys), grouped."""
    runs: list[list[Binding]] = []
    for binding in bindings:
        if runs and binding.tooltip and runs[-1][-1].tooltip == binding.tooltip:
            runs[-1].append(binding)
        else:
            runs.append([binding])
    return runs
