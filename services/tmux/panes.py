"""Enumerate every pane of a tmux server in one command, and capture the ones that changed.

``list-panes -a -F`` gives each pane's id, pid, dead flag, window activity time, current command and title;
only panes whose window showed activity since their last capture (or that were never captured, or not for
``recapture_s``) are captured again, in one pipelined batch, and the capture is hashed so unchanged screens
are not detected twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .control import ControlClient, TmuxCommandError, quote

FIELDS = ("pane_id", "pane_pid", "pane_dead", "pane_dead_status", "window_activity", "session_name",
          "window_index", "pane_index", "window_panes", "pane_current_command", "pane_current_path",
          "pane_start_command", "pane_title")
SEP = "\t"
FORMAT = SEP.join("#{%s}" % f for f in FIELDS)


@dataclass
class PaneInfo:
    pane_id: str
    pane_pid: int | None
    dead: bool
    dead_status: int | None
    activity: int
    session_name: str
    window_index: str
    pane_index: str
    window_panes: int
    command: str
    path: str
    start_command: str
    title: str

    @property
    def name(self) -> str:
        if self.window_panes <= 1 and self.window_index in ("0", "1"):
            return self.session_name
        return f"{self.session_name}:{self.window_index}.{self.pane_index}"


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def parse_list(lines: list[str]) -> list[PaneInfo]:
    panes = []
    for line in lines:
        parts = line.split(SEP, len(FIELDS) - 1)  # the title comes last and may hold anything
        if len(parts) < len(FIELDS):
            continue
        v = dict(zip(FIELDS, parts))
        panes.append(PaneInfo(
            pane_id=v["pane_id"], pane_pid=_int(v["pane_pid"]), dead=v["pane_dead"] == "1",
            dead_status=_int(v["pane_dead_status"]), activity=_int(v["window_activity"]) or 0,
            session_name=v["session_name"], window_index=v["window_index"], pane_index=v["pane_index"],
            window_panes=_int(v["window_panes"]) or 1, command=v["pane_current_command"],
            path=v["pane_current_path"], start_command=v["pane_start_command"], title=v["pane_title"]))
    return panes


@dataclass
class Capture:
    screen: str
    digest: str
    changed: bool  # differs from the previous capture


class PaneTracker:
    """Remembers, per pane, when it was captured and what the capture hashed to."""

    def __init__(self, recapture_s: float = 10.0) -> None:
        self.recapture_s = recapture_s
        self._seen: dict[str, tuple[int, float, str, str]] = {}  # pane -> (activity, captured_at, digest, screen)

    def needs_capture(self, pane: PaneInfo, now: float) -> bool:
        seen = self._seen.get(pane.pane_id)
        if seen is None:
            return True
        activity, captured_at, _, _ = seen
        # window_activity has one-second resolution: activity in the second of the last capture may be newer.
        return pane.activity != activity or pane.activity >= int(captured_at) - 1 or now - captured_at >= self.recapture_s

    def record(self, pane: PaneInfo, screen: str, now: float) -> Capture:
        digest = hashlib.blake2b(screen.encode("utf-8", "replace"), digest_size=16).hexdigest()
        old = self._seen.get(pane.pane_id)
        self._seen[pane.pane_id] = (pane.activity, now, digest, screen)
        return Capture(screen, digest, old is None or old[2] != digest)

    def last(self, pane: PaneInfo) -> Capture | None:
        seen = self._seen.get(pane.pane_id)
        return None if seen is None else Capture(seen[3], seen[2], False)

    def forget_missing(self, present: set[str]) -> None:
        for pane_id in list(self._seen):
            if pane_id not in present:
                del self._seen[pane_id]


async def list_and_capture(client: ControlClient, tracker: PaneTracker, now: float
                           ) -> tuple[list[PaneInfo], dict[str, Capture]]:
    """One ``list-panes -a`` and one batch of captures; returns every pane and each pane's current capture."""
    panes = parse_list(await client.command(f"list-panes -a -F {quote(FORMAT)}"))
    tracker.forget_missing({p.pane_id for p in panes})
    wanted = [p for p in panes if tracker.needs_capture(p, now)]
    results = await client.commands([f"capture-pane -p -t {p.pane_id}" for p in wanted])
    captures: dict[str, Capture] = {}
    for pane, result in zip(wanted, results):
        if isinstance(result, TmuxCommandError):
            continue  # the pane closed between the list and the capture
        captures[pane.pane_id] = tracker.record(pane, "\n".join(result), now)
    for pane in panes:
        if pane.pane_id not in captures:
            last = tracker.last(pane)
            if last is not None:
                captures[pane.pane_id] = last
    return panes, captures
