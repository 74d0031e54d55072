"""Raw samples older than the retention become 15-minute rollups holding their exact mean and max."""

from __future__ import annotations

import statistics

import pytest

from fleetdeck.services.metrics.storage import roll_up, series, store_points
from fleetdeck.services.store import Store

BUCKET = 900
NOW = 1_800_000_000 // BUCKET * BUCKET
DAY = 86400


def _raw(store: Store, start: int, count: int, step: int, metric: str = "host_cpu_percent",
         labels: dict[str, str] | None = None) -> list[tuple[int, float]]:
    written = []
    for i in range(count):
        at, value = start + i * step, float((i * 37) % 101)
        store_points(store, at, [(metric, labels or {}, value)])
        written.append((at, value))
    return written


def test_rollups_equal_the_mean_and_max_of_the_raw_samples_they_replace(store: Store) -> None:
    start = NOW - 3 * DAY
    written = _raw(store, start, 60, 60)  # one hour, a sample a minute: four buckets
    _raw(store, start, 60, 60, metric="session_rss_bytes", labels={"session_id": "3"})
    result = roll_up(store, NOW, raw_retention_s=2 * DAY, bucket_s=BUCKET, rollup_retention_s=90 * DAY)
    assert result.raw_rolled == 120
    assert store.scalar("SELECT count(*) FROM metric_samples") == 0
    rows = store.query("SELECT bucket, count, mean, max, min FROM metric_rollups WHERE metric = 'host_cpu_percent'"
                       " ORDER BY bucket")
    assert len(rows) == 4
    for row in rows:
        values = [v for at, v in written if row["bucket"] <= at < row["bucket"] + BUCKET]
        assert row["count"] == len(values) == 15
        assert row["mean"] == pytest.approx(statistics.fmean(values))
        assert row["max"] == max(values)
        assert row["min"] == min(values)
    assert store.scalar("SELECT count(*) FROM metric_rollups WHERE labels = 'session_id=3'") == 4


def test_recent_samples_stay_raw_and_a_bucket_is_never_split(store: Store) -> None:
    cutoff = NOW - 2 * DAY
    _raw(store, cutoff - 1800, 120, 30)  # an hour straddling the retention cutoff
    roll_up(store, NOW + 450, raw_retention_s=2 * DAY, bucket_s=BUCKET, rollup_retention_s=90 * DAY)
    assert store.scalar("SELECT min(at) FROM metric_samples") == cutoff
    assert store.scalar("SELECT sum(count) FROM metric_rollups") == 60


def test_rolling_up_again_changes_nothing_and_late_samples_merge_by_count(store: Store) -> None:
    start = NOW - 3 * DAY
    written = _raw(store, start, 15, 60)
    kwargs = dict(raw_retention_s=2 * DAY, bucket_s=BUCKET, rollup_retention_s=90 * DAY)
    roll_up(store, NOW, **kwargs)
    before = [tuple(r) for r in store.query("SELECT * FROM metric_rollups")]
    roll_up(store, NOW, **kwargs)
    assert [tuple(r) for r in store.query("SELECT * FROM metric_rollups")] == before
    store_points(store, start + 5, [("host_cpu_percent", {}, 500.0)])  # arrives late, same bucket
    roll_up(store, NOW, **kwargs)
    row = store.query_one("SELECT count, mean, max FROM metric_rollups")
    values = [v for _, v in written] + [500.0]
    assert (row["count"], row["max"]) == (16, 500.0)
    assert row["mean"] == pytest.approx(statistics.fmean(values))


def test_rollups_past_their_retention_are_dropped(store: Store) -> None:
    _raw(store, NOW - 100 * DAY, 4, 60)
    _raw(store, NOW - 10 * DAY, 4, 60)
    result = roll_up(store, NOW, raw_retention_s=2 * DAY, bucket_s=BUCKET, rollup_retention_s=90 * DAY)
    assert result.rollups_pruned == 1
    assert store.scalar("SELECT count(*) FROM metric_rollups") == 1


def test_history_reads_rollups_and_raw_samples_in_time_order(store: Store) -> None:
    _raw(store, NOW - 3 * DAY, 15, 60)
    _raw(store, NOW - 3600, 2, 60)
    roll_up(store, NOW, raw_retention_s=2 * DAY, bucket_s=BUCKET, rollup_retention_s=90 * DAY)
    points = series(store, "host_cpu_percent", NOW - 4 * DAY, NOW)[""]
    assert [p[0] for p in points] == [NOW - 3 * DAY, NOW - 3600, NOW - 3540]
