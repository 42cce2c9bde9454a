"""The feedback under an answered question: verdict, remarks, the right answer, the
explanation and the source."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from quizapp.core.bank import Question, localize, shows_work
from quizapp.core.quantities import format_quantity
from quizapp.core.scoring import Verdict
from quizapp.core.sources import load_sources
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import MathMarkdown, inline_content
from quizapp.tui.widgets.question.spot_bug import bug_lines_text


def verdict_line(verdict: Verdict, lang: str) -> tuple[Content, str]:
    """The headline of a verdict and its CSS class (-pass, -partial or -fail)."""
    if verdict.passed:
        text = tr("✓ Correct", lang) if verdict.score >= 1 else \
            tr("✓ Passed — {p}%", lang).format(p=round(verdict.score * 100))
        return Content(text), "-pass"
    if verdict.score > 0:
        return Content(tr("◐ Partly right — {p}%", lang).format(
            p=round(verdict.score * 100))), "-partial"
    return Content(tr("✗ Not quite", lang)), "-fail"


def answer_details(question: Question, answer: Any, verdict: Verdict,
                   lang: str) -> list[Content]:
    """Kind-specific lines: the right number, the bugs and their fixes, the right order."""
    lines: list[Content] = []
    if question.kind == "numeric" and question.numeric is not None:
        spec = question.numeric
        lines.append(Content.assemble((tr("Answer: ", lang), "bold"),
                                      format_quantity(spec.answer, spec.unit)))
        if "value" in verdict.details and not verdict.passed:
            lines.append(Content(tr("You: {x}", lang).format(
                x=format_quantity(verdict.details["value"], spec.unit))))
        if spec.work and shows_work(spec):
            work = spec.work.replace("**", "^").replace("*", "×")
            lines.append(Content.assemble((tr("Worked: ", lang), "bold"), work))
        for other in spec.also_accept:
            lines.append(Content(tr("Also accepted: {x}", lang).format(
                x=format_quantity(other, spec.unit))))
    elif question.kind == "spot_bug":
        lines.extend(bug_lines_text(question, lang))
    elif question.kind == "ordering" and not verdict.passed:
        lines.append(Content.styled(tr("Right order:", lang), "bold"))
        for i, item in enumerate(question.items, start=1):
            lines.append(Content(f" {i:>2}. ") + inline_content(localize(item, lang)))
    return lines


class FeedbackView(Vertical):
    """Feedback for one graded answer (see module doc). Re-renders on `set_language`."""

    DEFAULT_CSS = """
    FeedbackView { height: auto; margin: 1 0 0 0; padding: 0 1; border-left: thick $panel; }
    FeedbackView.-pass { border-left: thick $success; }
    FeedbackView.-partial { border-left: thick $warning; }
    FeedbackView.-fail { border-left: thick $error; }
    FeedbackView .headline { text-style: bold; }
    FeedbackView.-pass .headline { color: $text-success; }
    FeedbackView.-partial .headline { color: $text-warning; }
    FeedbackView.-fail .headline { color: $text-error; }
    FeedbackView .details { margin: 0 0 1 0; }
    FeedbackView .section { text-style: bold; color: $text-muted; }
    FeedbackView .source { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, question: Question, answer: Any, verdict: Verdict, lang: str,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.answer = answer
        self.verdict = verdict
        self.lang = lang
        self.explanation = MathMarkdown(localize(question.explanation, lang), classes="explanation")

    def compose(self):  # noqa: ANN201
        yield Static(classes="headline", markup=False)
        yield Static(classes="details", markup=False)
        yield Static(classes="section why-title", markup=False)
        yield self.explanation
        yield Static(classes="source", markup=False)

    def on_mount(self) -> None:
        self._render_texts()

    def _render_texts(self) -> None:
        headline, css = verdict_line(self.verdict, self.lang)
        self.set_classes(css)
        self.query_one(".headline", Static).update(headline)
        lines = [inline_content(localize(text, self.lang)) for text in self.verdict.feedback]
        lines += answer_details(self.question, self.answer, self.verdict, self.lang)
        details = self.query_one(".details", Static)
        details.update(Content("\n").join(lines))
        details.display = bool(lines)
        self.query_one(".why-title", Static).update(tr("Why", self.lang))
        source = load_sources().describe(self.question.source, self.lang)
        self.query_one(".source", Static).update(
            tr("Source: {s}", self.lang).format(s=source) if source else "")

    def set_language(self, lang: str) -> None:
        """Re-render in `lang`."""
        self.lang = lang
        self.explanation.show(localize(self.question.explanation, lang))
        self._render_texts()
