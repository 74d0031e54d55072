"""The demo fleet: simulated agents on a private tmux server that start, show up, and leave nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fleetdeck.services.demo.fleet import start_fleet
from fleetdeck.services.tmux.server import socket_path

pytestmark = pytest.mark.tmux


def server_alive(socket: str) -> bool:
    return subprocess.run(["tmux", "-L", socket, "list-sessions"], capture_output=True).returncode == 0


def test_the_demo_fleet_starts_at_least_six_agents_on_a_private_socket_and_stops_cleanly(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    home = tmp_path / "demo-home"
    home.mkdir()
    fleet = start_fleet(home)
    try:
        assert fleet.socket.startswith("fleetdeck-demo-")
        assert socket_path(fleet.socket).exists()
        assert fleet.pane_count() >= 6
        commands = fleet.tmux("list-panes", "-a", "-F", "#{pane_start_command}").stdout
        assert commands.count("fleetdeck.services.agents.sim") >= 6
        assert all((p / ".git").is_dir() for p in fleet.projects.values())
    finally:
        fleet.stop()
    assert not server_alive(fleet.socket)
    assert not socket_path(fleet.socket).exists()  # tmux itself leaves the socket file behind
    assert not home.exists()


def test_demo_exits_69_with_the_reason_when_tmux_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty PATH: no tmux
    result = subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", "demo", "--no-console"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 69
    assert "tmux is not installed" in result.stderr


def open_demo_console(tmp_path: Path, tmux_socket: str, agents: int) -> tuple[Path, str]:
    """`fleetdeck demo` in a real terminal (a tmux pane) until its console shows: (its TMPDIR, its socket)."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    command = (f"TMPDIR={tmpdir} {sys.executable} -m fleetdeck.app.cli demo --agents {agents};"
               f" echo EXITED $? > {tmp_path}/rc")
    subprocess.run(["tmux", "-L", tmux_socket, "-f", os.devnull, "new-session", "-d", "-x", "160", "-y", "45",
                    command], check=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        homes = list(tmpdir.glob("fleetdeck-demo-*"))
        screen = subprocess.run(["tmux", "-L", tmux_socket, "capture-pane", "-p"], capture_output=True,
                                text=True).stdout
        if homes and "Sessions" in screen and "Metrics" in screen:
            config = (homes[0] / "config.toml").read_text()
            return tmpdir, config.split('sockets = ["', 1)[1].split('"', 1)[0]
        time.sleep(0.5)
    raise AssertionError("the console did not open on the demo fleet")


def test_quitting_the_demo_console_stops_the_fleet_and_removes_its_files(tmp_path: Path, tmux_socket: str) -> None:
    """Run `fleetdeck demo` in a real terminal (a tmux pane), press q, and check nothing is left."""
    tmpdir, demo_socket = open_demo_console(tmp_path, tmux_socket, 6)
    assert server_alive(demo_socket)
    time.sleep(2)
    subprocess.run(["tmux", "-L", tmux_socket, "send-keys", "q"], check=True)
    deadline = time.time() + 30
    while time.time() < deadline and not (tmp_path / "rc").exists():
        time.sleep(0.3)
    assert (tmp_path / "rc").read_text().strip() == "EXITED 0"
    assert not server_alive(demo_socket)
    assert not socket_path(demo_socket).exists()
    assert list(tmpdir.glob("fleetdeck-demo-*")) == []


def test_closing_the_terminal_of_the_demo_stops_the_fleet_too(tmp_path: Path, tmux_socket: str) -> None:
    """The terminal goes away (SIGHUP) instead of q: the simulated agents must not be left running for good."""
    tmpdir, demo_socket = open_demo_console(tmp_path, tmux_socket, 3)
    assert server_alive(demo_socket)
    subprocess.run(["tmux", "-L", tmux_socket, "kill-server"], check=True)  # hangs up the demo's terminal
    deadline = time.time() + 30
    while time.time() < deadline and (server_alive(demo_socket) or list(tmpdir.glob("fleetdeck-demo-*"))):
        time.sleep(0.3)
    # (this failed once inside a full suite under heavy load and never alone: say what was left if it does)
    left = {"server alive": server_alive(demo_socket), "socket file": socket_path(demo_socket).exists(),
            "demo homes": [str(p) for p in tmpdir.glob("fleetdeck-demo-*")],
            "demo processes": _demo_processes()}
    assert not left["server alive"] and not left["socket file"] and left["demo homes"] == [], left


def _demo_processes() -> list[str]:
    """Command lines of `fleetdeck demo` processes still running (read from /proc; no pgrep needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"fleetdeck.app.cli" in argv and b"demo" in argv:
            found.append(f"{entry.name}: {b' '.join(argv).decode(errors='replace')}")
    return found
