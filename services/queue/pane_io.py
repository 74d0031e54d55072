"""The two things the assigner does to a tmux pane: paste a prompt into it, and read what it shows.

Pasting goes through the session-health area's ``paste_text`` (load-buffer + paste-buffer -p, then Enter).
Until that module is present this falls back to the same recipe here, so the queue works on its own.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid


class PaneGone(Exception):
    """The pane is not there any more (or its tmux server is not running)."""


def _tmux(socket: str) -> list[str]:
    return ["tmux", "-S" if "/" in socket else "-L", socket]


def paste(socket: str, target: str, text: str, *, enter_delay: float = 0.15) -> None:
    try:
        from fleetdeck.services.tmux.paste import paste_text  # type: ignore[import-not-found]
    except ImportError:
        paste_text = None
    if paste_text is not None:
        try:
            paste_text(socket, target, text, enter=True, enter_delay=enter_delay)
        except Exception as exc:  # noqa: BLE001 - whatever it raises, the pane did not get the text
            raise PaneGone(str(exc)) from exc
        return
    buffer = f"fleetdeck-{uuid.uuid4().hex[:12]}"
    base = _tmux(socket)
    steps = [
        (base + ["load-buffer", "-b", buffer, "-"], text.encode("utf-8", "surrogateescape")),
        (base + ["paste-buffer", "-d", "-p", "-r", "-b", buffer, "-t", target], None),
    ]
    for argv, data in steps:
        done = subprocess.run(argv, input=data, capture_output=True, timeout=10, check=False)
        if done.returncode != 0:
            subprocess.run(base + ["delete-buffer", "-b", buffer], capture_output=True, check=False)
            raise PaneGone(done.stderr.decode(errors="replace").strip() or f"tmux exited {done.returncode}")
    time.sleep(enter_delay)
    subprocess.run(base + ["send-keys", "-t", target, "Enter"], capture_output=True, timeout=10, check=False)


def capture(socket: str, target: str, lines: int = 300) -> str:
    done = subprocess.run(_tmux(socket) + ["capture-pane", "-p", "-J", "-S", f"-{lines}", "-t", target],
                          capture_output=True, timeout=10, check=False)
    if done.returncode != 0:
        raise PaneGone(done.stderr.decode(errors="replace").strip())
    return done.stdout.decode("utf-8", errors="replace")


_SPACE = re.compile(r"\s+")


def shows_prompt(screen: str, text: str) -> bool:
    """Whether ``screen`` shows the start of ``text``'s first line (whitespace-insensitive, since panes wrap
    and trim, and agents echo only the first line of what they were sent)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    probe = _SPACE.sub(" ", "".join(ch for ch in first if ch.isprintable() or ch == " ")).strip()[:40]
    if not probe:
        return False
    return probe in _SPACE.sub(" ", screen)
