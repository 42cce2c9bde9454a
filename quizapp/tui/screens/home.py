"""The home screen: today's numbers, progress per domain, the drills, one key per mode."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from quizapp.core import review
from quizapp.core.quiz import domain_progress
from quizapp.tui.strings import LANGUAGE_NAMES, tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.home.panels import DomainsPanel, DrillsTable, TodayPanel

#: Width from which the home screen lays its panels side by side.
WIDE = 120


class HomeScreen(Screen):
    """Where the app starts. Every mode is one key away."""

    HELP_SECTION = "Home"

    BINDINGS = [
        Binding("q", "app.open('setup')", "Quiz", id="home.quiz",
                tooltip="Choose topics, kinds, difficulty and length for a quiz"),
        Binding("s", "app.surprise_me", "Surprise me", id="home.surprise",
                tooltip="A quiz mixed from the whole bank, new and missed questions first"),
        Binding("m", "app.mock_interview", "Mock interview", id="home.mock",
                tooltip="A timed interview: no feedback until the end"),
        Binding("r", "app.open('review')", "Review", id="home.review",
                tooltip="Today's spaced-repetition queue"),
        Binding("d", "focus_drills", "Drills", id="home.drills",
                tooltip="Pick a drill to implement (Enter opens it)"),
        Binding("t", "app.open('stats')", "Stats", id="home.stats",
                tooltip="Review and mastery statistics"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="home-top"):
            yield Static(id="home-title", markup=False)
        with VerticalScroll(id="home-body"):
            yield TodayPanel(id="today", classes="panel")
            yield DomainsPanel(id="domains", classes="panel")
            with Vertical(id="drills-box", classes="panel"):
                yield DrillsTable(id="drills", cursor_type="row", zebra_stripes=False)
        yield LocalizedFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._refresh_all, init=False)
        self.watch(self.app, "content", self._refresh_all, init=True)

    def on_screen_resume(self) -> None:
        # Back from a quiz, a drill or a review: the numbers have changed.
        self._refresh_all()

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= WIDE
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")
            self._refresh_all()

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def _refresh_all(self, *_: Any) -> None:
        app: Any = self.app
        lang = self.lang
        self.query_one("#home-title", Static).update(
            tr("quizapp — LLM / ML-systems interview prep", lang)
            + f"   [{LANGUAGE_NAMES[lang]}]")
        today = self.query_one(TodayPanel)
        domains = self.query_one(DomainsPanel)
        today.border_title = tr("Today", lang)
        domains.border_title = tr("Progress by domain", lang)
        self.query_one("#drills-box").border_title = tr("Drills", lang)
        store = app.store
        now: datetime = app.now()
        # "Today" is the review module's study day (it rolls over at 04:00, like the streak).
        day_began = review.day_start(review.study_day(now), now)
        answered_today = sum(1 for a in store.attempts(since=day_began)
                             if a.item_kind == "question")
        content = app.content
        if content is None:
            today.show(lang, due=None, new=None, streak=None, answered_today=answered_today)
            domains.update(tr("Loading questions…", lang))
            return
        numbers = review.summary(store, content.bank, now, drill_ids=list(content.drills))
        today.show(lang, due=numbers.due_today, new=numbers.new_available,
                   streak=numbers.streak_days, answered_today=answered_today)
        progress = domain_progress(content.bank, content.taxonomy, app.history())
        domains.show(lang, content.taxonomy, progress, wide=self.has_class("-wide"))
        table = self.query_one(DrillsTable)
        table.fill(lang, content.drills, store.best_drill_results())

    def action_focus_drills(self) -> None:
        """Move the keyboard to the drills table."""
        self.query_one(DrillsTable).focus()

    @on(DataTable.RowSelected, "#drills")
    def _open_drill(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.open_drill(event.row_key.value)  # type: ignore[attr-defined]

