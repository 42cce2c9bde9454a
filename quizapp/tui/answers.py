"""What the quiz and summary screens share about an answered question: storing it as an
attempt, and the title of the topic it is shown under."""

from __future__ import annotations

from typing import Any

from quizapp.core.bank import Question
from quizapp.tui.messages import QuestionAnswered


def record_answer(app: Any, event: QuestionAnswered, mode: str) -> None:
    """Store one answered question as an attempt."""
    answer = {"answer": event.answer, **event.record}
    if event.text:
        answer["text"] = event.text
    app.store.record_attempt(event.question.id, "question", answer, event.verdict.score,
                             event.verdict.passed, mode=mode, duration_ms=event.duration_ms,
                             at=app.now())


def topic_title(app: Any, question: Question, chosen: frozenset[str] = frozenset()) -> str:
    """The localized title of a question's topic: the first one the user chose, else its main
    topic (a question on tanh asked in a quiz on sigmoid is shown under sigmoid)."""
    topic_id = next((t for t in question.topics if t in chosen), question.topics[0])
    content = app.content
    topic = content.taxonomy.topics.get(topic_id) if content else None
    return topic.title(app.lang) if topic else topic_id
