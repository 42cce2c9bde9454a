"""The reference after a pass, in the drill workspace: the user's code beside the drill's
reference solution and beside its idiomatic (timed) baseline, and a diff of each.

`ReferenceScreen` is pushed by the drill screen (F5); what it shows comes from
`quizapp.core.drills.reference_view`, and whether it may be shown (a pass, or a reveal that
counts as a hint) is decided there too. Side by side from `WIDE` columns; narrower, the two
codes stack (yours above).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TabbedContent, TabPane, TextArea

from quizapp.core.drills.reference_view import CodeView, ReferenceView, unified_diff
from quizapp.tui.strings import tr
from quizapp.tui.widgets.footer import LocalizedFooter

#: Width from which the two codes are shown side by side.
WIDE = 110

_TITLES = {"reference": "Reference solution", "baseline": "Idiomatic baseline (timed)"}


def diff_content(diff: str) -> Content:
    """A unified diff with added lines green and removed lines red."""
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            lines.append(Content.styled(line, "bold"))
        elif line.startswith("@@"):
            lines.append(Content.styled(line, "$text-accent"))
        elif line.startswith("+"):
            lines.append(Content.styled(line, "$text-success"))
        elif line.startswith("-"):
            lines.append(Content.styled(line, "$text-error"))
        else:
            lines.append(Content(line))
    return Content("\n").join(lines)


class CodePair(Container):
    """Your code and one other code, side by side (stacked when narrow)."""

    DEFAULT_CSS = """
    CodePair { layout: horizontal; height: 1fr; }
    CodePair.-narrow { layout: vertical; }
    CodePair > Vertical { width: 1fr; height: 1fr; }
    CodePair > .other { border-left: outer $panel; }
    CodePair.-narrow > .other { border-left: none; }
    CodePair .code-title { height: 1; text-style: bold; color: $text-muted; padding: 0 1; }
    CodePair TextArea { height: 1fr; border: none; padding: 0; }
    CodePair TextArea:focus { background: $boost; }
    """

    def __init__(self, mine: str, other: CodeView, lang: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mine = mine
        self.other = other
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="mine"):
            yield Static(tr("Your solution", self.lang), classes="code-title", markup=False)
            yield TextArea.code_editor(self.mine, language="python", read_only=True,
                                       soft_wrap=False, classes="mine-code")
        with Vertical(classes="other"):
            title = f"{tr(_TITLES[self.other.kind], self.lang)} — " \
                    f"{self.other.path.parent.name}/{self.other.path.name}"
            yield Static(title, classes="code-title", markup=False)
            yield TextArea.code_editor(self.other.source, language="python", read_only=True,
                                       soft_wrap=False, classes="other-code")


class ReferenceScreen(ModalScreen[None]):
    """Your code, the reference and the baseline, and the diffs (see the module doc)."""

    HELP_SECTION = "Drill reference"

    DEFAULT_CSS = """
    ReferenceScreen { background: $background; }
    ReferenceScreen #reference-bar { height: auto; padding: 0 1; text-style: bold;
                                     background: $panel; }
    ReferenceScreen #reference-note { height: auto; padding: 0 1; color: $text-muted; }
    ReferenceScreen TabbedContent { height: 1fr; }
    ReferenceScreen TabPane { height: 1fr; padding: 0; }
    ReferenceScreen .diff { height: auto; padding: 0 1; }
    ReferenceScreen .diff-title { text-style: bold; padding: 1 1 0 1; }
    """

    BINDINGS = [
        # priority: the read-only editors would otherwise take the digits.
        Binding("1", "show('tab-reference')", "Reference", id="reference.reference",
                priority=True, tooltip="Your code beside the drill's reference solution"),
        Binding("2", "show('tab-baseline')", "Baseline", id="reference.baseline",
                priority=True,
                tooltip="Your code beside the idiomatic baseline your timing is compared with"),
        Binding("3", "show('tab-diff')", "Diff", id="reference.diff", priority=True,
                tooltip="What differs between your code and each of them"),
        Binding("escape", "dismiss", "Back", id="reference.back",
                tooltip="Back to the drill workspace"),
    ]

    def __init__(self, view: ReferenceView, mine: str, title: str, note: str) -> None:
        super().__init__()
        self.view = view
        self.mine = mine
        self.title_text = title
        self.note = note

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(tr("Reference: {d} [{t}]", lang).format(d=self.title_text,
                                                              t=self.view.track),
                     id="reference-bar", markup=False)
        yield Static(self.note, id="reference-note", markup=False)
        narrow = self.app.size.width < WIDE
        with TabbedContent(id="reference-tabs"):
            for kind in ("reference", "baseline"):
                code = getattr(self.view, kind)
                with TabPane(tr(_TITLES[kind], lang), id=f"tab-{kind}"):
                    if code is None:
                        yield Static(tr("This drill has no {what}.", lang).format(
                            what=tr(_TITLES[kind], lang).lower() if lang == "en"
                            else tr(_TITLES[kind], lang)), markup=False)
                    else:
                        yield CodePair(self.mine, code, lang, classes="-narrow" if narrow
                                       else "")
            with TabPane(tr("Diff", lang), id="tab-diff"), VerticalScroll(id="diffs"):
                for code in self.view.views():
                    diff = unified_diff(self.mine, code)
                    yield Static(tr("Your solution → {what}", lang).format(
                        what=tr(_TITLES[code.kind], lang)), classes="diff-title", markup=False)
                    yield Static(diff_content(diff) if diff
                                 else tr("(identical)", lang), classes="diff", markup=False)
        yield LocalizedFooter()

    def on_resize(self) -> None:
        for pair in self.query(CodePair):
            pair.set_class(self.app.size.width < WIDE, "-narrow")

    def action_show(self, tab: str) -> None:
        """Switch to one of the tabs."""
        self.query_one(TabbedContent).active = tab
