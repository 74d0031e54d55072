"""Keep a DataTable in step with fresh rows by key: update changed cells, add new rows, drop vanished ones.

Clearing and refilling a table loses the cursor and scroll position and flickers; every pane uses this instead.
Text cells are shown as written: DataTable would parse a ``str`` as markup, so a task or path containing ``[``
would be mangled (or refused), and parsing every cell again on each re-render costs the console CPU.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from rich.text import Text
from textual.widgets import DataTable


class PlainCell(Text):
    """Literal cell text that still compares equal to the ``str`` it was made from (code reading cells back)."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.plain == other
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment] - mutable, like Text


def plain(cell: Any) -> Any:
    """A ``str`` cell as literal text (no markup, no wrapping); anything else unchanged."""
    return PlainCell(cell, no_wrap=True, end="") if isinstance(cell, str) else cell


def sync_rows(table: DataTable, rows: Mapping[str, Sequence[Any]], *, remove_missing: bool = True) -> None:
    """Make ``table`` show ``rows`` (key -> cells, in display order for new rows)."""
    columns = list(table.columns)
    for key, raw in rows.items():
        cells = [plain(cell) for cell in raw]
        if key in table.rows:
            current = table.get_row(key)
            for column, old, new in zip(columns, current, cells):
                if old != new:
                    # A wider value widens its column (else it is cut: "permiss", "Summ"); a narrower one leaves
                    # it, which spares a measure of the whole column and keeps the layout still.
                    grow = _width(new) > table.columns[column].content_width
                    table.update_cell(key, column, new, update_width=grow)
        else:
            table.add_row(*cells, key=key)
    if remove_missing:
        for key in [k.value for k in table.rows if k.value not in rows]:
            table.remove_row(key)


def _width(cell: Any) -> int:
    return cell.cell_len if isinstance(cell, Text) else len(str(cell))


def selected_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
