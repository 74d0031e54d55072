"""The tracker keeps psutil Process objects between passes only while the kernel reports the same start time."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest
from fleetdeck.services.metrics.procs import ProcessTracker


@pytest.fixture
def busy() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_a_process_seen_before_is_reread_from_its_kept_object(busy: int) -> None:
    tracker = ProcessTracker()
    tracker.sample({1: busy})
    kept = tracker._procs[busy]
    time.sleep(0.5)
    usage = tracker.sample({1: busy})[1]
    assert tracker._procs[busy] is kept
    assert usage.processes == 1 and usage.cpu_percent > 10.0 and usage.rss_bytes > 0


def test_a_changed_start_time_means_a_reused_pid_and_a_fresh_read(busy: int) -> None:
    tracker = ProcessTracker()
    tracker.sample({1: busy})
    kept = tracker._procs[busy]
    tracker._ticks[busy] = "another process"  # what a reused pid looks like: same pid, other start time
    time.sleep(0.3)
    usage = tracker.sample({1: busy})[1]
    assert tracker._procs[busy] is not kept  # read afresh, not through the stale object
    assert usage.processes == 1 and usage.cpu_percent is not None
    assert tracker._baseline[1] == {(busy, psutil.Process(busy).create_time()): pytest.approx(
        sum(psutil.Process(busy).cpu_times()[:2]), abs=1.0)}


def test_a_vanished_process_is_skipped_and_forgotten() -> None:
    proc = subprocess.Popen(["sleep", "30"])
    tracker = ProcessTracker()
    assert 1 in tracker.sample({1: proc.pid})
    proc.kill()
    proc.wait(timeout=10)
    assert tracker.sample({1: proc.pid}) == {}
    assert proc.pid not in tracker._procs and proc.pid not in tracker._ticks
