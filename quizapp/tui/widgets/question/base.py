"""The base of the per-kind answer areas that `QuestionView` hosts."""

from __future__ import annotations

import random
from typing import Any

from textual.message import Message
from textual.widget import Widget

from quizapp.core.bank import Question
from quizapp.core.scoring import Verdict


class AnswerArea(Widget):
    """Where the user answers one kind of question.

    Subclasses implement `value()` (the answer as `scoring.grade` takes it, raising
    `AnswerError` when it is incomplete), `show_result()` (lock the area and mark what was
    right and wrong) and `set_language()`. They post `AnswerArea.Submit` when the user presses
    their submit key; the hosting `QuestionView` grades.
    """

    DEFAULT_CSS = """
    AnswerArea { height: auto; }
    """

    class Submit(Message):
        """The user asked to submit the answer."""

    def __init__(self, question: Question, lang: str, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.lang = lang
        self.rng = rng
        #: Set once the answer is graded: the area no longer changes.
        self.locked = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once graded, the area's keys (Enter included) fall through to the screen.
        if self.locked and action == "submit":
            return False
        return True

    def action_submit(self) -> None:
        """Ask the hosting view to grade (bound to each area's submit key)."""
        if not self.locked:
            self.post_message(self.Submit())

    def value(self) -> Any:
        """The answer as `scoring.grade` takes it; raises `AnswerError` if incomplete."""
        raise NotImplementedError

    def show_result(self, answer: Any, verdict: Verdict) -> None:
        """Lock the area and show what was right and wrong (also used to replay an answer)."""
        self.locked = True

    def set_language(self, lang: str) -> None:
        """Re-render the texts in `lang`."""
        self.lang = lang

    def show_typed(self, text: str) -> None:
        """Replaying an answer: show what the user typed (areas with free text override)."""

    def focus_answer(self) -> None:
        """Give the keyboard to the part of the area that takes the answer."""
        self.focus()

    def record(self) -> dict[str, Any]:
        """Extra detail worth storing with the attempt (e.g. the text typed)."""
        return {}
