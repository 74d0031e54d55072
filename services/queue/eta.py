"""How long until the queue drains, from how long prompts really took.

Durations come from completed prompts, per workflow (falling back to all workflows when a workflow has no
history). The queue is then simulated in order over the sessions that can take each prompt, every prompt
lasting its workflow's median (and, for the pessimistic figure, its p90). With no history at all the answer
is None ("unknown"), never a made-up number.

Pure functions over plain data, so the fast `fleetdeck status` path and the console share them; this module
imports nothing beyond heapq and typing (no dataclasses: `status` must start fast).
"""

from __future__ import annotations

import heapq
from typing import Iterable, NamedTuple, Sequence

# Past this many pending prompts the simulation stops going prompt by prompt and spreads the remaining work
# over the sessions that fit it (the error is a fraction of one prompt per session).
EXACT_LIMIT = 2000


class Durations(NamedTuple):
    median: float
    p90: float
    samples: int


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of an already sorted, non-empty sequence."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


def distribution(values: Iterable[float]) -> Durations | None:
    ordered = sorted(v for v in values if v is not None and v >= 0)
    if not ordered:
        return None
    return Durations(quantile(ordered, 0.5), quantile(ordered, 0.9), len(ordered))


class History:
    """Duration distributions per workflow plus the overall one (key None)."""

    __slots__ = ("by_workflow",)

    def __init__(self, by_workflow: dict[str | None, Durations]) -> None:
        self.by_workflow = by_workflow

    def for_workflow(self, workflow: str | None) -> Durations | None:
        return self.by_workflow.get(workflow) or self.by_workflow.get(None)

    @classmethod
    def from_samples(cls, samples: Iterable[tuple[str | None, float]]) -> "History":
        groups: dict[str | None, list[float]] = {}
        everything: list[float] = []
        for workflow, seconds in samples:
            everything.append(seconds)
            if workflow is not None:
                groups.setdefault(workflow, []).append(seconds)
        result: dict[str | None, Durations] = {}
        for workflow, values in groups.items():
            d = distribution(values)
            if d:
                result[workflow] = d
        overall = distribution(everything)
        if overall:
            result[None] = overall
        return cls(result)


class SimSession(NamedTuple):
    id: int
    project_dir: str | None
    agent_kind: str
    free_in: float  # seconds until it can take a prompt (0 when idle)


class SimPrompt(NamedTuple):
    id: int
    workflow: str | None
    project_dir: str | None
    agent_kind: str | None
    session_id: int | None = None  # pinned to this session


class Forecast(NamedTuple):
    finish_in: dict[int, float | None]  # prompt id -> seconds until it is done (None: unknown / no session fits)
    drain_in: float | None  # seconds until every pending prompt is done (None: unknown)
    drain_in_p90: float | None
    unknown: int  # prompts without an estimate


def fits(prompt: SimPrompt, session: SimSession) -> bool:
    if prompt.session_id is not None:
        return prompt.session_id == session.id
    if prompt.project_dir is not None and session.project_dir != prompt.project_dir:
        return False
    return prompt.agent_kind is None or prompt.agent_kind == session.agent_kind


class _Fleet:
    """When each session is next free, with one heap per kind of constraint a prompt can have (any session,
    this project, this agent kind, both), so each prompt finds its earliest free session in one heap.
    Heaps hold stale entries after a session is re-scheduled; they are skipped when they surface."""

    def __init__(self, sessions: Sequence[SimSession]) -> None:
        self.free: dict[int, tuple[float, float]] = {}
        self.keys: dict[int, tuple[tuple[str | None, str | None], ...]] = {}
        self.heaps: dict[tuple[str | None, str | None], list[tuple[float, float, int]]] = {}
        self.members: dict[tuple[str | None, str | None], list[int]] = {}
        for s in sessions:
            self.free[s.id] = (s.free_in, s.free_in)
            keys = ((None, None), (s.project_dir, None), (None, s.agent_kind), (s.project_dir, s.agent_kind))
            self.keys[s.id] = keys
            for key in keys:
                self.heaps.setdefault(key, []).append((s.free_in, s.free_in, s.id))
                self.members.setdefault(key, []).append(s.id)
        for heap in self.heaps.values():
            heapq.heapify(heap)

    def earliest(self, prompt: SimPrompt) -> tuple[float, float, int] | None:
        if prompt.session_id is not None:
            free = self.free.get(prompt.session_id)
            return None if free is None else (free[0], free[1], prompt.session_id)
        heap = self.heaps.get((prompt.project_dir, prompt.agent_kind))
        while heap:
            entry = heap[0]
            if self.free[entry[2]] == (entry[0], entry[1]):
                return entry
            heapq.heappop(heap)
        return None

    def book(self, session_id: int, free: float, free_p90: float) -> None:
        self.free[session_id] = (free, free_p90)
        for key in self.keys[session_id]:
            heapq.heappush(self.heaps[key], (free, free_p90, session_id))

    def breadth(self, prompt: SimPrompt) -> int:
        if prompt.session_id is not None:
            return 1
        return len(self.members.get((prompt.project_dir, prompt.agent_kind), ()))

    def fill(self, prompt: SimPrompt, work: float, work_p90: float) -> tuple[float, float] | None:
        """Spread ``work`` seconds over the sessions that fit ``prompt`` so the earliest free ones take it
        first (water-filling); return when the last of them is done, or None when no session fits."""
        if prompt.session_id is not None:
            ids = [prompt.session_id] if prompt.session_id in self.free else []
        else:
            ids = self.members.get((prompt.project_dir, prompt.agent_kind), [])
        if not ids:
            return None
        levels = []
        for column, amount in ((0, work), (1, work_p90)):
            frees = sorted(self.free[i][column] for i in ids)
            total = 0.0
            for k, value in enumerate(frees, start=1):
                total += value
                level = (amount + total) / k
                if k == len(frees) or level <= frees[k]:
                    break
            levels.append(level)
        for i in ids:
            free, free_p90 = self.free[i]
            self.book(i, max(free, levels[0]), max(free_p90, levels[1]))
        return levels[0], levels[1]


def simulate(prompts: Sequence[SimPrompt], sessions: Sequence[SimSession], history: History,
             tail: Sequence[tuple[SimPrompt, int]] = ()) -> Forecast:
    """Forecast each prompt's finish, handing prompts out in queue order to the session that frees up first.

    ``tail`` is the rest of a very long queue as (representative prompt, count); it only moves the drain time.
    """
    if not history.by_workflow:
        return Forecast({p.id: None for p in prompts}, None, None, len(prompts) + sum(c for _, c in tail))
    fleet = _Fleet(sessions)
    finish: dict[int, float | None] = {}
    unknown = 0
    estimated = 0
    drain = drain_p90 = 0.0
    for prompt in prompts:
        durations = history.for_workflow(prompt.workflow)
        slot = fleet.earliest(prompt) if durations is not None else None
        if slot is None or durations is None:
            finish[prompt.id] = None
            unknown += 1
            continue
        start, start_p90, session_id = slot
        done, done_p90 = start + durations.median, start_p90 + durations.p90
        fleet.book(session_id, done, done_p90)
        finish[prompt.id] = done
        estimated += 1
        drain = max(drain, done)
        drain_p90 = max(drain_p90, done_p90)
    # Most constrained work first, so work that any session can take fills in around it (as it would).
    for representative, count in sorted(tail, key=lambda item: fleet.breadth(item[0])):
        durations = history.for_workflow(representative.workflow)
        done = None if durations is None else fleet.fill(representative, durations.median * count,
                                                         durations.p90 * count)
        if done is None:
            unknown += count
            continue
        estimated += count
        drain = max(drain, done[0])
        drain_p90 = max(drain_p90, done[1])
    if not estimated:
        return Forecast(finish, None, None, unknown)
    return Forecast(finish, drain, drain_p90, unknown)
