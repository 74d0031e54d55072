"""How long until the queue drains, from how long prompts really took.

Durations come from completed prompts, per workflow (falling back to all workflows when a workflow has no
history). The queue is then simulated in order over the sessions that can take each prompt, every prompt
lasting its workflow's median. With no history at all the answer is None ("unknown"), never a made-up number.

Pure functions over plain data, so the fast `fleetdeck status` path and the console share them; this module
imports nothing heavy.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Iterable, Sequence

# Past this many pending prompts the simulation stops going prompt by prompt and spreads the remaining work
# over the sessions that fit it (the error is a fraction of one prompt per session).
EXACT_LIMIT = 2000


@dataclass(frozen=True)
class Durations:
    median: float
    p90: float
    samples: int


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of an already sorted, non-empty sequence."""
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


def distribution(values: Iterable[float]) -> Durations | None:
    ordered = sorted(v for v in values if v is not None and v >= 0)
    if not ordered:
        return None
    return Durations(quantile(ordered, 0.5), quantile(ordered, 0.9), len(ordered))


@dataclass(frozen=True)
class History:
    """Duration distributions per workflow plus the overall one (key None)."""

    by_workflow: dict[str | None, Durations]

    def for_workflow(self, workflow: str | None) -> Durations | None:
        return self.by_workflow.get(workflow) or self.by_workflow.get(None)  # type: ignore[return-value]

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


@dataclass(frozen=True)
class SimSession:
    id: int
    project_dir: str | None
    agent_kind: str
    free_in: float  # seconds until it can take a prompt (0 when idle)


@dataclass(frozen=True)
class SimPrompt:
    id: int
    workflow: str | None
    project_dir: str | None
    agent_kind: str | None
    session_id: int | None = None  # pinned to this session


def fits(prompt: SimPrompt, session: SimSession) -> bool:
    if prompt.session_id is not None:
        return prompt.session_id == session.id
    if prompt.project_dir is not None and session.project_dir != prompt.project_dir:
        return False
    return prompt.agent_kind is None or prompt.agent_kind == session.agent_kind


@dataclass(frozen=True)
class Forecast:
    finish_in: dict[int, float | None]  # prompt id -> seconds until it is done (None: unknown / no session fits)
    drain_in: float | None  # seconds until every pending prompt is done (None: unknown)
    drain_in_p90: float | None
    unknown: int  # prompts without an estimate


def _classes(sessions: Sequence[SimSession]) -> dict[tuple[str | None, str], list[int]]:
    groups: dict[tuple[str | None, str], list[int]] = {}
    for index, s in enumerate(sessions):
        groups.setdefault((s.project_dir, s.agent_kind), []).append(index)
    return groups


def simulate(prompts: Sequence[SimPrompt], sessions: Sequence[SimSession], history: History,
             tail: Sequence[tuple[SimPrompt, int]] = ()) -> Forecast:
    """Forecast each prompt's finish, handing prompts out in queue order to the session that frees up first.

    ``tail`` is the rest of a very long queue as (representative prompt, count); it only moves the drain time.
    """
    if not history.by_workflow:
        return Forecast({p.id: None for p in prompts}, None, None, len(prompts) + sum(c for _, c in tail))
    # One heap per class of session (same project and kind), so a prompt looks at a few heaps, not every session.
    classes = _classes(sessions)
    heaps: dict[tuple[str | None, str], list[tuple[float, float, int]]] = {}
    for key, members in classes.items():
        heaps[key] = [(sessions[i].free_in, sessions[i].free_in, sessions[i].id) for i in members]
        heapq.heapify(heaps[key])
    finish: dict[int, float | None] = {}
    unknown = 0
    drain = 0.0
    drain_p90 = 0.0
    fit_cache: dict[tuple[str | None, str | None, int | None], list[tuple[str | None, str]]] = {}
    for prompt in prompts:
        durations = history.for_workflow(prompt.workflow)
        key = (prompt.project_dir, prompt.agent_kind, prompt.session_id)
        eligible = fit_cache.get(key)
        if eligible is None:
            eligible = [k for k, members in classes.items() if any(fits(prompt, sessions[i]) for i in members)]
            fit_cache[key] = eligible
        if durations is None or not eligible:
            finish[prompt.id] = None
            unknown += 1
            continue
        best_key = None
        best: tuple[float, float, int] | None = None
        for k in eligible:
            heap = heaps[k]
            if prompt.session_id is not None:
                candidates = [e for e in heap if e[2] == prompt.session_id]
                if candidates and (best is None or candidates[0] < best):
                    best, best_key = candidates[0], k
            elif heap and (best is None or heap[0] < best):
                best, best_key = heap[0], k
        if best is None or best_key is None:
            finish[prompt.id] = None
            unknown += 1
            continue
        heap = heaps[best_key]
        heap.remove(best) if prompt.session_id is not None else heapq.heappop(heap)
        if prompt.session_id is not None:
            heapq.heapify(heap)
        start, start_p90, sid = best
        done = start + durations.median
        done_p90 = start_p90 + durations.p90
        heapq.heappush(heap, (done, done_p90, sid))
        finish[prompt.id] = done
        drain = max(drain, done)
        drain_p90 = max(drain_p90, done_p90)
    for representative, count in tail:
        durations = history.for_workflow(representative.workflow)
        eligible = [k for k, members in classes.items() if any(fits(representative, sessions[i]) for i in members)]
        if durations is None or not eligible:
            unknown += count
            continue
        capacity = sum(len(heaps[k]) for k in eligible)
        start = min(heaps[k][0][0] for k in eligible if heaps[k])
        start_p90 = min(heaps[k][0][1] for k in eligible if heaps[k])
        drain = max(drain, start + durations.median * count / capacity)
        drain_p90 = max(drain_p90, start_p90 + durations.p90 * count / capacity)
    if unknown and not finish and not tail:
        return Forecast(finish, None, None, unknown)
    has_estimate = any(v is not None for v in finish.values()) or (tail and unknown < sum(c for _, c in tail))
    return Forecast(finish, drain if has_estimate else None, drain_p90 if has_estimate else None, unknown)
