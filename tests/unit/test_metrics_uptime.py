"""Uptime is the share of a session's time in the window not spent dead or restarting."""

from __future__ import annotations

import pytest

from fleetdeck.services.metrics.fleet import uptime_fraction
from fleetdeck.services.metrics.stats import percentile


def test_a_session_that_never_died_is_fully_up() -> None:
    up = uptime_fraction([(10, None, "working"), (50, "working", "idle")], alive_from=0, alive_to=100,
                         start=0, end=100)
    assert up == 1.0


def test_time_dead_or_restarting_counts_as_down() -> None:
    transitions = [(0, None, "working"), (60, "working", "dead"), (70, "dead", "restarting"), (80, "restarting", "idle")]
    up = uptime_fraction(transitions, alive_from=0, alive_to=100, start=0, end=100)
    assert up == pytest.approx(0.8)


def test_the_state_before_the_window_carries_into_it() -> None:
    transitions = [(10, "idle", "dead"), (150, "dead", "working")]
    up = uptime_fraction(transitions, alive_from=0, alive_to=200, start=100, end=200)
    assert up == pytest.approx(0.5)  # dead from 100 to 150


def test_only_the_part_of_the_window_the_session_existed_counts() -> None:
    up = uptime_fraction([(150, "working", "dead")], alive_from=100, alive_to=200, start=0, end=200)
    assert up == pytest.approx(0.5)
    assert uptime_fraction([], alive_from=300, alive_to=400, start=0, end=200) is None


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([5], 95) == 5
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(101)), 95) == 95
