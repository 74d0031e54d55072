"""One poll of every watched tmux server: enumerate panes, capture the changed ones, detect, write the store.

A :class:`Poller` keeps one control-mode client and one capture tracker per socket between polls (the console
and ``fleetdeck watch`` reuse the module's default poller); a socket that cannot be reached is reported as
unavailable and its sessions as "unknown", never as an error.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Coroutine, TypeVar

from ..agents.detect import detect, guess_kind
from ..tmux.control import ControlClient, TmuxUnavailable
from ..tmux.panes import PaneInfo, PaneTracker, list_and_capture
from .hookevents import HookEvents, socket_path
from .sessions_db import write_poll

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import Config
    from ..events import EventBus
    from ..store import Store

T = TypeVar("T")


@dataclass
class SessionSnapshot:
    key: str
    name: str
    socket: str
    tmux_session: str
    pane_id: str
    pane_pid: int | None
    agent_kind: str
    project_dir: str
    state: str
    context_left: int | None
    reset_at: int | None
    detail: str | None
    prompt: str | None  # a permission question in full
    title: str
    start_command: str
    screen: str = ""
    source: str = "screen"  # screen or hook


@dataclass
class PollResult:
    sessions: list[SessionSnapshot] = field(default_factory=list)
    transitions: list[dict[str, Any]] = field(default_factory=list)  # key, session_id, from, to, detail
    unavailable: dict[str, str] = field(default_factory=dict)  # socket -> reason
    panes: int = 0
    captured: int = 0
    elapsed_s: float = 0.0


def session_key(socket: str, pane_id: str) -> str:
    return f"{socket}/{pane_id}"


class Poller:
    def __init__(self) -> None:
        self.clients: dict[str, ControlClient] = {}
        self.trackers: dict[str, PaneTracker] = {}
        self.changed_at: dict[str, float] = {}  # key -> when its screen last changed
        self.hooks: HookEvents | None = None
        self._detected: dict[tuple[str, str], tuple[Any, str, Any]] = {}

    async def scan(self, sockets: list[str], *, now: float, idle_after_s: float = 1.5,
                   previous: dict[str, dict[str, Any]] | None = None,
                   hooks: HookEvents | None = None) -> PollResult:
        """Look at every pane; touches no store (``poll`` writes)."""
        previous = previous or {}
        result = PollResult()
        started = time.perf_counter()
        mono = time.monotonic()
        hook_states = hooks.latest() if hooks is not None else {}
        for socket in sockets:
            client = self.clients.setdefault(socket, ControlClient(socket))
            tracker = self.trackers.setdefault(socket, PaneTracker())
            try:
                panes, captures = await list_and_capture(client, tracker, now)
            except TmuxUnavailable:
                # Our control client is detached when the session it is attached to closes; one fresh
                # client tells that apart from a server that is really gone.
                try:
                    panes, captures = await list_and_capture(client, tracker, now)
                except TmuxUnavailable as exc:
                    result.unavailable[socket] = str(exc)
                    continue
            result.panes += len(panes)
            result.captured += sum(1 for c in captures.values() if c.changed)
            spath = socket_path(socket)
            for pane in panes:
                key = session_key(socket, pane.pane_id)
                cap = captures.get(pane.pane_id)
                screen = cap.screen if cap else ""
                if cap is None or cap.changed or key not in self.changed_at:
                    self.changed_at[key] = mono
                prev = previous.get(key) or {}
                snap = self._snapshot(socket, pane, screen, prev, now, mono - self.changed_at[key], idle_after_s)
                hook = hook_states.get((spath, pane.pane_id))
                if (hook is not None and snap.state not in ("dead", "usage_limited")
                        and hook["at"] >= (prev.get("started_at") or 0)):
                    snap.state, snap.source = hook["state"], "hook"
                result.sessions.append(snap)
        result.elapsed_s = time.perf_counter() - started
        return result

    def _snapshot(self, socket: str, pane: PaneInfo, screen: str, prev: dict[str, Any], now: float,
                  unchanged_for: float, idle_after_s: float) -> SessionSnapshot:
        cache_key = (socket, pane.pane_id)
        signature = (hash(screen), pane.title, pane.command, pane.dead, prev.get("agent_kind"))
        cached = self._detected.get(cache_key)
        if cached is not None and cached[0] == signature:
            kind, found = cached[1], cached[2]  # same screen as last poll: same answer
        else:
            kind = guess_kind(pane.command, pane.title, screen, prev.get("agent_kind"))
            found = detect(kind, screen, title=pane.title, command=pane.command, dead=pane.dead, now=now,
                           previous_kind=prev.get("agent_kind"))
            self._detected[cache_key] = (signature, kind, found)
        state = found.state
        if state == "unknown" and screen:
            # An unchanged screen without a spinner is waiting for someone (ccmanager's rule); for a plain
            # shell that is all we go by.
            state = "idle" if unchanged_for >= idle_after_s else ("working" if kind == "shell" else "unknown")
        detail = found.detail
        if pane.dead:
            detail = f"exited with status {pane.dead_status}" if pane.dead_status is not None else "exited"
        return SessionSnapshot(
            key=session_key(socket, pane.pane_id), name=pane.name, socket=socket,
            tmux_session=pane.session_name, pane_id=pane.pane_id, pane_pid=pane.pane_pid, agent_kind=kind,
            project_dir=pane.path, state=state, context_left=found.context_left, reset_at=found.reset_at,
            detail=detail, prompt=found.prompt, title=pane.title, start_command=pane.start_command, screen=screen)

    async def poll(self, store: "Store", config: "Config", clock: "Clock",
                   events: "EventBus | None" = None) -> PollResult:
        sockets = list(config.get("tmux", "sockets", ["default"]) or ["default"])
        now = clock.now()
        previous = {row["key"]: dict(row) for row in store.query(
            "SELECT key, agent_kind, started_at, state FROM sessions WHERE gone_at IS NULL")}
        if self.hooks is None or self.hooks.path != HookEvents.default_path(config.paths):
            self.hooks = HookEvents(HookEvents.default_path(config.paths))
        result = await self.scan(sockets, now=now, previous=previous,
                                 idle_after_s=float(config.get("sessions", "idle_after_s", 1.5)), hooks=self.hooks)
        result.transitions = write_poll(
            store, result.sessions, polled=[s for s in sockets if s not in result.unavailable],
            unavailable=result.unavailable, now=int(now),
            default_policy=str(config.get("sessions", "restart_policy", "ask")))
        if events is not None:
            for t in result.transitions:
                events.publish("session.state", **t)
        return result

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()
        self.clients.clear()


_DEFAULT: Poller | None = None
_LOOP: asyncio.AbstractEventLoop | None = None
_LOOP_LOCK = threading.Lock()


def default_poller() -> Poller:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Poller()
    return _DEFAULT


def _poller_loop() -> asyncio.AbstractEventLoop:
    """An event loop on a daemon thread that outlives each job run.

    The job runner gives every pass its own ``asyncio.run``; the default poller's control-mode clients live
    on this loop instead, so ``fleetdeck watch`` keeps one ``tmux -C`` per server for its whole life.
    """
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None or _LOOP.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="fleetdeck-tmux", daemon=True).start()
            _LOOP = loop
        return _LOOP


async def on_poller_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` (something using the default poller) on the poller's long-lived loop."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, _poller_loop()))


async def poll_once(store: "Store", config: "Config", clock: "Clock", events: "EventBus | None" = None
                    ) -> PollResult:
    """Poll every configured tmux server once and bring the sessions table up to date."""
    return await on_poller_loop(default_poller().poll(store, config, clock, events))
