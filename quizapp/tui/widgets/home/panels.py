"""The home screen's panels: today's numbers, progress per domain, the drills."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets import Static

from quizapp.tui.strings import tr

if TYPE_CHECKING:
    from quizapp.core.bank import Taxonomy
    from quizapp.core.quiz import DomainProgress

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
             answered_today: int | None, interview: tuple[int, int] | None = None) -> None:
        """Render the numbers (None: not known yet); `interview` is (days left, cards still
        to cover) while an interview date is set."""
        def num(value: int | None) -> str:
            return "…" if value is None else str(value)

        parts = [
            (tr("Due today", lang), num(due), "$text-warning" if due else "$text-success"),
            (tr("New", lang), num(new), "$text-accent"),
            (tr("Streak", lang), tr("{n} d", lang).format(n=num(streak)), "$text-primary"),
            (tr("Answered today", lang), num(answered_today), "$text"),
        ]
        pieces: list[Any] = []
        for i, (label, value, style) in enumerate(parts):
            if i:
                pieces.append(("  ·  ", "$text-muted"))
            pieces.extend([(f"{label} ", "$text-muted"), (value, f"bold {style}")])
        if interview is not None:
            days, cover = interview
            pieces += ["\n", (f"{tr('Interview in', lang)} ", "$text-muted"),
                       (tr("{n} d", lang).format(n=days), "bold $text-warning"),
                       ("  ·  ", "$text-muted"), (f"{tr('Cards still to cover', lang)} ",
                                                  "$text-muted"), (str(cover), "bold $text")]
        self.update(Content.assemble(*pieces))


class DomainsPanel(Static):
    """One line per domain: code, name, progress bar, mastered/total."""

    def show(self, lang: str, taxonomy: Taxonomy, progress: list[DomainProgress],
             *, wide: bool, width: int = 76) -> None:
        """Render the lines in `width` cells: one column when `wide`, else two; names are
        shortened to their first phrase when they do not fit."""
        columns = 1 if wide else 2
        # Each line: "A " + name + " " + 10-cell bar + 8-cell count; columns 2 cells apart.
        name_width = max(8, (width - 2 * (columns - 1)) // columns - 21)
        lines = []
        for item in progress:
            topics = taxonomy.domains[item.domain]
            code = topics[0].code.rstrip("0123456789")
            name = topics[0].domain_zh if lang == "zh" else item.domain
            if _cells(name) > name_width:
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


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to `width` terminal cells (CJK characters take two)."""
    if _cells(text) > width:
        while _cells(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _cells(text))


#: The home screen's modes: (binding id, English description) in display order.
MODES = (
    ("home.quiz", "Quiz — choose topics, kinds, difficulty and length"),
    ("home.surprise", "Surprise me — a mixed quiz, new and missed questions first"),
    ("home.mock", "Mock interview — timed, feedback at the end"),
    ("home.review", "Review — today's spaced-repetition queue"),
    ("home.drills", "Drills — implement the classics, graded strictly"),
    ("home.stats", "Stats — review and mastery statistics"),
    ("app.help", "Help — every key"),
)


class ModesPanel(Static):
    """Every mode with its key (as remapped): one line each, or, `compact` (a small
    terminal), key and name only, wrapped over two or three lines."""

    def show(self, lang: str, keys: dict[str, str], *, compact: bool = False) -> None:
        """Render the modes; `keys` maps binding ids to the keys shown."""
        if compact:
            pieces: list[Any] = []
            for i, (binding_id, text) in enumerate(MODES):
                if i:
                    pieces.append(("  ·  ", "$text-muted"))
                name = tr(text, lang).split(" — ")[0]
                # A non-breaking space keeps each key beside its name when the line wraps.
                pieces.extend([(keys.get(binding_id, "?"), "bold $text-accent"), "\u00a0" + name])
            self.update(Content.assemble(*pieces))
            return
        lines = [Content.assemble((f"{keys.get(binding_id, '?'):>3}  ", "bold $text-accent"),
                                  tr(text, lang))
                 for binding_id, text in MODES]
        self.update(Content("\n").join(lines))


class WeakSpotsPanel(Static):
    """The topics with the most questions whose latest answer was wrong."""

    def show(self, lang: str, taxonomy: Taxonomy, weak: list[tuple[str, int]]) -> None:
        """Render up to five (topic id, wrong count) pairs."""
        if not weak:
            self.update(Content.styled(tr("Nothing to worry about yet: answer some questions.",
                                          lang), "$text-muted"))
            return
        lines = []
        for topic_id, wrong in weak[:5]:
            topic = taxonomy.topics.get(topic_id)
            name = f"{topic.code} {topic.title(lang)}" if topic else topic_id
            lines.append(Content.assemble((f"{wrong:>3} ✗  ", "bold $text-error"), name))
        self.update(Content("\n").join(lines))
