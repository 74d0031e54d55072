"""Controller of the errors pane: groups by recent activity, with a 24-hour count sparkline each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .base import PaneController

NEW_WINDOW_S = 3600  # a group first seen this recently is highlighted as new


@dataclass(frozen=True)
class ErrorRow:
    id: int
    severity: str
    status: str
    count: int
    last_seen: int
    bug_id: int | None
    title: str
    sources: tuple[str, ...]
    spark: tuple[int, ...]
    new: bool


@dataclass(frozen=True)
class ErrorsView:
    rows: list[ErrorRow] = field(default_factory=list)
    now: float = 0.0
    open_bugs: int = 0

    @property
    def count(self) -> int:
        return len(self.rows)


def _load(store: Any, now: float) -> ErrorsView:
    from fleetdeck.services.triage.queries import list_groups, sparkline_counts

    groups = list_groups(store, limit=300)
    sparks = sparkline_counts(store, [g["id"] for g in groups], now=now)
    rows = [ErrorRow(g["id"], g["severity"], g["status"], g["count"], g["last_seen"], g["bug_id"], g["title"],
                     tuple(g["sources"]), tuple(sparks.get(g["id"], ())), now - g["first_seen"] < NEW_WINDOW_S)
            for g in groups]
    open_bugs = int(store.scalar("SELECT count(*) FROM bugs WHERE status = 'open'") or 0)
    return ErrorsView(rows, now, open_bugs)


def _detail_text(store: Any, gid: int, rules: list[dict[str, Any]]) -> str:
    from fleetdeck.services.triage.queries import group_detail

    g = group_detail(store, gid, samples=5, rules=rules)
    lines = [f"[{g['severity']}, {g['status']}] seen {g['count']}x; sources: {', '.join(g['sources'])}",
             f"signature: {g['signature']}", f"title: {g['title']}"]
    if g["stack"]:
        lines += ["", "stack (in-app frames):"] + [f"  {f}" for f in g["stack"].splitlines()]
    bug = g["bug"]
    lines += ["", f"bug: #{bug['id']} {bug['title']} ({bug['status']})" if bug else "bug: none"]
    fix = g["fix"]
    lines.append(f"fix: {fix['fix']} ({fix['source']})" if fix else "fix: no known fix")
    if g.get("llm_fix"):
        lines.append(f"LLM suggestion (unverified): {g['llm_fix']}")
    lines += ["", "samples:"]
    for s in g["samples"]:
        lines += [f"--- {s['source']} {s['origin'] or ''} {('[' + s['flags'] + ']') if s['flags'] else ''}",
                  s["text"][:3000]]
    return "\n".join(lines)


class ErrorsController(PaneController):
    name = "errors"
    title = "Errors"
    interval = 2.0
    background_jobs = (("triage", 30.0),)  # new errors are grouped while the console is open

    async def load(self) -> ErrorsView:
        return await self.env.astore.call(_load, self.env.clock.now())

    async def detail(self, gid: int) -> str:
        rules = self.env.config.get("triage", "rules", []) or []
        return await self.env.astore.call(_detail_text, gid, rules)

    async def file_bug(self, gid: int) -> int:
        from fleetdeck.services.triage.queries import file_bug_for_group

        return await self.env.astore.call(file_bug_for_group, gid, now=self.env.clock.now())

    async def link(self, gid: int, bug_id: int) -> None:
        from fleetdeck.services.triage.queries import link_group

        await self.env.astore.call(link_group, gid, bug_id)

    async def set_status(self, gid: int, status: str) -> None:
        from fleetdeck.services.triage.queries import set_status

        await self.env.astore.call(set_status, gid, status)
