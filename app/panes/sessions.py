"""Controller of the sessions pane: polls tmux (control mode, on the event loop), writes the store on the
store's thread, and carries out the pane's actions through the same service functions as the CLI."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import Any

from .base import PaneController


@dataclass(frozen=True)
class SessionsView:
    rows: list[dict[str, Any]] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    tmux_missing: bool = False
    now: float = 0.0

    @property
    def count(self) -> int:
        return len(self.rows)


def _live_rows(store: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query(
        "SELECT s.*, p.text AS task FROM sessions s LEFT JOIN prompts p ON p.id = s.current_prompt_id"
        " WHERE s.gone_at IS NULL ORDER BY s.socket, s.name")]


def _write_and_read(store: Any, snaps: list[Any], **kwargs: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Record a poll and read the rows back in one trip to the store's thread (the console does this every second)."""
    from fleetdeck.services.health.sessions_db import write_poll

    return write_poll(store, snaps, **kwargs), _live_rows(store)


class SessionsController(PaneController):
    name = "sessions"
    title = "Sessions"
    interval = 1.0

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.poller: Any = None  # made in start(): the detectors' imports would delay the first frame
        self._tmux_found, self._tmux_checked_at = False, float("-inf")
        self.hooks: Any = None
        self._previous: dict[str, dict[str, Any]] | None = None  # last load's rows: kind and start per key
        self.interval = float(env.config.get("tmux", "poll_interval", 1.0) or 1.0)

    def _tmux_installed(self, now: float) -> bool:
        # Looking tmux up on PATH stats every PATH entry; once a minute is plenty for the console's 1 s poll.
        if now - self._tmux_checked_at >= 60.0:
            self._tmux_found, self._tmux_checked_at = shutil.which("tmux") is not None, now
        return self._tmux_found

    async def start(self) -> None:
        from fleetdeck.services.health.poller import Poller

        self.poller = Poller()
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self.poller is not None:
            await self.poller.close()

    async def load(self) -> SessionsView:
        now = self.env.clock.now()
        if not self._tmux_installed(now):
            rows = await self.env.astore.call(_live_rows)
            return SessionsView(rows, {}, tmux_missing=True, now=now)
        sockets = list(self.env.config.get("tmux", "sockets", ["default"]) or ["default"])
        if self._previous is None:
            self._previous = {r["key"]: r for r in await self.env.astore.call(_live_rows)}
        previous = self._previous
        if self.hooks is None:
            from fleetdeck.services.health.hookevents import HookEvents

            self.hooks = HookEvents(HookEvents.default_path(self.env.paths))
        result = await self.poller.scan(sockets, now=now, previous=previous, hooks=self.hooks,
                                        idle_after_s=float(self.env.config.get("sessions", "idle_after_s", 1.5)))
        transitions, rows = await self.env.astore.call(
            _write_and_read, result.sessions, polled=[s for s in sockets if s not in result.unavailable],
            unavailable=result.unavailable, now=int(now),
            default_policy=str(self.env.config.get("sessions", "restart_policy", "ask")))
        for t in transitions:
            self.env.events.publish("session.state", **t)
        self._previous = {r["key"]: r for r in rows}
        return SessionsView(rows, result.unavailable, now=now)

    # -- actions (each returns a line for a notification) ------------------------------------------------------

    async def send(self, key: str, text: str) -> str:
        from fleetdeck.services.health import ops

        s = await self.env.astore.call(ops.send, key, text)
        return f"prompt sent to {s['name']}"

    async def answer(self, key: str, yes: bool) -> str:
        from fleetdeck.services.health import ops

        s = await self.env.astore.call(ops.answer, key, yes)
        return f"{'allowed' if yes else 'refused'}: {s['name']}"

    async def restart(self, key: str) -> str:
        from fleetdeck.services.health import ops

        return await self.env.astore.call(ops.restart, self.env.config, key)

    async def cycle_policy(self, key: str, current: str) -> str:
        from fleetdeck.services.health import ops

        nxt = {"off": "ask", "ask": "auto", "auto": "off"}.get(current, "ask")
        return await self.env.astore.call(ops.set_policy, key, nxt)

    async def kill(self, key: str) -> str:
        from fleetdeck.services.health import ops

        return await self.env.astore.call(ops.kill, key)

    async def new(self, name: str, project_dir: str, command: str) -> str:
        import asyncio

        from fleetdeck.services.health import ops

        return await asyncio.to_thread(ops.new, self.env.config, name, project_dir, command)

    async def jump(self, key: str) -> str | None:
        """Switch the user's tmux client to the session (inside tmux), else return the attach command."""
        from fleetdeck.services.health.ops import find_session
        from fleetdeck.services.tmux.actions import jump

        s = await self.env.astore.call(find_session, key)
        return jump(s["socket"], s["pane_id"])
