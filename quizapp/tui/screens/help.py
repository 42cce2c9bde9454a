"""The help screen (F1): the keys of the screen the user is on first, then the ones that work
everywhere, then every other screen's — each in the user's words (no class names, no binding
ids; remapping is explained once, at the bottom)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from quizapp.core import paths
from quizapp.tui.keys import KeySection, binding_sections, key_label
from quizapp.tui.strings import tr


class HelpScreen(ModalScreen[None]):
    """Every binding, grouped by where it works; Escape closes."""

    HELP_SECTION = "Help"

    DEFAULT_CSS = """
    HelpScreen .help-section { text-style: bold; color: $text-accent; margin: 1 0 0 0; }
    HelpScreen .help-row { height: auto; }
    HelpScreen .help-keys { width: 18; text-style: bold; }
    HelpScreen .help-text { width: 1fr; }
    HelpScreen .help-remap { color: $text-muted; margin: 1 0 0 0; }
    """

    BINDINGS = [
        Binding("escape,f1,question_mark,q", "app.pop_screen", "Close", id="help.close",
                tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        with VerticalScroll(id="help-box"):
            for section in ordered_sections(self.app):
                yield Static(tr(section_title(section), lang), classes="help-section",
                             markup=False)
                for run in _runs(section.bindings):
                    first, last = run[0], run[-1]
                    keys = key_label(self.app, first)
                    if len(run) > 1:  # the number keys: one line for the lot
                        keys = f"{keys}…{key_label(self.app, last)}"
                    with Horizontal(classes="help-row"):
                        yield Static(f"  {keys}", classes="help-keys", markup=False)
                        yield Static(tr(first.tooltip or first.description, lang),
                                     classes="help-text", markup=False)
            yield Static(tr("Any key can be remapped in {path} (section [keys]; the README "
                            "lists the names).", lang).format(path=paths.config_path()),
                         classes="help-remap", markup=False)

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


#: Section titles that come from a class name, in the user's words.
_TITLES = {"TopicPicker": "Cram: choose a topic", "RatingBar": "Review: rating"}


def section_title(section: KeySection) -> str:
    """The section's title as the user reads it (English; translated where shown)."""
    return _TITLES.get(section.title, section.title)


def ordered_sections(app: Any) -> list[KeySection]:
    """The sections of the screen under the help (and of its focused widget) first, then
    "Everywhere", then the rest in their usual order."""
    sections = [s for s in binding_sections() if s.title != "Help"]
    here: list[str] = []
    stack = list(getattr(app, "screen_stack", []))
    below = next((sc for sc in reversed(stack) if not isinstance(sc, HelpScreen)), None)
    if below is not None:
        node = below.focused
        while node is not None and node is not below:
            title = type(node).__dict__.get("HELP_SECTION")
            for cls in type(node).__mro__:
                title = title or cls.__dict__.get("HELP_SECTION")
            if title and title not in here:
                here.append(title)
            node = node.parent
        for cls in type(below).__mro__:
            title = cls.__dict__.get("HELP_SECTION")
            if title:
                if title not in here:
                    here.append(title)
                break
    rank = {title: i for i, title in enumerate([*here, "Everywhere"])}
    return sorted(sections, key=lambda s: rank.get(s.title, len(rank)))


def _runs(bindings: tuple[Binding, ...]) -> list[list[Binding]]:
    """Consecutive bindings that share a tooltip (the number keys), grouped."""
    runs: list[list[Binding]] = []
    for binding in bindings:
        if runs and binding.tooltip and runs[-1][-1].tooltip == binding.tooltip:
            runs[-1].append(binding)
        else:
            runs.append([binding])
    return runs
