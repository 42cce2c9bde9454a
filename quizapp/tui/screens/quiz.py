"""A quiz session (practice with feedback, or a timed mock interview with none until the
end): one question at a time, every answer recorded, then the summary."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from quizapp.core.bank import Question
from quizapp.core.quiz import AnswerRecord
from quizapp.tui.answers import record_answer, record_missed, topic_title
from quizapp.tui.messages import QuestionAnswered
from quizapp.tui.strings import tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.question import QuestionView


class QuizScreen(Screen):
    """Asks `questions` in order. `mode` is "quiz" (feedback after each answer) or "mock"
    (answers are recorded silently, against `time_limit_s`; feedback in the summary)."""

    HELP_SECTION = "Quiz"

    BINDINGS = [
        Binding("enter,n", "next", "Next", id="quiz.next",
                tooltip="Go to the next question (or the summary after the last)"),
        Binding("ctrl+n", "skip", "Skip", id="quiz.skip",
                tooltip="Skip this question; it is listed for review in the summary"),
        Binding("escape", "end", "End session", id="quiz.end",
                tooltip="Stop here and see the summary (answers so far are saved)"),
    ]

    def __init__(self, questions: list[Question], *, mode: str = "quiz", title: str = "",
                 time_limit_s: int | None = None, topics: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.questions = questions
        #: The topics the session was chosen on (empty: any).
        self.topics = topics
        self.mode = mode
        self.title_text = title
        self.time_limit_s = time_limit_s
        self.index = -1
        self.answers: list[AnswerRecord] = []
        self.replays: dict[str, tuple[Any, Any, str]] = {}
        #: Seconds the session ran (set when it finishes), and whether the clock ran out.
        self.elapsed_s = 0.0
        self.timed_out = False
        self.started_at = 0.0
        self.timer: Timer | None = None
        self.finished = False

    @property
    def app_(self) -> Any:
        return self.app

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def compose(self) -> ComposeResult:
        yield Static(id="quiz-bar", classes="screen-title", markup=False)
        yield VerticalScroll(id="quiz-body")
        yield LocalizedFooter()

    def on_mount(self) -> None:
        self.started_at = self.app_.clock()
        self.watch(self.app, "lang", lambda _: self._update_bar(), init=False)
        if self.time_limit_s is not None:
            self.timer = self.set_interval(1.0, self._tick)
        self.show_next()

    @property
    def view(self) -> QuestionView | None:
        """The question on screen."""
        return next(iter(self.query(QuestionView)), None)

    def show_next(self) -> None:
        """Show the next question, or finish after the last."""
        self.index += 1
        if self.index >= len(self.questions):
            self.finish()
            return
        body = self.query_one("#quiz-body", VerticalScroll)
        body.remove_children()
        question = self.questions[self.index]
        number = f"{self.index + 1}/{len(self.questions)} · "

        def heading(lang: str, question: Question = question) -> str:
            return number + topic_title(self.app_, question, lang)

        body.mount(QuestionView(question, self.lang, rng=self.app_.new_rng(),
                                feedback=self.mode == "quiz", heading=heading,
                                clock=self.app_.clock))
        body.scroll_home(animate=False)
        self._update_bar()
        self.refresh_bindings()

    def _remaining(self) -> float | None:
        if self.time_limit_s is None:
            return None
        return self.time_limit_s - (self.app_.clock() - self.started_at)

    def _update_bar(self) -> None:
        lang = self.lang
        title = self.title_text or tr("Mock interview" if self.mode == "mock" else "Quiz", lang)
        n = len(self.questions)
        parts = [title, tr("question {i} of {n}", lang).format(i=min(self.index + 1, n), n=n)]
        if self.mode == "quiz":
            passed = sum(a.passed for a in self.answers)
            parts.append(tr("{p}/{a} right", lang).format(p=passed, a=len(self.answers)))
        remaining = self._remaining()
        if remaining is not None:
            seconds = max(0, int(remaining))
            parts.append(tr("⏱ {m}:{s:02d} left", lang).format(m=seconds // 60, s=seconds % 60))
        self.query_one("#quiz-bar", Static).update("  ·  ".join(parts))

    def _tick(self) -> None:
        remaining = self._remaining()
        if remaining is not None and remaining <= 0 and not self.finished:
            self.timed_out = True
            self.finish()
            return
        self._update_bar()

    def on_question_answered(self, event: QuestionAnswered) -> None:
        event.stop()
        record_answer(self.app_, event, self.mode)
        self.answers.append(AnswerRecord(event.question, event.verdict.score,
                                         event.verdict.passed))
        self.replays[event.question.id] = (event.answer, event.verdict, event.text)
        self._update_bar()
        if self.mode == "mock":
            self.show_next()
            return
        self.query_one("#quiz-body").focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if action == "next":
            return view is not None and view.answered
        if action == "skip":
            return view is not None and not view.answered
        return True

    def action_next(self) -> None:
        """The next question."""
        self.show_next()

    def action_skip(self) -> None:
        """Leave this question unanswered and move on."""
        self.show_next()

    def action_end(self) -> None:
        """Ask, then end the session early."""
        from quizapp.tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                self.finish()

        self.app.push_screen(ConfirmScreen(
            tr("End this session now? Your answers so far are saved.", self.lang)), done)

    def finish(self) -> None:
        """Replace this screen with the session summary."""
        if self.finished:
            return
        self.finished = True
        if self.timer is not None:
            self.timer.stop()
        self.elapsed_s = self.app_.clock() - self.started_at
        if self.time_limit_s is not None:
            self.elapsed_s = min(self.elapsed_s, float(self.time_limit_s))
        # A mock interview asked everything: what was left unanswered is a miss, on record
        # (and due in review); a quiz ended early asked only what it showed. The app opens
        # the summary (screens do not import each other).
        shown = min(self.index + 1, len(self.questions))
        asked = self.questions if self.mode == "mock" else self.questions[:shown]
        if self.mode == "mock":
            answered = {a.question.id for a in self.answers}
            for question in asked:
                if question.id not in answered:
                    record_missed(self.app_, question, self.mode)
        self.app_.show_summary(asked, self.answers, self.replays, mode=self.mode,
                               title=self.title_text, elapsed_s=self.elapsed_s,
                               time_limit_s=self.time_limit_s, timed_out=self.timed_out)
