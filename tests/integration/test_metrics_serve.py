"""`fleetdeck metrics serve` answers Prometheus scrapes on the loopback interface."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from fleetdeck.services.paths import resolve_paths
from fleetdeck.services.store import Store


def test_metrics_are_scraped_over_loopback(fleet_home: Path) -> None:
    store = Store.open(resolve_paths().ensure().db_file)
    now = int(time.time())
    store.execute("INSERT INTO sessions (id, key, name, pane_pid, state, created_at) VALUES (1, 'k', 'self', ?,"
                  " 'idle', ?)", (os.getpid(), now))
    store.execute("INSERT INTO api_calls (at, model, latency_ms, cost_micros, source) VALUES (?, 'm1', 700,"
                  " 250000, 'log')", (now,))
    store.close()
    proc = subprocess.Popen([sys.executable, "-m", "fleetdeck.app.cli", "metrics", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"http://127\.0\.0\.1:(\d+)/metrics", line)
        assert match, line + proc.stderr.read()  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{match.group(1)}/metrics"
        for _ in range(2):  # the second scrape samples again, with rates since the first
            with urllib.request.urlopen(url, timeout=10) as response:
                text = response.read().decode()
        families = {f.name: f.samples for f in text_string_to_metric_families(text)}
        assert families["fleetdeck_session_rss_bytes"][0].labels == {"session": "self", "session_id": "1"}
        assert families["fleetdeck_session_cpu_percent"][0].value >= 0
        assert families["fleetdeck_sessions"][0].labels == {"state": "idle"}
        assert families["fleetdeck_spend_today_dollars"][0].value == 0.25
        assert {s.labels["quantile"]: s.value for s in families["fleetdeck_api_latency_seconds"]} == \
            {"0.5": 0.7, "0.95": 0.7}
        assert families["fleetdeck_host_memory_total_bytes"][0].value > 0
        try:  # a mistyped path is not answered with the metrics, as if it were right
            urllib.request.urlopen(url.replace("/metrics", "/metric"), timeout=10)
            raise AssertionError("a path other than /metrics was answered")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_rejects_a_port_out_of_range(fleet_home: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", "metrics", "serve", "--port", "70000"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 64
    assert result.stderr.strip() == "fleetdeck: --port must be 0-65535, got 70000"
