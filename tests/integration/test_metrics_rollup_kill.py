"""Rollup + delete killed part-way through loses and duplicates nothing when run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fleetdeck.services.metrics.storage import roll_up
from fleetdeck.services.store import Store

BUCKET = 900
NOW = 1_800_000_000 // BUCKET * BUCKET
DAY = 86400
BUCKETS = 3000
PER_BUCKET = 4
KW = dict(raw_retention_s=2 * DAY, bucket_s=BUCKET, rollup_retention_s=90 * DAY)

ROLLER = """
import sys
from fleetdeck.services.metrics.storage import roll_up
from fleetdeck.services.store import Store
store = Store.open(sys.argv[1])
roll_up(store, {now}, batch_buckets=1, **{kw!r})
"""


def _fill(store: Store) -> tuple[float, float]:
    start = NOW - 3 * DAY - BUCKETS * BUCKET
    rows = []
    for b in range(BUCKETS):
        for i in range(PER_BUCKET):
            rows.append((start + b * BUCKET + i * 200, "host_cpu_percent", "", float((b * 7 + i * 13) % 97)))
    store.executemany("INSERT INTO metric_samples (at, metric, labels, value) VALUES (?, ?, ?, ?)", rows)
    return sum(r[3] for r in rows), max(r[3] for r in rows)


def test_a_killed_rollup_rerun_accounts_for_every_sample_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "metrics.db"
    store = Store.open(db)
    total, top = _fill(store)
    proc = subprocess.Popen([sys.executable, "-c", ROLLER.format(now=NOW, kw=KW), str(db)])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and proc.poll() is None:
        if (store.scalar("SELECT count(*) FROM metric_rollups") or 0) > 20:
            break
        time.sleep(0.01)
    killed_midway = proc.poll() is None
    if killed_midway:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    print(f"killed mid-way: {killed_midway}, rollups at kill: {store.scalar('SELECT count(*) FROM metric_rollups')}")

    roll_up(store, NOW, **KW)

    assert store.scalar("SELECT count(*) FROM metric_samples") == 0
    assert store.scalar("SELECT sum(count) FROM metric_rollups") == BUCKETS * PER_BUCKET
    assert store.scalar("SELECT count(*) FROM metric_rollups") == BUCKETS
    assert abs(store.scalar("SELECT sum(mean * count) FROM metric_rollups") - total) < 1e-6 * total
    assert store.scalar("SELECT max(max) FROM metric_rollups") == top
    store.close()
