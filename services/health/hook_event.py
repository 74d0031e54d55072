"""The command Claude Code's hooks run: append the event (from stdin) to fleetdeck's hook-events file.

    python -m fleetdeck.services.health.hook_event EVENTS_FILE

Stdlib only and always exits 0: a hook must never get in the agent's way.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    try:
        path = argv[1]
        raw = sys.stdin.read() if not sys.stdin.isatty() else "{}"
        data = json.loads(raw or "{}")
        entry = {
            "at": time.time(),
            "event": data.get("hook_event_name"),
            "session_id": data.get("session_id"),
            "transcript_path": data.get("transcript_path"),
            "cwd": data.get("cwd"),
            "notification_type": data.get("notification_type") or data.get("message"),
            "tmux_pane": os.environ.get("TMUX_PANE"),
            "tmux_socket": (os.environ.get("TMUX") or "").split(",")[0] or None,
        }
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(entry) + "\n").encode())  # one write: lines from parallel hooks stay whole
        finally:
            os.close(fd)
    except Exception:  # noqa: BLE001 - see the module docstring
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
