"""Per-process CPU comes from cpu_times deltas keyed by (pid, create_time)."""

from __future__ import annotations

import pytest

from fleetdeck.services.metrics.procs import ProcReading, attribute_cpu


def test_cpu_percent_is_the_cpu_time_spent_over_the_wall_time_between_readings() -> None:
    previous = {(100, 500.0): 10.0, (101, 600.0): 2.0}
    readings = [ProcReading((100, 500.0), 11.0, 0), ProcReading((101, 600.0), 2.5, 0)]
    cpu, baseline = attribute_cpu(previous, readings, previous_at=1000.0, now=1002.0)
    assert cpu == pytest.approx(75.0)  # 1.5 s of CPU in 2 s of wall time
    assert baseline == {(100, 500.0): 11.0, (101, 600.0): 2.5}


def test_a_reused_pid_is_a_new_process_and_never_inherits_the_old_baseline() -> None:
    # pid 100 used to be a busy process (1000 s of CPU); it exited and a new process got pid 100.
    previous = {(100, 500.0): 1000.0}
    reused = ProcReading((100, 1001.0), 0.4, 0)  # born inside the interval
    cpu, baseline = attribute_cpu(previous, [reused], previous_at=1000.0, now=1002.0)
    assert cpu == pytest.approx(20.0)  # its own 0.4 s, not 0.4 - 1000 clamped, not 1000
    assert (100, 500.0) not in baseline


def test_a_reused_pid_seen_late_counts_nothing_until_it_has_a_baseline() -> None:
    previous = {(100, 500.0): 1000.0}
    older = ProcReading((100, 900.0), 50.0, 0)  # started before the last reading, never seen: no baseline
    cpu, _ = attribute_cpu(previous, [older], previous_at=1000.0, now=1002.0)
    assert cpu == 0.0


def test_the_first_reading_has_no_rate() -> None:
    cpu, baseline = attribute_cpu({}, [ProcReading((7, 1.0), 3.0, 0)], previous_at=None, now=5.0)
    assert cpu is None
    assert baseline == {(7, 1.0): 3.0}


def test_counters_that_go_backwards_never_give_negative_cpu() -> None:
    cpu, _ = attribute_cpu({(7, 1.0): 5.0}, [ProcReading((7, 1.0), 4.0, 0)], previous_at=10.0, now=11.0)
    assert cpu == 0.0
