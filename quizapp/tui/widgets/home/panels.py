"""The home screen's panels: today's numbers, progress per domain, the drills."""

from __future__ import annotations

import re
from typing import Any

from textual.content import Content
from textual.widgets import DataTable, Static

from quizapp.core.bank import Taxonomy, localize
from quizapp.core.quiz import DomainProgress
from quizapp.core.store import DrillResult
from quizapp.tui.strings import tr
from quizapp.tui.widgets.tables import fill_table

_SHORT = re.compile(r",|、| and | / |与")


def short_domain(name: str) -> str:
    """The first phrase of a domain's name ("KV cache, efficient attention…" → "KV cache")."""
    return _SHORT.split(name, maxsplit=1)[0].strip()


def progress_bar(progress: DomainProgress, width: int) -> Content:
    """A bar of `width` cells: mastered (green), seen (amber), not yet seen."""
    if progress.total == 0:
        return Content.styled("·" * width, "$text-muted")
    mastered = round(width * progress.mastered / progress.total)
    seen = max(0, round(width * progress.seen / progress.total) - mastered)
    rest = width - mastered - seen
    return Content.assemble(("█" * mastered, "$text-success"), ("▓" * seen, "$text-warning"),
                            ("░" * rest, "$text-muted"))


class TodayPanel(Static):
    """Cards due today, new cards available, the streak and today's answers."""

    def show(self, lang: str, *, due: int | None, new: int | None, streak: int | None,
             answered_today: int) -> None:
        """Render the numbers (None: not known yet)."""
        def num(value: int | None) -> str:
            return "…" if value is None else str(value)

        parts = [
            (tr("Due today", lang), num(due), "$text-warning" if due else "$text-success"),
            (tr("New", lang), num(new), "$text-accent"),
            (tr("Streak", lang), tr("{n} d", lang).format(n=num(streak)), "$text-primary"),
            (tr("Answered today", lang), str(answered_today), "$text"),
        ]
        pieces: list[Any] = []
        for i, (label, value, style) in enumerate(parts):
            if i:
                pieces.append(("  ·  ", "$text-muted"))
            pieces.extend([(f"{label} ", "$text-muted"), (value, f"bold {style}")])
        self.update(Content.assemble(*pieces))


class DomainsPanel(Static):
    """One line per domain: code, name, progress bar, mastered/total."""

    def show(self, lang: str, taxonomy: Taxonomy, progress: list[DomainProgress],
             *, wide: bool) -> None:
        """Render the lines; `wide` shows full names in one column, else two columns."""
        lines = []
        name_width = 44 if wide else 16
        for item in progress:
            topics = taxonomy.domains[item.domain]
            code = topics[0].code.rstrip("0123456789")
            name = topics[0].domain_zh if lang == "zh" else item.domain
            if not wide:
                name = short_domain(name)
            name = _fit(name, name_width)
            count = f"{item.mastered}/{item.total}" if item.total else "—"
            lines.append(Content.assemble((f"{code} ", "bold $text-accent"), name, " ",
                                          progress_bar(item, 10), (f" {count:>7}", "")))
        if not wide:
            half = (len(lines) + 1) // 2
            left, right = lines[:half], lines[half:]
            lines = [a + Content("  ") + (right[i] if i < len(right) else Content(""))
                     for i, a in enumerate(left)]
        self.update(Content("\n").join(lines))


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to `width` terminal cells (CJK characters take two)."""
    from rich.cells import cell_len

    if cell_len(text) > width:
        while cell_len(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - cell_len(text))


def best_text(best: DrillResult | None, lang: str) -> Content:
    """A drill's best result for the table."""
    if best is None:
        return Content.styled(tr("not tried", lang), "$text-muted")
    if best.passed:
        ratio = f" · {best.ratio:.2f}× ref" if best.ratio else ""
        return Content.styled(tr("✓ passed", lang) + ratio, "$text-success")
    return Content.styled(tr("✗ {status}", lang).format(status=tr(best.status, lang)),
                          "$text-error")


class DrillsTable(DataTable):
    """The drills with their difficulty, tracks and the user's best result; Enter opens one."""

    def fill(self, lang: str, drills: dict[str, Any], best: dict[str, DrillResult]) -> None:
        """(Re)build the rows, keeping the cursor."""
        row = self.cursor_row
        rows = [[localize(drill.title, lang) or drill_id, "★" * drill.difficulty,
                 " ".join(drill.tracks), best_text(best.get(drill_id), lang)]
                for drill_id, drill in drills.items()]
        fill_table(self, [tr("Drill", lang), tr("Level", lang), tr("Tracks", lang),
                          tr("Best", lang)], rows, keys=list(drills))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))
