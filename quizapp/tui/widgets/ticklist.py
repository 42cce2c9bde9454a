"""A SelectionList whose ticked and unticked options differ in shape, not only in colour."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList

#: What stands before an option: ticked, not ticked (as wide as Textual's own toggle).
TICKED, UNTICKED = "[x]", "[ ]"


class TickList(SelectionList[Any]):
    """`SelectionList` drawing "[x]" / "[ ]" before each option instead of a coloured block
    that looks the same in both states (colour-blind users and monochrome terminals)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        # SelectionList draws its toggle as the first three one-cell segments (left edge, the
        # "X", right edge), then a space, then the option's prompt.
        if len(segments) < 4 or "".join(s.text for s in segments[:3]) != "▐X▌":
            return strip
        _, scroll_y = self.scroll_offset
        selection = self.get_option_at_index(scroll_y + y)
        mark = TICKED if selection.value in self._selected else UNTICKED
        base = segments[3].style
        button = segments[1].style
        # Keep the option index (the mouse uses it) on every cell of the mark.
        meta = segments[1].style.meta if segments[1].style else {}
        from rich.style import Style

        edge = (base or Style()) + Style(meta=meta, bold=True)
        inner = (button or Style()) + Style(meta=meta, bold=True)
        return Strip([Segment(mark[0], edge), Segment(mark[1], inner), Segment(mark[2], edge),
                      *segments[3:]], strip.cell_length)
