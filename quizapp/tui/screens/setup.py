"""Choosing a quiz: domains and topics, kinds, difficulty, length — or surprise me, or a
timed mock interview."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Input, SelectionList, Static

from quizapp.core.bank import KINDS
from quizapp.core.quiz import MAX_LENGTH, QuizSpec, questions_in, topics_of
from quizapp.tui.strings import tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.home.panels import short_domain
from quizapp.tui.widgets.question import KIND_NAMES
from quizapp.tui.widgets.ticklist import TickList

#: The settings key under which the last filters are kept (restored on the next visit).
FILTERS_SETTING = "setup.filters"

DIFFICULTIES = {1: "recall", 2: "explain", 3: "apply / calculate", 4: "compare / derive / debug",
                5: "design / edge cases"}


class QuizSetupScreen(Screen):
    """Filters on the left and right, the number of matching questions at the bottom.
    Nothing chosen in a list means "any". The filters are remembered when a quiz starts or
    the screen is left, and ticked again on the next visit."""

    HELP_SECTION = "New quiz"

    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="setup.start",
                tooltip="Start a quiz with these filters"),
        Binding("ctrl+t", "mock", "Mock interview", id="setup.mock",
                tooltip="A timed mock interview on the chosen topics (feedback at the end)"),
        Binding("ctrl+r", "surprise", "Surprise me", id="setup.surprise",
                tooltip="Ignore the filters: a mixed quiz from the whole bank"),
        Binding("escape", "back", "Back", id="setup.back",
                tooltip="Back to the home screen (the filters are remembered)"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="setup-title", classes="screen-title", markup=False)
        with Grid(id="setup-grid"):
            yield TickList(id="domains")
            yield TickList(id="topics")
            yield TickList(id="kinds")
            with Vertical(id="setup-side"):
                yield TickList(id="difficulty")
                with Horizontal(id="length-row"):
                    yield Static(id="length-label", markup=False)
                    yield Input(type="integer", id="length", max_length=3)
        with Horizontal(id="setup-actions"):
            yield Static(id="match-count", markup=False)
            yield Button(id="start", variant="primary")
            yield Button(id="mock")
            yield Button(id="surprise")
        yield LocalizedFooter()

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def on_mount(self) -> None:
        app: Any = self.app
        saved = app.store.get_setting(FILTERS_SETTING)
        #: The filters of the last visit, ticked when the lists are first filled.
        self._restore: dict[str, list[Any]] | None = saved if isinstance(saved, dict) else None
        length = (self._restore or {}).get("length") or app.config.quiz_length
        self.query_one("#length", Input).value = str(length)
        self.watch(self.app, "lang", self._relabel, init=False)
        self.watch(self.app, "content", self._fill, init=True)
        self.query_one("#domains").focus()

    def _fill(self, content: Any) -> None:
        lang = self.lang
        self._relabel_static()
        if content is None:
            return
        domains = self.query_one("#domains", SelectionList)
        chosen = self._restored("domains", domains)
        domains.clear_options()
        for domain, topics in content.taxonomy.domains.items():
            # Counted as the filter counts: a question belongs to every topic it lists.
            ids = {t.id for t in topics}
            count = len(questions_in(content.bank, ids))
            name = topics[0].domain_zh if lang == "zh" else domain
            code = topics[0].code.rstrip("0123456789")
            domains.add_option((Content(f"{code} {short_domain(name)} ({count})"), domain,
                                domain in chosen))
        kinds = self.query_one("#kinds", SelectionList)
        chosen_kinds = self._restored("kinds", kinds)
        kinds.clear_options()
        for kind in KINDS:
            count = sum(1 for q in content.bank.questions.values() if q.kind == kind)
            kinds.add_option((Content(f"{tr(KIND_NAMES[kind], lang)} ({count})"), kind,
                              kind in chosen_kinds))
        levels = self.query_one("#difficulty", SelectionList)
        chosen_levels = self._restored("difficulty", levels)
        levels.clear_options()
        for level, name in DIFFICULTIES.items():
            levels.add_option((Content(f"{'★' * level:<5} {tr(name, lang)}"), level,
                               level in chosen_levels))
        self._fill_topics()

    def _fill_topics(self) -> None:
        content: Any = self.app.content  # type: ignore[attr-defined]
        if content is None:
            return
        lang = self.lang
        topics = self.query_one("#topics", SelectionList)
        chosen = self._restored("topics", topics)
        domains = self.query_one("#domains", SelectionList).selected
        shown = [t for d in (domains or content.taxonomy.domains)
                 for t in content.taxonomy.domains[d]]
        topics.clear_options()
        for topic in shown:
            count = len(content.bank.by_topic(topic.id))
            if count:
                topics.add_option((Content(f"{topic.code} {topic.title(lang)} ({count})"), topic.id,
                                   topic.id in chosen))
        self._restore = None  # every list is filled: from now on the lists say what is ticked
        self._update_count()

    def _restored(self, name: str, widget: SelectionList) -> set[Any]:
        """What to tick in list `name` while (re)filling it: the remembered filters on the
        first fill, else what is ticked now (values no longer offered are simply not shown)."""
        if self._restore is not None:
            return set(self._restore.get(name) or ())
        return set(widget.selected)

    def remember(self) -> None:
        """Keep the filters for the next visit (the progress store's settings)."""
        store = self.app.store  # type: ignore[attr-defined]
        filters: dict[str, Any] = {name: list(self.query_one(f"#{name}", SelectionList).selected)
                                   for name in ("domains", "topics", "kinds", "difficulty")}
        filters["length"] = self.length()
        store.set_setting(FILTERS_SETTING, filters)

    def action_back(self) -> None:
        """Back to the home screen, remembering the filters."""
        self.remember()
        self.app.pop_screen()

    def _relabel(self, _: str) -> None:
        self._fill(self.app.content)  # type: ignore[attr-defined]

    def _relabel_static(self) -> None:
        lang = self.lang
        self.query_one("#setup-title", Static).update(tr("New quiz", lang))
        for widget_id, title in (("#domains", "Domains"), ("#topics", "Topics"),
                                 ("#kinds", "Kinds"), ("#difficulty", "Difficulty")):
            self.query_one(widget_id).border_title = tr(title, lang)
            self.query_one(widget_id).border_subtitle = tr("space ticks · none ticked = any",
                                                           lang)
        self.query_one("#length-label", Static).update(tr("Questions:", lang))
        self.query_one("#start", Button).label = tr("Start", lang) + " ^s"
        self.query_one("#mock", Button).label = tr("Mock interview", lang) + " ^t"
        self.query_one("#surprise", Button).label = tr("Surprise me", lang) + " ^r"
        self._update_count()

    @on(SelectionList.SelectedChanged, "#domains")
    def _domains_changed(self) -> None:
        self._fill_topics()

    @on(SelectionList.SelectedChanged, "#topics,#kinds,#difficulty")
    @on(Input.Changed, "#length")
    def _filters_changed(self) -> None:
        self._update_count()

    def spec(self) -> QuizSpec:
        """The quiz the filters describe."""
        content: Any = self.app.content  # type: ignore[attr-defined]
        topics = frozenset(self.query_one("#topics", SelectionList).selected)
        if not topics and content is not None:
            topics = topics_of(content.taxonomy,
                               domains=self.query_one("#domains", SelectionList).selected)
        return QuizSpec(topics=topics,
                        kinds=frozenset(self.query_one("#kinds", SelectionList).selected),
                        difficulties=frozenset(
                            self.query_one("#difficulty", SelectionList).selected),
                        length=self.length())

    def length(self) -> int:
        """The length typed, clamped to 1…MAX_LENGTH (default when empty)."""
        text = self.query_one("#length", Input).value.strip()
        app: Any = self.app
        default = app.config.quiz_length
        try:
            return max(1, min(MAX_LENGTH, int(text))) if text else default
        except ValueError:
            return default

    def _update_count(self) -> None:
        content: Any = self.app.content  # type: ignore[attr-defined]
        label = self.query_one("#match-count", Static)
        if content is None:
            label.update(tr("Loading questions…", self.lang))
            return
        spec = self.spec()
        matching = sum(1 for q in content.bank.questions.values() if spec.accepts(q))
        label.update(tr("{n} questions match; a quiz asks {k}.", self.lang).format(
            n=matching, k=min(matching, spec.length)))
        self.query_one("#start", Button).disabled = matching == 0

    def action_start(self) -> None:
        """Start the quiz the filters describe."""
        app: Any = self.app
        spec = self.spec()
        self.remember()
        self.app.pop_screen()
        app.start_quiz(spec, title=tr("Quiz", self.lang))

    def action_mock(self) -> None:
        """Start a mock interview on the chosen topics."""
        app: Any = self.app
        spec = self.spec()
        self.remember()
        self.app.pop_screen()
        app.start_mock(spec.topics, spec.length)

    def action_surprise(self) -> None:
        """Start a surprise-me quiz."""
        app: Any = self.app
        length = self.length()
        self.remember()
        self.app.pop_screen()
        app.start_surprise(length)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        {"start": self.action_start, "mock": self.action_mock,
         "surprise": self.action_surprise}[event.button.id or "start"]()
