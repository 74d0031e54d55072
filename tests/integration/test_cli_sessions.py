"""`fleetdeck sessions` headless, on a private tmux server: what it lists after the user acts."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.helpers import run_cli


def test_a_killed_session_is_no_longer_listed_even_when_its_server_went_with_it(fleet_home: Path,
                                                                               tmux_socket: str) -> None:
    env = {"FLEETDECK_TMUX_SOCKETS": tmux_socket}
    started = run_cli(["sessions", "new", "--name", "only", "--dir", str(fleet_home), "--command", "sleep 600"],
                      env=env)
    assert started.returncode == 0, started.stderr
    listed = json.loads(run_cli(["sessions", "--json"], env=env).stdout)
    assert [s["name"] for s in listed["sessions"]] == ["only"]
    killed = run_cli(["sessions", "kill", "only"], env=env)
    assert killed.returncode == 0, killed.stderr
    for _ in range(20):  # the server exits with its last pane
        after = json.loads(run_cli(["sessions", "--json"], env=env).stdout)
        if tmux_socket in after["unavailable"]:
            break
        time.sleep(0.1)
    assert after["sessions"] == []  # was: still listed, in state 'unknown'
    again = run_cli(["sessions", "kill", "only"], env=env)
    assert again.returncode == 65 and "no live session" in again.stderr


def test_a_session_name_already_taken_is_a_usage_error_not_tmux_unavailable(fleet_home: Path,
                                                                           tmux_socket: str) -> None:
    env = {"FLEETDECK_TMUX_SOCKETS": tmux_socket}
    new = ["sessions", "new", "--name", "twin", "--dir", str(fleet_home), "--command", "sleep 600"]
    assert run_cli(new, env=env).returncode == 0
    again = run_cli(new, env=env)
    assert again.returncode == 64, again.stderr  # was 69, as if tmux were down
    assert "already exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_sessions_without_tmux_installed_exits_69(fleet_home: Path, tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    result = run_cli(["sessions", "--json"], env={"PATH": str(tmp_path / "bin")})  # a PATH without tmux
    assert result.returncode == 69  # was 0: an empty list that could not be true
    assert "tmux is not installed" in json.loads(result.stdout)["unavailable"]["default"]
