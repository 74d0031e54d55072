"""The health pass restarts agents: with a handoff note at the context threshold, and after a crash."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from fleetdeck.services.clock import SystemClock
from fleetdeck.services.events import EventBus
from fleetdeck.services.health.jobs import health
from fleetdeck.services.health.poller import default_poller, on_poller_loop
from fleetdeck.services.jobs import JobContext

from .test_health_poll import start_agent

pytestmark = pytest.mark.tmux


@pytest.fixture
def ctx(config, store, tmux_socket):
    config.values.setdefault("tmux", {})["sockets"] = [tmux_socket]
    config.values.setdefault("sessions", {}).update(restart_policy="auto", crash_backoff_s=0)
    return JobContext(config=config, store=store, clock=SystemClock(), events=EventBus())


async def run_passes(ctx: JobContext, until, passes: int = 12) -> None:
    for _ in range(passes):
        await health(ctx, lambda *a, **k: None)
        if until():
            return
        await asyncio.sleep(0.4)
    raise AssertionError("condition not reached")


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_auto_restart_at_threshold_writes_note_and_resumes(ctx, tmux_socket, tmp_path) -> None:
    rec = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "low", "--kind", "claude", "--scenario", "low-context", record=rec)
    await run_passes(ctx, lambda: any(r["type"] == "prompt" for r in records(rec)))
    kinds = [r["type"] for r in records(rec)]
    assert kinds[:2] == ["clear", "prompt"]
    row = ctx.store.query_one("SELECT restarts, handoff_path FROM sessions")
    note = Path(row["handoff_path"])
    assert row["restarts"] == 1 and note.exists() and (note.stat().st_mode & 0o777) == 0o600
    text = note.read_text()
    assert "Context left until auto-compact: 4%" in text and "## Git" in text
    assert str(note) in records(rec)[1]["text"]
    titles = [r["title"] for r in ctx.store.query("SELECT title FROM outbox")]
    assert any("restarted with a handoff note" in t for t in titles)
    await on_poller_loop(default_poller().close())


async def test_crashed_agent_is_restarted_and_notified(ctx, tmux_socket) -> None:
    start_agent(tmux_socket, "c", "--kind", "codex", "--script", "crash,idle")
    await run_passes(ctx, lambda: (ctx.store.scalar("SELECT restarts FROM sessions") or 0) >= 1)
    titles = [r["title"] for r in ctx.store.query("SELECT title FROM outbox")]
    assert any("crashed" in t for t in titles) and any("restarted after a crash" in t for t in titles)
    await on_poller_loop(default_poller().close())
