"""The router's rows in the store: decisions, attempts, feedback, and the learned minimum tier per task type."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import Store

TASK_CHARS = 2000


def insert_decision(store: "Store", *, at: int, task: str, task_type: str, workflow: str | None, tier: str,
                    model: str, est_cost_micros: int | None, difficulty: float, reasons: list[str]) -> int:
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO router_decisions (at, task, task_type, workflow, tier, model, est_cost_micros, difficulty,"
            " reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, task[:TASK_CHARS], task_type, workflow, tier, model, est_cost_micros, difficulty,
             json.dumps(reasons)))
        return int(cur.lastrowid)


def insert_attempt(store: "Store", *, decision_id: int, at: int, tier: str, model: str, outcome: str,
                   error: str | None, latency_ms: int | None, api_call_id: int | None, cost_micros: int | None,
                   baseline_cost_micros: int | None) -> int:
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO router_attempts (decision_id, at, tier, model, outcome, error, latency_ms, api_call_id,"
            " cost_micros, baseline_cost_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (decision_id, at, tier, model, outcome, error, latency_ms, api_call_id, cost_micros,
             baseline_cost_micros))
        return int(cur.lastrowid)


def finish_decision(store: "Store", decision_id: int, *, outcome: str, final_tier: str | None) -> None:
    with store.write() as conn:
        conn.execute("UPDATE router_decisions SET outcome = ?, final_tier = ? WHERE id = ?",
                     (outcome, final_tier, decision_id))


def get_decision(store: "Store", decision_id: int) -> dict[str, Any] | None:
    row = store.query_one("SELECT * FROM router_decisions WHERE id = ?", (decision_id,))
    return dict(row) if row else None


@dataclass
class Learned:
    task_type: str
    min_tier: int = 0
    failures: int = 0
    successes: int = 0
    note: str | None = None


def get_learned(store: "Store", task_type: str) -> Learned:
    row = store.query_one("SELECT * FROM router_learned WHERE task_type = ?", (task_type,))
    if row is None:
        return Learned(task_type)
    return Learned(task_type, row["min_tier"], row["failures"], row["successes"], row["note"])


def record_feedback(store: "Store", *, decision_id: int | None, at: int, task_type: str, tier_name: str,
                    tier_index: int, verdict: str, source: str, n_tiers: int, raise_after: int,
                    lower_after: int, base_index: int) -> Learned:
    """Store one verdict and update what the router learned for the task type, in one transaction.

    A bad outcome at or below the current minimum counts toward raising it; a good one at the minimum counts
    toward lowering it (never below what the classifier would pick anyway, ``base_index``).
    """
    with store.write() as conn:
        conn.execute(
            "INSERT INTO router_feedback (decision_id, at, task_type, tier, verdict, source) VALUES (?, ?, ?, ?, ?, ?)",
            (decision_id, at, task_type, tier_name, verdict, source))
        if decision_id is not None and source == "user":
            conn.execute("UPDATE router_decisions SET feedback = ? WHERE id = ?", (verdict, decision_id))
        row = conn.execute("SELECT * FROM router_learned WHERE task_type = ?", (task_type,)).fetchone()
        cur = Learned(task_type, row["min_tier"], row["failures"], row["successes"], row["note"]) if row \
            else Learned(task_type, min_tier=base_index)
        floor = max(cur.min_tier, base_index)
        cur.min_tier = floor
        if verdict == "bad":
            cur.successes = 0
            if tier_index <= floor:
                cur.failures += 1
                if cur.failures >= raise_after and floor < n_tiers - 1:
                    cur.min_tier = floor + 1
                    cur.failures = 0
                    cur.note = f"raised after {raise_after} failures at tier {tier_index}"
        elif tier_index <= floor:
            # A success one or more tiers up says nothing about the cheap tier, so only these count.
            cur.failures = 0
            cur.successes += 1
            if cur.successes >= lower_after and cur.min_tier > base_index:
                cur.min_tier -= 1
                cur.successes = 0
                cur.note = f"lowered after {lower_after} successes in a row"
        conn.execute(
            "INSERT INTO router_learned (task_type, min_tier, failures, successes, updated_at, note)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (task_type) DO UPDATE SET min_tier = excluded.min_tier,"
            " failures = excluded.failures, successes = excluded.successes, updated_at = excluded.updated_at,"
            " note = excluded.note",
            (task_type, cur.min_tier, cur.failures, cur.successes, at, cur.note))
    return cur


def stats(store: "Store", since: int | None = None) -> dict[str, Any]:
    since = since or 0
    by_tier = [dict(r) for r in store.query(
        "SELECT COALESCE(final_tier, tier) AS tier, count(*) AS decisions,"
        " sum(outcome = 'ok') AS ok, sum(outcome = 'failed') AS failed"
        " FROM router_decisions WHERE at >= ? GROUP BY 1 ORDER BY 2 DESC", (since,))]
    savings = store.query_one(
        "SELECT count(*) AS calls, sum(cost_micros) AS cost, sum(baseline_cost_micros) AS baseline"
        " FROM router_attempts WHERE at >= ? AND api_call_id IS NOT NULL", (since,))
    attempts = [dict(r) for r in store.query(
        "SELECT outcome, count(*) AS n FROM router_attempts WHERE at >= ? GROUP BY outcome ORDER BY n DESC",
        (since,))]
    learned = [dict(r) for r in store.query(
        "SELECT l.task_type, l.min_tier, l.failures, l.successes, l.updated_at, l.note,"
        " (SELECT sum(verdict = 'good') FROM router_feedback f WHERE f.task_type = l.task_type) AS good,"
        " (SELECT sum(verdict = 'bad') FROM router_feedback f WHERE f.task_type = l.task_type) AS bad"
        " FROM router_learned l ORDER BY l.task_type")]
    cost = int(savings["cost"] or 0)
    baseline = int(savings["baseline"] or 0)
    return {
        "by_tier": by_tier,
        "attempts": attempts,
        "learned": learned,
        "calls": int(savings["calls"] or 0),
        "cost_micros": cost,
        "baseline_cost_micros": baseline,
        "saved_micros": baseline - cost,
        "saved_pct": round(100.0 * (baseline - cost) / baseline, 1) if baseline else None,
    }
