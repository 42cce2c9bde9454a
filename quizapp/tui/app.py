"""The quizapp Textual app: start-up, shared state, language, keys and screen routing.

What screens can rely on (`self.app` is a `QuizApp`):

- `app.store` — the progress `Store` (one per app; SQLite calls are fast, call them directly);
- `app.content` — a reactive `Content` (bank, taxonomy, drills) or None while it loads in a
  thread at start-up; `self.watch(self.app, "content", callback)` runs `callback` once it is
  there (at once if it already is);
- `app.lang` — reactive "en" / "zh"; the `l` / F2 key switches it and it is remembered;
- `app.now()` (UTC datetime), `app.clock()` (monotonic seconds), `app.new_rng()` — injectable
  for tests, so that screens stay deterministic;
- `app.config` — the user's config file (`quizapp.core.config`).

Screens "review" and "stats" are provided by `quizapp.tui.screens.review.ReviewScreen` and
`quizapp.tui.screens.stats.StatsScreen`, imported only when first opened. Nothing here imports
torch: the drill grader is imported by the drill screen's worker when it first grades.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive, var
from textual.screen import Screen

from quizapp.core.config import Config, load_config
from quizapp.core.errors import UsageError
from quizapp.core.store import Store
from quizapp.tui.strings import tr

if TYPE_CHECKING:
    from textual.command import Provider

    from quizapp.core.bank import Bank, Taxonomy
    from quizapp.core.quiz import ItemHistory, QuizSpec

# Start-up speed: the bank, the session logic, the review core and the command palette's
# provider are imported when first used, after the first frame (bench/startup.py).


@dataclass
class Content:
    """What the app shows: the question bank, the topic taxonomy and the drills."""

    bank: Bank
    taxonomy: Taxonomy
    #: Drill id → drill definition (`quizapp.core.drills.Drill`), in catalogue order.
    drills: dict[str, Any] = field(default_factory=dict)
    #: One line per content problem (files skipped, drills that failed to load).
    problems: list[str] = field(default_factory=list)


def load_content(config: Config, taxonomy: Taxonomy | None = None) -> Content:
    """Load questions and drills (blocking: the app calls it in a thread worker)."""
    from quizapp.core.bank import load_bank, load_taxonomy, question_dirs

    taxonomy = taxonomy or load_taxonomy()
    bank = load_bank(question_dirs(config.question_dirs), taxonomy=taxonomy)
    problems = []
    if bank.problems:
        problems.append(f"{len(bank.skipped)} question file(s) skipped with "
                        f"{len(bank.problems)} problem(s): run 'quizapp content check'")
    drills: dict[str, Any] = {}
    try:
        from quizapp.core.drills import load_drills

        drills = load_drills()
    except Exception as err:  # a broken drill file must not keep the quiz from starting
        problems.append(f"drills could not be loaded: {err}")
    return Content(bank=bank, taxonomy=taxonomy, drills=drills, problems=problems)


def _jump_provider() -> type[Provider]:
    """The command palette's provider, imported when the palette first opens."""
    from quizapp.tui.commands import JumpProvider

    return JumpProvider


class QuizApp(App[None]):
    """quizapp's TUI. `start` is "home", "quiz" (a session on `topics`, `length` questions)
    or "review"; the keyword arguments exist for tests (fixed time, clock and shuffles)."""

    HELP_SECTION = "Everywhere"

    CSS_PATH = "app.tcss"
    TITLE = "quizapp"
    SUB_TITLE = "LLM interview prep"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {_jump_provider}

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True,
                tooltip="Leave quizapp (your progress is already saved)"),
        Binding("f1,question_mark", "help", "Help", id="app.help",
                tooltip="Show every key of the app"),
        Binding("l,f2", "toggle_language", "中文/English", id="app.language",
                tooltip="Switch the interface and the questions between English and Chinese"),
    ]

    lang: reactive[str] = reactive("en")
    content: var[Content | None] = var(None)

    def __init__(self, start: str = "home", topics: Iterable[str] = (), length: int = 10, *,
                 seed: int | None = None, now: Callable[[], datetime] | None = None,
                 clock: Callable[[], float] | None = None, config: Config | None = None,
                 content: Content | None = None, warm_grader: bool = True,
                 drill: str | None = None, track: str | None = None) -> None:
        if start not in ("home", "quiz", "review", "drill"):
            raise UsageError(f"unknown start screen '{start}'")
        if not 1 <= length <= 200:
            raise UsageError(f"-n must be from 1 to 200, got {length}")
        # Resolve topics before anything else so that a typo is one line on the terminal.
        topics = list(topics)
        self._taxonomy: Taxonomy | None = content.taxonomy if content else None
        self.start_topics: frozenset[str] = frozenset()
        if topics:
            from quizapp.core.bank import load_taxonomy
            from quizapp.core.quiz import resolve_topic

            self._taxonomy = self._taxonomy or load_taxonomy()
        for name in topics:
            try:
                self.start_topics |= resolve_topic(self._taxonomy, name)
            except KeyError as err:
                raise UsageError(str(err.args[0])) from None
        super().__init__()
        self.config = config or load_config()
        self.start = start
        self.start_length = length
        #: `quizapp drill open ID [--track T]`: the drill (and track) to open at start.
        self.start_drill = drill
        self.start_track = track
        self._seed = seed
        self._rng = random.Random(seed)
        self._now = now
        self.clock: Callable[[], float] = clock or time.monotonic
        self._preloaded = content
        #: Whether the drill screen starts a grading sandbox ahead of time (tests turn it off).
        self.warm_grader = warm_grader
        self.keymap: dict[str, str] = {}
        self.store = Store.open()
        self.notices: list[str] = list(self.store.notices) + list(self.config.problems)
        saved = self.store.get_setting("language")
        self.set_reactive(QuizApp.lang, saved if saved in ("en", "zh")
                          else (self.config.language or "en"))
        if self.config.theme:
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
            else:
                self.notices.append(f"unknown theme '{self.config.theme}' in the config file")
        self._apply_keymap()

    # ------------------------------------------------------------------ services

    def now(self) -> datetime:
        """The current time (UTC); fixed in tests."""
        return self._now() if self._now else datetime.now(timezone.utc)

    def new_rng(self) -> random.Random:
        """A random generator for one session; derived from the app's seed when it has one."""
        return random.Random(self._rng.random())

    def history(self) -> dict[str, ItemHistory]:
        """The user's history per question (for choosing what to ask)."""
        from quizapp.core.quiz import history_from_attempts

        return history_from_attempts(self.store.attempts())

    # ------------------------------------------------------------------ start-up

    def _apply_keymap(self) -> None:
        from quizapp.tui.keys import known_binding_ids

        keys = dict(self.config.keys)
        if not keys:
            return
        unknown = sorted(set(keys) - known_binding_ids())
        for binding_id in unknown:
            keys.pop(binding_id)
            self.notices.append(f"config: no key binding has the id '{binding_id}' "
                                "(the help screen lists them)")
        #: Binding id → keys, as remapped by the config file (the help screen shows them).
        self.keymap = keys
        self.set_keymap(keys)

    def get_default_screen(self) -> Screen:
        from quizapp.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=10, markup=False)
        if self._preloaded is not None:
            self._content_ready(self._preloaded)
        else:
            # After the first frame: the loading thread would compete with it for the GIL.
            self.call_after_refresh(self._load_content)

    @work(thread=True, group="content", description="Loading questions and drills")
    def _load_content(self) -> None:
        content = load_content(self.config, self._taxonomy)
        self.call_from_thread(self._content_ready, content)

    def _content_ready(self, content: Content) -> None:
        self.content = content
        for problem in content.problems:
            self.notify(problem, severity="warning", timeout=10, markup=False)
        if self.start == "quiz":
            from quizapp.core.quiz import QuizSpec

            self.start_quiz(QuizSpec(topics=self.start_topics, length=self.start_length))
        elif self.start == "review":
            self.action_open("review")
        elif self.start == "drill" and self.start_drill:
            self.open_drill(self.start_drill, self.start_track)

    # ------------------------------------------------------------------ messages

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Show `message` in a toast. Toasts are one line over the title line (app.tcss); on
        every screen but home a new one replaces the one before, so that toasts never stack
        down over the editor, the rating bar or results."""
        stack = self.screen_stack
        if len(stack) > 1 and threading.get_ident() == self._thread_id:
            self._notifications.clear()
            # Textual removes a replaced toast but leaves its holder, which would push the new
            # toast down a line, over the screen.
            for holder in stack[-1].query("ToastHolder"):
                holder.remove()
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # ------------------------------------------------------------------ language

    def watch_lang(self, lang: str) -> None:
        self.store.set_setting("language", lang)
        self.refresh_bindings()
        for screen in self.screen_stack:
            screen.refresh_bindings()

    def action_toggle_language(self) -> None:
        """Switch between English and Chinese (remembered)."""
        self.lang = "zh" if self.lang == "en" else "en"

    def tr(self, text: str) -> str:
        """`text` in the current language."""
        return tr(text, self.lang)

    # ------------------------------------------------------------------ routing

    def action_help(self) -> None:
        """Show the help screen (every key)."""
        from quizapp.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_open(self, name: str) -> None:
        """Open a screen by name: home, setup, review, stats, cards, drill:<id>."""
        if name == "home":
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        if name == "setup":
            from quizapp.tui.screens.setup import QuizSetupScreen

            self.push_screen(QuizSetupScreen())
            return
        if name.startswith("drill:"):
            self.open_drill(name.split(":", 1)[1])
            return
        if name in ("review", "stats", "cards"):
            screen = self._plugin_screen(name)
            if screen is not None:
                self.push_screen(screen)
            return
        raise ValueError(f"unknown screen {name!r}")

    def action_interview_date(self) -> None:
        """Set, move or clear the interview date (home redraws its numbers when the modal
        closes: it resumes)."""
        from quizapp.tui.screens.interview import InterviewDateScreen

        self.push_screen(InterviewDateScreen())

    def back_or_open(self, name: str) -> None:
        """Go back to the `name` screen ("review" or "stats") when it is just below the
        current one, else open it (screens reach each other only through the app)."""
        stack = self.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if below is not None and type(below).__module__ == f"quizapp.tui.screens.{name}":
            self.pop_screen()
        else:
            self.action_open(name)

    def show_summary(self, *args: Any, **kwargs: Any) -> None:
        """Replace the quiz screen with its summary (`SummaryScreen`'s arguments)."""
        from quizapp.tui.screens.summary import SummaryScreen

        self.switch_screen(SummaryScreen(*args, **kwargs))

    def start_questions(self, questions: list, *, title: str) -> None:
        """A quiz session on exactly `questions` (the summary's "retry missed")."""
        self._run_session(questions, mode="quiz", title=title)

    def _plugin_screen(self, name: str) -> Screen | None:
        """The review or stats screen, imported on first use."""
        import importlib

        class_name = {"review": "ReviewScreen", "stats": "StatsScreen",
                      "cards": "CardBrowserScreen"}[name]
        try:
            module = importlib.import_module(f"quizapp.tui.screens.{name}")
        except ImportError:
            self.notify(self.tr("This screen is not available in this version."),
                        severity="warning")
            return None
        return getattr(module, class_name)()

    def open_question(self, question_id: str) -> None:
        """One question on its own, to answer (the card browser's Enter)."""
        if self.content is None or question_id not in self.content.bank.questions:
            self.notify(self.tr("Unknown question: {q}").format(q=question_id),
                        severity="error")
            return
        from quizapp.tui.screens.summary import QuestionScreen

        self.push_screen(QuestionScreen(self.content.bank.questions[question_id], None))

    def open_drill(self, drill_id: str, track: str | None = None) -> None:
        """Open the workspace of a drill (on `track`, default: the one used last)."""
        if self.content is None or drill_id not in self.content.drills:
            self.notify(self.tr("Unknown drill: {d}").format(d=drill_id), severity="error")
            return
        from quizapp.tui.screens.drill import DrillScreen

        self.push_screen(DrillScreen(self.content.drills[drill_id], track))

    def start_quiz(self, spec: QuizSpec, *, title: str = "") -> None:
        """Start a quiz session with the questions `spec` chooses."""
        if self.content is None:
            return
        from quizapp.core.quiz import choose

        questions = choose(self.content.bank, spec, self.new_rng(), self.history())
        self._run_session(questions, mode="quiz", title=title, topics=spec.topics)

    def start_surprise(self, length: int | None = None) -> None:
        """A quiz over the whole bank, weighted toward what is new or was wrong."""
        if self.content is None:
            return
        from quizapp.core.quiz import surprise

        questions = surprise(self.content.bank, self.content.taxonomy, self.new_rng(),
                             self.history(), length or self.config.quiz_length)
        self._run_session(questions, mode="quiz", title=self.tr("Surprise me"))

    def start_mock(self, topics: frozenset[str] = frozenset(),
                   length: int | None = None) -> None:
        """A timed mock interview: no feedback until the end. The time limit is the config's
        `mock_minutes` for `mock_length` questions, scaled to `length`."""
        if self.content is None:
            return
        from quizapp.core.quiz import mock_interview

        length = length or self.config.mock_length
        questions = mock_interview(self.content.bank, self.content.taxonomy, self.new_rng(),
                                   self.history(), length, topics)
        per_question = self.config.mock_minutes * 60 / self.config.mock_length
        self._run_session(questions, mode="mock", title=self.tr("Mock interview"),
                          time_limit_s=max(60, round(per_question * len(questions))),
                          topics=topics)

    def action_surprise_me(self) -> None:
        """Start a "surprise me" quiz."""
        self.start_surprise()

    def action_mock_interview(self) -> None:
        """Start a mock interview."""
        self.start_mock()

    def start_topic_quiz(self, topic_id: str) -> None:
        """A quiz on one topic (from the command palette)."""
        if self.content is None:
            return
        from quizapp.core.quiz import QuizSpec

        topic = self.content.taxonomy.topics[topic_id]
        self.start_quiz(QuizSpec(topics=frozenset({topic_id}), length=self.config.quiz_length),
                        title=topic.title(self.lang))

    def start_domain_quiz(self, domain: str) -> None:
        """A quiz on one domain (from the command palette)."""
        if self.content is None:
            return
        from quizapp.core.quiz import QuizSpec

        topics = self.content.taxonomy.domains[domain]
        title = topics[0].domain_zh if self.lang == "zh" else domain
        self.start_quiz(QuizSpec(topics=frozenset(t.id for t in topics),
                                 length=self.config.quiz_length), title=title)

    def _run_session(self, questions: list, *, mode: str, title: str,
                     time_limit_s: int | None = None,
                     topics: frozenset[str] = frozenset()) -> None:
        if not questions:
            self.notify(self.tr("No questions match; choose other topics or filters."),
                        severity="warning")
            return
        from quizapp.tui.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(questions, mode=mode, title=title,
                                    time_limit_s=time_limit_s, topics=topics))

    def on_unmount(self) -> None:
        import sys

        if "quizapp.core.grading.grader" in sys.modules:
            # Stop the idle sandbox the drill screen keeps warm.
            from quizapp.core.grading import keep_warm

            keep_warm(False)
        self.store.close()
