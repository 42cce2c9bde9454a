"""Filling a DataTable whose cells are styled `Content`.

DataTable sizes auto-width columns by measuring its cells, but it does not measure `Content`
cells (they come out as wide as the header). `fill_table` measures them itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import DataTable

Cell = str | Content


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Content) else str(cell)


def fill_table(table: DataTable, columns: Sequence[str], rows: Sequence[Sequence[Cell]],
               keys: Sequence[str] | None = None, *, max_width: int = 60) -> None:
    """Replace `table`'s columns and rows, each column as wide as its widest cell."""
    table.clear(columns=True)
    for i, label in enumerate(columns):
        widths = [cell_len(label)] + [cell_len(_plain(row[i])) for row in rows]
        table.add_column(label, width=min(max_width, max(widths)), key=f"c{i}")
    for n, row in enumerate(rows):
        cells = [Content(cell) if isinstance(cell, str) else cell for cell in row]
        table.add_row(*cells, key=keys[n] if keys else None)
