"""Per-session CPU and memory of each agent's process tree, found from the tmux pane's pid.

CPU comes from ``cpu_times()`` deltas keyed by (pid, create_time): when a pid is reused by a new process the
key differs, so two processes are never mixed. A process born since the last reading counts all its CPU time
(it was all spent inside the interval); one seen for the first time but older than the last reading has no
baseline and counts nothing this round. Processes that vanish between listing and reading are skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import psutil

ProcKey = tuple[int, float]  # (pid, create_time)


@dataclass(frozen=True)
class ProcReading:
    key: ProcKey
    cpu_seconds: float  # user + system since the process started
    rss_bytes: int


@dataclass(frozen=True)
class SessionUsage:
    session_id: int
    processes: int
    cpu_percent: float | None  # of one core; None until there is a baseline
    rss_bytes: int


def attribute_cpu(
    previous: Mapping[ProcKey, float], readings: Iterable[ProcReading], previous_at: float | None, now: float,
) -> tuple[float | None, dict[ProcKey, float]]:
    """CPU % (of one core) used by ``readings`` since ``previous_at``, and the new baseline."""
    baseline = {r.key: r.cpu_seconds for r in readings}
    if previous_at is None or now <= previous_at:
        return None, baseline
    spent = 0.0
    for key, cpu in baseline.items():
        before = previous.get(key)
        if before is not None:
            spent += max(0.0, cpu - before)
        elif key[1] >= previous_at:
            spent += cpu  # born inside the interval
    return 100.0 * spent / (now - previous_at), baseline


def _start_ticks(proc: psutil.Process) -> str | None:
    """The process's start time as the kernel wrote it in /proc/PID/stat, from psutil's stat parse (cached
    inside ``oneshot``, so it costs no extra read). psutil's public ``create_time()`` is cached on the object
    and cannot tell a reused pid; None where this psutil does not parse stat files (then nothing is reused)."""
    parse = getattr(getattr(proc, "_proc", None), "_parse_stat_file", None)
    if parse is None:
        return None
    try:
        value = parse().get("create_time")
    except (AttributeError, TypeError):
        return None
    return None if value is None else str(value)


class ProcessTracker:
    """Remembers the last reading of every tracked process so the next pass can compute deltas."""

    def __init__(self) -> None:
        self._baseline: dict[int, dict[ProcKey, float]] = {}  # session id -> baseline
        self._at: float | None = None
        self._procs: dict[int, psutil.Process] = {}  # reused while their start time (in ticks) is unchanged
        self._ticks: dict[int, str] = {}

    @staticmethod
    def _children_map() -> dict[int, list[int]]:
        # psutil's own one-pass {pid: ppid} (what Process.children() uses) reads each /proc/PID/stat once;
        # process_iter(["ppid"]) costs about ten times more, which matters at 50 sessions every 2 s.
        ppid_map = getattr(psutil, "_ppid_map", None)
        if ppid_map is not None:
            try:
                pairs = ppid_map().items()
            except psutil.Error:
                pairs = None
        if ppid_map is None or pairs is None:
            pairs = ((p.pid, p.info.get("ppid")) for p in psutil.process_iter(["ppid"]))
        children: dict[int, list[int]] = {}
        for pid, ppid in pairs:
            if ppid:
                children.setdefault(ppid, []).append(pid)
        return children

    def _tree(self, root: int, children: Mapping[int, list[int]]) -> list[int]:
        pids, stack, seen = [], [root], set()
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            pids.append(pid)
            stack.extend(children.get(pid, ()))
        return pids

    def _read(self, pid: int) -> ProcReading | None:
        known = self._procs.get(pid)
        if known is not None:
            reading = self._reread(known)
            if reading is not None:
                return reading
        try:
            proc = psutil.Process(pid)  # reads the start time afresh: a reused pid is a different Process
            with proc.oneshot():
                times = proc.cpu_times()
                rss = proc.memory_info().rss
                key = (pid, proc.create_time())
                ticks = _start_ticks(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            self._procs.pop(pid, None)
            return None
        if ticks is not None:
            self._procs[pid] = proc
            self._ticks[pid] = ticks
        return ProcReading(key, times.user + times.system, rss)

    def _reread(self, proc: psutil.Process) -> ProcReading | None:
        """Read a process seen before with one read of its stat file (plus statm) instead of three.

        Its start time comes from the same stat read as its CPU times; a different start time means the pid
        now belongs to another process, and the caller reads it afresh. None when it cannot tell."""
        try:
            with proc.oneshot():
                times = proc.cpu_times()
                if _start_ticks(proc) != self._ticks.get(proc.pid):
                    return None
                rss = proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return None
        return ProcReading((proc.pid, proc.create_time()), times.user + times.system, rss)

    def sample(self, sessions: Mapping[int, int | None], now: float | None = None) -> dict[int, SessionUsage]:
        """``sessions`` maps session id -> pane pid; returns usage for each session whose pane pid is alive."""
        now = time.time() if now is None else now
        children = self._children_map() if sessions else {}
        result: dict[int, SessionUsage] = {}
        new_baselines: dict[int, dict[ProcKey, float]] = {}
        for session_id, pane_pid in sessions.items():
            if not pane_pid:
                continue
            readings = [r for r in (self._read(pid) for pid in self._tree(int(pane_pid), children)) if r]
            if not readings:
                continue
            previous = self._baseline.get(session_id)
            since = self._at if previous is not None else None  # a session new to us has no baseline yet
            cpu, baseline = attribute_cpu(previous or {}, readings, since, now)
            new_baselines[session_id] = baseline
            result[session_id] = SessionUsage(session_id, len(readings), cpu, sum(r.rss_bytes for r in readings))
        self._baseline = new_baselines
        live = {key[0] for baseline in new_baselines.values() for key in baseline}
        self._procs = {pid: proc for pid, proc in self._procs.items() if pid in live}
        self._ticks = {pid: ticks for pid, ticks in self._ticks.items() if pid in self._procs}
        self._at = now
        return result
