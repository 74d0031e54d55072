"""Claude Code hook events: exact state signals appended to a file by ``fleetdeck hooks install``'s hook.

Each line is JSON: {"at", "event", "tmux_pane", "tmux_socket", "session_id", "cwd", ...}. The reader keeps its
file offset between polls, skips and counts torn lines, and remembers each pane's latest state.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

EVENT_STATES = {
    "SessionStart": "idle",
    "UserPromptSubmit": "working",
    "PreCompact": "working",
    "PermissionRequest": "permission",
    "Stop": "idle",
    "SubagentStop": None,
    "SessionEnd": "dead",
}


def socket_path(socket: str) -> str:
    """The filesystem path of a tmux socket given by name (-L) or path (-S)."""
    if "/" in socket:
        return os.path.abspath(socket)
    base = os.environ.get("TMUX_TMPDIR") or "/tmp"
    return os.path.join(base, f"tmux-{os.getuid()}", socket)


def state_for(event: dict[str, Any]) -> str | None:
    name = event.get("event") or event.get("hook_event_name")
    if name == "Notification":
        kind = str(event.get("notification_type") or event.get("message") or "").lower()
        if "permission" in kind:
            return "permission"
        if "idle" in kind or "waiting for your input" in kind:
            return "idle"
        return None
    return EVENT_STATES.get(str(name))


class HookEvents:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._latest: dict[tuple[str, str], dict[str, Any]] = {}
        self.torn = 0

    @staticmethod
    def default_path(paths: Any) -> Path:
        return Path(paths.state_dir) / "hooks" / "events.jsonl"

    def latest(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(socket path, pane id) -> {"state", "at", "event"} for the newest event of each pane."""
        try:
            size = self.path.stat().st_size
        except OSError:
            return self._latest
        if size < self._offset:
            self._offset = 0  # the file was rotated
        with open(self.path, "rb") as fh:
            fh.seek(self._offset)
            data = fh.read()
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next poll
        self._offset += end
        for raw in data[:end].splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                self.torn += 1
                continue
            state = state_for(event)
            pane, sock = event.get("tmux_pane"), event.get("tmux_socket")
            if state is None or not pane or not sock:
                continue
            self._latest[(os.path.abspath(sock), pane)] = {"state": state, "at": float(event.get("at") or 0),
                                                          "event": event.get("event")}
        return self._latest
