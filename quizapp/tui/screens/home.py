"""The home screen: today's numbers, progress per domain, the drills, one key per mode."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from quizapp.tui.keys import key_label
from quizapp.tui.strings import LANGUAGE_NAMES, tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.home.panels import DomainsPanel, ModesPanel, TodayPanel, WeakSpotsPanel

#: Width from which the home screen lays its panels side by side.
WIDE = 140
#: Height from which the narrow layout shows the modes one per line, and the weak spots.
TALL = 36
#: The width of the body's vertical scrollbar (app.tcss reserves it: a panel's width must not
#: change, and its lines wrap, when the body starts to scroll).
SCROLLBAR = 1


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
        Binding("b", "app.open('cards')", "Cards", id="home.cards",
                tooltip="Browse every card: search, suspend, reset, report a problem"),
        Binding("i", "app.interview_date", "Interview date", id="home.interview",
                tooltip="Set the day of your interview: review plans to cover every card by then"),
    ]

    def compose(self) -> ComposeResult:
        # Decided before the children mount: switching later restyles the whole screen.
        self.set_class(self.app.size.width >= WIDE, "-wide")
        self.set_class(self.app.size.height >= TALL, "-tall")
        with Vertical(id="home-top"):
            yield Static(id="home-title", markup=False)
        with VerticalScroll(id="home-body"):
            # Wide: two columns side by side; narrow: one above the other.
            with Horizontal(id="home-columns"):
                with Vertical(classes="home-column"):
                    yield TodayPanel(id="today", classes="panel")
                    # The Start panel is always there (one key per mode; compact when the
                    # terminal is small).
                    yield ModesPanel(id="modes", classes="panel")
                    yield WeakSpotsPanel(id="weak", classes="panel wide-only")
                with Vertical(classes="home-column"):
                    yield DomainsPanel(id="domains", classes="panel")
            # The drills table is mounted with the content: DataTable is not needed for the
            # first frame. It takes the whole width, so that drill names are not cut.
            yield Vertical(id="drills-box", classes="panel")
        # The footer is mounted after the first frame: composing its keys costs ~40 ms, and
        # the panels are what the user reads first (bench/startup.py).

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_footer)
        self.watch(self.app, "lang", self._refresh_all, init=False)
        self.watch(self.app, "content", self._refresh_all, init=True)

    async def _mount_footer(self) -> None:
        await self.mount(LocalizedFooter())
        self.refresh_bindings()  # the footer draws its keys when told the bindings changed

    def on_screen_resume(self) -> None:
        # Back from a quiz, a drill or a review: the numbers have changed.
        self._refresh_all()

    def on_resize(self, event: events.Resize) -> None:
        wide, tall = event.size.width >= WIDE, event.size.height >= TALL
        if wide != self.has_class("-wide") or tall != self.has_class("-tall"):
            self.set_class(wide, "-wide")
            self.set_class(tall, "-tall")
            self._refresh_all()

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def _refresh_all(self, *_: Any) -> None:
        if not self.query("#home-title"):  # not composed (yet, or any more: app exiting)
            return
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
        self.query_one("#modes").border_title = tr("Start", lang)
        self.query_one("#weak").border_title = tr("Weak spots", lang)
        self._show_modes(lang)
        store = app.store
        now: datetime = app.now()
        content = app.content
        if content is None:
            today.show(lang, due=None, new=None, streak=None, answered_today=None)
            domains.update(tr("Loading questions…", lang))
            return
        # Imported here, not at start-up: the first frame does not need them.
        from quizapp.core import review
        from quizapp.core.quiz import domain_progress, weak_topics

        numbers = review.summary(store, content.bank, now, drill_ids=list(content.drills))
        # "Today" is the review module's study day (it rolls over at 04:00, like the streak).
        day_began = review.day_start(review.study_day(now), now)
        answered_today = sum(1 for a in store.attempts(since=day_began)
                             if a.item_kind == "question")
        plan = numbers.interview
        today.show(lang, due=numbers.due_today, new=numbers.new_available,
                   streak=numbers.streak_days, answered_today=answered_today,
                   interview=(plan.days_left, plan.to_cover) if plan else None)
        history = app.history()
        progress = domain_progress(content.bank, content.taxonomy, history)
        self.query_one(WeakSpotsPanel).show(lang, content.taxonomy,
                                            weak_topics(content.bank, history))
        domains.show(lang, content.taxonomy, progress, wide=self.has_class("-wide"),
                     width=self._panel_width())
        from quizapp.tui.widgets.home.drills import DrillsTable

        tables = self.query(DrillsTable)
        if tables:
            tables.first().fill(lang, content.drills, store.best_drill_results(),
                                self._panel_width(full=True))
        else:
            table = DrillsTable(id="drills", cursor_type="row", zebra_stripes=False)
            self.query_one("#drills-box").mount(table)
            self.call_after_refresh(table.fill, lang, content.drills,
                                    store.best_drill_results(), self._panel_width(full=True))

    def _show_modes(self, lang: str) -> None:
        bindings = {b.id: b for b in [*self.BINDINGS, *self.app.BINDINGS]
                    if isinstance(b, Binding) and b.id}
        keys = {binding_id: key_label(self.app, binding).split(",")[0]
                for binding_id, binding in bindings.items()}
        self.query_one(ModesPanel).show(lang, keys, compact=not (
            self.has_class("-wide") or self.has_class("-tall")))

    def _panel_width(self, full: bool = False) -> int:
        """The text width of a panel: half the screen when wide (unless it spans both columns,
        `full`), the whole screen when narrow."""
        # The body's scrollbar gutter takes SCROLLBAR cells, a panel's border and padding 4.
        total = self.app.size.width - SCROLLBAR
        return (total if full or not self.has_class("-wide") else total // 2) - 4

    def action_focus_drills(self) -> None:
        """Move the keyboard to the drills table."""
        for table in self.query("#drills"):
            table.focus()

    def on_data_table_row_selected(self, event: Any) -> None:
        # The drills table (the only table here): Enter opens the drill.
        if event.row_key.value is not None:
            self.app.open_drill(event.row_key.value)  # type: ignore[attr-defined]

