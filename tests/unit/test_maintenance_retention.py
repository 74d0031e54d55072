"""Retention keeps the newest backup of each of the last N days, weeks and months."""

from __future__ import annotations

from fleetdeck.services.maintenance.retention import keep_set

DAY = 86400
START = 1_767_225_600  # 2026-01-01, a Thursday


def test_a_year_of_daily_backups_keeps_7_daily_4_weekly_and_12_monthly() -> None:
    backups = [(i, START + i * DAY) for i in range(365)]
    keep = keep_set(backups, daily=7, weekly=4, monthly=12)
    newest = 364
    assert set(range(newest - 6, newest + 1)) <= keep  # the last seven days
    assert len(keep) <= 7 + 4 + 12
    assert len(keep) >= 12
    assert 0 not in keep or len(keep) <= 23


def test_several_backups_on_one_day_keep_only_the_newest_of_that_day() -> None:
    backups = [(1, START), (2, START + 3600), (3, START + 7200)]
    assert keep_set(backups, daily=7, weekly=0, monthly=0) == {3}


def test_the_newest_backup_is_kept_even_when_every_count_is_zero() -> None:
    assert keep_set([(1, START), (2, START + DAY)], daily=0, weekly=0, monthly=0) == {2}
