"""Start and stop the demo fleet: a private tmux server running simulated agents in small git projects.

The same fleet backs `fleetdeck demo` and the integration tests, so what a person sees in the demo is what
the tests check.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnavailableError

# name, agent kind, project, sim arguments
AGENTS: list[tuple[str, str, str, list[str]]] = [
    ("api-claude", "claude", "api", ["--scenario", "cycle"]),
    ("web-claude", "claude", "web", ["--script", "working:5,permission,working:4,idle:10,loop",
                                     "--context-start", "62"]),
    ("infra-codex", "codex", "infra", ["--scenario", "cycle", "--speed", "1.3"]),
    ("docs-claude", "claude", "docs", ["--script", "context:7,working:8,idle", "--context-start", "7"]),
    ("ml-gemini", "gemini", "ml", ["--script", "working:3,usage-limit:900", "--context-start", "48"]),
    ("cli-aider", "aider", "cli", ["--scenario", "idle"]),
    ("etl-claude", "claude", "etl", ["--script", "working:12,crash", "--context-start", "30"]),
    ("ops-codex", "codex", "ops", ["--script", "working:8,idle:20,loop", "--context-start", "75"]),
]


@dataclass
class DemoFleet:
    socket: str
    home: Path
    projects: dict[str, Path] = field(default_factory=dict)
    sessions: list[str] = field(default_factory=list)

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, "-f", os.devnull, *args], capture_output=True,
                              text=True, check=check, timeout=20)

    def attach_command(self) -> str:
        return f"tmux -L {shlex.quote(self.socket)} attach"

    def pane_count(self) -> int:
        result = self.tmux("list-panes", "-a", "-F", "#{pane_id}", check=False)
        return len(result.stdout.split()) if result.returncode == 0 else 0

    def stop(self, *, remove_home: bool = True) -> None:
        from ..tmux.server import kill_server

        kill_server(self.socket)
        if remove_home:
            shutil.rmtree(self.home, ignore_errors=True)


def require_tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        raise UnavailableError("tmux is not installed (install it, e.g. `apt install tmux`, to run the demo)")
    return tmux


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "fleetdeck demo",
           "GIT_AUTHOR_EMAIL": "demo@fleetdeck.invalid", "GIT_COMMITTER_NAME": "fleetdeck demo",
           "GIT_COMMITTER_EMAIL": "demo@fleetdeck.invalid"}
    subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True, timeout=30)


def make_project(root: Path, name: str) -> Path:
    """A small git repository with a bare remote, like a real project an agent works in."""
    remote = root / "remotes" / f"{name}.git"
    work = root / "projects" / name
    remote.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    _git(remote, "init", "--bare", "-q", "-b", "main")
    _git(work, "init", "-q", "-b", "main")
    (work / "README.md").write_text(f"# {name}\n\nA demo project worked on by a simulated agent.\n")
    (work / "NOTES.md").write_text("# Notes\n")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "initial commit")
    _git(work, "remote", "add", "origin", str(remote))
    _git(work, "push", "-q", "-u", "origin", "main")
    return work


def start_fleet(home: Path, *, socket: str | None = None, agents: int | None = None) -> DemoFleet:
    """Start the private tmux server and one simulated agent per session; raise UnavailableError without tmux."""
    require_tmux()
    fleet = DemoFleet(socket=socket or f"fleetdeck-demo-{uuid.uuid4().hex[:8]}", home=home)
    chosen = AGENTS[: agents or len(AGENTS)]
    try:
        for name, kind, project, sim_args in chosen:
            if project not in fleet.projects:
                fleet.projects[project] = make_project(home, project)
            command = [sys.executable, "-m", "fleetdeck.services.agents.sim", "--kind", kind, *sim_args]
            args = ["new-session", "-d", "-s", name, "-x", "160", "-y", "45", "-c", str(fleet.projects[project]),
                    shlex.join(command)]
            if not fleet.sessions:
                fleet.tmux(*args)
                # Keep crashed agents' panes so the console can show them as dead, like a real fleet.
                fleet.tmux("set-option", "-g", "remain-on-exit", "on")
                fleet.tmux("set-option", "-g", "history-limit", "2000")
            else:
                fleet.tmux(*args)
            fleet.sessions.append(name)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        fleet.stop(remove_home=False)
        detail = getattr(exc, "stderr", "") or exc
        raise UnavailableError(f"could not start the demo tmux server: {str(detail).strip()}") from None
    return fleet
