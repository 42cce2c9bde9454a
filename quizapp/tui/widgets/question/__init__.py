"""The question-answering widget (`QuestionView`) and its per-kind answer areas."""

from quizapp.tui.widgets.question.view import KIND_NAMES, QuestionView

__all__ = ["KIND_NAMES", "QuestionView"]
