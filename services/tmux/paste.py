"""Send text to an agent the safe way: paste it (bracketed), never type it as keys.

``load-buffer -`` reads the text from stdin into a named buffer, ``paste-buffer -p -r -d`` pastes it inside
bracketed-paste markers (the agent sees one paste, so C-c, ``;``, quotes, escapes and newlines stay text),
leaves linefeeds as they are and deletes the buffer; Enter follows after a short pause so the agent has taken
the paste in before it is submitted.
"""

from __future__ import annotations

import subprocess
import time
import uuid

from ..errors import UnavailableError


def tmux_base(socket: str) -> list[str]:
    """``tmux -S path`` for a socket path, ``tmux -L name`` for a socket name."""
    if "/" in socket:
        return ["tmux", "-S", socket]
    return ["tmux", "-L", socket]


def _run(argv: list[str], *, input_bytes: bytes | None = None) -> None:
    try:
        proc = subprocess.run(argv, input=input_bytes, capture_output=True, timeout=10, check=False)
    except FileNotFoundError:
        raise UnavailableError("tmux is not installed") from None
    except subprocess.TimeoutExpired:
        raise UnavailableError(f"tmux did not answer: {' '.join(argv[:4])}") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip() or f"exit {proc.returncode}"
        raise UnavailableError(f"tmux {argv[3] if len(argv) > 3 else ''}: {msg}")


def paste_text(socket: str, target: str, text: str, *, enter: bool = True, enter_delay: float = 0.15) -> None:
    """Paste ``text`` verbatim into pane ``target`` on tmux server ``socket``; then press Enter."""
    base = tmux_base(socket)
    buffer = f"fleetdeck-{uuid.uuid4().hex[:12]}"
    _run(base + ["load-buffer", "-b", buffer, "-"], input_bytes=text.encode("utf-8"))
    try:
        _run(base + ["paste-buffer", "-p", "-r", "-d", "-b", buffer, "-t", target])
    except UnavailableError:
        subprocess.run(base + ["delete-buffer", "-b", buffer], capture_output=True, check=False)
        raise
    if enter:
        time.sleep(enter_delay)
        send_keys(socket, target, "Enter")


def send_keys(socket: str, target: str, *keys: str) -> None:
    """Press named keys (Enter, Escape, y) — for answering prompts, never for text."""
    _run(tmux_base(socket) + ["send-keys", "-t", target, *keys])
