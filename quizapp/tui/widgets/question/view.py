"""`QuestionView`: one question, answered from the keyboard, graded, with feedback."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from textual.containers import Vertical
from textual.widgets import Static

from quizapp.core.bank import Question, localize
from quizapp.core.scoring import AnswerError, Verdict, grade
from quizapp.tui.messages import QuestionAnswered
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import MathMarkdown
from quizapp.tui.widgets.question.base import AnswerArea
from quizapp.tui.widgets.question.choices import ChoiceAnswer
from quizapp.tui.widgets.question.cloze import ClozeAnswer
from quizapp.tui.widgets.question.feedback import FeedbackView
from quizapp.tui.widgets.question.numeric import NumericAnswer
from quizapp.tui.widgets.question.ordering import OrderingAnswer
from quizapp.tui.widgets.question.short import ShortAnswer
from quizapp.tui.widgets.question.spot_bug import SpotBugAnswer

AREAS: dict[str, type[AnswerArea]] = {
    "single": ChoiceAnswer,
    "multi": ChoiceAnswer,
    "numeric": NumericAnswer,
    "cloze": ClozeAnswer,
    "spot_bug": SpotBugAnswer,
    "ordering": OrderingAnswer,
    "short": ShortAnswer,
}

KIND_NAMES = {
    "single": "Single choice", "multi": "Multiple choice", "numeric": "Numeric",
    "short": "Short answer", "cloze": "Fill in the blanks", "spot_bug": "Spot the bug",
    "ordering": "Put in order",
}

KIND_HELP = {
    "single": "Number keys or ↑↓ + space to choose, Enter to submit.",
    "multi": "Number keys or space to tick every right option, Enter to submit.",
    "numeric": "Type the number (units welcome), Enter to submit.",
    "short": "Type your answer, ctrl+s to reveal the key points, tick those you made, Enter.",
    "cloze": "Fill each gap; Enter moves to the next gap and submits from the last.",
    "spot_bug": "Type the numbers of the buggy lines, Enter to submit.",
    "ordering": "↑↓ to move the cursor, shift+↑↓ (or K/J) to move the item, Enter to submit.",
}


class QuestionView(Vertical):
    """One question with an answer area that fits its kind; reusable by any screen.

    Args:
        question: the question to show.
        lang: "en" or "zh"; the view follows `app.lang` afterwards when the app has one.
        rng: shuffles the options/items (pass a seeded `random.Random` for repeatable order).
        feedback: show right/wrong, the explanation and the source after grading (False in a
            mock interview: the view then only says the answer was recorded).
        heading: an optional line above the prompt (e.g. "3/10 · Attention"), or a function
            of the language that returns it (re-rendered when the language changes).
        replay: `(answer, verdict)` or `(answer, verdict, typed text)` of an earlier attempt:
            show it graded, read-only, with what the user typed.
        clock: monotonic seconds (tests pass a fixed clock), for `duration_ms`.
        second_chance: after a wrong first answer (auto-graded kinds), say so without
            revealing anything and let the user try once more; submitting again grades for
            good (the review screen uses it: right on the second try proposes Hard).

    Keys (on the answer area): number keys / ↑↓ / space for choices; Enter submits; an input
    for numbers, gaps and line numbers; shift+↑↓ or K/J to reorder; ctrl+s reveals the key
    points of a short answer.

    Posts `QuestionAnswered(question, answer, verdict, tries, duration_ms, text, record)`
    once, when a readable answer is graded (it does not record anything itself). An
    unreadable answer (`AnswerError`) is shown under the answer and the user retries.

    Attributes: `answered` (bool), `verdict` (the grade, once answered).
    """

    DEFAULT_CSS = """
    QuestionView { height: auto; padding: 0 1; }
    QuestionView .heading { color: $text-muted; }
    QuestionView .prompt { margin: 1 0 1 0; }
    QuestionView .how { color: $text-muted; margin: 0 0 1 0; }
    QuestionView .error { color: $text-error; display: none; padding: 0 1; }
    QuestionView .error.-shown { display: block; }
    QuestionView .recorded { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, question: Question, lang: str = "en", *,
                 rng: random.Random | None = None, feedback: bool = True,
                 heading: str | Callable[[str], str] = "",
                 replay: tuple[Any, Verdict] | tuple[Any, Verdict, str] | None = None,
                 clock: Callable[[], float] = time.monotonic, second_chance: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.second_chance = second_chance and question.kind != "short"
        self.graded_tries = 0
        self.question = question
        self.lang = lang
        self.feedback = feedback
        self.heading = heading
        self.clock = clock
        self.replay = replay
        self.area = AREAS[question.kind](question, lang, rng or random.Random())
        self.prompt = MathMarkdown(localize(question.prompt, lang), classes="prompt")
        self.answered = False
        self.verdict: Verdict | None = None
        self.answer: Any = None
        self.tries = 0
        self.shown_at = clock()

    def compose(self):  # noqa: ANN201
        yield Static(classes="heading", markup=False)
        yield self.prompt
        yield Static(classes="how", markup=False)
        yield self.area
        yield Static(classes="error", markup=False)

    def on_mount(self) -> None:
        self._update_labels()
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", self.set_language, init=False)
        if self.replay is not None:
            answer, verdict, *typed = self.replay
            if typed and typed[0]:
                self.area.show_typed(typed[0])
            self._show_graded(answer, verdict)
        else:
            self.area.focus_answer()
        self.shown_at = self.clock()

    def _update_labels(self) -> None:
        kind = tr(KIND_NAMES[self.question.kind], self.lang)
        stars = "★" * self.question.difficulty + "☆" * (5 - self.question.difficulty)
        heading = self.heading(self.lang) if callable(self.heading) else self.heading
        parts = [p for p in (heading, kind, stars) if p]
        self.query_one(".heading", Static).update(" · ".join(parts))
        self.query_one(".how", Static).update(tr(KIND_HELP[self.question.kind], self.lang))

    def on_answer_area_submit(self, event: AnswerArea.Submit) -> None:
        event.stop()
        self.submit()

    def submit(self) -> bool:
        """Grade the current answer; returns whether it was readable (and graded)."""
        if self.answered:
            return False
        self.tries += 1
        error = self.query_one(".error", Static)
        try:
            answer = self.area.value()
            verdict = grade(self.question, answer)
        except AnswerError as err:
            error.update(tr("Cannot read that answer: {e}", self.lang).format(e=err))
            error.add_class("-shown")
            return False
        error.remove_class("-shown")
        self.graded_tries += 1
        if not verdict.passed and self.second_chance and self.graded_tries == 1:
            error.update(tr("✗ Not quite. Try once more — or submit again to see the answer.",
                            self.lang))
            error.add_class("-shown")
            return True
        duration_ms = max(0, round((self.clock() - self.shown_at) * 1000))
        text = getattr(self.area, "text", "")
        self._show_graded(answer, verdict)
        self.post_message(QuestionAnswered(self.question, answer, verdict, self.tries,
                                           duration_ms, text, self.area.record(),
                                           graded_tries=self.graded_tries))
        return True

    def _show_graded(self, answer: Any, verdict: Verdict) -> None:
        self.answered = True
        self.answer = answer
        self.verdict = verdict
        self.query_one(".how", Static).display = False
        if self.feedback:
            if answer is None:  # never answered (a mock interview's unanswered question)
                self.area.locked = True
            else:
                self.area.show_result(answer, verdict)
            view = FeedbackView(self.question, answer, verdict, self.lang)
            self.mount(view)
            self.call_after_refresh(view.scroll_visible, top=False)
        else:
            self.area.locked = True
            self.mount(Static(tr("Answer recorded.", self.lang), classes="recorded", markup=False))

    def set_language(self, lang: str) -> None:
        """Show the question (and its feedback) in `lang`."""
        if lang == self.lang:
            return
        self.lang = lang
        self.prompt.show(localize(self.question.prompt, lang))
        self.area.set_language(lang)
        self._update_labels()
        if self.answered:
            self.query_one(".how", Static).display = False
        for view in self.query(FeedbackView):
            view.set_language(lang)
        for note in self.query(".recorded").results(Static):
            note.update(tr("Answer recorded.", lang))
