"""The node_exporter textfile is valid Prometheus text and is never seen half-written."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from fleetdeck.services.metrics.collector import Collector, SessionSample, Snapshot
from fleetdeck.services.metrics.fleet import FleetGauges, LatencyRow, SessionRow
from fleetdeck.services.metrics.procs import SessionUsage
from fleetdeck.services.metrics.prometheus import write_textfile


def _snapshot() -> Snapshot:
    host = Collector(["/"]).host.sample()
    session = SessionRow(7, 'agent "one"', 123, "working", 2, 1, 1, None)
    return Snapshot(
        1_767_225_600.0, host,
        (SessionSample(session, SessionUsage(7, 3, 12.5, 50_000_000)),),
        FleetGauges({"working": 1}, {"pending": 4, "assigning": 0, "running": 1}, 2_500_000, None),
        (LatencyRow("claude-sonnet-4-5", 10, 800.0, 1900.0, 2100.0),),
    )


def _families(text: str) -> dict[str, list]:
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def test_textfile_holds_documented_names_and_labels(tmp_path: Path) -> None:
    path = write_textfile(tmp_path / "textfile", _snapshot())
    families = _families(path.read_text())
    assert {"fleetdeck_host_cpu_percent", "fleetdeck_host_disk_percent", "fleetdeck_sessions",
            "fleetdeck_queue_prompts", "fleetdeck_spend_today_dollars", "fleetdeck_session_cpu_percent",
            "fleetdeck_api_latency_seconds", "fleetdeck_sample_timestamp_seconds"} <= set(families)
    assert "fleetdeck_error_groups_open" not in families
    (cpu,) = families["fleetdeck_session_cpu_percent"]
    assert cpu.labels == {"session": 'agent "one"', "session_id": "7"} and cpu.value == 12.5
    assert families["fleetdeck_spend_today_dollars"][0].value == 2.5
    latency = {s.labels["quantile"]: s.value for s in families["fleetdeck_api_latency_seconds"]}
    assert latency == {"0.5": 0.8, "0.95": 1.9}
    assert {s.labels["mount"] for s in families["fleetdeck_host_disk_percent"]} == {"/"}


def test_a_reader_never_sees_a_half_written_textfile(tmp_path: Path) -> None:
    snapshot = _snapshot()
    path = write_textfile(tmp_path, snapshot)
    expected = set(_families(path.read_text()))
    stop = threading.Event()
    reads: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            reads.append(path.read_text())
            time.sleep(0.0005)  # leave the writer the GIL now and then

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(150):
            write_textfile(tmp_path, snapshot)
    finally:
        stop.set()
        thread.join()
    assert len(reads) > 10
    for text in set(reads):  # a torn read would differ from the whole file
        assert set(_families(text)) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fleetdeck.prom"]  # no temp files left behind
