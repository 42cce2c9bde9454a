"""The footer: every key's description in the user's language, the keys that work everywhere
(quit, help, language) pinned to the right so that no terminal width hides them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from quizapp.tui.strings import tr

#: The app's own actions, shown at the right end of every footer (in this order).
GLOBAL_ACTIONS = ("quit", "help", "toggle_language")
#: Below this width the footer drops the command palette's key (F1 still lists it) and
#: packs the keys closer.
ROOMY = 100


class LocalizedFooter(Footer):
    """Textual's Footer with the binding descriptions translated (`strings.tr`), and the
    global keys in a group at the right end: the screen's keys fill the rest and are cut
    first when the terminal is narrow (F1 lists them all).

    Bindings are declared with English descriptions; the footer re-composes whenever the
    bindings change, and the app refreshes bindings when the language changes.
    """

    DEFAULT_CSS = """
    LocalizedFooter #screen-keys { width: 1fr; height: 1; overflow: hidden hidden; }
    LocalizedFooter #global-keys {
        width: auto;
        height: 1;
        border-left: vkey $foreground 20%;
    }
    LocalizedFooter #global-keys FooterKey.-command-palette {
        dock: none;
        border-left: none;
        padding-right: 0;
    }
    """

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        roomy = self.app.size.width >= ROOMY
        self.compact = not roomy
        pinned: dict[str, FooterKey] = {}
        palette: FooterKey | None = None
        # The screen's keys in a group that clips what does not fit, beside (not under) the
        # global keys: nothing is drawn over anything (a half-covered key, or a cut CJK cell).
        local = []
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = tr(widget.description, lang)
                if isinstance(widget.tooltip, str):
                    widget.tooltip = tr(widget.tooltip, lang)
                if widget.has_class("-command-palette"):
                    palette = widget
                    continue
                if widget.action in GLOBAL_ACTIONS:
                    pinned.setdefault(widget.action, widget)
                    continue
            local.append(widget)
        yield HorizontalGroup(*local, id="screen-keys")
        keys = [pinned[action] for action in GLOBAL_ACTIONS if action in pinned]
        if palette is not None and roomy:
            keys.append(palette)
        if keys:
            yield HorizontalGroup(*keys, id="global-keys")

    def on_resize(self) -> None:
        # Across ROOMY the footer packs its keys differently (and shows the palette's key).
        if (self.app.size.width >= ROOMY) == self.compact:
            self.call_after_refresh(self.recompose)
