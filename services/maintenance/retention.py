"""Which backups to keep: the newest of each of the last N days, weeks and months (grandfather-father-son)."""

from __future__ import annotations

import datetime as dt
from typing import Iterable


def keep_set(created: Iterable[tuple[int, int]], *, daily: int, weekly: int, monthly: int) -> set[int]:
    """Ids to keep among ``(id, created_at)`` pairs; the newest backup is always kept."""
    items = sorted(created, key=lambda item: item[1], reverse=True)
    keep: set[int] = set()
    if items:
        keep.add(items[0][0])
    for count, bucket in ((daily, _day), (weekly, _week), (monthly, _month)):
        seen: list[str] = []
        for backup_id, at in items:
            key = bucket(at)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(backup_id)
    return keep


def _utc(at: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, dt.timezone.utc)


def _day(at: int) -> str:
    return _utc(at).strftime("%Y-%m-%d")


def _week(at: int) -> str:
    year, week, _ = _utc(at).isocalendar()
    return f"{year}-W{week:02d}"


def _month(at: int) -> str:
    return _utc(at).strftime("%Y-%m")
