"""What the quiz and summary screens share about an answered question: storing it as an
attempt, and the title of the topic it is shown under."""

from __future__ import annotations

from typing import Any

from quizapp.core.bank import Question
from quizapp.tui.messages import QuestionAnswered


def record_answer(app: Any, event: QuestionAnswered, mode: str) -> None:
    """Store one answered question as an attempt, and as a review of its card (issue 14: a
    quiz or mock answer schedules the card and counts for the streak and mastery)."""
    from quizapp.core import review

    answer = {"answer": event.answer, **event.record}
    if event.text:
        answer["text"] = event.text
    now = app.now()
    app.store.record_attempt(event.question.id, "question", answer, event.verdict.score,
                             event.verdict.passed, mode=mode, duration_ms=event.duration_ms,
                             at=now)
    review.record_practice(app.store, review.card_key("question", event.question.id),
                           passed=event.verdict.passed, score=event.verdict.score,
                           self_graded=event.question.kind == "short",
                           tries=event.graded_tries, now=now, duration_ms=event.duration_ms)


def record_missed(app: Any, question: Question, mode: str) -> None:
    """A question a mock interview asked but the user never answered: a miss, on record."""
    from quizapp.core import review

    now = app.now()
    app.store.record_attempt(question.id, "question", {"unanswered": True}, 0.0, False,
                             mode=mode, at=now)
    review.record_practice(app.store, review.card_key("question", question.id), passed=False,
                           score=0.0, now=now)


def topic_title(app: Any, question: Question, lang: str | None = None) -> str:
    """The localized title of a question's main topic — the one label quiz, review and
    summary all use for it."""
    content = app.content
    topic = content.taxonomy.topics.get(question.topics[0]) if content else None
    lang = lang or app.lang
    return topic.title(lang) if topic else question.topics[0]
