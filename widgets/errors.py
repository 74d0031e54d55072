"""The errors pane: error groups by recent activity, a 24-hour sparkline per group, new groups highlighted."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from .modals import TextEntryModal, TextViewModal
from .live_table import LiveTable
from .pane import Pane
from .table_sync import selected_key, sync_rows

COLUMNS = ("ID", "SEV", "STATUS", "COUNT", "LAST 24H", "LAST", "BUG", "SIGNATURE / TEMPLATE")
BARS = "▁▂▃▄▅▆▇█"


def sparkline(counts: tuple[int, ...] | list[int]) -> str:
    top = max(counts, default=0)
    if top <= 0:
        return BARS[0] * len(counts)
    return "".join(" " if c == 0 else BARS[min(len(BARS) - 1, (c * (len(BARS) - 1) + top - 1) // top)]
                   for c in counts)


def _ago(ts: int, now: float) -> str:
    d = max(0, int(now - ts))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if d >= size:
            return f"{d // size}{unit}"
    return f"{d}s"


class ErrorsPane(Pane):
    pane_name = "errors"
    pane_title = "Errors"
    empty_text = "no errors collected yet"

    BINDINGS = [
        Binding("enter", "detail", "Detail"),
        Binding("b", "file_bug", "File bug"),
        Binding("l", "link", "Link to bug"),
        Binding("m", "mute", "Mute/unmute"),
        Binding("f", "fixed", "Mark fixed"),
    ]

    DEFAULT_CSS = """
    ErrorsPane #errors-summary { height: 1; }
    ErrorsPane DataTable { height: 1fr; }
    """

    def __init__(self, controller: Any = None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(controller, id=id)
        self._status: dict[int, str] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("", id="errors-summary")
        table: DataTable[Any] = LiveTable(id="errors-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table

    def update_view(self, view: Any) -> None:
        self.loaded = True
        self.set_empty(None if view.rows else self.empty_text)
        new = sum(1 for r in view.rows if r.new)
        groups, bugs = len(view.rows), view.open_bugs
        self.set_text("#errors-summary", f"{groups} group{'s' * (groups != 1)} · {new} new in the last hour · "
                                         f"{bugs} open bug{'s' * (bugs != 1)}")
        now = view.now or time.time()
        rows = {}
        self._status = {}
        for r in view.rows:
            self._status[r.id] = r.status
            style = "bold yellow" if r.new else ("dim" if r.status in ("muted", "fixed") else "")
            sev_style = {"critical": "bold red", "error": "red", "warning": "yellow"}.get(r.severity, "")
            title = ("NEW " if r.new else "") + r.title.replace("\n", " ")[:100]
            rows[str(r.id)] = (r.id, Text(r.severity, style=sev_style), r.status, r.count, sparkline(r.spark),
                               _ago(r.last_seen, now), f"#{r.bug_id}" if r.bug_id else "-", Text(title, style=style))
        sync_rows(self.query_one("#errors-table", DataTable), rows)

    # -- actions ------------------------------------------------------------------------------------------

    def _selected(self) -> int | None:
        key = selected_key(self.query_one("#errors-table", DataTable))
        return None if key is None else int(key)

    async def action_detail(self) -> None:
        gid = self._selected()
        if gid is not None:
            try:
                text = await self.controller.detail(gid)
            except Exception as exc:  # noqa: BLE001
                self.app.notify(str(exc), severity="warning")
                return
            self.app.push_screen(TextViewModal(f"Error group {gid}", text))

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        await self.action_detail()

    async def action_file_bug(self) -> None:
        gid = self._selected()
        if gid is not None:
            await self._try(self.controller.file_bug(gid), f"group {gid}: bug #{{result}}")

    def action_link(self) -> None:
        gid = self._selected()
        if gid is None:
            return

        async def chosen(text: str | None) -> None:
            if text is None:
                return
            if not text.strip().lstrip("#").isdigit():
                self.app.notify(f"not a bug id: {text!r}", severity="warning")
                return
            bug_id = int(text.strip().lstrip("#"))
            await self._try(self.controller.link(gid, bug_id), f"group {gid} linked to bug #{bug_id}")

        self.app.push_screen(TextEntryModal(f"Link group {gid} to bug id", placeholder="bug id"), chosen)

    async def action_mute(self) -> None:
        gid = self._selected()
        if gid is not None:
            status = "open" if self._status.get(gid) == "muted" else "muted"
            await self._try(self.controller.set_status(gid, status), f"group {gid}: {status}")

    async def action_fixed(self) -> None:
        gid = self._selected()
        if gid is not None:
            await self._try(self.controller.set_status(gid, "fixed"), f"group {gid}: fixed")
