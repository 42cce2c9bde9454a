"""Spot-the-bug answers: a numbered code view and an input for the buggy line numbers."""

from __future__ import annotations

import random
import re
from typing import Any

from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Input, Static

from quizapp.core.bank import Question, localize
from quizapp.core.scoring import AnswerError, Verdict
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import inline_content
from quizapp.tui.widgets.question.base import AnswerArea


def parse_lines(text: str, n_lines: int) -> set[int]:
    """Line numbers typed as `2 5`, `2,5`, `2-4`; raises AnswerError for anything else."""
    found: set[int] = set()
    for part in re.split(r"[\s,，;、]+", text.strip()):
        if not part:
            continue
        span = re.fullmatch(r"(\d+)(?:[-–~](\d+))?", part)
        if span is None:
            raise AnswerError(f"'{part}' is not a line number")
        lo = int(span.group(1))
        hi = int(span.group(2) or lo)
        for n in range(min(lo, hi), max(lo, hi) + 1):
            if not 1 <= n <= n_lines:
                raise AnswerError(f"line {n} is outside the code (1–{n_lines})")
            found.add(n)
    return found


class CodeView(Static):
    """Code with line numbers; some lines can be marked (named by the user, or judged)."""

    DEFAULT_CSS = """
    CodeView { background: $surface; padding: 0 1; margin: 0 0 1 0; width: 1fr; }
    """

    def __init__(self, code: str, language: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines = highlight(code.rstrip("\n"), language=language).split("\n")
        #: line number → (gutter mark, style)
        self.marks: dict[int, tuple[str, str]] = {}

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Draw the code with its marks."""
        width = len(str(len(self.lines)))
        rows = []
        for n, line in enumerate(self.lines, start=1):
            mark, style = self.marks.get(n, (" ", ""))
            gutter = Content.styled(f"{mark}{n:>{width}} │ ", style or "$text-muted")
            rows.append(gutter + line)
        self.update(Content("\n").join(rows))


class SpotBugAnswer(AnswerArea):
    """Type the numbers of the buggy lines (`2 5`); they are marked on the code as you type.
    Enter submits. After grading, found bugs are ✓, wrong lines ✗ and missed bugs !."""

    DEFAULT_CSS = """
    SpotBugAnswer Input { width: 1fr; max-width: 60; }
    SpotBugAnswer .hint { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, question: Question, lang: str, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(question, lang, rng, **kwargs)
        self.n_lines = len(question.code.rstrip("\n").split("\n"))
        self.code = CodeView(question.code, question.language)
        self.input = Input(placeholder=tr("Buggy line numbers, e.g. 2 5 — then Enter", lang),
                           id="lines-input")
        self.hint = Static(classes="hint", markup=False)

    def compose(self):  # noqa: ANN201
        yield self.code
        yield self.input
        yield self.hint

    def on_mount(self) -> None:
        self._update_hint()

    def _update_hint(self) -> None:
        bugs = len(self.question.bugs)
        text = tr("{n} bug(s) to find; naming a correct line costs half a bug.", self.lang)
        self.hint.update(text.format(n=bugs))

    def focus_answer(self) -> None:
        self.input.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.locked:
            return
        try:
            named = parse_lines(event.value, self.n_lines)
        except AnswerError:
            named = set()
        self.code.marks = {n: ("▶", "bold $text-accent") for n in named}
        self.code.redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.locked:
            self.post_message(self.Submit())

    def value(self) -> Any:
        named = parse_lines(self.input.value, self.n_lines)
        if not named:
            raise AnswerError(tr("Type at least one line number.", self.lang))
        return named

    def show_result(self, answer: Any, verdict: Verdict) -> None:
        super().show_result(answer, verdict)
        named = set(answer)
        self.input.value = " ".join(map(str, sorted(named)))
        self.input.disabled = True
        marks: dict[int, tuple[str, str]] = {}
        for bug in self.question.bugs:
            hit = named & set(bug.lines)
            for n in bug.lines:
                if n in hit:
                    marks[n] = ("✓", "bold $text-success")
                elif not hit:
                    marks[n] = ("!", "bold $text-warning")
        for n in verdict.details.get("wrong_lines", ()):
            marks[n] = ("✗", "bold $text-error")
        self.code.marks = marks
        self.code.redraw()

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        self.input.placeholder = tr("Buggy line numbers, e.g. 2 5 — then Enter", lang)
        self._update_hint()

    def record(self) -> dict[str, Any]:
        return {"typed": self.input.value}


def bug_lines_text(question: Question, lang: str) -> list[Content]:
    """Two lines per bug: where and what, then the fix (for the feedback)."""
    out = []
    for bug in question.bugs:
        where = tr("line {n}", lang).format(n=", ".join(map(str, bug.lines)))
        out.append(Content.assemble((f"{where}: ", "bold")) + inline_content(
            localize(bug.summary, lang)))
        out.append(Content.styled("  " + tr("fix: ", lang), "$text-success") + inline_content(
            localize(bug.fix, lang)))
    return out
