"""Ordering answers: move the cursor with ↑/↓ and carry the item with shift+↑/↓ (or K/J)."""

from __future__ import annotations

import random
from typing import Any

from textual.binding import Binding

from quizapp.core.bank import Question, localize
from quizapp.core.scoring import Verdict
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import inline_content
from quizapp.tui.widgets.question.base import AnswerArea
from quizapp.tui.widgets.question.checklist import CheckList, RowState


def shuffled_order(n: int, rng: random.Random) -> list[int]:
    """A random permutation of range(n) that is not already the right order (n ≥ 2)."""
    order = list(range(n))
    if n < 2:
        return order
    while order == sorted(order):
        rng.shuffle(order)
    return order


class OrderList(CheckList):
    """A CheckList whose rows are carried up and down instead of checked."""

    HELP_SECTION = "Answering: ordering"

    BINDINGS = [
        Binding("shift+up,K,ctrl+up", "carry(-1)", "Move item up", id="ordering.up",
                tooltip="Move the item under the cursor one place up"),
        Binding("shift+down,J,ctrl+down", "carry(1)", "Move item down", id="ordering.down",
                tooltip="Move the item under the cursor one place down"),
    ]

    def marker(self, index: int, row: RowState) -> str:
        mark = {"correct": "✓", "wrong": "✗"}.get(row.result, " ")
        return f" {mark} {index + 1:>2}."

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle", "pick"):
            return False  # nothing to tick in an ordering
        if action == "carry" and self.locked:
            return False
        return True

    def action_carry(self, delta: int) -> None:
        """Swap the item under the cursor with its neighbour."""
        target = self.cursor + delta
        if self.locked or not 0 <= target < len(self.rows):
            return
        self.rows[self.cursor], self.rows[target] = self.rows[target], self.rows[self.cursor]
        self.cursor = target
        self.refresh_rows()
        self.post_message(self.Changed())


class OrderingAnswer(AnswerArea):
    """The items shuffled; put them in order, then Enter."""

    HELP_SECTION = "Answering: ordering"

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="ordering.submit",
                tooltip="Submit this order"),
    ]

    def __init__(self, question: Question, lang: str, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(question, lang, rng, **kwargs)
        self.initial = shuffled_order(len(question.items), rng)
        rows = [RowState(self._label(i), key=i) for i in self.initial]
        self.list = OrderList(rows, multi=False)

    def _label(self, item: int) -> Any:
        return inline_content(localize(self.question.items[item], self.lang))

    def compose(self):  # noqa: ANN201
        yield self.list

    def focus_answer(self) -> None:
        self.list.focus()

    @property
    def order(self) -> list[int]:
        """The items (correct-order indices) as currently arranged."""
        return [row.key for row in self.list.rows]

    def value(self) -> Any:
        return self.order

    def show_result(self, answer: Any, verdict: Verdict) -> None:
        super().show_result(answer, verdict)
        by_item = {row.key: row for row in self.list.rows}
        self.list.rows = [by_item[i] for i in answer]
        self.list.locked = True
        for pos, row in enumerate(self.list.rows):
            item = row.key
            row.result = "correct" if item == pos else "wrong"
            row.why = None if item == pos else self._should_be(item)
        self.list.refresh_rows()

    def _should_be(self, item: int) -> Any:
        return inline_content(tr("belongs at position {n}", self.lang).format(n=item + 1))

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        for row in self.list.rows:
            item = row.key
            row.label = self._label(item)
            if row.why is not None:
                row.why = self._should_be(item)
        self.list.refresh_rows()

    def record(self) -> dict[str, Any]:
        return {"initial_order": self.initial}
