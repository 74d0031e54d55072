"""The activity log strip: what fleetdeck and the fleet did, newest last."""

from __future__ import annotations

import time
from typing import Iterable

from textual.widgets import RichLog

LEVEL_STYLE = {"debug": "dim", "info": "", "warning": "yellow", "error": "red", "critical": "bold red"}


class ActivityLog(RichLog):
    def __init__(self, *, id: str | None = "activity") -> None:  # noqa: A002
        super().__init__(id=id, max_lines=500, wrap=False, markup=True, auto_scroll=True)
        self.border_title = "Activity"
        self.last_id = 0

    def add_rows(self, rows: Iterable[tuple[int, float, str, str, str]]) -> None:
        """Append (id, at, level, source, message) rows not shown yet."""
        for row_id, at, level, source, message in rows:
            if row_id <= self.last_id:
                continue
            self.last_id = row_id
            self.add_line(at, level, source, message)

    def add_line(self, at: float, level: str, source: str, message: str) -> None:
        from rich.markup import escape

        stamp = time.strftime("%H:%M:%S", time.localtime(at))
        style = LEVEL_STYLE.get(level, "")
        text = f"[dim]{stamp}[/] [b]{escape(source)}[/] {escape(message)}"
        self.write(f"[{style}]{text}[/]" if style else text)
