"""Messages the quizapp widgets and screens send each other, named after what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from quizapp.core.bank import Question
from quizapp.core.scoring import Verdict


@dataclass
class QuestionAnswered(Message):
    """The user submitted a readable answer to a question and it was graded.

    Posted by `QuestionView`; bubbles up to the screen, which records it (quiz/mock sessions
    record with `Store.record_attempt`, the review screen rates its card).
    """

    #: The question answered.
    question: Question
    #: The answer as `scoring.grade` takes it (indices in the question's own order).
    answer: Any
    #: The grade.
    verdict: Verdict
    #: How many times the user pressed submit, counting answers rejected as unreadable.
    tries: int
    #: Milliseconds from showing the question to the graded answer.
    duration_ms: int
    #: What the user typed for a short answer (the answer itself is the ticked key points).
    text: str = ""
    #: Extra JSON-able detail worth recording with the attempt (e.g. the typed numeric text).
    record: dict[str, Any] = field(default_factory=dict)
    #: Graded attempts at the content (2 when a `second_chance` retry was used; unreadable
    #: answers are not counted). Review proposes Hard for a right answer on the second try.
    graded_tries: int = 1


@dataclass
class GradeProgress(Message):
    """A line of progress from the drill grader (posted from its worker thread)."""

    text: str

    def can_replace(self, message: Message) -> bool:
        # Only the latest progress line matters: let a flood coalesce.
        return isinstance(message, GradeProgress)
