"""The assigner against simulated agents in a real tmux server: verbatim delivery, and kill -9 at any point."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fleetdeck.services.clock import SystemClock
from fleetdeck.services.health import Poller
from fleetdeck.services.queue.assigner import CRASH_ENV, Policy, assign_once
from fleetdeck.services.queue.prompts import NewPrompt, add_prompt, get_prompt

pytestmark = pytest.mark.tmux


def start_agent(socket: str, name: str, record: Path, work: float = 30.0) -> None:
    argv = [sys.executable, "-m", "fleetdeck.services.agents.sim", "--kind", "claude", "--scenario", "idle",
            "--work", str(work), "--record", str(record)]
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "40", "-s", name,
                    shlex.join(argv)], check=True)


async def poll_until(store, config, want: str, polls: int = 20) -> None:
    poller = Poller()
    try:
        for _ in range(polls):
            result = await poller.poll(store, config, SystemClock())
            if result.sessions and all(s.state == want for s in result.sessions):
                return
            await asyncio.sleep(0.3)
    finally:
        await poller.close()
    raise AssertionError(f"sessions never became {want}")


def received(record: Path, timeout: float = 10.0, count: int = 1) -> list[str]:
    deadline = time.monotonic() + timeout
    prompts: list[str] = []
    while time.monotonic() < deadline:
        if record.exists():
            prompts = [json.loads(line)["text"] for line in record.read_text().splitlines()
                       if line.strip() and json.loads(line)["type"] == "prompt"]
            if len(prompts) >= count:
                return prompts
        time.sleep(0.1)
    return prompts


@pytest.fixture
def fleet_config(config, tmux_socket):
    config.values.setdefault("tmux", {})["sockets"] = [tmux_socket]
    return config


async def test_a_100kb_prompt_with_control_characters_arrives_verbatim(tmux_socket, store, fleet_config,
                                                                       tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "agent", record)
    await poll_until(store, fleet_config, "idle")
    chunk = "line with\ttabs, quotes '\" $(x) ; && \x01\x02\x07\x08\x7f ünï 🚀\nnext line \\ end\n"
    text = (chunk * (100_000 // len(chunk) + 1))[:100_000]
    prompt = add_prompt(store, NewPrompt(text), now=time.time())
    report = assign_once(store, time.time(), Policy(enter_delay=0.3))
    assert [p for p, _ in report.assigned] == [prompt]
    got = received(record, timeout=30)
    assert len(got) == 1, f"the agent recorded {len(got)} prompts"
    differs = next((i for i, (a, b) in enumerate(zip(got[0], text)) if a != b), None)
    assert got[0] == text, f"lengths {len(got[0])} vs {len(text)}, first difference at {differs}"
    assert get_prompt(store, prompt)["status"] == "running"


def run_assigner(home: Path, socket: str, crash_at: str | None = None) -> int:
    env = dict(os.environ, FLEETDECK_HOME=str(home), FLEETDECK_TMUX_SOCKETS=socket,
               FLEETDECK_QUEUE_RECONCILE_GRACE_S="0.5", FLEETDECK_QUEUE_ENTER_DELAY="0.2")
    env.pop(CRASH_ENV, None)
    if crash_at:
        env[CRASH_ENV] = crash_at
    done = subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", "run", "assign"], env=env,
                          capture_output=True, timeout=30)
    return done.returncode


@pytest.mark.parametrize("crash_at", ["assigned", "pasted"])
async def test_kill_9_of_the_assigner_loses_nothing_and_sends_nothing_twice(
        tmux_socket, store, fleet_config, fleet_home: Path, tmp_path: Path, crash_at: str) -> None:
    record = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "agent", record)
    await poll_until(store, fleet_config, "idle")
    prompt = add_prompt(store, NewPrompt(f"crash test prompt ({crash_at}): please refactor the parser"),
                        now=time.time())

    assert run_assigner(fleet_home, tmux_socket, crash_at) == -9  # killed by SIGKILL mid-assignment
    assert get_prompt(store, prompt)["status"] == "assigning"
    time.sleep(1.0)  # past the reconcile grace; the agent has had time to show the prompt (or not)

    assert run_assigner(fleet_home, tmux_socket) == 0
    assert run_assigner(fleet_home, tmux_socket) == 0  # and once more: still nothing sent twice
    prompts = received(record, timeout=5)
    time.sleep(0.5)
    prompts = received(record, timeout=0.1)
    assert prompts == [get_prompt(store, prompt)["text"]]
    assert get_prompt(store, prompt)["status"] == "running"


async def test_a_prompt_is_completed_when_the_real_poller_sees_the_agent_idle_again(
        tmux_socket, store, fleet_config, tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "agent", record, work=1.5)
    await poll_until(store, fleet_config, "idle")
    prompt = add_prompt(store, NewPrompt("small job"), now=time.time())
    assign_once(store, time.time(), Policy(enter_delay=0.2))
    assert received(record) == ["small job"]
    await poll_until(store, fleet_config, "working")
    await poll_until(store, fleet_config, "idle", polls=30)
    report = assign_once(store, time.time() + 1, Policy(enter_delay=0.2))
    assert report.completed == [prompt]
    row = get_prompt(store, prompt)
    assert row["status"] == "completed" and row["finished_at"] >= row["started_at"]
