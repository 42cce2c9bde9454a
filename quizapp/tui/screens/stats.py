"""The stats screen: today, mastery per domain and weakest topics, the 30-day forecast,
accuracy over time, a year's calendar of reviews and the drill results.

The numbers come from `quizapp.core.stats.compute_stats` (aggregated in SQL, well under
200 ms with 10,000 cards and a million reviews); this screen only lays them out.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable

from quizapp.core.stats import Stats, compute_stats
from quizapp.tui.strings import tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.review.panels import (
    AccuracyPanel,
    CalendarPanel,
    ForecastPanel,
    MasteryPanel,
    TodayPanel,
)


class StatsScreen(Screen):
    """Statistics of reviews and mastery; refreshed whenever the screen is shown."""

    HELP_SECTION = "Statistics"

    DEFAULT_CSS = """
    StatsScreen #stats-body { height: 1fr; }
    StatsScreen .panel { border: round $panel; padding: 0 1; height: auto; }
    StatsScreen #stats-row, StatsScreen #stats-row2 { height: auto; }
    StatsScreen #forecast, StatsScreen #accuracy { width: 1fr; }
    StatsScreen #drills { height: auto; max-height: 12; }
    """

    BINDINGS = [
        Binding("r", "review", "Review", id="stats.review",
                tooltip="Start today's review queue"),
        Binding("f5,ctrl+r", "refresh", "Refresh", id="stats.refresh",
                tooltip="Recompute the statistics"),
        Binding("escape", "app.pop_screen", "Back", id="stats.back", tooltip="Go back"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-body"):
            yield TodayPanel(id="today", classes="panel")
            yield MasteryPanel(id="mastery", classes="panel")
            with Horizontal(id="stats-row"):
                yield ForecastPanel(id="forecast", classes="panel")
                yield AccuracyPanel(id="accuracy", classes="panel")
            yield CalendarPanel(id="calendar", classes="panel")
            with Vertical(id="drills-box", classes="panel"):
                yield DataTable(id="drills", cursor_type="none", zebra_stripes=True)
        yield LocalizedFooter()

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._redraw, init=False)
        self.watch(self.app, "content", self.action_refresh, init=True)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self, *_: Any) -> None:
        """Recompute the statistics and redraw."""
        app: Any = self.app
        content = app.content
        if content is None:
            self.query_one(TodayPanel).update(tr("Loading questions…", self.lang))
            return
        self.stats = compute_stats(app.store, content.bank, content.taxonomy, app.now())
        self._redraw()

    def action_review(self) -> None:
        """Open the review screen (or go back to it when it opened this one)."""
        self.app.back_or_open("review")  # type: ignore[attr-defined]

    def _redraw(self, *_: Any) -> None:
        stats, lang = self.stats, self.lang
        if stats is None:
            return
        titles = {"#today": tr("Today", lang),
                  "#mastery": tr("Mastery (mean recall probability now; unseen count 0)", lang),
                  "#forecast": tr("Due in the next 30 days", lang),
                  "#accuracy": tr("Accuracy (not rated Again)", lang),
                  "#calendar": tr("Reviews per day, last 12 months", lang),
                  "#drills-box": tr("Drills", lang)}
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one(TodayPanel).show(stats, lang)
        self.query_one(MasteryPanel).show(stats, lang)
        self.query_one(ForecastPanel).show(stats, lang)
        self.query_one(AccuracyPanel).show(stats, lang)
        self.query_one(CalendarPanel).show(stats, lang)
        table = self.query_one("#drills", DataTable)
        table.clear(columns=True)
        table.add_columns(tr("Drill", lang), tr("Runs", lang), tr("Passes", lang),
                          tr("Best time", lang), tr("Best speed ratio", lang),
                          tr("Recall now", lang))
        for d in stats.drills:
            table.add_row(d.drill_id, str(d.attempts), str(d.passes),
                          f"{d.best_ms:.2f} ms" if d.best_ms is not None else "—",
                          f"{d.best_ratio:.2f}×" if d.best_ratio is not None else "—",
                          f"{d.retrievability:.0%}" if d.retrievability is not None else "—")
        self.query_one("#drills-box").display = bool(stats.drills)
