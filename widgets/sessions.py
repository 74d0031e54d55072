"""The sessions pane: every agent pane with its coloured state, sortable and filterable, and its keys."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Static

from .modals import ConfirmModal, TextEntryModal, TextViewModal
from .live_table import LiveTable
from .pane import Pane
from .table_sync import selected_key, sync_rows

COLUMNS = (("name", "NAME"), ("agent", "AGENT"), ("state", "STATE"), ("for", "FOR"), ("context", "CTX"),
           ("uptime", "UP"), ("restarts", "RST"), ("task", "TASK"), ("project", "PROJECT"))
STATE_STYLE = {"working": "green", "permission": "bold yellow", "idle": "cyan", "usage_limited": "magenta",
               "dead": "bold red", "unknown": "dim"}
STATE_LABEL = {"permission": "permission?", "usage_limited": "usage limit", "idle": "idle"}
SORTS = ("name", "state", "context")
CELL_REFRESH_S = 15.0


def duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "-"
    s = int(seconds)
    if s < 60:
        return "<1m"  # minute steps: a table that changes every second costs CPU for nothing
    if s < 3600:
        return f"{s // 60}m"
    if s < 172800:
        return f"{s // 3600}h{s % 3600 // 60:02d}"
    return f"{s // 86400}d"


def state_cell(row: dict[str, Any], now: float) -> Text:
    state = row["state"]
    label = STATE_LABEL.get(state, state)
    if state == "usage_limited" and row.get("reset_at"):
        import time

        label += " → " + time.strftime("%H:%M", time.gmtime(row["reset_at"]))
    if str(row.get("detail") or "").startswith("failed"):
        label += " (failed)"
    return Text(label, style=STATE_STYLE.get(state, ""))


class NewSessionModal(ModalScreen[tuple[str, str, str] | None]):
    """Project directory, agent command and name for a new agent session."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("New agent session", classes="dialog-title")
            yield Input(placeholder="project directory", id="new-dir")
            yield Input(placeholder="agent command (e.g. claude)", id="new-command", value="claude")
            yield Input(placeholder="session name", id="new-name")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Start", variant="primary", id="new-start")
                yield Button("Cancel", id="new-cancel")

    def _submit(self) -> None:
        values = tuple(self.query_one(f"#new-{k}", Input).value.strip() for k in ("dir", "command", "name"))
        if all(values):
            self.dismiss(values)  # type: ignore[arg-type]
        else:
            self.app.notify("project directory, command and name are all needed", severity="warning")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "new-start":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SessionsPane(Pane):
    pane_name = "sessions"
    pane_title = "Sessions"
    empty_text = "no sessions yet — press n to start one"

    BINDINGS = [
        Binding("enter", "jump", "Jump to session"),
        Binding("s", "send", "Send prompt"),
        Binding("y", "answer(True)", "Allow (permission)"),
        Binding("N", "answer(False)", "Refuse (permission)"),
        Binding("r", "restart", "Restart with handoff"),
        Binding("k", "kill", "Kill session"),
        Binding("p", "policy", "Restart policy (off/ask/auto)"),
        Binding("n", "new", "New session"),
        Binding("slash", "filter", "Filter"),
        Binding("o", "sort", "Sort"),
    ]

    DEFAULT_CSS = """
    SessionsPane #sessions-summary { height: 1; }
    SessionsPane DataTable { height: 1fr; }
    """

    def __init__(self, controller: Any = None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(controller, id=id)
        self.filter_text = ""
        self.sort_by = "name"
        self.rows: dict[str, dict[str, Any]] = {}
        self._last_order: tuple[Any, ...] = ()
        self._shown_states: dict[str, str] = {}
        self._synced_at = 0.0
        self._summary = ""
        self._notice: str | None = None
        self.loaded_once = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="sessions-summary")
        table: DataTable[Any] = LiveTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table

    def update_view(self, view: Any) -> None:
        self.loaded = True
        notices = []
        if view.tmux_missing:
            notices.append("tmux is not installed — sessions cannot be watched")
        for socket, reason in view.unavailable.items():
            notices.append(f"tmux {socket}: unavailable ({reason})")
        notice = self.empty_text if not view.rows and not notices else ("\n".join(notices) if notices else None)
        if notice != self._notice or not self.loaded_once:
            self._notice, self.loaded_once = notice, True
            self.set_empty(notice)
        self.rows = {r["key"]: r for r in view.rows}
        counts: dict[str, int] = {}
        for r in view.rows:
            counts[r["state"]] = counts.get(r["state"], 0) + 1
        summary = " · ".join(f"{n} {STATE_LABEL.get(s, s)}" for s, n in sorted(counts.items()))
        extra = f"   filter: {self.filter_text}" if self.filter_text else ""
        self._set_summary(f"{summary}{extra}   sort: {self.sort_by}")
        wanted = self.filter_text.lower()
        # Durations are shown in minutes: measured from the start of the current minute they all tick over
        # together, once a minute, instead of one row or another every few seconds (each re-renders the table).
        minute = view.now - view.now % 60
        cells = {}
        for r in view.rows:
            hay = " ".join(str(r.get(k) or "") for k in ("name", "agent_kind", "state", "project_dir", "task"))
            if wanted and wanted not in hay.lower():
                continue
            started = r.get("started_at")
            cells[r["key"]] = (
                r["name"], r["agent_kind"], state_cell(r, view.now),
                duration(max(0.0, minute - r["state_since"]) if r.get("state_since") else None),
                f"{r['context_left']}%" if r.get("context_left") is not None else "-",
                duration(max(0.0, minute - started) if started else None), str(r.get("restarts") or 0),
                (r.get("task") or "-").replace("\n", " ")[:40],
                (r.get("project_dir") or "-").rstrip("/").rsplit("/", 1)[-1] or "/",
            )
        table = self.query_one("#sessions-table", DataTable)
        states = {k: str(c[2]) for k, c in cells.items()}
        # Any cell change re-renders the whole DataTable: state changes and new/vanished rows show at once,
        # figures that merely moved (context, durations) at most every CELL_REFRESH_S.
        if states == self._shown_states and time.monotonic() - self._synced_at < CELL_REFRESH_S:
            return
        self._shown_states, self._synced_at = states, time.monotonic()
        sync_rows(table, cells)
        order = self._order_key(cells)
        if order != self._last_order:
            self._last_order = order
            self._sort(table)

    def _set_summary(self, text: str) -> None:
        if text != self._summary:
            self._summary = text
            self.query_one("#sessions-summary", Static).update(text)

    def _order_key(self, cells: dict[str, tuple[Any, ...]]) -> tuple[Any, ...]:
        """What the row order depends on; the table is re-sorted only when this changes."""
        column = {"name": 0, "state": 2, "context": 4}[self.sort_by]
        return (self.sort_by, tuple(sorted((k, str(c[column]), str(c[0])) for k, c in cells.items())))

    def _sort(self, table: DataTable) -> None:
        if table.row_count < 2:
            return
        if self.sort_by == "state":
            states = ("permission", "dead", "usage_limited", "idle", "working", "unknown")
            order = {STATE_LABEL.get(s, s).split(" ")[0].rstrip("?"): i for i, s in enumerate(states)}
            table.sort("state", "name", key=lambda c: (order.get(str(c[0]).split(" ")[0].rstrip("?"), 9), str(c[1])))
        elif self.sort_by == "context":
            table.sort("context", key=lambda c: int(str(c)[:-1]) if str(c) != "-" else 101)
        else:
            table.sort("name", key=str)

    # -- actions ------------------------------------------------------------------------------------------

    def _selected(self) -> dict[str, Any] | None:
        key = selected_key(self.query_one("#sessions-table", DataTable))
        return self.rows.get(key) if key else None

    async def _do(self, coro: Any) -> None:
        try:
            message = await coro
        except Exception as exc:  # noqa: BLE001 - a refused action is a notice, not a crash
            self.app.notify(str(exc), severity="warning")
            return
        if message:
            self.app.notify(message)
        refresh = getattr(self.app, "refresh_pane", None)
        if refresh is not None:
            refresh(self.pane_name)

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        await self.action_jump()

    async def action_jump(self) -> None:
        row = self._selected()
        if row is None:
            return
        try:
            attach = await self.controller.jump(row["key"])
        except Exception as exc:  # noqa: BLE001
            self.app.notify(str(exc), severity="warning")
            return
        if attach:
            self.app.push_screen(TextViewModal(f"Attach to {row['name']}", attach))

    def action_send(self) -> None:
        row = self._selected()
        if row is None:
            return

        async def entered(text: str | None) -> None:
            if text:
                await self._do(self.controller.send(row["key"], text))

        self.app.push_screen(TextEntryModal(f"Prompt for {row['name']}", multiline=True), entered)

    def action_answer(self, yes: bool) -> None:
        row = self._selected()
        if row is None:
            return
        if row["state"] != "permission":
            self.app.notify(f"{row['name']} is not waiting for permission", severity="warning")
            return

        async def decided(ok: bool | None) -> None:
            if ok:
                await self._do(self.controller.answer(row["key"], yes))

        verb = "Allow" if yes else "Refuse"
        self.app.push_screen(ConfirmModal(f"{verb} — {row['name']} asks:", row.get("detail") or "", verb), decided)

    def action_restart(self) -> None:
        row = self._selected()
        if row is None:
            return

        async def decided(ok: bool | None) -> None:
            if ok:
                await self._do(self.controller.restart(row["key"]))

        body = ("A handoff note (last screen, task, git status) is saved, the agent is restarted and told to "
                "read it.")
        self.app.push_screen(ConfirmModal(f"Restart {row['name']}?", body, "Restart"), decided)

    def action_kill(self) -> None:
        row = self._selected()
        if row is None:
            return

        async def decided(ok: bool | None) -> None:
            if ok:
                await self._do(self.controller.kill(row["key"]))

        self.app.push_screen(ConfirmModal(f"Kill {row['name']}?", f"pane {row['pane_id']} on {row['socket']}",
                                          "Kill"), decided)

    async def action_policy(self) -> None:
        row = self._selected()
        if row is not None:
            await self._do(self.controller.cycle_policy(row["key"], row.get("restart_policy") or "off"))

    def action_new(self) -> None:
        async def entered(values: tuple[str, str, str] | None) -> None:
            if values:
                project_dir, command, name = values
                await self._do(self.controller.new(name, project_dir, command))

        self.app.push_screen(NewSessionModal(classes="modal"), entered)

    def action_filter(self) -> None:
        def entered(text: str | None) -> None:
            if text is not None:
                self.filter_text = text.strip()
                refresh = getattr(self.app, "refresh_pane", None)
                if refresh is not None:
                    refresh(self.pane_name)

        self.app.push_screen(TextEntryModal("Filter sessions (name, agent, state, project)",
                                            initial=self.filter_text), entered)

    def action_sort(self) -> None:
        self.sort_by = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self._sort(self.query_one("#sessions-table", DataTable))
        self._set_summary(f"sort: {self.sort_by}")
