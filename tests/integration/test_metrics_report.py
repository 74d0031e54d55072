"""`fleetdeck report perf`: uptime, restarts, CPU/memory percentiles, API latency, disk growth."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from fleetdeck.app.cli import main
from fleetdeck.services.metrics.storage import store_points
from fleetdeck.services.paths import resolve_paths
from fleetdeck.services.store import Store

HOUR = 3600


@pytest.fixture
def history(fleet_home: Path) -> int:
    store = Store.open(resolve_paths().ensure().db_file)
    now = int(time.time())
    start = now - 10 * HOUR
    store.execute("INSERT INTO sessions (id, key, name, state, restarts, created_at, started_at) VALUES"
                  " (1, 'k1', 'alpha', 'idle', 3, ?, ?)", (start, start))
    store.executemany(
        "INSERT INTO session_states (session_id, at, from_state, to_state) VALUES (1, ?, ?, ?)",
        [(start, None, "working"), (start + 2 * HOUR, "working", "dead"),
         (start + 3 * HOUR, "dead", "restarting"), (start + 3 * HOUR + 1800, "restarting", "idle")],
    )
    for i in range(10):
        at = start + i * HOUR
        store_points(store, at, [
            ("host_cpu_percent", {}, 10.0 * (i + 1)),
            ("host_memory_percent", {}, 50.0),
            ("host_disk_used_bytes", {"mount": "/"}, 1e9 + i * 1e8),
            ("session_cpu_percent", {"session_id": "1"}, float(i)),
            ("session_rss_bytes", {"session_id": "1"}, 2e8),
        ])
    store.executemany("INSERT INTO api_calls (at, model, latency_ms, source) VALUES (?, 'm', ?, 'log')",
                      [(now - 60, ms) for ms in range(1, 101)])
    store.close()
    return now


def test_report_perf_json_gives_uptime_percentiles_latency_and_disk_growth(
    history: int, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", "perf", "--days", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (alpha,) = data["sessions"]
    assert alpha["name"] == "alpha"
    assert alpha["uptime_percent"] == pytest.approx(85.0, abs=0.1)  # 1.5 h down of 10 h
    assert (alpha["restarts_in_window"], alpha["restarts_total"]) == (1, 3)
    assert alpha["cpu_percent"]["p50"] == 4.5 and alpha["cpu_percent"]["max"] == 9.0
    assert data["host_cpu_percent"] == {"samples": 10, "p50": 55.0, "p95": pytest.approx(95.5), "max": 100.0}
    (latency,) = data["latency"]
    assert (latency["model"], latency["calls"], latency["p50_ms"]) == ("m", 100, 50.5)
    (disk,) = data["disks"]
    assert disk["mount"] == "/" and disk["growth_bytes"] == pytest.approx(9e8)


def test_report_perf_prints_tables_for_people(history: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "perf"]) == 0
    out = capsys.readouterr().out
    assert "alpha" in out and "85.0%" in out
    assert "API latency" in out and "Disk growth" in out


def test_report_perf_rejects_a_non_positive_window(fleet_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "perf", "--days", "-1"]) == 64
    assert "--days must be positive" in capsys.readouterr().err
