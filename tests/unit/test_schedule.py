"""Cron expressions: parsing, next run, and translation to systemd OnCalendar."""

from __future__ import annotations

import datetime as dt

import pytest

from fleetdeck.services.schedule import CronError, parse_cron, to_on_calendar


def test_next_run_of_a_daily_job() -> None:
    spec = parse_cron("30 4 * * *")
    assert spec.next_after(dt.datetime(2026, 1, 1, 5, 0)) == dt.datetime(2026, 1, 2, 4, 30)


def test_steps_and_weekdays() -> None:
    assert parse_cron("*/15 * * * *").next_after(dt.datetime(2026, 1, 1, 10, 7)) == dt.datetime(2026, 1, 1, 10, 15)
    sunday = parse_cron("0 9 * * 0").next_after(dt.datetime(2026, 1, 1, 0, 0))  # 2026-01-01 is a Thursday
    assert sunday == dt.datetime(2026, 1, 4, 9, 0)
    assert parse_cron("0 9 * * 7").weekday == parse_cron("0 9 * * 0").weekday


@pytest.mark.parametrize(
    ("cron", "calendar"),
    [
        ("30 4 * * *", "*-*-* 04:30:00"),
        ("*/15 * * * *", "*-*-* *:00/15:00"),
        ("0 */4 * * *", "*-*-* 00/4:00:00"),
        ("0 9 * * 0", "Sun *-*-* 09:00:00"),
        ("0 2 1 * *", "*-*-01 02:00:00"),
    ],
)
def test_cron_translates_to_on_calendar(cron: str, calendar: str) -> None:
    assert to_on_calendar(cron) == calendar


@pytest.mark.parametrize("bad", ["", "* * * *", "61 * * * *", "a b c d e", "*/0 * * * *"])
def test_invalid_expressions_are_rejected(bad: str) -> None:
    with pytest.raises(CronError):
        parse_cron(bad)
