"""Samples in the store: write a pass, roll old raw samples up into fixed buckets, prune.

Rollup and delete of a batch of buckets happen in one transaction, and only whole buckets older than the raw
retention are rolled up, so a run killed at any point leaves every sample either raw or rolled up exactly
once; the next run carries on. A late raw sample falling into an existing bucket is merged by count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    from ..store import Store

Point = tuple[str, Mapping[str, str], float]  # metric, labels, value

BUCKETS_PER_BATCH = 16


def label_text(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def parse_labels(text: str) -> dict[str, str]:
    if not text:
        return {}
    return dict(part.split("=", 1) for part in text.split(","))


def store_points(store: "Store", at: float, points: Iterable[Point]) -> int:
    rows = [(int(at), metric, label_text(labels), float(value)) for metric, labels, value in points]
    store.executemany("INSERT INTO metric_samples (at, metric, labels, value) VALUES (?, ?, ?, ?)", rows)
    return len(rows)


@dataclass(frozen=True)
class RetentionResult:
    buckets: int
    raw_rolled: int
    rollups_pruned: int


def roll_up(store: "Store", now: float, *, raw_retention_s: int, bucket_s: int, rollup_retention_s: int,
            batch_buckets: int = BUCKETS_PER_BATCH) -> RetentionResult:
    """Replace raw samples older than the retention by bucket rollups; drop rollups past their retention."""
    cutoff = (int(now) - raw_retention_s) // bucket_s * bucket_s  # only whole buckets
    buckets = raw = 0
    while True:
        first = store.scalar("SELECT min(at) FROM metric_samples WHERE at < ?", (cutoff,))
        if first is None:
            break
        lo = int(first) // bucket_s * bucket_s
        hi = min(cutoff, lo + batch_buckets * bucket_s)
        with store.write() as conn:
            conn.execute(
                """
                INSERT INTO metric_rollups (bucket, seconds, metric, labels, count, mean, max, min)
                SELECT (at / :b) * :b, :b, metric, labels, count(*), avg(value), max(value), min(value)
                  FROM metric_samples WHERE at >= :lo AND at < :hi
                 GROUP BY (at / :b), metric, labels
                ON CONFLICT (metric, labels, bucket) DO UPDATE SET
                    mean = (mean * count + excluded.mean * excluded.count) / (count + excluded.count),
                    count = count + excluded.count,
                    max = max(max, excluded.max),
                    min = min(min, excluded.min)
                """,
                {"b": bucket_s, "lo": lo, "hi": hi},
            )
            buckets += (hi - lo) // bucket_s
            raw += conn.execute("DELETE FROM metric_samples WHERE at >= ? AND at < ?", (lo, hi)).rowcount
    with store.write() as conn:
        pruned = conn.execute("DELETE FROM metric_rollups WHERE bucket < ?",
                              (int(now) - rollup_retention_s,)).rowcount
    return RetentionResult(buckets, raw, pruned)


def series(store: "Store", metric: str, since: float, until: float) -> dict[str, list[tuple[int, float, float]]]:
    """labels -> [(at, mean, max)] from rollups and raw samples in [since, until], oldest first."""
    out: dict[str, list[tuple[int, float, float]]] = {}
    for bucket, labels, mean, mx in store.query(
        "SELECT bucket, labels, mean, max FROM metric_rollups WHERE metric = ? AND bucket >= ? AND bucket <= ?"
        " ORDER BY bucket", (metric, int(since), int(until))):
        out.setdefault(labels, []).append((int(bucket), float(mean), float(mx)))
    for at, labels, value in store.query(
        "SELECT at, labels, value FROM metric_samples WHERE metric = ? AND at >= ? AND at <= ? ORDER BY at",
        (metric, int(since), int(until))):
        out.setdefault(labels, []).append((int(at), float(value), float(value)))
    for values in out.values():
        values.sort(key=lambda v: v[0])
    return out
