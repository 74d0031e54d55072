"""Keep a DataTable in step with fresh rows by key: update changed cells, add new rows, drop vanished ones.

Clearing and refilling a table loses the cursor and scroll position and flickers; every pane uses this instead.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from textual.widgets import DataTable


def sync_rows(table: DataTable, rows: Mapping[str, Sequence[Any]], *, remove_missing: bool = True) -> None:
    """Make ``table`` show ``rows`` (key -> cells, in display order for new rows)."""
    columns = list(table.columns)
    for key, cells in rows.items():
        if key in table.rows:
            current = table.get_row(key)
            for column, old, new in zip(columns, current, cells):
                if old != new:
                    table.update_cell(key, column, new)
        else:
            table.add_row(*cells, key=key)
    if remove_missing:
        for key in [k.value for k in table.rows if k.value not in rows]:
            table.remove_row(key)


def selected_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
