"""The poller watches simulated agents in a real tmux server and keeps the sessions table current."""

from __future__ import annotations

import asyncio
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fleetdeck.services.clock import SystemClock
from fleetdeck.services.health import Poller
from fleetdeck.services.tmux.paste import paste_text, send_keys

pytestmark = pytest.mark.tmux


def start_agent(socket: str, name: str, *args: str, record: Path | None = None) -> None:
    argv = [sys.executable, "-m", "fleetdeck.services.agents.sim", *args]
    if record is not None:
        argv += ["--record", str(record)]
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "40", "-s", name,
                    shlex.join(argv)], check=True)
    subprocess.run(["tmux", "-L", socket, "set-option", "-t", name, "remain-on-exit", "on"], check=True)


async def poll_until(poller: Poller, store, config, want: dict[str, str], polls: int = 12, gap: float = 0.5):
    states: dict[str, str] = {}
    for _ in range(polls):
        result = await poller.poll(store, config, SystemClock())
        states = {s.tmux_session: s.state for s in result.sessions}
        if all(states.get(k) == v for k, v in want.items()):
            return result
        await asyncio.sleep(gap)
    raise AssertionError(f"wanted {want}, saw {states}")


@pytest.fixture
def fleet_config(config, tmux_socket):
    config.values.setdefault("tmux", {})["sockets"] = [tmux_socket]
    return config


async def test_each_state_is_detected_within_two_polls_and_written(tmux_socket, store, fleet_config) -> None:
    scenarios = {"w": "working", "p": "permission", "i": "idle", "u": "usage-limit", "c": "crash"}
    kinds = ["claude", "codex", "gemini", "aider", "claude"]
    for (name, scenario), kind in zip(scenarios.items(), kinds):
        start_agent(tmux_socket, name, "--kind", kind, "--scenario", scenario, "--speed", "4")
    await asyncio.sleep(1.2)  # the scripted steps before the state (working:1 at speed 4)
    poller = Poller()
    want = {"w": "working", "p": "permission", "i": "idle", "u": "usage_limited", "c": "dead"}
    for _ in range(2):
        result = await poller.poll(store, fleet_config, SystemClock())
        states = {s.tmux_session: s.state for s in result.sessions}
        if states == want:
            break
        await asyncio.sleep(0.4)
    assert states == want
    rows = {r["tmux_session"]: r for r in store.query("SELECT * FROM sessions")}
    assert rows["p"]["state"] == "permission" and "Would you like to run" in rows["p"]["detail"]
    assert rows["u"]["reset_at"] is not None and rows["w"]["context_left"] is not None
    assert rows["w"]["agent_kind"] == "claude" and rows["i"]["agent_kind"] == "gemini"
    assert rows["w"]["pane_pid"] > 0
    transitions = store.query("SELECT to_state FROM session_states")
    assert {t["to_state"] for t in transitions} >= set(want.values())
    await poller.close()


async def test_answering_a_permission_prompt_reaches_the_agent(tmux_socket, store, fleet_config, tmp_path) -> None:
    record = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "a", "--kind", "claude", "--script", "permission", record=record)
    poller = Poller()
    result = await poll_until(poller, store, fleet_config, {"a": "permission"})
    snap = result.sessions[0]
    assert "Do you want to proceed?" in (snap.prompt or "")
    send_keys(tmux_socket, snap.pane_id, "y")
    await poll_until(poller, store, fleet_config, {"a": "working"})
    assert json.loads(record.read_text().splitlines()[0])["answer"] == "yes"
    await poller.close()


async def test_a_prompt_with_keys_quotes_and_escapes_arrives_verbatim(tmux_socket, tmp_path) -> None:
    record = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "a", "--kind", "claude", "--scenario", "idle", record=record)
    time.sleep(0.5)
    text = "C-c ; kill-server; \"double\" 'single' `tick` $HOME \\\n\x1b[31mred\x1b[0m\n\ttab C-m Enter\n" + "x" * 100_000
    paste_text(tmux_socket, "a", text)
    deadline = time.monotonic() + 20
    while not (record.exists() and record.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.1)
    entry = json.loads(record.read_text().splitlines()[0])
    assert entry["type"] == "prompt" and entry["text"] == text


async def test_server_killed_mid_poll_is_unavailable_then_recovers(tmux_socket, store, fleet_config) -> None:
    start_agent(tmux_socket, "a", "--kind", "claude", "--scenario", "idle")
    poller = Poller()
    await poll_until(poller, store, fleet_config, {"a": "idle"})
    subprocess.run(["tmux", "-L", tmux_socket, "kill-server"], check=True)
    result = await poller.poll(store, fleet_config, SystemClock())
    assert tmux_socket in result.unavailable
    row = store.query_one("SELECT state, detail FROM sessions")
    assert row["state"] == "unknown" and "unavailable" in row["detail"]
    start_agent(tmux_socket, "a", "--kind", "claude", "--scenario", "idle")
    result = await poll_until(poller, store, fleet_config, {"a": "idle"})
    assert not result.unavailable
    await poller.close()


async def test_sessions_of_a_socket_no_longer_watched_leave_the_live_list_and_come_back_with_it(
        tmux_socket, store, fleet_config) -> None:
    start_agent(tmux_socket, "a", "--kind", "claude", "--scenario", "idle")
    poller = Poller()
    await poll_until(poller, store, fleet_config, {"a": "idle"})
    fleet_config.values["tmux"]["sockets"] = ["fdtest-another-socket"]  # the user edited [tmux] sockets
    await poller.poll(store, fleet_config, SystemClock())
    row = store.query_one("SELECT state, gone_at, detail FROM sessions")
    assert row["gone_at"] is not None and row["state"] == "unknown" and "no longer watched" in row["detail"]
    assert store.scalar("SELECT count(*) FROM sessions WHERE gone_at IS NULL AND state = 'idle'") == 0, \
        "the assigner must not hand it a prompt"
    fleet_config.values["tmux"]["sockets"] = [tmux_socket]
    await poll_until(poller, store, fleet_config, {"a": "idle"})
    assert store.query_one("SELECT gone_at FROM sessions")["gone_at"] is None
    await poller.close()


async def test_a_socket_that_does_not_exist_is_listed_unavailable(store, config) -> None:
    config.values.setdefault("tmux", {})["sockets"] = ["fdtest-no-such-server"]
    result = await Poller().poll(store, config, SystemClock())
    assert "fdtest-no-such-server" in result.unavailable and result.sessions == []


async def test_closing_the_session_the_client_is_attached_to_is_not_an_outage(tmux_socket, store, fleet_config) -> None:
    start_agent(tmux_socket, "a", "--kind", "claude", "--scenario", "idle")
    start_agent(tmux_socket, "b", "--kind", "codex", "--scenario", "idle")
    poller = Poller()
    await poll_until(poller, store, fleet_config, {"a": "idle", "b": "idle"})
    subprocess.run(["tmux", "-L", tmux_socket, "kill-session", "-t", "a"], check=True)
    result = await poller.poll(store, fleet_config, SystemClock())
    assert not result.unavailable and [s.tmux_session for s in result.sessions] == ["b"]
    gone = store.query_one("SELECT state, gone_at FROM sessions WHERE tmux_session = 'a'")
    assert gone["gone_at"] is not None
    await poller.close()


@pytest.mark.parametrize("kind", ["claude", "codex", "gemini", "aider"])
def test_refusing_a_permission_prompt_reaches_the_agent(tmux_socket, tmp_path, kind) -> None:
    from fleetdeck.services.tmux.actions import answer_permission

    from fleetdeck.services.agents.detect import detect

    record = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "a", "--kind", kind, "--script", "permission", record=record)
    deadline = time.monotonic() + 20  # the answer is typed only once the prompt shows (a slow start takes a while)
    while detect(kind, subprocess.run(["tmux", "-L", tmux_socket, "capture-pane", "-p", "-t", "a"],
                                      capture_output=True, text=True).stdout).state != "permission":
        assert time.monotonic() < deadline, "the permission prompt never showed"
        time.sleep(0.1)
    answer_permission(tmux_socket, "a", kind, yes=False)
    while not (record.exists() and record.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert json.loads(record.read_text().splitlines()[0])["answer"] == "no"


async def test_hook_events_win_over_the_screen(tmux_socket, store, fleet_config) -> None:
    from fleetdeck.services.health.hookevents import HookEvents, socket_path

    start_agent(tmux_socket, "a", "--kind", "claude", "--scenario", "idle")
    poller = Poller()
    result = await poll_until(poller, store, fleet_config, {"a": "idle"})
    events = HookEvents.default_path(fleet_config.paths)
    events.parent.mkdir(parents=True, exist_ok=True)
    events.write_text(json.dumps({"at": time.time() + 1, "event": "PermissionRequest", "tmux_pane":
                                  result.sessions[0].pane_id, "tmux_socket": socket_path(tmux_socket)}) + "\n")
    result = await poller.poll(store, fleet_config, SystemClock())
    assert result.sessions[0].state == "permission" and result.sessions[0].source == "hook"
    await poller.close()


@pytest.mark.parametrize("chunk", [61, 256 * 1024])
async def test_a_batch_of_captures_comes_back_whole_and_in_order(tmux_socket, monkeypatch, chunk) -> None:
    from fleetdeck.services.tmux import control
    from fleetdeck.services.tmux.control import ControlClient
    from fleetdeck.services.tmux.panes import PaneTracker, list_and_capture

    monkeypatch.setattr(control, "READ_CHUNK", chunk)  # 61 bytes: reads end mid-line and mid-character
    # Screens full of multi-byte text, enough of them that the replies arrive over many pipe reads.
    script = "for i in $(seq 1 38); do printf 'pane %s line %02d: é漢字🙂 %%end 1 2 x\\n' \"$P\" $i; done; sleep 60"
    for n in range(24):
        subprocess.run(["tmux", "-L", tmux_socket, "new-session", "-d", "-s", f"cap{n}", "-x", "120", "-y", "40",
                        "-e", f"P={n}", "sh", "-c", script], check=True)
    client = ControlClient(tmux_socket)
    try:
        for _ in range(50):
            panes, captures = await list_and_capture(client, PaneTracker(), time.time())
            if len(panes) == 24 and all("line 38" in c.screen for c in captures.values()):
                break
            await asyncio.sleep(0.1)
        screens = {int(c.screen.split()[1]): c.screen.splitlines() for c in captures.values()}
        assert sorted(screens) == list(range(24))
        for n, lines in screens.items():
            assert lines[:38] == [f"pane {n} line {i:02d}: é漢字🙂 %end 1 2 x" for i in range(1, 39)]
    finally:
        await client.close()
