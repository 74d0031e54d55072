"""The queue pane: pending and running prompts with their ETA, a queue-depth sparkline, and the queue's keys."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Sparkline, Static

from fleetdeck.services.queue.snapshot import session_counts

from .modals import TextEntryModal, TextViewModal
from .live_table import LiveTable
from .pane import Pane
from .table_sync import selected_key, sync_rows

COLUMNS = ("ID", "PRI", "STATUS", "WORKFLOW", "PROJECT", "SESSION", "AGE", "ETA", "PROMPT")


def _age(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _short_project(path: str | None) -> str:
    if not path:
        return "-"
    return path.rstrip("/").rsplit("/", 1)[-1] or path


class QueuePane(Pane):
    pane_name = "queue"
    pane_title = "Queue"
    empty_text = "queue empty — press a to add a prompt"

    BINDINGS = [
        Binding("a", "add", "Add prompt"),
        Binding("c", "cancel", "Cancel prompt"),
        Binding("plus,+", "priority(1)", "Priority up"),
        Binding("minus,-", "priority(-1)", "Priority down"),
        Binding("enter", "view", "Whole prompt"),
        Binding("d", "dispatch", "Dispatch now"),
    ]

    DEFAULT_CSS = """
    QueuePane #queue-head { height: auto; }
    QueuePane #queue-summary { width: 1fr; height: auto; max-height: 2; }
    QueuePane #queue-depth { width: 16; height: 1; margin-left: 1; }  /* apart from the summary's last word */
    QueuePane DataTable { height: 1fr; }
    """

    def compose_body(self) -> ComposeResult:
        from textual.containers import Horizontal

        with Horizontal(id="queue-head"):
            yield Static("", id="queue-summary")
            yield Sparkline([], id="queue-depth")
        table: DataTable[Any] = LiveTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table

    def on_resize(self) -> None:
        self._fit_head()

    def body_mounted(self) -> None:
        super().body_mounted()
        self._fit_head()  # the body (and its sparkline) may arrive after the pane's last resize

    def _fit_head(self) -> None:
        # A narrow pane gives its width to the summary: the drain ETA matters more than the depth sparkline.
        self.query("#queue-depth").set(display=self.size.width >= 60)

    def update_view(self, view: Any) -> None:
        self.loaded = True
        self.set_empty(None if view.items else self.empty_text)
        s = view.summary
        # The drain ETA is what the pane is for: it comes first, the agents' counts (the sessions pane has those)
        # on a second row of their own, so a narrow pane never parts a count from its word ("3" / "idle").
        self.set_text("#queue-summary",
            f"{s.get('pending', 0)} pending · {s.get('running', 0) + s.get('assigning', 0)} running · "
            f"drain {s.get('eta_drain', '?')}\n{' / '.join(session_counts(s, short=True))}")
        self.query_one("#queue-depth", Sparkline).data = list(view.depth) or [0]
        rows = {}
        for item in view.items:
            preview = (item["preview"] or "").replace("\n", " ")[:80]
            rows[str(item["id"])] = (item["id"], item["priority"], item["status"], item["workflow"] or "-",
                                     _short_project(item["project"]), item["session"] or "-", _age(item["age_s"]),
                                     item["eta"], preview)
        sync_rows(self.query_one("#queue-table", DataTable), rows)

    # -- actions ------------------------------------------------------------------------------------------

    def _selected(self) -> int | None:
        key = selected_key(self.query_one("#queue-table", DataTable))
        return None if key is None else int(key)

    def action_add(self) -> None:
        async def added(text: str | None) -> None:
            if text is not None:
                await self._try(self.controller.add(text), "queued prompt #{result}")

        self.app.push_screen(TextEntryModal("New prompt", multiline=True), added)

    async def action_cancel(self) -> None:
        prompt_id = self._selected()
        if prompt_id is not None:
            await self._try(self.controller.cancel(prompt_id), f"cancelled prompt #{prompt_id}")

    async def action_priority(self, delta: int) -> None:
        prompt_id = self._selected()
        if prompt_id is not None:
            await self._try(self.controller.bump(prompt_id, delta), f"prompt #{prompt_id} priority {{result}}")

    async def action_view(self) -> None:
        prompt_id = self._selected()
        if prompt_id is not None:
            text = await self.controller.text(prompt_id)
            self.app.push_screen(TextViewModal(f"Prompt #{prompt_id}", text))

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table takes Enter itself) shows the whole prompt."""
        event.stop()
        await self.action_view()

    async def action_dispatch(self) -> None:
        prompt_id = self._selected()
        if prompt_id is not None:
            await self._try(self.controller.dispatch(prompt_id), "{result}")
