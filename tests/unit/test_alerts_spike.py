"""Spike detection: fires on a synthetic spike, stays quiet through a normal week with daily cycles."""

from __future__ import annotations

import random

from fleetdeck.services.alerts.spike import check_spike, detect_spike
from fleetdeck.services.store import Store
from tests.fakes.spend_rows import add_calls

START = 1_767_225_600  # 2026-01-01 00:00 UTC
HOUR = 3600


def normal_week(store: Store, days: int = 8, seed: int = 7) -> None:
    """Busy 09-18 (~$4/h in 12 calls), quiet nights (~$0.10/h), quieter weekends, with noise."""
    rng = random.Random(seed)
    rows = []
    for h in range(days * 24):
        hour_of_day, weekday = h % 24, (h // 24 + 3) % 7  # Jan 1 2026 is a Thursday
        busy = 9 <= hour_of_day < 18
        per_hour = (4.0 if busy else 0.1) * (0.5 if weekday >= 5 else 1.0) * rng.uniform(0.7, 1.3)
        for k in range(12):
            cost = int(per_hour / 12 * 1_000_000)
            rows.append((START + h * HOUR + k * 300, "m", "w", "s", "/p", 10, 10, 0, 0, cost, cost, 1, "ok", "log"))
    add_calls(store, rows)


def test_no_spike_anywhere_in_a_normal_day_with_daily_cycles(store: Store) -> None:
    normal_week(store)
    day8 = START + 7 * 86400
    for minute in range(0, 24 * 60, 20):
        check = detect_spike(store, day8 + minute * 60, factor=3.0, min_usd=2.0)
        assert not check.spike, f"false spike at minute {minute}: {check}"


def test_a_burst_far_above_the_usual_rate_is_a_spike_and_alerts_once(store: Store, config) -> None:  # noqa: ANN001
    normal_week(store)
    now = START + 7 * 86400 + 14 * HOUR  # 14:00, a busy hour: usual ~$4/h
    add_calls(store, [(now - 600 + i, "m", "w", "s", "/p", 10, 10, 0, 0, 500_000, 500_000, 1, "ok", "log")
                      for i in range(60)])  # +$30 in ten minutes
    fired = check_spike(store, config, now)
    assert fired and fired["last_hour_micros"] > 30_000_000
    assert check_spike(store, config, now + 60) is None, "the same spike alerted twice in one hour"
    [row] = store.query("SELECT title, severity FROM outbox")
    assert row["title"].startswith("Spend spike: $3") and row["severity"] == "warning"


def test_small_amounts_never_count_as_a_spike(store: Store) -> None:
    now = START + 7 * 86400
    add_calls(store, [(now - 100, "m", "w", "s", "/p", 10, 10, 0, 0, 1_500_000, 0, 1, "ok", "log")])
    check = detect_spike(store, now, factor=3.0, min_usd=2.0)
    assert not check.spike  # $1.50 after a silent week is 'infinitely' above baseline, but under the floor
