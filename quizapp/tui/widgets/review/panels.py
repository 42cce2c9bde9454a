"""The stats screen's panels: today, mastery bars, the forecast, accuracy, the calendar.

Each panel is a `Static` with `show(stats, lang)`; the charts come from `charts.py` and are
coloured here with theme variables, so they follow the user's theme.
"""

from __future__ import annotations

import math

from textual.content import Content
from textual.widgets import Static

from quizapp.core.charts import bar, calendar_levels, columns, month_labels
from quizapp.core.stats import Mastery, Stats
from quizapp.tui.strings import tr

#: Calendar cell colours from "no reviews" to the busiest quarter of days.
HEAT_STYLES = ("$foreground 15%", "$success 35%", "$success 60%", "$success 80%", "$success")
WEEKDAYS = {"en": "MTWTFSS", "zh": "一二三四五六日"}


def _name(m: Mastery, lang: str) -> str:
    return m.zh if lang == "zh" and m.zh else m.name


def _mastery_style(value: float) -> str:
    if value >= 0.8:
        return "$text-success"
    if value >= 0.5:
        return "$text-warning"
    return "$text-error"


class TodayPanel(Static):
    """Today's counts, the streak, the cards by state and the recall of due cards."""

    def show(self, stats: Stats, lang: str) -> None:
        """Render `stats`."""
        c = stats.cards
        lines = [
            Content.assemble(
                (f"{stats.due_today}", "bold $text-warning"), " " + tr("due", lang) + "  ",
                (f"{stats.new_available}", "bold $text-primary"), " " + tr("new", lang) + "  ",
                (f"{stats.reviewed_today}", "bold"), " "
                + tr("reviewed today in {m} min", lang).format(
                    m=round(stats.time_today_ms / 60000)) + "  ",
                (f"{stats.streak_days}", "bold $text-success"), " " + tr("day streak", lang)),
            Content(tr("Cards: {t} — {n} new, {l} learning, {r} review, {rl} relearning, "
                       "{x} retired · {rev} reviews in all", lang).format(
                t=c["total"], n=c["new"], l=c["learning"], r=c["review"],
                rl=c["relearning"], x=c["retired"], rev=stats.total_reviews)),
        ]
        if stats.true_retention_30d is not None:
            lines.append(Content(tr("Recall of due cards, last 30 days: {r:.0%} (target "
                                    "{t:.0%})", lang).format(r=stats.true_retention_30d,
                                                            t=stats.desired_retention)))
        self.update(Content("\n").join(lines))


class MasteryPanel(Static):
    """Mastery bars: every domain, then the weakest reviewed topics."""

    def show(self, stats: Stats, lang: str, width: int = 20, topics: int = 8) -> None:
        """Render `stats` (bars `width` cells wide, at most `topics` weakest topics)."""
        lines: list[Content] = []
        label = max((len(_name(m, lang)) for m in stats.domains), default=10)
        label = min(label, 40)
        for m in stats.domains:
            lines.append(self._row(_name(m, lang), label, m.mastery,
                                   f"{m.reviewed}/{m.total}", width))
        weak = sorted((m for m in stats.topics if m.reviewed and m.retention is not None),
                      key=lambda m: m.retention or 0.0)[:topics]
        if weak:
            lines.append(Content(""))
            lines.append(Content.styled(tr("Weakest reviewed topics (recall now):", lang),
                                        "bold"))
            for m in weak:
                lines.append(self._row(_name(m, lang), label, m.retention or 0.0,
                                       f"{m.reviewed}/{m.total}", width))
        if not lines:
            lines.append(Content(tr("No questions loaded.", lang)))
        self.update(Content("\n").join(lines))

    @staticmethod
    def _row(name: str, label: int, value: float, count: str, width: int) -> Content:
        shown = name if len(name) <= label else name[:label - 1] + "…"
        return Content.assemble(shown.ljust(label) + " ", (bar(value, width),
                                                          _mastery_style(value)),
                                f" {value:4.0%} ", (count, "dim"))


class ForecastPanel(Static):
    """Cards due on each of the next 30 days, as columns with a day axis."""

    def show(self, stats: Stats, lang: str, height: int = 6) -> None:
        """Render `stats`."""
        values = stats.forecast
        top = max(values, default=0)
        rows = columns([float(v) for v in values], height, top=float(top) or 1.0)
        lines = []
        for i, row in enumerate(rows):
            axis = f"{top:>5} ┤" if i == 0 else "      │"
            lines.append(Content.assemble(axis, (row, "$text-warning")))
        ticks = "".join("╵" if i % 7 == 0 else " " for i in range(len(values)))
        lines.append(Content("    0 └" + "─" * len(values)))
        labels = "".join(str(i).ljust(7) for i in range(0, len(values), 7))
        lines.append(Content("       " + ticks))
        lines.append(Content.styled("       " + labels + tr("days", lang), "dim"))
        lines.append(Content(tr("{t} due today, {w} this week, {m} in 30 days", lang).format(
            t=values[0] if values else 0, w=sum(values[:7]), m=sum(values))))
        self.update(Content("\n").join(lines))


class AccuracyPanel(Static):
    """Share of reviews not rated Again: one column per week, the latest on the right."""

    def show(self, stats: Stats, lang: str, height: int = 5) -> None:
        """Render `stats`."""
        weeks: list[tuple[int, int]] = []
        days = stats.accuracy
        # Weeks ending today, so the last column is always the current week.
        for end in range(len(days), 0, -7):
            chunk = days[max(0, end - 7):end]
            weeks.append((sum(d.reviews for d in chunk), sum(d.correct for d in chunk)))
        weeks.reverse()
        shares = [c / n if n else None for n, c in weeks]
        # Accuracy lives near the top: start the axis at 50% (lower only if needed), so a
        # drop from 90% to 80% is visible rather than two full columns.
        known = [v for v in shares if v is not None]
        floor = min([0.5] + [math.floor(v * 10) / 10 for v in known])
        scaled = [0.0 if v is None else max(v - floor, 0.001) / (1 - floor) for v in shares]
        rows = columns(scaled, height, top=1.0)
        lines = []
        for i, row in enumerate(rows):
            bottom = f"{floor:4.0%} ┤"
            axis = "100% ┤" if i == 0 else ("     │" if i < len(rows) - 1 else bottom)
            # Three cells per week: thirteen one-cell columns are hard to read.
            cells = Content.assemble(*[(ch * 3, "$text-success" if weeks[j][0] else "dim")
                                       for j, ch in enumerate(row)])
            lines.append(Content.assemble(axis, cells))
        total = sum(n for n, _ in weeks)
        correct = sum(c for _, c in weeks)
        summary = tr("{p:.0%} of {n} reviews in {d} days", lang).format(
            p=correct / total, n=total, d=len(days)) if total else tr("No reviews yet.", lang)
        lines.append(Content.styled("      " + tr("one column per week", lang), "dim"))
        lines.append(Content(summary))
        self.update(Content("\n").join(lines))


class CalendarPanel(Static):
    """A year of reviews, one cell per day (rows Monday to Sunday), like Anki's heatmap."""

    def show(self, stats: Stats, lang: str) -> None:
        """Render `stats`."""
        grid, mondays = calendar_levels(stats.heatmap, levels=len(HEAT_STYLES) - 1)
        names = WEEKDAYS.get(lang, WEEKDAYS["en"])
        lines = [Content("   " + month_labels(mondays))]
        for weekday, row in enumerate(grid):
            cells = [(" ", "") if level is None else ("■", HEAT_STYLES[level]) for level in row]
            lines.append(Content.assemble(f"{names[weekday]}  ".ljust(3), *cells))
        busiest = max(stats.heatmap, key=lambda t: t[1], default=None)
        active = sum(1 for _, n in stats.heatmap if n)
        legend = Content.assemble(
            "   " + tr("less", lang) + " ", *[("■", s) for s in HEAT_STYLES],
            " " + tr("more", lang) + "   ",
            tr("{a} active days of {d}", lang).format(a=active, d=len(stats.heatmap)))
        if busiest and busiest[1]:
            legend = legend + Content(" · " + tr("busiest {day}: {n}", lang).format(
                day=busiest[0].isoformat(), n=busiest[1]))
        lines.append(legend)
        self.update(Content("\n").join(lines))

