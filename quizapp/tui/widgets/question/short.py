"""Short answers: type your answer, reveal the key points, tick the ones you made."""

from __future__ import annotations

import random
from typing import Any

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static, TextArea

from quizapp.core.bank import Question, localize
from quizapp.core.scoring import AnswerError, Verdict, suggest_key_points
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import MathMarkdown, inline_content
from quizapp.tui.widgets.question.base import AnswerArea
from quizapp.tui.widgets.question.checklist import CheckList, RowState


class ShortAnswer(AnswerArea):
    """Two steps. First a text area for your answer (ctrl+s reveals; an empty answer is fine
    when you only want to think it through). Then the model answer and the key points, those
    your text mentions pre-ticked: tick what you really covered (number keys, space) and press
    Enter to grade."""

    HELP_SECTION = "Answering: short answer"

    DEFAULT_CSS = """
    ShortAnswer TextArea { height: 6; max-height: 12; }
    ShortAnswer .hint { color: $text-muted; padding: 0 1; }
    ShortAnswer .model-title, ShortAnswer .points-title { text-style: bold; margin: 1 0 0 0; }
    ShortAnswer .model { padding: 0 1; background: $surface; }
    ShortAnswer .revealed { display: none; height: auto; }
    ShortAnswer.-revealed .revealed { display: block; }
    ShortAnswer.-revealed .typing-hint { display: none; }
    ShortAnswer .weight { color: $text-muted; }
    """

    BINDINGS = [
        Binding("ctrl+s", "reveal", "Reveal key points", id="short.reveal",
                tooltip="Stop typing and show the model answer and key points to tick"),
        Binding("enter", "submit", "Submit", id="short.submit",
                tooltip="Grade the key points you ticked"),
    ]

    def __init__(self, question: Question, lang: str, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(question, lang, rng, **kwargs)
        self.editor = TextArea(soft_wrap=True, show_line_numbers=False, id="short-text")
        self.revealed = False
        self.list = CheckList(self._rows(), multi=True, classes="revealed")
        self.model = MathMarkdown(classes="model revealed")

    def _rows(self) -> list[RowState]:
        rows = []
        for i, point in enumerate(self.question.key_points):
            label = inline_content(localize(point.text, self.lang))
            extras = []
            if point.required:
                extras.append(tr("essential", self.lang))
            if point.weight != 1:
                extras.append(tr("weight {w:g}", self.lang).format(w=point.weight))
            if extras:
                label = label + Content.styled(f"  ({', '.join(extras)})", "$text-muted")
            rows.append(RowState(label, key=i))
        return rows

    def compose(self):  # noqa: ANN201
        yield self.editor
        yield Static(classes="hint typing-hint", markup=False)
        yield Static(classes="model-title revealed", markup=False)
        yield self.model
        yield Static(classes="points-title revealed", markup=False)
        yield self.list

    def on_mount(self) -> None:
        self._update_labels()

    def _update_labels(self) -> None:
        self.query_one(".typing-hint", Static).update(
            tr("Type your answer, then ctrl+s to see the key points.", self.lang))
        self.query_one(".model-title", Static).update(tr("Model answer", self.lang))
        self.query_one(".points-title", Static).update(
            tr("Tick the points your answer made (number keys / space), then Enter:",
               self.lang))
        self.model.show(localize(self.question.model_answer, self.lang))

    def focus_answer(self) -> None:
        (self.list if self.revealed else self.editor).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return not self.revealed
        if action == "submit":
            return self.revealed and not self.locked
        return super().check_action(action, parameters)

    def action_reveal(self) -> None:
        """Show the model answer and the key points, pre-ticking those the text mentions."""
        if self.revealed:
            return
        self.revealed = True
        self.editor.read_only = True
        self.list.set_checked(suggest_key_points(self.question, self.editor.text))
        self.add_class("-revealed")
        self.list.focus()
        self.refresh_bindings()

    def action_submit(self) -> None:
        """Ask the hosting view to grade the ticked points."""
        if self.revealed and not self.locked:
            self.post_message(self.Submit())

    def value(self) -> Any:
        if not self.revealed:
            raise AnswerError(tr("Reveal the key points first (ctrl+s).", self.lang))
        return {self.list.rows[i].key for i in self.list.checked}

    def show_result(self, answer: Any, verdict: Verdict) -> None:
        super().show_result(answer, verdict)
        self.revealed = True
        self.add_class("-revealed")
        self.editor.read_only = True
        self.list.locked = True
        ticked = set(answer)
        for row in self.list.rows:
            row.checked = row.key in ticked
            point = self.question.key_points[row.key]
            if row.checked:
                row.result = "correct"
            elif point.required:
                row.result = "missed"
        self.list.refresh_rows()

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        for row, fresh in zip(self.list.rows, self._rows(), strict=True):
            row.label = fresh.label
        self.list.refresh_rows()
        self._update_labels()

    def show_typed(self, text: str) -> None:
        self.editor.load_text(text)

    @property
    def text(self) -> str:
        """What the user typed."""
        return self.editor.text

    def record(self) -> dict[str, Any]:
        return {"typed": self.editor.text}
