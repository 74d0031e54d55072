"""Fleet gauges from the store: sessions by state, queue depth, spend today, open error groups; disk alerts."""

from __future__ import annotations

from fleetdeck.services.metrics.alerts import check_disks
from fleetdeck.services.metrics.fleet import fleet_gauges, latency_by_model, start_of_day
from fleetdeck.services.metrics.host import DiskReading, HostReading
from fleetdeck.services.store import Store
from fleetdeck.services.store.migrate import migrate

NOW = 1_767_268_800  # 2026-01-01T12:00:00Z


def _session(store: Store, sid: int, state: str, gone: bool = False) -> None:
    store.execute(
        "INSERT INTO sessions (id, key, name, state, created_at, gone_at) VALUES (?, ?, ?, ?, ?, ?)",
        (sid, f"k{sid}", f"agent-{sid}", state, NOW - 3600, NOW if gone else None),
    )


def test_gauges_count_live_sessions_queue_and_todays_spend(store: Store) -> None:
    _session(store, 1, "working")
    _session(store, 2, "working")
    _session(store, 3, "dead")
    _session(store, 4, "idle", gone=True)
    for status in ("pending", "pending", "running", "completed"):
        store.execute("INSERT INTO prompts (text, status, created_at) VALUES ('x', ?, ?)", (status, NOW))
    for at, cost in ((NOW - 60, 1_500_000), (NOW - 13 * 3600, 9_000_000), (NOW - 30, None)):
        store.execute("INSERT INTO api_calls (at, model, cost_micros, source) VALUES (?, 'm', ?, 'log')", (at, cost))
    gauges = fleet_gauges(store, NOW)
    assert gauges.sessions_by_state == {"working": 2, "dead": 1}
    assert gauges.queue_by_status == {"pending": 2, "assigning": 0, "running": 1}
    assert gauges.spend_today_micros == 1_500_000


def test_open_error_groups_are_left_out_of_a_database_without_triage_tables(tmp_path) -> None:  # noqa: ANN001
    store = Store.open(tmp_path / "old.db", migrate_schema=False)
    migrate(store.conn, upto=5)  # a database from before the triage area
    assert fleet_gauges(store, NOW).error_groups_open is None
    store.close()


def test_open_error_groups_are_counted_when_the_triage_tables_exist(store: Store) -> None:
    store.executemany(
        "INSERT INTO error_groups (signature, kind, title, representative, first_seen, last_seen, status)"
        " VALUES (?, 'message', 't', 'r', 0, 0, ?)", [("a", "open"), ("b", "open"), ("c", "fixed")])
    assert fleet_gauges(store, NOW).error_groups_open == 2


def test_the_day_starts_at_midnight_in_the_configured_timezone() -> None:
    assert start_of_day(NOW) == NOW - 12 * 3600
    assert start_of_day(NOW, "America/New_York") == NOW - 12 * 3600 + 5 * 3600


def test_latency_percentiles_by_model_ignore_calls_without_latency(store: Store) -> None:
    rows = [(NOW - 10, "fast", ms) for ms in range(100, 200)] + [(NOW - 10, "slow", 2000), (NOW - 10, "slow", None)]
    store.executemany("INSERT INTO api_calls (at, model, latency_ms, source) VALUES (?, ?, ?, 'log')", rows)
    by_model = {r.model: r for r in latency_by_model(store, NOW - 3600)}
    assert by_model["fast"].calls == 100
    assert by_model["fast"].p50_ms == 149.5
    assert by_model["fast"].p95_ms == 194.05
    assert (by_model["slow"].calls, by_model["slow"].p95_ms) == (1, 2000)


def _host(percent: float) -> HostReading:
    return HostReading(1.0, (1.0,), 1, 1, 1.0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                       (DiskReading("/data", 100, int(percent), percent), DiskReading("/", 100, 10, 10.0)))


def test_a_full_disk_raises_one_alert_until_the_dedupe_window_passes(store: Store) -> None:
    assert check_disks(store, _host(93.0), 90.0, NOW) == ["/data"]
    assert check_disks(store, _host(94.0), 90.0, NOW + 60) == ["/data"]
    rows = store.query("SELECT severity, source, title, dedupe_key FROM outbox")
    assert [tuple(r) for r in rows] == [("warning", "metrics", "disk /data is 93% full", "metrics.disk:/data")]
    assert check_disks(store, _host(50.0), 90.0, NOW) == []
