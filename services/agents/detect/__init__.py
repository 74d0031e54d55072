"""Agent-state detectors: pure functions from what a pane shows to what its agent is doing.

``detect(kind, screen, title=, command=, dead=, now=)`` returns a :class:`Detection`; ``guess_kind`` tells which
agent draws a pane. One module per agent kind; each keys on several signals and says "unknown" rather than guess.
"""

from __future__ import annotations

from . import aider, claude, codex, gemini
from .common import Detection, recent_lines

KINDS = ("claude", "codex", "gemini", "aider", "shell")
SHELLS = {"bash", "zsh", "sh", "fish", "dash", "ksh", "tcsh", "csh", "login"}
_MODULES = {"claude": claude, "codex": codex, "gemini": gemini, "aider": aider}


def guess_kind(command: str, title: str, screen: str, previous: str | None = None) -> str:
    """The agent kind of a pane: its process name, else its screen's signature, else what it was before."""
    cmd = (command or "").lower()
    for kind in ("claude", "codex", "gemini", "aider"):
        if kind in cmd:
            return kind
    for kind, module in _MODULES.items():
        if module.SIGNATURE.search(screen or "") or module.TITLE_SIGNATURE.search(title or ""):
            return kind
    if previous and previous != "shell" and cmd not in SHELLS:
        return previous
    return "shell"


def detect(kind: str, screen: str, *, title: str = "", command: str = "", dead: bool = False,
           now: float = 0.0, previous_kind: str | None = None) -> Detection:
    if dead:
        return Detection("dead", detail="process exited")
    module = _MODULES.get(kind)
    if module is None:
        if previous_kind in _MODULES and (command or "").lower() in SHELLS:
            tail = " ".join(recent_lines(screen, 3))
            return Detection("dead", detail=f"agent exited: {tail[:200]}")
        return Detection("unknown")
    return module.detect(screen, title=title, now=now)
