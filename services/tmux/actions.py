"""What can be done to an agent's pane: send a prompt, answer a permission prompt, restart, kill, start one.

Text always goes through :func:`paste_text` (bracketed paste); only the fixed answer keys are sent as keys.
Sessions are created with libtmux; pane-level commands go straight to the tmux command line.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from ..errors import UnavailableError, UsageError
from .paste import paste_text, send_keys, tmux_base

# Keys that answer a permission question, per agent kind: (yes, no).
ANSWER_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "claude": (("1",), ("Escape",)),
    "codex": (("y",), ("Escape",)),
    "gemini": (("Enter",), ("Escape",)),
    "aider": (("y", "Enter"), ("n", "Enter")),
}


def _tmux(socket: str, *args: str) -> str:
    try:
        proc = subprocess.run(tmux_base(socket) + list(args), capture_output=True, text=True, timeout=10)
    except FileNotFoundError:
        raise UnavailableError("tmux is not installed") from None
    if proc.returncode != 0:
        raise UnavailableError(f"tmux {args[0]}: {proc.stderr.strip() or proc.returncode}")
    return proc.stdout


def send_prompt(socket: str, pane_id: str, text: str) -> None:
    if not text.strip():
        raise UsageError("the prompt is empty")
    paste_text(socket, pane_id, text)


def answer_permission(socket: str, pane_id: str, kind: str, yes: bool) -> None:
    keys = ANSWER_KEYS.get(kind, ANSWER_KEYS["claude"])[0 if yes else 1]
    send_keys(socket, pane_id, *keys)


def restart_pane(socket: str, pane_id: str) -> None:
    """Kill the pane's process and start its original command again in the same pane."""
    _tmux(socket, "respawn-pane", "-k", "-t", pane_id)


def kill_pane(socket: str, pane_id: str) -> None:
    _tmux(socket, "kill-pane", "-t", pane_id)


def new_session(socket: str, name: str, project_dir: str, command: str) -> str:
    """Start ``command`` in a new detached tmux session; return its pane id."""
    import libtmux

    if not os.path.isdir(project_dir):
        raise UsageError(f"not a directory: {project_dir}")
    if not name or any(c in name for c in ".:"):
        raise UsageError(f"bad session name {name!r} (no '.' or ':')")
    kwargs = {"socket_path": socket} if "/" in socket else {"socket_name": socket}
    server = libtmux.Server(**kwargs)
    try:
        session = server.new_session(session_name=name, start_directory=project_dir, window_command=command,
                                     attach=False)
    except libtmux.exc.TmuxSessionExists:  # the name is taken: the user's to change, tmux is fine
        raise UsageError(f"a tmux session named {name!r} already exists on {socket}") from None
    except libtmux.exc.LibTmuxException as exc:
        raise UnavailableError(f"tmux new-session: {exc}") from None
    session.set_option("remain-on-exit", "on")  # a crash stays visible as a dead pane
    pane = session.active_window.active_pane
    return str(pane.pane_id)


def jump(socket: str, target: str, *, inside_tmux: bool | None = None) -> str | None:
    """Switch the current tmux client to ``target`` when inside tmux on that server; else return the command
    that attaches to it."""
    attach = " ".join(shlex.quote(a) for a in tmux_base(socket) + ["attach", "-t", target])
    inside = bool(os.environ.get("TMUX")) if inside_tmux is None else inside_tmux
    if inside:
        try:
            _tmux(socket, "switch-client", "-t", target)
            return None
        except UnavailableError:
            return attach
    return attach
