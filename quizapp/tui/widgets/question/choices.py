"""Single- and multiple-choice answers: number keys pick, space toggles, Enter submits."""

from __future__ import annotations

import random
from typing import Any

from textual.binding import Binding

from quizapp.core.bank import Question, localize
from quizapp.core.scoring import AnswerError, Verdict
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import inline_content
from quizapp.tui.widgets.question.base import AnswerArea
from quizapp.tui.widgets.question.checklist import CheckList, RowState


class ChoiceAnswer(AnswerArea):
    """The options of a `single` or `multi` question, shuffled unless the question says not.

    After grading every option shows ✓ (right) or ✗ (chosen but wrong) and its "why".
    """

    HELP_SECTION = "Answering: options"

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="choices.submit",
                tooltip="Submit the chosen option(s)"),
    ]

    def __init__(self, question: Question, lang: str, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(question, lang, rng, **kwargs)
        self.order = list(range(len(question.choices)))
        if question.shuffle:
            rng.shuffle(self.order)
        self.multi = question.kind == "multi"
        self.list = CheckList(self._rows(), multi=self.multi)

    def _rows(self) -> list[RowState]:
        return [RowState(inline_content(localize(self.question.choices[i].text, self.lang)))
                for i in self.order]

    def compose(self):  # noqa: ANN201
        yield self.list

    def focus_answer(self) -> None:
        self.list.focus()

    def value(self) -> Any:
        chosen = [self.order[i] for i in self.list.checked]
        if not chosen:
            raise AnswerError(tr("Choose an option first (number keys or space).", self.lang))
        return chosen[0] if not self.multi else set(chosen)

    def show_result(self, answer: Any, verdict: Verdict) -> None:
        super().show_result(answer, verdict)
        chosen = {answer} if isinstance(answer, int) else set(answer)
        self.list.locked = True
        for pos, index in enumerate(self.order):
            row = self.list.rows[pos]
            choice = self.question.choices[index]
            row.checked = index in chosen
            if choice.correct:
                row.result = "correct" if index in chosen else "missed"
            elif index in chosen:
                row.result = "wrong"
            row.why = inline_content(localize(choice.why, self.lang))
        self.list.refresh_rows()

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        for pos, index in enumerate(self.order):
            row = self.list.rows[pos]
            choice = self.question.choices[index]
            row.label = inline_content(localize(choice.text, lang))
            if row.why is not None:
                row.why = inline_content(localize(choice.why, lang))
        self.list.refresh_rows()

    def record(self) -> dict[str, Any]:
        return {"display_order": self.order}
