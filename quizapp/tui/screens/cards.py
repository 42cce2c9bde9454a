"""The card browser: search every card by text, topic, kind and state; open one; suspend,
unsuspend or reset it; report a problem with its question.

The rows come from `quizapp.core.card_browser.browse` (review cards, plus the questions and
drills never met, as new); the card actions are the review package's (`suspend`,
`unsuspend`, `reset`). Opening a question shows it on its own to answer; opening a drill or
a mistake card opens the drill's workspace. The table and the selected card's details sit
side by side from `WIDE` columns, stacked below.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static

from quizapp.core import card_browser
from quizapp.core.bank import localize
from quizapp.tui.strings import tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.markdown import MathMarkdown

#: Width from which the details sit beside the table.
WIDE = 120
#: The kind and state filters, with their English labels.
KIND_LABELS = {"question": "Questions", "drill": "Drills", "mistake": "Mistakes"}
#: A row's kind, in the table.
KIND_CELLS = {"question": "Question", "drill": "Drill", "mistake": "Mistake"}
STATE_LABELS = {"new": "New", "learning": "Learning", "review": "Review",
                "relearning": "Relearning", "suspended": "Suspended", "leech": "Leeches"}


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class CardBrowserScreen(Screen):
    """Search, open, suspend, reset and report cards (see the module doc)."""

    HELP_SECTION = "Card browser"

    DEFAULT_CSS = """
    CardBrowserScreen #cards-title { height: 1; padding: 0 1; text-style: bold;
                                     background: $panel; }
    CardBrowserScreen { overflow: hidden; }
    CardBrowserScreen #cards-filters { height: auto; }
    CardBrowserScreen #cards-search { height: 3; }
    CardBrowserScreen #cards-selects { height: 3; }
    CardBrowserScreen #cards-selects Select { width: 1fr; }
    CardBrowserScreen #cards-main { height: 1fr; layout: vertical; }
    CardBrowserScreen.-wide #cards-main { layout: horizontal; }
    CardBrowserScreen #cards-table { height: 1fr; }
    CardBrowserScreen.-wide #cards-table { width: 3fr; }
    CardBrowserScreen #card-detail { height: 8; border-top: solid $panel; padding: 0 1; }
    CardBrowserScreen.-wide #card-detail { height: 1fr; width: 2fr; border-top: none;
                                            border-left: solid $panel; }
    CardBrowserScreen #card-facts { height: auto; color: $text-muted; }
    """

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="cards.search",
                tooltip="Type to search the cards' ids and texts"),
        Binding("s", "toggle_suspend", "Suspend/unsuspend", id="cards.suspend",
                tooltip="Suspend the card (it stays out of reviews) or bring it back"),
        Binding("r", "reset", "Reset", id="cards.reset",
                tooltip="Make the card new again: its schedule and lapses start over "
                        "(asks first; its history stays)"),
        Binding("p", "report", "Report a problem", id="cards.report",
                tooltip="Write a note about what is wrong with this question to a local "
                        "reports file you can send"),
        Binding("escape", "back", "Back", id="cards.back",
                tooltip="Back (from the search box: to the list)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[card_browser.BrowserRow] = []

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def compose(self) -> ComposeResult:
        lang = self.lang
        self.set_class(self.app.size.width >= WIDE, "-wide")
        yield Static(id="cards-title", markup=False)
        with Vertical(id="cards-filters"):
            yield Input(placeholder=tr("Search ids and texts (/)", lang), id="cards-search")
            with Horizontal(id="cards-selects"):
                yield Select([(tr("All kinds", lang), "")]
                             + [(tr(label, lang), kind) for kind, label in KIND_LABELS.items()],
                             value="", allow_blank=False, id="cards-kind")
                yield Select([(tr("All states", lang), "")]
                             + [(tr(label, lang), s) for s, label in STATE_LABELS.items()],
                             value="", allow_blank=False, id="cards-state")
                yield Select(self._topic_options(), value="", allow_blank=False,
                             id="cards-topic")
        with Horizontal(id="cards-main"):
            yield DataTable(id="cards-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="card-detail"):
                yield Static(id="card-facts", markup=False)
                yield MathMarkdown(id="card-prompt")
        yield LocalizedFooter()

    def _topic_options(self) -> list[tuple[str, str]]:
        app: Any = self.app
        options = [(tr("All topics", self.lang), "")]
        if app.content is not None:
            options += [(f"{t.code} {t.title(self.lang)}", t.id)
                        for t in app.content.taxonomy.topics.values()]
        return options

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Card", "State", "Due", "Lapses", "Kind", "Prompt"):
            table.add_column(tr(label, self.lang), key=label.lower())
        self.refresh_rows()
        table.focus()

    def on_resize(self) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")

    # ------------------------------------------------------------------ the rows

    def filters(self) -> dict[str, Any]:
        """The search text and the chosen kind, state and topic (None: any)."""
        def chosen(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, str) and value else None

        return {"text": self.query_one("#cards-search", Input).value,
                "kind": chosen("#cards-kind"), "state": chosen("#cards-state"),
                "topic": chosen("#cards-topic")}

    def refresh_rows(self, keep: str | None = None) -> None:
        """Search again and redraw the table (the cursor stays on `keep` when listed)."""
        app: Any = self.app
        table = self.query_one(DataTable)
        if app.content is None:
            self.rows = []
        else:
            self.rows = card_browser.browse(app.store, app.content.bank, app.content.drills,
                                            **self.filters())
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=row.key)
        self.query_one("#cards-title", Static).update(
            tr("Card browser — {n} cards", self.lang).format(n=len(self.rows)))
        if keep is not None:
            index = next((i for i, r in enumerate(self.rows) if r.key == keep), None)
            if index is not None:
                table.move_cursor(row=index)
        self._show_detail()

    def _cells(self, row: card_browser.BrowserRow) -> list[Any]:
        lang = self.lang
        state = tr(STATE_LABELS[row.state], lang)
        if row.suspended:
            state = Content.styled(f"{state} ⏸", "$text-warning")
        elif row.leech:
            state = Content.styled(f"{state} ⚠", "$text-error")
        due = row.due.astimezone().date().isoformat() if row.due and row.has_card else "—"
        return [_cut(row.item_id, 28), state, due, str(row.lapses),
                tr(KIND_CELLS[row.kind], lang), _cut(localize(row.title, lang), 60)]

    @property
    def current(self) -> card_browser.BrowserRow | None:
        """The row under the cursor."""
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.current
        facts = self.query_one("#card-facts", Static)
        prompt = self.query_one("#card-prompt", MathMarkdown)
        if row is None:
            facts.update(tr("No cards match.", self.lang))
            prompt.show("")
            return
        lang = self.lang
        flags = [tr(STATE_LABELS[row.state], lang)]
        if row.suspended:
            flags.append(tr("suspended", lang))
        if row.leech:
            flags.append(tr("leech", lang))
        if not row.has_card:
            flags.append(tr("never met", lang))
        lines = [f"{row.key}  ·  {', '.join(flags)}  ·  "
                 + tr("lapses {n}", lang).format(n=row.lapses)]
        app: Any = self.app
        if row.topics and app.content is not None:
            names = [app.content.taxonomy.topics[t].title(lang) for t in row.topics
                     if t in app.content.taxonomy.topics]
            lines.append(", ".join(names))
        facts.update("\n".join(lines))
        prompt.show(localize(row.title, lang))

    # ------------------------------------------------------------------ filters

    @on(Input.Changed, "#cards-search")
    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self.refresh_rows(keep=self.current.key if self.current else None)

    @on(Input.Submitted, "#cards-search")
    def _search_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#cards-search", Input).focus()

    def action_back(self) -> None:
        """From the search box back to the list; from the list, back."""
        if isinstance(self.focused, Input):
            self.query_one(DataTable).focus()
        else:
            self.app.pop_screen()

    # ------------------------------------------------------------------ card actions

    @on(DataTable.RowSelected)
    def _open(self) -> None:
        """Enter: show the question (to answer), or open the drill's workspace."""
        row = self.current
        if row is None:
            return
        app: Any = self.app
        if row.kind == "question":
            app.open_question(row.item_id)
        else:
            app.open_drill(row.item_id.split(":", 1)[0])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_suspend", "reset", "report"):
            # Letters typed in the search box are text, not commands.
            return not isinstance(self.focused, Input)
        return True

    def action_toggle_suspend(self) -> None:
        """Suspend the card under the cursor, or unsuspend it."""
        from quizapp.core import review

        row = self.current
        if row is None:
            return
        app: Any = self.app
        if row.suspended:
            review.unsuspend(app.store, row.key)
            self.notify(tr("Back in reviews: {c}", self.lang).format(c=row.item_id))
        else:
            review.suspend(app.store, row.key, app.now())
            self.notify(tr("Suspended (out of reviews until you unsuspend it): {c}",
                           self.lang).format(c=row.item_id))
        self.refresh_rows(keep=row.key)

    def action_reset(self) -> None:
        """Make the card new again, after a confirmation."""
        from quizapp.core import review
        from quizapp.tui.screens.confirm import ConfirmScreen

        row = self.current
        if row is None:
            return
        if not row.has_card:
            self.notify(tr("Nothing to reset: you have not met this card yet.", self.lang))
            return
        app: Any = self.app

        def done(yes: bool | None) -> None:
            if yes:
                review.reset(app.store, row.key, app.now())
                self.notify(tr("Reset: {c} is new again.", self.lang).format(c=row.item_id))
                self.refresh_rows(keep=row.key)

        app.push_screen(ConfirmScreen(tr(
            "Reset {c}? Its schedule and lapses start over; its review history stays.",
            self.lang).format(c=row.item_id)), done)

    def action_report(self) -> None:
        """Ask what is wrong with the question and append a report to the reports file."""
        from quizapp.core.errors import QuizappError
        from quizapp.tui.widgets.cards.report import ReportDialog

        row = self.current
        if row is None:
            return
        app: Any = self.app

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                path = card_browser.report_problem(app.content.bank, row.key, text,
                                                   now=app.now())
            except QuizappError as err:
                self.notify(str(err), severity="error")
                return
            self.notify(tr("Report saved to {p}; send that file to the authors.",
                           self.lang).format(p=path), markup=False)

        app.push_screen(ReportDialog(row.item_id), done)
