"""Terminal charts drawn with Unicode blocks: bars, sparklines, column charts, a calendar.

Pure functions from numbers to strings (and, for the calendar, to intensity levels): the
stats screen styles them with Textual and `quizapp stats` prints them as they are, so they
live in core, below both. No Textual imports here, and no plotting dependency: eighth blocks
give eight steps per cell, which is as fine as a terminal gets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

_EIGHTHS = " ▏▎▍▌▋▊▉█"
_SPARKS = "▁▂▃▄▅▆▇█"
_COLUMN = " ▁▂▃▄▅▆▇█"
#: Calendar shades from no reviews to the busiest days (plain-text rendering).
SHADES = "·░▒▓█"


def bar(fraction: float, width: int) -> str:
    """A horizontal bar `width` cells wide, filled to `fraction` (0..1) in eighths."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[rest] if rest else "")
    return text.ljust(width)


def sparkline(values: Sequence[float | None], top: float | None = None) -> str:
    """One cell per value, heights ▁..█ scaled to `top` (default: the largest value);
    None (no data) is a blank cell."""
    known = [v for v in values if v is not None]
    top = top if top is not None else max(known, default=0.0)
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif top <= 0:
            out.append(_SPARKS[0])
        else:
            level = round(min(1.0, max(0.0, value / top)) * (len(_SPARKS) - 1))
            out.append(_SPARKS[level])
    return "".join(out)


def columns(values: Sequence[float], height: int, top: float | None = None) -> list[str]:
    """A column chart `height` rows tall, one cell per value, top row first; a non-zero
    value always shows at least a sliver, so small counts are not mistaken for none."""
    top = top if top is not None else max(values, default=0.0)
    rows = []
    for row in range(height - 1, -1, -1):
        line = []
        for value in values:
            eighths = 0 if top <= 0 else round(min(1.0, value / top) * height * 8)
            if value > 0:
                eighths = max(eighths, 1)
            cell = min(8, max(0, eighths - row * 8))
            line.append(_COLUMN[cell])
        rows.append("".join(line))
    return rows


def calendar_levels(days: Sequence[tuple[date, int]], levels: int = 4
                    ) -> tuple[list[list[int | None]], list[date]]:
    """A GitHub/Anki-style calendar: 7 rows (Monday first) × one column per week.

    Each cell is None (outside the range), 0 (no reviews) or 1..`levels`, in proportion to
    the 90th percentile of the busy days (anything above it is the top level), so that one
    marathon day does not wash the rest out and a steady routine still shows as busy. Also
    returns the Monday that starts each column, for month labels.
    """
    if not days:
        return [[] for _ in range(7)], []
    first = days[0][0] - timedelta(days=days[0][0].weekday())
    weeks = (days[-1][0] - first).days // 7 + 1
    grid: list[list[int | None]] = [[None] * weeks for _ in range(7)]
    busy = sorted(n for _, n in days if n > 0)
    cap = busy[int(0.9 * (len(busy) - 1))] if busy else 1
    for day, n in days:
        offset = (day - first).days
        level = 0 if n <= 0 else min(levels, max(1, math.ceil(levels * n / cap)))
        grid[day.weekday()][offset // 7] = level
    return grid, [first + timedelta(weeks=w) for w in range(weeks)]


def month_labels(mondays: Sequence[date], width: int = 1) -> str:
    """A line naming each month above the first week column that holds its 1st. A label
    that would collide with the previous one is dropped, except that the partial month at
    the very start gives way to the first whole one."""
    placed: list[tuple[int, str]] = []
    last_month = None
    for index, monday in enumerate(mondays):
        sunday = monday + timedelta(days=6)
        if sunday.month == last_month:
            continue
        last_month = sunday.month
        start, label = index * width, sunday.strftime("%b")
        if placed and start <= placed[-1][0] + len(placed[-1][1]):
            if placed[-1][0] == 0 and len(placed) == 1:
                placed[-1] = (start, label)
            continue
        placed.append((start, label))
    line = ""
    for start, label in placed:
        line = line.ljust(start) + label
    return line[:len(mondays) * width]


def calendar_text(days: Sequence[tuple[date, int]]) -> list[str]:
    """The calendar as plain text lines (weekday initials, month labels, shades)."""
    grid, mondays = calendar_levels(days, levels=len(SHADES) - 1)
    lines = ["    " + month_labels(mondays)]
    for weekday, row in enumerate(grid):
        name = "MTWTFSS"[weekday]
        lines.append(f"{name}   " + "".join(" " if c is None else SHADES[c] for c in row))
    return lines
