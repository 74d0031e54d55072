"""Per-session CPU and memory attributed to real agent processes in real tmux panes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fleetdeck.services.metrics.procs import ProcessTracker
from fleetdeck.services.store import Store

pytestmark = pytest.mark.tmux

BUSY = f"{sys.executable} -c 'while True: pass'"
IDLE = "sleep 600"


def _pane(socket: str, name: str, command: str) -> int:
    """Start ``command`` in its own tmux session; return the pane's pid."""
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", name, "-x", "80", "-y", "20", command],
                   check=True)
    out = subprocess.run(["tmux", "-L", socket, "display-message", "-p", "-t", name, "#{pane_pid}"],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def _add_session(store: Store, sid: int, name: str, pane_pid: int) -> None:
    now = int(time.time())
    store.execute(
        "INSERT INTO sessions (id, key, name, pane_pid, state, restarts, created_at, started_at)"
        " VALUES (?, ?, ?, ?, 'working', 1, ?, ?)", (sid, f"k{sid}", name, pane_pid, now - 60, now - 60))


def test_a_busy_agent_gets_the_cpu_and_an_idle_one_gets_none(tmux_socket: str) -> None:
    busy, idle = _pane(tmux_socket, "busy", BUSY), _pane(tmux_socket, "idle", IDLE)
    tracker = ProcessTracker()
    tracker.sample({1: busy, 2: idle})
    time.sleep(1.0)
    usage = tracker.sample({1: busy, 2: idle, 3: 999_999_999})
    # The machine is shared: the spinner gets a share of a core, the sleeper practically nothing.
    assert usage[1].cpu_percent > 10.0
    assert usage[2].cpu_percent < 2.0
    assert usage[1].rss_bytes > 1_000_000 and usage[2].rss_bytes > 0
    assert 3 not in usage  # a pane pid that is no process is skipped quietly


def test_children_of_the_pane_process_are_part_of_its_tree(tmux_socket: str) -> None:
    parent = ("import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'while True: pass']);"
              " time.sleep(600)")
    pid = _pane(tmux_socket, "tree", f'{sys.executable} -c "{parent}"')
    time.sleep(0.3)  # let the parent start its child
    tracker = ProcessTracker()
    tracker.sample({1: pid})
    time.sleep(1.0)
    usage = tracker.sample({1: pid})[1]
    assert usage.processes >= 2
    assert usage.cpu_percent > 10.0  # the busy child's CPU counts for its pane


def test_collect_metrics_stores_session_usage_and_writes_a_textfile(
    tmux_socket: str, fleet_home: Path, tmp_path: Path,
) -> None:
    from fleetdeck.services.paths import resolve_paths

    store = Store.open(resolve_paths().ensure().db_file)
    _add_session(store, 1, "busy-agent", _pane(tmux_socket, "busy", BUSY))
    _add_session(store, 2, "idle-agent", _pane(tmux_socket, "idle", IDLE))
    textfile = tmp_path / "prom"

    run = subprocess.run(
        [sys.executable, "-m", "fleetdeck.app.cli", "run", "collect-metrics", "--textfile", str(textfile), "--json"],
        capture_output=True, text=True, timeout=60, env=os.environ.copy(),
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "ok" and result["summary"]["sessions"] == 2

    cpu = dict(store.query("SELECT labels, value FROM metric_samples WHERE metric = 'session_cpu_percent'"))
    assert cpu["session_id=1"] > 10.0 > 2.0 > cpu["session_id=2"]
    assert store.scalar("SELECT count(*) FROM metric_samples WHERE metric = 'host_cpu_percent'") == 1
    families = {f.name: f for f in text_string_to_metric_families((textfile / "fleetdeck.prom").read_text())}
    names = {s.labels["session"] for s in families["fleetdeck_session_rss_bytes"].samples}
    assert names == {"busy-agent", "idle-agent"}
    assert families["fleetdeck_sessions"].samples[0].labels == {"state": "working"}
    store.close()


def _collect(*args: str, env: dict[str, str] | None = None) -> dict:
    run = subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", "run", "collect-metrics", "--json", *args],
                         capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_a_disk_over_the_configured_threshold_alerts_once_and_dry_run_stores_nothing(fleet_home: Path) -> None:
    from fleetdeck.services.paths import resolve_paths

    full = {"FLEETDECK_METRICS_DISK_ALERT_PERCENT": "0.001"}  # every real disk is "full" at this threshold
    dry = _collect("--dry-run", env=full)
    assert dry["summary"]["would_store"] > 10
    store = Store.open(resolve_paths().ensure().db_file)
    assert store.scalar("SELECT count(*) FROM metric_samples") == 0
    assert store.scalar("SELECT count(*) FROM outbox") == 0

    assert _collect(env=full)["summary"]["disks_full"] == ["/"]
    assert _collect(env=full)["summary"]["disks_full"] == ["/"]
    alerts = store.query("SELECT source, title, dedupe_key FROM outbox")
    assert len(alerts) == 1 and alerts[0]["dedupe_key"] == "metrics.disk:/"
    assert alerts[0]["title"].startswith("disk / is ")
    store.close()
