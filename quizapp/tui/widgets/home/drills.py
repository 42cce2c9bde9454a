"""The home screen's drills table (imported when the content arrives: DataTable is not
needed for the first frame)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets import DataTable

from quizapp.tui.strings import tr
from quizapp.tui.widgets.home.panels import _fit
from quizapp.tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from quizapp.core.store import DrillResult


def best_text(best: DrillResult | None, lang: str) -> Content:
    """A drill's best result for the table."""
    if best is None:
        return Content.styled(tr("not tried", lang), "$text-muted")
    if best.passed:
        ratio = " · " + tr("{r}× the reference's time", lang).format(r=f"{best.ratio:.2f}") \
            if best.ratio else ""
        return Content.styled(tr("✓ passed", lang) + ratio, "$text-success")
    return Content.styled(tr("✗ {status}", lang).format(status=tr(best.status, lang)),
                          "$text-error")


class DrillsTable(DataTable):
    """The drills with their difficulty, tracks and the user's best result; Enter opens one."""

    def fill(self, lang: str, drills: dict[str, Any], best: dict[str, DrillResult],
             width: int = 76) -> None:
        """(Re)build the rows for a panel `width` cells wide, keeping the cursor."""
        from quizapp.core.bank import localize

        row = self.cursor_row
        # The other columns take about 46 cells; the title gets the rest.
        title_width = max(24, width - 46)
        rows = [[_fit(localize(drill.title, lang) or drill_id, title_width).rstrip(),
                 "★" * drill.difficulty,
                 " ".join(drill.tracks), best_text(best.get(drill_id), lang)]
                for drill_id, drill in drills.items()]
        fill_table(self, [tr("Drill", lang), tr("Level", lang), tr("Tracks", lang),
                          tr("Best", lang)], rows, keys=list(drills), max_width=title_width)
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))
