"""The Optimizer view: score trend, per-file scores, issues, applied changes (with diff) and suggestions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from fleetdeck.widgets.table_sync import selected_key, sync_rows

from . import ViewSpec

if TYPE_CHECKING:
    from fleetdeck.app.console_env import ConsoleEnv

VIEW = ViewSpec("optimizer", "Optimizer", "O", f"{__name__}:OptimizerScreen",
                "self-optimizer: scores, issues, applied changes and suggestions")


def _trend(value: int | None) -> str:
    return "" if value is None else f" ({value:+d})"


class OptimizerScreen(Screen[None]):
    DEFAULT_CSS = """
    #opt-diff { height: 1fr; border: round $primary; padding: 0 1; overflow-y: auto; }
    #opt-left { width: 3fr; }
    #opt-right { width: 2fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("o", "run_now", "Run now"),
        Binding("a", "apply_selected", "Apply suggestion"),
        Binding("v", "revert_selected", "Revert change"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, env: "ConsoleEnv") -> None:
        super().__init__()
        self.env = env
        self.title = "Optimizer"
        self.changes: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="opt-left"):
                yield Label("", id="opt-score", classes="section-title")
                yield DataTable(id="opt-files", cursor_type="row", zebra_stripes=True)
                yield Label("Issues", classes="section-title")
                yield DataTable(id="opt-issues", cursor_type="row", zebra_stripes=True)
                yield Label("Changes (applied, reverted, suggested)", classes="section-title")
                yield DataTable(id="opt-changes", cursor_type="row", zebra_stripes=True)
            with Vertical(id="opt-right"):
                yield Label("Diff", classes="section-title")
                yield Static("", id="opt-diff", markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#opt-files", DataTable).add_columns("file", "status", "score", "note")
        self.query_one("#opt-issues", DataTable).add_columns("severity", "file", "issue")
        self.query_one("#opt-changes", DataTable).add_columns("#", "status", "file", "type", "rationale", "why")
        self._stop_watching = self.env.events.subscribe(self._on_job_event, ("job.finished",))
        await self.action_reload()
        self.query_one("#opt-changes", DataTable).focus()

    def on_unmount(self) -> None:
        self._stop_watching()

    def _on_job_event(self, event: Any) -> None:
        self.app.on_any_thread(self.action_reload)  # type: ignore[attr-defined]

    async def action_reload(self) -> None:
        from fleetdeck.services.optimizer.report import build_report

        data = await self.env.astore.call(build_report)
        if data["runs"]:
            trend = " ".join(str(r["score"]) for r in reversed(data["runs"]) if r["score"] is not None)
            last = time.strftime("%Y-%m-%d %H:%M", time.localtime(data["runs"][0]["started_at"]))
            text = f"Score {data['score']}/100{_trend(data['trend'])}   trend: {trend}   last run {last}"
        else:
            text = "No optimizer runs yet: press o to run now"
        self.query_one("#opt-score", Label).update(text)
        sync_rows(self.query_one("#opt-files", DataTable), {
            f["file"]: (f["file"], f["status"], "" if f["score"] is None else f"{f['score']}{_trend(f['trend'])}",
                        f["error"] or "") for f in data["files"]})
        sync_rows(self.query_one("#opt-issues", DataTable), {
            str(i): (issue["severity"], issue["file"], issue["text"]) for i, issue in enumerate(data["issues"])})
        changes = data["applied"] + data["suggestions"]
        self.changes = {str(c["id"]): c for c in changes}
        sync_rows(self.query_one("#opt-changes", DataTable), {
            str(c["id"]): (c["id"], c["status"], c["file"], c["change_type"], c["rationale"][:60], c["reason"] or "")
            for c in changes})
        self._show_diff()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "opt-changes":
            self._show_diff()

    def _selected(self) -> dict[str, Any] | None:
        key = selected_key(self.query_one("#opt-changes", DataTable))
        return self.changes.get(key) if key is not None else None

    def _show_diff(self) -> None:
        change = self._selected()
        self.query_one("#opt-diff", Static).update(change["patch"] if change else "")

    def action_run_now(self) -> None:
        self.app.run_job_interactive("optimize")  # type: ignore[attr-defined]

    def action_apply_selected(self) -> None:
        change = self._selected()
        if change is None or change["status"] != "suggested":
            self.notify("select a suggestion to apply", severity="warning")
            return
        self._confirm_then(f"Apply suggestion #{change['id']} to {change['file']}?", "apply", change["id"])

    def action_revert_selected(self) -> None:
        change = self._selected()
        if change is None or change["status"] != "applied":
            self.notify("select an applied change to revert", severity="warning")
            return
        self._confirm_then(f"Revert change #{change['id']} in {change['file']}?", "revert", change["id"])

    def _confirm_then(self, title: str, what: str, change_id: int) -> None:
        from fleetdeck.widgets.modals import ConfirmModal

        def answered(ok: bool | None) -> None:
            if ok:
                self.run_worker(self._do(what, change_id), exclusive=True)

        self.app.push_screen(ConfirmModal(title, "This makes a git commit in the workspace."), answered)

    async def _do(self, what: str, change_id: int) -> None:
        from fleetdeck.services.errors import FleetdeckError
        from fleetdeck.services.optimizer.report import apply_suggestion, revert_change

        func = apply_suggestion if what == "apply" else revert_change
        try:
            result = await self.env.astore.call(func, self.env.config, change_id, now=self.env.clock.now())
        except FleetdeckError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"{what}: change #{change_id} ({result['file']})")
        await self.action_reload()
