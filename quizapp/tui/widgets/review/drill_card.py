"""A drill's review card: solve it again from a blank starter, then rate."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical
from textual.widgets import Static

from quizapp.core.bank import localize
from quizapp.core.review import DrillOutcome
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import MathMarkdown


class DrillCard(Vertical):
    """The drill's title and statement, how the review works, and — once the user is back
    from the drill screen — what the grader said (runs, pass, hints) and the proposed rating.
    """

    DEFAULT_CSS = """
    DrillCard { height: auto; padding: 0 1; }
    DrillCard .title { text-style: bold; margin: 0 0 1 0; }
    DrillCard .how { color: $text-muted; margin: 1 0 0 0; }
    DrillCard .outcome { margin: 1 0 0 0; padding: 0 1; }
    DrillCard .outcome.-pass { border-left: thick $success; }
    DrillCard .outcome.-fail { border-left: thick $error; }
    """

    def __init__(self, drill: Any, lang: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drill = drill
        self.lang = lang
        self.outcome: DrillOutcome | None = None
        self.kept: str | None = None

    def compose(self):  # noqa: ANN201 - a compose generator
        yield Static(classes="title")
        yield MathMarkdown(localize(self.drill.statement, self.lang), classes="statement")
        yield Static(classes="how")
        yield Static(classes="outcome")

    def on_mount(self) -> None:
        self._render_texts()

    def show_outcome(self, outcome: DrillOutcome) -> None:
        """Show what the grader recorded since the card was shown."""
        self.outcome = outcome
        self._render_texts()

    def set_language(self, lang: str) -> None:
        """Re-render in `lang`."""
        self.lang = lang
        self.query_one(".statement", MathMarkdown).show(localize(self.drill.statement, lang))
        self._render_texts()

    def _render_texts(self) -> None:
        lang = self.lang
        self.query_one(".title", Static).update(
            tr("Drill: {t}", lang).format(t=self.drill.title_in(lang)))
        how = tr("Solve it again from a blank starter: o opens the drill with a fresh "
                 "starter file, ctrl+r there grades it. Passing without hints is Good.", lang)
        if self.kept:
            how += "\n" + tr("Your previous solution was kept as {f}.", lang).format(f=self.kept)
        self.query_one(".how", Static).update(how)
        box = self.query_one(".outcome", Static)
        outcome = self.outcome
        box.display = outcome is not None
        if outcome is None:
            return
        if outcome.runs == 0:
            text = tr("No grade recorded yet: o opens the drill again, or rate "
                      "by hand.", lang)
        elif outcome.passed:
            text = tr("Passed on run {n}", lang).format(n=outcome.runs_to_pass)
            if outcome.hints_used:
                text += tr(", after {h} hint(s)", lang).format(h=outcome.hints_used)
        else:
            text = tr("Not passed yet ({n} run(s))", lang).format(n=outcome.runs)
        box.update(text)
        box.set_class(outcome.passed, "-pass")
        box.set_class(outcome.runs > 0 and not outcome.passed, "-fail")
