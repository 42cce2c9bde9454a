"""The end of a session: score by topic, every question with its outcome, what to review."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.core.bank import Question, localize
from quizapp.core.quiz import AnswerRecord, summarize
from quizapp.core.scoring import Verdict
from quizapp.tui.answers import record_answer, topic_title
from quizapp.tui.mathtext import render_plain
from quizapp.tui.messages import QuestionAnswered
from quizapp.tui.strings import tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.question import QuestionView
from quizapp.tui.widgets.tables import fill_table


def first_line(question: Question, lang: str, width: int = 90) -> str:
    """The prompt's first line as plain text, cut to `width` characters."""
    text = render_plain(localize(question.prompt, lang)).strip().split("\n")[0]
    text = text.replace("**", "").replace("`", "")
    return text if len(text) <= width else text[:width - 1] + "…"


class SummaryScreen(Screen):
    """Shown when a session ends. Enter on a question shows it with its feedback."""

    HELP_SECTION = "Session summary"

    BINDINGS = [
        Binding("r", "retry", "Retry missed", id="summary.retry",
                tooltip="A new quiz with the questions you missed or skipped"),
        Binding("escape,h", "home", "Home", id="summary.home",
                tooltip="Back to the home screen"),
    ]

    def __init__(self, asked: list[Question], answers: list[AnswerRecord],
                 replays: dict[str, tuple[Any, ...]], *, mode: str, title: str = "",
                 elapsed_s: float | None = None, time_limit_s: int | None = None,
                 timed_out: bool = False) -> None:
        super().__init__()
        self.elapsed_s = elapsed_s
        self.time_limit_s = time_limit_s
        self.timed_out = timed_out
        self.asked = asked
        self.answers = answers
        self.replays = replays
        self.mode = mode
        self.title_text = title
        self.summary = summarize(asked, answers)

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def compose(self) -> ComposeResult:
        yield Static(id="summary-title", classes="screen-title", markup=False)
        with VerticalScroll(id="summary-body"):
            yield Static(id="summary-headline", markup=False)
            yield DataTable(id="by-topic", cursor_type="none", zebra_stripes=True)
            yield Static(id="questions-title", classes="section-title", markup=False)
            yield OptionList(id="questions")
        yield LocalizedFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", lambda _: self._render_all(), init=True)
        self.query_one("#questions").focus()

    def _render_all(self) -> None:
        lang = self.lang
        s = self.summary
        kind = tr("Mock interview" if self.mode == "mock" else "Quiz", lang)
        self.query_one("#summary-title", Static).update(
            tr("{kind} finished", lang).format(kind=self.title_text or kind))
        headline = Content.assemble(
            (tr("Score {p}%", lang).format(p=round(s.score * 100)), "bold $text-accent"),
            "  ·  ",
            tr("{p} of {n} right", lang).format(p=s.passed, n=s.asked),
            "  ·  ",
            tr("{n} to review", lang).format(n=len(s.to_review)))
        if s.answered < s.asked:
            unanswered = tr("{n} unanswered (counted as missed)" if self.mode == "mock"
                            else "{n} unanswered", lang).format(n=s.asked - s.answered)
            headline += Content("  ·  ") + Content.styled(unanswered, "$text-warning")
        if self.elapsed_s is not None and self.time_limit_s is not None:
            used = int(self.elapsed_s)
            limit = int(self.time_limit_s)
            timing = tr("time used {m}:{s:02d} of {lm}:{ls:02d}", lang).format(
                m=used // 60, s=used % 60, lm=limit // 60, ls=limit % 60)
            headline = Content.assemble(
                (tr("Time is up.", lang) + "  ", "bold $text-warning") if self.timed_out
                else "", headline, "  ·  ", timing)
        self.query_one("#summary-headline", Static).update(headline)
        app: Any = self.app
        content = app.content
        rows = []
        for row in s.by_topic:
            topic = content.taxonomy.topics.get(row.topic) if content else None
            style = "$text-success" if row.score >= 0.8 else \
                "$text-warning" if row.score >= 0.5 else "$text-error"
            rows.append([topic.title(lang) if topic else row.topic,
                         f"{row.answered}/{row.asked}", str(row.passed),
                         Content.styled(f"{round(row.score * 100)}%", style)])
        table = self.query_one("#by-topic", DataTable)
        fill_table(table, [tr("Topic", lang), tr("Answered", lang), tr("Right", lang),
                           tr("Score", lang)], rows)
        table.styles.height = len(rows) + 1  # every topic, never a scrolled-off row
        self.query_one("#questions-title", Static).update(
            tr("Questions — Enter shows one with its feedback:", lang))
        options = self.query_one("#questions", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        answered = {a.question.id: a for a in self.answers}
        for question in self.asked:
            record = answered.get(question.id)
            if record is None:
                mark = Content.styled("–", "$text-warning")
            elif record.passed:
                mark = Content.styled("✓", "$text-success")
            else:
                mark = Content.styled("✗", "$text-error")
            options.add_option(Option(mark + Content(f" {first_line(question, lang)}"),
                                      id=question.id))
        if options.option_count:
            options.highlighted = highlighted or 0

    @on(OptionList.OptionSelected, "#questions")
    def _open(self, event: OptionList.OptionSelected) -> None:
        question = next(q for q in self.asked if q.id == event.option.id)
        replay = self.replays.get(question.id)
        if replay is None and self.mode == "mock":
            # The interview is over: an unanswered question is shown with its answer, as a
            # miss, never answerable after the fact.
            replay = (None, Verdict(score=0.0, passed=False), "")
        self.app.push_screen(QuestionScreen(question, replay))

    def action_retry(self) -> None:
        """Quiz again on what was missed."""
        if not self.summary.to_review:
            self.notify(tr("Nothing to retry: every question was right.", self.lang))
            return
        app: Any = self.app
        ids = [q.id for q in self.summary.to_review]
        self.app.pop_screen()
        questions = [app.content.bank.questions[i] for i in ids
                     if i in app.content.bank.questions]
        app.start_questions(questions, title=tr("Retry missed", self.lang))

    def action_home(self) -> None:
        """Back home."""
        self.app.pop_screen()


class QuestionScreen(Screen):
    """One question on its own: replayed with its feedback, or (never answered) to answer now."""

    HELP_SECTION = "Question"

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="question.back",
                tooltip="Back to the summary"),
    ]

    def __init__(self, question: Question, replay: tuple[Any, ...] | None) -> None:
        super().__init__()
        self.question = question
        self.replay = replay

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with VerticalScroll(id="question-body"):
            yield QuestionView(self.question, app.lang, rng=app.new_rng(), replay=self.replay,
                               heading=topic_title(app, self.question), clock=app.clock)
        yield LocalizedFooter()

    def on_mount(self) -> None:
        if self.replay is not None:
            self.query_one("#question-body").focus()

    def on_question_answered(self, event: QuestionAnswered) -> None:
        event.stop()
        record_answer(self.app, event, "quiz")
        self.query_one("#question-body").focus()
