"""Numeric answers: an input that takes numbers with units (`1.5 GiB`, `6.7B`, `2^20`)."""

from __future__ import annotations

import random
from typing import Any

from textual.widgets import Input, Static

from quizapp.core.bank import Question
from quizapp.core.scoring import AnswerError, Verdict
from quizapp.tui.strings import tr
from quizapp.tui.widgets.question.base import AnswerArea

#: What each unit family accepts, shown under the input.
UNIT_HINTS = {
    None: "a number: 1,024 · 1e6 · 2^20",
    "bytes": "bytes: 512 KiB · 1.5 GB · 2^20 B (KB = 10³, KiB = 2¹⁰)",
    "count": "a count: 6.7B · 70M · 1.2e9 · 7 亿",
    "flops": "FLOPs: 1.2e12 · 6 TFLOP",
    "seconds": "a time: 250 ms · 3 µs · 2 min",
    "percent": "a percentage: 50% or 0.5",
}


class NumericAnswer(AnswerArea):
    """One input; Enter submits. An unreadable number is explained and can be retyped."""

    DEFAULT_CSS = """
    NumericAnswer Input { width: 1fr; max-width: 60; }
    NumericAnswer .hint { color: $text-muted; padding: 0 1; }
    NumericAnswer Input.-correct { border: tall $success; }
    NumericAnswer Input.-wrong { border: tall $error; }
    """

    def __init__(self, question: Question, lang: str, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(question, lang, rng, **kwargs)
        assert question.numeric is not None
        self.unit = question.numeric.unit
        self.answer_in = question.numeric.answer_in
        self.input = Input(placeholder=self._placeholder(), id="numeric-input")
        self.hint = Static(classes="hint", markup=False)

    def _placeholder(self) -> str:
        if self.answer_in:
            return tr("Your answer in {unit}, then Enter", self.lang).format(unit=self.answer_in)
        return tr("Your answer, then Enter", self.lang)

    def _hint(self, lang: str) -> str:
        hint = tr(UNIT_HINTS.get(self.unit, UNIT_HINTS[None]), lang)
        if self.answer_in:
            note = tr("a bare number is read in {unit}", lang).format(unit=self.answer_in)
            hint = f"{hint} · {note}"
        return hint

    def compose(self):  # noqa: ANN201
        yield self.input
        yield self.hint

    def on_mount(self) -> None:
        self.hint.update(self._hint(self.lang))

    def focus_answer(self) -> None:
        self.input.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.locked:
            self.post_message(self.Submit())

    def value(self) -> Any:
        text = self.input.value.strip()
        if not text:
            raise AnswerError(tr("Type a number first.", self.lang))
        return text

    def show_result(self, answer: Any, verdict: Verdict) -> None:
        super().show_result(answer, verdict)
        self.input.value = str(answer)
        self.input.disabled = True
        self.input.set_class(verdict.passed, "-correct")
        self.input.set_class(not verdict.passed, "-wrong")

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        self.input.placeholder = self._placeholder()
        self.hint.update(self._hint(lang))

    def record(self) -> dict[str, Any]:
        return {"typed": self.input.value}
