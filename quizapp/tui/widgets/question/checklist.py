"""A keyboard-first list of options: number keys pick, space toggles, arrows move.

Used for single- and multiple-choice answers and for ticking the key points of a short
answer. Rows keep a hanging indent when their text wraps, and each can show a "why" line
once the answer is graded.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

PICK_KEYS = "1234567890"


def pick_bindings(prefix: str) -> list[Binding]:
    """Number-key bindings 1…9, 0 (= 10) calling `action_pick(n)`; only "1" is shown."""
    return [
        Binding(key, f"pick({n})", "Choose", show=n == 1,
                key_display="1…9" if n == 1 else None, id=f"{prefix}.pick{n}",
                tooltip="Choose (or tick) the option with this number")
        for n, key in enumerate(PICK_KEYS, start=1)
    ]


@dataclass
class RowState:
    """One row: its label and, after grading, its verdict mark and explanation."""

    label: Content
    #: What the row stands for (e.g. the item's index in the question).
    key: int = 0
    checked: bool = False
    #: "", "correct" (right and chosen), "wrong" (chosen, not right), "missed" (right, not
    #: chosen) or "right" (right answer shown without judging the pick)
    result: str = ""
    why: Content | None = None


class CheckRow(Horizontal):
    """One row of a `CheckList`."""

    DEFAULT_CSS = """
    CheckRow { height: auto; padding: 0 1 0 0; }
    CheckRow .marker { width: 8; color: $text-muted; }
    CheckRow .body { height: auto; width: 1fr; }
    CheckRow .text { height: auto; }
    CheckRow .why { height: auto; color: $text-muted; display: none; }
    CheckRow.-has-why .why { display: block; }
    CheckRow.-cursor { background: $boost; }
    CheckList:focus-within CheckRow.-cursor { background: $accent 20%; }
    CheckRow.-checked .marker { color: $text; text-style: bold; }
    CheckRow.-correct .marker, CheckRow.-right .marker { color: $text-success; }
    CheckRow.-wrong .marker { color: $text-error; }
    CheckRow.-missed .marker { color: $text-warning; }
    """

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def compose(self):  # noqa: ANN201 - a compose generator
        yield Static(classes="marker", markup=False)
        with Vertical(classes="body"):
            yield Static(classes="text", markup=False)
            yield Static(classes="why", markup=False)

    def on_click(self, event: events.Click) -> None:
        self.post_message(CheckList.RowClicked(self.index))


class CheckList(Vertical, can_focus=True):
    """Rows with a cursor; `multi` lets several be checked, otherwise picking one unchecks the
    others. Posts `Changed` whenever the checked set changes."""

    HELP_SECTION = "Answering: options"

    DEFAULT_CSS = """
    CheckList { height: auto; padding: 0; }
    CheckList:focus { background-tint: $foreground 3%; }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="checklist.up",
                tooltip="Move to the previous option"),
        Binding("down,j", "move(1)", "Down", show=False, id="checklist.down",
                tooltip="Move to the next option"),
        Binding("space,x", "toggle", "Toggle", id="checklist.toggle", show=False,
                tooltip="Choose or un-choose the option under the cursor"),
        *pick_bindings("checklist"),
    ]

    class Changed(Message):
        """The checked rows changed."""

    @dataclass
    class RowClicked(Message):
        """A row was clicked."""

        index: int

    def __init__(self, rows: list[RowState], *, multi: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows = rows
        self.multi = multi
        self.cursor = 0
        self.locked = False

    def compose(self):  # noqa: ANN201
        for i in range(len(self.rows)):
            yield CheckRow(i)

    def on_mount(self) -> None:
        self.refresh_rows()

    # -- state

    @property
    def checked(self) -> list[int]:
        """Display indices of the checked rows."""
        return [i for i, row in enumerate(self.rows) if row.checked]

    def set_checked(self, indices: set[int]) -> None:
        """Check exactly `indices` (display order)."""
        for i, row in enumerate(self.rows):
            row.checked = i in indices
        self.refresh_rows()

    def refresh_rows(self) -> None:
        """Redraw every row from its state."""
        for widget in self.query(CheckRow):
            row = self.rows[widget.index]
            widget.query_one(".marker", Static).update(self.marker(widget.index, row))
            widget.query_one(".text", Static).update(row.label)
            widget.query_one(".why", Static).update(row.why or "")
            widget.set_class(row.why is not None, "-has-why")
            widget.set_class(widget.index == self.cursor and not self.locked, "-cursor")
            widget.set_class(row.checked, "-checked")
            for result in ("correct", "right", "wrong", "missed"):
                widget.set_class(row.result == result, f"-{result}")

    def marker(self, index: int, row: RowState) -> str:
        """The gutter of a row: its key and its box (or its verdict once graded)."""
        n = index + 1
        if row.result:
            box = {"correct": "✓", "right": "✓", "wrong": "✗", "missed": "✓"}[row.result] + " "
        elif self.multi:
            box = "[x]" if row.checked else "[ ]"
        else:
            box = "(•)" if row.checked else "( )"
        key = str(n % 10) if n <= 10 else " "
        return f" {key} {box}"

    # -- actions

    def action_move(self, delta: int) -> None:
        """Move the cursor."""
        if self.rows:
            self.cursor = (self.cursor + delta) % len(self.rows)
            self.refresh_rows()
            rows = list(self.query(CheckRow))
            rows[self.cursor].scroll_visible()

    def action_toggle(self) -> None:
        """Toggle (multi) or choose (single) the row under the cursor."""
        self._pick(self.cursor)

    def action_pick(self, n: int) -> None:
        """Toggle or choose row `n` (1-based)."""
        if 1 <= n <= len(self.rows):
            self.cursor = n - 1
            self._pick(n - 1)

    def on_check_list_row_clicked(self, event: RowClicked) -> None:
        event.stop()
        self.focus()
        self.cursor = event.index
        self._pick(event.index)

    def _pick(self, index: int) -> None:
        if self.locked:
            return
        row = self.rows[index]
        if self.multi:
            row.checked = not row.checked
        else:
            for other in self.rows:
                other.checked = False
            row.checked = True
        self.refresh_rows()
        self.post_message(self.Changed())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle", "pick") and self.locked:
            return False
        return True
