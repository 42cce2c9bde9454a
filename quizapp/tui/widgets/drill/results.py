"""The grader's verdict in the drill workspace: a status line, the verdict's notes, the case
table (the first failure selected), the matched mistake with its explanation, the timing
table and what the solution printed.

Renders the `quizapp grade --json` object (so a result stored in the progress database shows
the same way as a fresh one), plus the mistake's title and explanation in both languages when
the grade is fresh.
"""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, ProgressBar, Static

from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import MathMarkdown
from quizapp.tui.widgets.tables import fill_table

STATUS_STYLES = {"passed": "$text-success", "failed": "$text-error", "error": "$text-error",
                 "timeout": "$text-warning", "memory": "$text-warning", "banned": "$text-error",
                 "cancelled": "$text-muted", "not run": "$text-muted"}


#: The grader's timing verdicts (ratio = yours / reference, from its 95% interval).
VERDICTS = ("faster", "slower", "inconclusive")


def _err(value: float | None) -> str:
    return "—" if value is None else f"{value:.2g}"


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3g} ms" if value >= 0.01 else f"{value * 1000:.3g} µs"


def status_line(result: dict[str, Any], lang: str) -> Content:
    """`✓ passed — 24 of 24 cases passed` or `✗ failed — 20 of 24 cases passed: <message>`."""
    cases = result.get("cases") or []
    passed = sum(1 for c in cases if c.get("passed"))
    status = result.get("status", "error")
    mark = "✓" if status == "passed" else "✗"
    head = f"{mark} {tr(status, lang)}"
    if cases:
        head += " — " + tr("{p} of {n} cases passed", lang).format(p=passed, n=len(cases))
    line = Content.styled(head, f"bold {STATUS_STYLES.get(status, '$text')}")
    message = result.get("message") or ""
    if "first_failure" not in result and result.get("mistake") and " — looks like " in message:
        # A grade stored before `first_failure` existed carried the mistake in its message;
        # the mistake has its own section below.
        message = message.split(" — looks like ", 1)[0]
    if message and status != "passed":
        line += Content(": ") + Content(message)
    if result.get("interpreted"):
        line += Content.styled("  " + tr("(Triton interpreter)", lang), "$text-muted")
    if result.get("host"):
        line += Content.styled("  " + tr("(graded on {host})", lang).format(
            host=result["host"]), "$text-muted")
    return line


def case_rows(result: dict[str, Any], lang: str) -> list[list[Any]]:
    """Rows of the case table: name, result, max abs / rel error, message; the cases that
    did not pass come first (they are what the user needs to see)."""
    rows = []
    cases = result.get("cases") or []
    for case in sorted(cases, key=lambda c: bool(c.get("passed"))):
        status = case.get("status") or ("passed" if case.get("passed") else "failed")
        mark = "✓" if status == "passed" else "·" if status == "not run" else "✗"
        rows.append([case.get("name", ""),
                     Content.styled(f"{mark} {tr(status, lang)}",
                                    STATUS_STYLES.get(status, "$text")),
                     _err(case.get("max_abs_err")), _err(case.get("max_rel_err")),
                     case.get("message") or case.get("note") or ""])
    return rows


def notes_text(result: dict[str, Any], lang: str) -> str:
    """The verdict's notes (a float64 case computed in float32), one line each."""
    return "\n".join(tr("Note: {t}", lang).format(t=note) for note in result.get("notes") or [])


def timing_rows(timing: dict[str, Any], lang: str) -> list[list[Any]]:
    """Rows of the timing table (yours vs the reference, and vs Triton's when timed)."""
    label = timing.get("label") or timing.get("device", "")
    ci = timing.get("ci95") or [None, None]
    verdict = timing.get("verdict", "")
    style = "$text-success" if "faster" in verdict else \
        "$text-error" if "slower" in verdict else "$text"
    rows = [[label, _ms(timing.get("user_ms")), _ms(timing.get("reference_ms")),
             f"{timing.get('ratio', 0):.2f}×", f"[{ci[0]:.2f}, {ci[1]:.2f}]" if ci[0] else "—",
             Content.styled(tr(verdict, lang) if verdict else "—", style)]]
    if timing.get("triton_ms") is not None:
        tci = timing.get("triton_ci95") or [0.0, 0.0]
        rows.append([tr("vs Triton reference", lang), _ms(timing.get("user_ms")),
                     _ms(timing.get("triton_ms")), f"{timing.get('triton_ratio', 0):.2f}×",
                     f"[{tci[0]:.2f}, {tci[1]:.2f}]", ""])
    return rows


class GradeResults(Vertical):
    """Everything about the last grade; `show_running()` while the grader works."""

    DEFAULT_CSS = """
    GradeResults { height: auto; padding: 0 1; }
    GradeResults .status { height: auto; }
    GradeResults ProgressBar { display: none; }
    GradeResults.-running ProgressBar { display: block; }
    GradeResults .mistake-title { text-style: bold; color: $text-warning; margin: 1 0 0 0; }
    GradeResults .section { text-style: bold; color: $text-muted; margin: 1 0 0 0; }
    GradeResults #timing { margin: 0 0 1 0; }
    GradeResults DataTable { height: auto; max-height: 16; }
    GradeResults .output { color: $text-muted; background: $surface; padding: 0 1; }
    GradeResults .hidden { display: none; }
    GradeResults .note { color: $text-warning; margin: 1 0 0 0; }
    GradeResults .verdict-notes { color: $text-warning; }
    GradeResults .case-detail { color: $text-muted; padding: 0 1; margin: 0 0 1 0; }
    GradeResults.-running .mistake-title, GradeResults.-running .mistake,
    GradeResults.-running .verdict-notes,
    GradeResults.-running DataTable, GradeResults.-running .section,
    GradeResults.-running .output { display: none; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result: dict[str, Any] | None = None
        self.run = 0
        #: The matched mistake's {"title": {...}, "explanation": {...}} in both languages.
        self.mistake_texts: dict[str, dict[str, str]] | None = None
        self.lang = "en"

    def compose(self):  # noqa: ANN201
        yield Static(classes="status", markup=False)
        yield Static(classes="verdict-notes hidden", markup=False)
        yield ProgressBar(total=None, show_eta=False, show_percentage=False)
        yield Static(classes="mistake-title hidden", markup=False)
        yield MathMarkdown(classes="mistake hidden")
        # Timing before the cases: once everything passes, speed is the news.
        yield Static(classes="section timing-title hidden", markup=False)
        yield DataTable(id="timing", cursor_type="none", classes="hidden")
        yield Static(classes="note hidden", markup=False)
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True, classes="hidden")
        # The selected case's message in full (the table cuts long messages).
        yield Static(classes="case-detail hidden", markup=False)
        yield Static(classes="section output-title hidden", markup=False)
        yield Static(classes="output hidden", markup=False)

    def show_note(self, lang: str, text: str) -> None:
        """A line under the verdict (e.g. why ctrl+b gave no timing)."""
        note = self.query_one(".note", Static)
        note.update(text)
        note.remove_class("hidden")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "cases":
            self._show_case_detail(event.cursor_row)

    def _show_case_detail(self, index: int) -> None:
        detail = self.query_one(".case-detail", Static)
        rows = case_rows(self.result or {}, self.lang)
        if not 0 <= index < len(rows) or not rows[index][4]:
            detail.add_class("hidden")
            return
        detail.update(f"{rows[index][0]}: {rows[index][4]}")
        detail.remove_class("hidden")

    def show_idle(self, lang: str, text: str) -> None:
        """No result yet: one line of guidance."""
        self.lang = lang
        self.remove_class("-running")
        self.query_one(".status", Static).update(Content.styled(text, "$text-muted"))

    def show_running(self, lang: str, line: str) -> None:
        """The grader is working; `line` is its latest progress."""
        self.lang = lang
        self.add_class("-running")
        self.query_one(".status", Static).update(Content.styled(line, "$text-accent"))

    def show_result(self, result: dict[str, Any], lang: str,
                    mistake_texts: dict[str, dict[str, str]] | None = None,
                    run: int = 0) -> None:
        """Render a grade (`GradeResult.to_json()`); `run` > 1 numbers a repeated grade, so
        that an unchanged verdict still visibly comes from the new run."""
        self.result = result
        self.run = run
        self.query_one(".note", Static).add_class("hidden")
        self.mistake_texts = mistake_texts
        self.lang = lang
        self.remove_class("-running")
        self.refresh_result()

    def set_language(self, lang: str) -> None:
        """Re-render in `lang`."""
        self.lang = lang
        self.refresh_result()

    def refresh_result(self) -> None:
        """Draw `self.result`."""
        result, lang = self.result, self.lang
        if result is None:
            return
        line = status_line(result, lang)
        if self.run > 1:
            # Says the verdict is fresh even when it reads the same as the last one.
            line += Content.styled("  " + tr("(grade {n} since you opened the drill)", lang)
                                   .format(n=self.run), "$text-muted")
        self.query_one(".status", Static).update(line)
        notes = notes_text(result, lang)
        notes_w = self.query_one(".verdict-notes", Static)
        notes_w.update(notes)
        notes_w.set_class(not notes, "hidden")
        mistake = result.get("mistake")
        title_w = self.query_one(".mistake-title", Static)
        body_w = self.query_one(".mistake", MathMarkdown)
        if mistake:
            texts = self.mistake_texts or {}
            title = (texts.get("title") or {}).get(lang) or mistake.get("title") or mistake["id"]
            body = (texts.get("explanation") or {}).get(lang) or mistake.get("explanation", "")
            title_w.update(tr("Looks like a known mistake: {t}", lang).format(t=title))
            body_w.show(body)
        title_w.set_class(not mistake, "hidden")
        body_w.set_class(not mistake, "hidden")
        cases = self.query_one("#cases", DataTable)
        rows = case_rows(result, lang)
        fill_table(cases, [tr("Case", lang), tr("Result", lang), tr("Max abs err", lang),
                           tr("Max rel err", lang), tr("Message", lang)], rows, max_width=70)
        cases.set_class(not rows, "hidden")
        first = (result.get("first_failure") or {}).get("case")
        names = [row[0] for row in rows]
        if first in names:
            # The case the verdict is about is the one selected (its message in full below).
            cases.move_cursor(row=names.index(first))
        self._show_case_detail(cases.cursor_row if rows else -1)
        timing = result.get("timing")
        timing_table = self.query_one("#timing", DataTable)
        if timing:
            fill_table(timing_table, [tr("Device", lang), tr("Yours", lang),
                                      tr("Reference", lang), tr("Ratio", lang), "CI 95%",
                                      tr("Verdict", lang)], timing_rows(timing, lang))
            self.query_one(".timing-title", Static).update(tr("Timing", lang))
        for widget in (timing_table, self.query_one(".timing-title")):
            widget.set_class(not timing, "hidden")
        output = (result.get("output") or "").rstrip()
        self.query_one(".output-title", Static).update(tr("Your code printed:", lang))
        lines = output.splitlines()
        shown = "\n".join(lines[-12:])
        if len(lines) > 12:
            shown = tr("… {n} earlier lines", lang).format(n=len(lines) - 12) + "\n" + shown
        self.query_one(".output", Static).update(shown)
        for widget in (self.query_one(".output-title"), self.query_one(".output")):
            widget.set_class(not output, "hidden")
