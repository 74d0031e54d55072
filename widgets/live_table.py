"""A DataTable for data that refreshes every few seconds: only the cells that changed are drawn again.

Textual's DataTable keys its cache of drawn cells on a table-wide update count, so one new value anywhere
(a session's context dropping a percent) redraws every visible cell of the table through Rich — in the console
that was a third of its CPU while it sat open. Here a drawn cell is kept until the cell's own value is replaced
(``update_cell`` stores a new object) or anything it is drawn with changes: position, width, height, style,
cursor, hover or focus.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable


class LiveTable(DataTable):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before DataTable's own __init__, which already clears caches.
        self._kept: dict[tuple[Any, Any], tuple[Any, tuple[Any, ...], Any]] = {}
        super().__init__(*args, **kwargs)

    def _render_cell(self, row_index: int, column_index: int, base_style: Any, width: int,
                     cursor: bool = False, hover: bool = False) -> Any:
        if column_index < 0:  # row labels: this console shows none
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        column_key = self._column_locations.get_key(column_index)
        if row_index < 0:
            row_key, value, height = self._header_row_key, self.columns[column_key].label, self.header_height
        else:
            row_key = self._row_locations.get_key(row_index)
            value, height = self._data[row_key].get(column_key), self.rows[row_key].height
        drawn_with = (row_index, column_index, base_style, width, height, cursor, hover, self._show_hover_cursor,
                      self.show_cursor, self.fixed_rows, self.fixed_columns, self._pseudo_class_state)
        kept = self._kept.get((row_key, column_key))
        # ``is``: the kept entry holds the value itself, so an identical object is the very same cell value.
        if kept is not None and kept[0] is value and kept[1] == drawn_with:
            return kept[2]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._kept[(row_key, column_key)] = (value, drawn_with, lines)
        return lines

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._kept.clear()

    def notify_style_update(self) -> None:
        self._kept.clear()  # a theme or CSS change: every cell is drawn again
        super().notify_style_update()

    def remove_row(self, row_key: Any) -> None:
        super().remove_row(row_key)
        for key in [k for k in self._kept if k[0] == row_key]:
            del self._kept[key]

    def clear(self, columns: bool = False) -> Any:
        self._kept.clear()
        return super().clear(columns)
