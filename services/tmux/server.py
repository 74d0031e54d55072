"""Stopping a private tmux server completely: tmux (3.3 here) leaves its socket file behind when the server
exits, so a demo or test that only ran ``kill-server`` would leave one file per run in ``/tmp/tmux-UID/``."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from .paste import tmux_base


def socket_path(socket: str) -> Path:
    """Where tmux keeps the socket of ``tmux -L socket`` (a path is returned as it is)."""
    if "/" in socket:
        return Path(socket)
    return Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}" / socket


def kill_server(socket: str) -> None:
    """Stop the server on ``socket`` (if one runs) and remove its socket file."""
    try:
        subprocess.run([*tmux_base(socket), "kill-server"], capture_output=True, timeout=20, check=False)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        pass
    path = socket_path(socket)
    try:
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()
    except FileNotFoundError:
        pass
