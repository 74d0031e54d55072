"""The Maintenance view: cleanup, git-sync, backup and archive-projects with last/next run and keys to run
them; git-sync's per-repository results; the latest backups and project-data archives."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label

from fleetdeck.widgets.table_sync import selected_key, sync_rows

from . import ViewSpec

if TYPE_CHECKING:
    from fleetdeck.app.console_env import ConsoleEnv

VIEW = ViewSpec("maintenance", "Maintenance", "M", f"{__name__}:MaintenanceScreen",
                "cleanup, git sync and backups: last and next runs, run now")


def _when(ts: int | None, empty: str = "-") -> str:
    return empty if ts is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


class MaintenanceScreen(Screen[None]):
    DEFAULT_CSS = """
    MaintenanceScreen #maint-jobs { height: auto; max-height: 9; }
    MaintenanceScreen #maint-repos { height: 1fr; }
    MaintenanceScreen #maint-backups { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,M", "app.pop_screen", "Back"),
        Binding("c", "run('cleanup')", "Cleanup"),
        Binding("g", "run('git-sync')", "Git sync"),
        Binding("b", "run('backup')", "Backup"),
        Binding("a", "run('archive-projects')", "Archive projects"),  # removes sources: the app asks first
        Binding("enter", "run_selected", "Run selected"),
        Binding("d", "run_selected(True)", "Dry run"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, env: "ConsoleEnv") -> None:
        super().__init__()
        self.env = env
        self.title = "Maintenance"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="maintenance-view"):
            yield Label("Maintenance jobs", classes="section-title")
            yield DataTable(id="maint-jobs", cursor_type="row", zebra_stripes=True)
            yield Label("Git sync: last run per repository", id="maint-repos-title", classes="section-title")
            yield DataTable(id="maint-repos", cursor_type="row", zebra_stripes=True)
            yield Label("Backups", classes="section-title")
            yield DataTable(id="maint-backups", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#maint-jobs", DataTable).add_columns(
            "job", "schedule", "last run", "status", "result", "next run")
        self.query_one("#maint-repos", DataTable).add_columns(
            "repository", "branch", "status", "pulled", "committed", "pushed", "note")
        self.query_one("#maint-backups", DataTable).add_columns("id", "kind", "source", "made", "size", "remote")
        self._unsubscribe = self.env.events.subscribe(self._on_job_event, ("job.finished",))
        await self.action_reload()
        self.query_one("#maint-jobs", DataTable).focus()

    def on_unmount(self) -> None:
        self._unsubscribe()

    def _on_job_event(self, event: Any) -> None:
        self.app.on_any_thread(self.action_reload)  # type: ignore[attr-defined]

    async def action_reload(self) -> None:
        from fleetdeck.services.maintenance.overview import overview

        view = await self.env.astore.call(overview, self.env.config, self.env.clock.now())
        jobs: dict[str, tuple] = {}
        for job in view["jobs"]:
            status = job["last_status"] or "never run"
            if job["last_dry_run"]:
                status += " (dry run)"
            jobs[job["name"]] = (job["name"], job["schedule"] or "manual", _when(job["last_started"], "never"),
                                 status, job["last_summary"] or "", _when(job["next_run"], "not scheduled"))
        sync_rows(self.query_one("#maint-jobs", DataTable), jobs)
        repos: dict[str, tuple] = {}
        for repo in view["repos"]:
            note = repo.get("reason") or (f"{len(repo.get('uncommitted', []))} uncommitted"
                                          if repo.get("uncommitted") else "")
            repos[repo["path"]] = (repo["path"], repo.get("branch") or "-", repo["status"], repo.get("pulled", 0),
                                   len(repo.get("committed", [])), repo.get("pushed", 0), note)
        sync_rows(self.query_one("#maint-repos", DataTable), repos)
        title = "Git sync: last run per repository"
        if view["repos_at"]:
            title += f" ({_when(view['repos_at'])})"
        self.query_one("#maint-repos-title", Label).update(title)
        backups: dict[str, tuple] = {}
        for b in view["backups"]:
            source = Path(b["source"]).name if b["kind"] == "database" else b["source"]
            backups[str(b["id"])] = (b["id"], b["kind"], source, _when(b["created_at"]),
                                     f"{b['size_bytes'] / 1e6:.1f} MB", "yes" if b["remote"] else "no")
        sync_rows(self.query_one("#maint-backups", DataTable), backups)

    def action_run(self, name: str, dry_run: bool = False) -> None:
        self.app.run_job_interactive(name, dry_run=dry_run)  # type: ignore[attr-defined]

    def action_run_selected(self, dry_run: bool = False) -> None:
        key = selected_key(self.query_one("#maint-jobs", DataTable))
        if key is not None:
            self.action_run(key, dry_run)
