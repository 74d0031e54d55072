"""ETA: duration distributions from history, and the drain forecast checked against a simulated fleet."""

from __future__ import annotations

import random

from fleetdeck.services.clock import FixedClock
from fleetdeck.services.queue.assigner import Policy, assign_once
from fleetdeck.services.queue.eta import History, SimPrompt, SimSession, distribution, simulate
from fleetdeck.services.queue.prompts import NewPrompt, add_prompt
from fleetdeck.services.queue.snapshot import take_snapshot


def test_median_and_p90_of_durations() -> None:
    d = distribution([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    assert d is not None and d.median == 55 and abs(d.p90 - 91) < 1e-9


def test_no_history_means_unknown_never_a_number() -> None:
    forecast = simulate([SimPrompt(1, "w", None, None)], [SimSession(1, None, "claude", 0)], History({}))
    assert forecast.drain_in is None and forecast.finish_in == {1: None} and forecast.unknown == 1


def test_a_workflow_without_history_falls_back_to_all_workflows() -> None:
    history = History.from_samples([("review", 100.0), ("review", 100.0)])
    forecast = simulate([SimPrompt(1, "brand-new", None, None)], [SimSession(1, None, "claude", 0)], history)
    assert forecast.finish_in[1] == 100.0


def test_a_prompt_no_session_can_take_has_no_eta() -> None:
    history = History.from_samples([(None, 60.0)])
    forecast = simulate([SimPrompt(1, None, "/p", None), SimPrompt(2, None, None, "codex")],
                        [SimSession(1, "/q", "claude", 0)], history)
    assert forecast.finish_in == {1: None, 2: None} and forecast.drain_in is None


def test_the_long_queue_shortcut_stays_close_to_the_exact_simulation() -> None:
    rng = random.Random(3)
    history = History.from_samples([("a", 60.0), ("b", 300.0)])
    sessions = [SimSession(i, f"/p{i % 4}", ("claude", "codex")[i % 2], rng.uniform(0, 200)) for i in range(24)]
    prompts = [SimPrompt(i, rng.choice("ab"), rng.choice([None, "/p1", "/p2"]), rng.choice([None, None, "claude"]))
               for i in range(3000)]
    exact = simulate(prompts, sessions, history).drain_in
    groups: dict[tuple, int] = {}
    for p in prompts[200:]:
        groups[(p.workflow, p.project_dir, p.agent_kind)] = groups.get((p.workflow, p.project_dir, p.agent_kind), 0) + 1
    tail = [(SimPrompt(-1, w, proj, kind), n) for (w, proj, kind), n in groups.items()]
    shortcut = simulate(prompts[:200], sessions, history, tail).drain_in
    assert exact and shortcut and abs(shortcut - exact) / exact < 0.1


def _add_session(store, name: str, project: str | None, now: float) -> int:
    cur = store.execute(
        "INSERT INTO sessions (key, name, socket, pane_id, agent_kind, project_dir, state, state_since, created_at)"
        " VALUES (?, ?, 'sock', ?, 'claude', ?, 'idle', ?, ?)", (name, name, f"%{name}", project, int(now), int(now)))
    return int(cur.lastrowid)


def test_predicted_drain_time_is_within_20_percent_on_a_simulated_fleet(store, tmp_path) -> None:
    rng = random.Random(42)
    clock = FixedClock()
    known = {"quick": (50, 70), "slow": (250, 350)}  # each workflow's true duration range, seconds
    project = tmp_path / "proj"
    project.mkdir()
    # History: what earlier prompts of each workflow took.
    for workflow, (lo, hi) in known.items():
        for i in range(40):
            took = rng.uniform(lo, hi)
            store.execute("INSERT INTO prompts (text, workflow, status, created_at, started_at, finished_at)"
                          " VALUES ('old', ?, 'completed', ?, ?, ?)",
                          (workflow, int(clock.now() - 10_000), int(clock.now() - 9_000),
                           int(clock.now() - 9_000 + took)))
    sessions = [_add_session(store, f"s{i}", str(project.resolve()) if i < 2 else None, clock.now())
                for i in range(5)]
    for i in range(60):
        add_prompt(store, NewPrompt(f"task {i}", workflow=rng.choice(list(known)), priority=rng.randint(0, 2),
                                    project_dir=str(project) if i % 4 == 0 else None), now=clock.now() + i * 0.01)
    start = clock.now()
    predicted = take_snapshot(store.conn, start)["eta_drain_s"]

    # The fleet: a pasted prompt keeps its session working for a duration drawn from its workflow's range.
    busy_until: dict[str, float] = {}

    def paste(socket: str, target: str, text: str, *, enter_delay: float = 0.0) -> None:
        workflow = store.scalar("SELECT workflow FROM prompts WHERE text = ? AND status = 'assigning'", (text,))
        busy_until[target] = clock.now() + rng.uniform(*known[workflow])
        store.execute("UPDATE sessions SET state = 'working', state_since = ? WHERE pane_id = ?",
                      (int(clock.now()), target))

    while store.scalar("SELECT count(*) FROM prompts WHERE status IN ('pending', 'assigning', 'running')"):
        for target, until in list(busy_until.items()):
            if until <= clock.now():
                store.execute("UPDATE sessions SET state = 'idle', state_since = ? WHERE pane_id = ?",
                              (int(clock.now()), target))
                del busy_until[target]
        assign_once(store, clock.now(), Policy(enter_delay=0), paste=paste, capture=lambda s, t: "")
        clock.advance(1)
        assert clock.now() - start < 20_000, "the fleet never drained"
    measured = store.scalar("SELECT max(finished_at) FROM prompts WHERE text LIKE 'task %'") - start
    assert len(sessions) == 5 and predicted is not None
    print(f"predicted {predicted}s measured {measured}s")
    assert abs(predicted - measured) / measured < 0.20, (predicted, measured)
