"""What the dashboard shows, aggregated in SQLite in two passes over the range (days × groups, top sessions)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..alerts.periods import day_starts, local_day_sql, period_end, period_start

if TYPE_CHECKING:
    from ..store import Store

TOP_MODELS = 8
TOP_GROUPS = 12
TOP_SESSIONS = 15
OTHER = "other"


def _cents(micros: int) -> int:
    return (micros + 5_000) // 10_000


def _top(totals: dict[str, int], limit: int) -> list[str]:
    return sorted(totals, key=lambda k: (-totals[k], k))[:limit]


CHUNK_ROWS = 120_000  # SQLite's GROUP BY sorts; sorts this small stay in memory (a million rows spill)


def _chunks(store: "Store", start: int, end: int) -> list[tuple[int, int]] | None:
    """Rowid ranges to aggregate separately when the range covers most rows; None: one indexed query."""
    # Four queries, because SQLite answers a lone min()/max() from an index but scans for several at once.
    bounds = [store.scalar(f"SELECT {fn}({col}) FROM api_calls") for col in ("at", "id") for fn in ("min", "max")]
    if bounds[0] is None:
        return None
    covered = min(end, bounds[1]) - max(start, bounds[0])
    if covered < 0.3 * max(1, bounds[1] - bounds[0]) or bounds[3] - bounds[2] < 2 * CHUNK_ROWS:
        return None
    lo, hi = bounds[2] - 1, bounds[3]
    count = (hi - lo + CHUNK_ROWS - 1) // CHUNK_ROWS
    step = (hi - lo + count - 1) // count
    return [(lo + k * step, min(hi, lo + (k + 1) * step)) for k in range(count)]


def _aggregate(store: "Store", queries: dict[str, tuple[str, list[Any]]], start: int, end: int,
               chunks: list[tuple[int, int]] | None) -> dict[str, list[tuple]]:
    """Run each GROUP BY query (sql with {where}, parameters before WHERE) over the range, either at once
    through the index on at, or per rowid chunk on parallel read connections."""
    if chunks is None:
        return {name: [tuple(r) for r in store.query(sql.format(where="at >= ? AND at < ?"), [*head, start, end])]
                for name, (sql, head) in queries.items()}
    from concurrent.futures import ThreadPoolExecutor

    from ..store.db import connect

    where = "id > ? AND id <= ? AND +at >= ? AND +at < ?"  # "+at": scan the chunk, not the index

    def run(chunk: tuple[int, int]) -> dict[str, list[tuple]]:
        conn = connect(store.path, readonly=True)
        try:
            return {name: conn.execute(sql.format(where=where), (*head, *chunk, start, end)).fetchall()
                    for name, (sql, head) in queries.items()}
        finally:
            conn.close()

    # sqlite3 releases the GIL while stepping, so chunks aggregate on several cores at once.
    workers = max(1, min(len(chunks), os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(run, chunks))
    return {name: [tuple(r) for part in parts for r in part[name]] for name in queries}


def dashboard_data(store: "Store", *, days: int, now: float, tz: str) -> dict[str, Any]:
    """Daily series and breakdowns for the last ``days`` local days (today included); money in cents."""
    end = period_end("daily", period_start("daily", now, tz), tz)
    start = period_start("daily", end - days * 86400 + 43200, tz)
    starts = day_starts(start, end - 1, tz)
    n = len(starts)
    zone = ZoneInfo(tz)
    expr, day_params = local_day_sql("at", start, end, tz)
    sums = ("sum(coalesce(cost_micros, 0)), count(*), sum(cost_micros IS NULL),"
            " sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens)")
    queries = {
        "day_model": (f"SELECT {expr}, model, sum(coalesce(cost_micros, 0)),"
                      " sum(CASE WHEN cost_micros IS NOT NULL THEN baseline_cost_micros ELSE 0 END), count(*),"
                      " sum(cost_micros IS NULL), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
                      " sum(cache_write_tokens) FROM api_calls WHERE {where} GROUP BY 1, 2", day_params),
        # Workflow and project in one sort: each GROUP BY costs a sort of every row, groups are cheap.
        "workflow_project": (f"SELECT coalesce(workflow, '(none)'), coalesce(project_dir, '(none)'), {sums}"
                             " FROM api_calls WHERE {where} GROUP BY 1, 2", []),
        "session": (f"SELECT coalesce(session, '(none)'), {sums} FROM api_calls WHERE {{where}} GROUP BY 1", []),
    }
    results = _aggregate(store, queries, start, end, _chunks(store, start, end))

    def merged(rows: list[tuple], key_index: int, skip: int) -> dict[str, list[int]]:
        acc: dict[str, list[int]] = {}
        for row in rows:
            cost, calls, unknown, tokens = row[skip:skip + 4]
            total = acc.setdefault(row[key_index], [0, 0, 0, 0])
            total[0] += cost
            total[1] += calls
            total[2] += unknown
            total[3] += tokens or 0
        return acc

    model_day: dict[str, list[int]] = {}
    model_tot: dict[str, list[int]] = {}
    tokens = [[0] * n for _ in range(4)]
    cost_day, base_day, calls_day = [0] * n, [0] * n, [0] * n
    unknown_calls = 0
    for d, model, cost, base, calls, unknown, tin, tout, tcr, tcw in results["day_model"]:
        if not 0 <= d < n:
            continue
        model_day.setdefault(model, [0] * n)[d] += cost
        acc = model_tot.setdefault(model, [0, 0, 0, 0])
        acc[0] += cost
        acc[1] += calls
        acc[2] += unknown
        acc[3] += (tin or 0) + (tout or 0) + (tcr or 0) + (tcw or 0)
        cost_day[d] += cost
        base_day[d] += base or 0
        calls_day[d] += calls
        for i, value in enumerate((tin, tout, tcr, tcw)):
            tokens[i][d] += value or 0
        unknown_calls += unknown
    workflow_tot = merged(results["workflow_project"], 0, 2)
    project_tot = merged(results["workflow_project"], 1, 2)
    session_tot = merged(results["session"], 0, 1)
    totals = {"cost": sum(cost_day), "baseline": sum(base_day), "calls": sum(calls_day),
              "unknown_calls": unknown_calls, "input": sum(tokens[0]), "output": sum(tokens[1]),
              "cache_read": sum(tokens[2]), "cache_write": sum(tokens[3])}

    keep = _top({m: v[0] for m, v in model_tot.items()}, TOP_MODELS)
    series = [{"name": m, "values": [_cents(v) for v in model_day[m]]} for m in keep]
    rest = [m for m in model_day if m not in keep]
    if rest:
        series.append({"name": OTHER, "values": [_cents(sum(model_day[m][i] for m in rest)) for i in range(n)]})

    def table(acc: dict[str, list[int]], limit: int) -> list[dict[str, Any]]:
        ranked = sorted(acc.items(), key=lambda kv: (-kv[1][0], kv[0]))
        out = [{"name": k, "cost": _cents(v[0]), "calls": v[1], "unknown": v[2], "tokens": v[3]}
               for k, v in ranked[:limit]]
        if len(ranked) > limit:
            tail = ranked[limit:]
            out.append({"name": f"{OTHER} ({len(tail)})", "cost": _cents(sum(v[0] for _, v in tail)),
                        "calls": sum(v[1] for _, v in tail), "unknown": sum(v[2] for _, v in tail),
                        "tokens": sum(v[3] for _, v in tail)})
        return out

    ranked = sorted(session_tot.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP_SESSIONS]
    sessions = [{"name": k, "cost": _cents(v[0]), "calls": v[1], "tokens": v[3]} for k, v in ranked]
    return {
        "generated": datetime.fromtimestamp(now, zone).strftime("%Y-%m-%d %H:%M %Z"),
        "timezone": tz,
        "days": [datetime.fromtimestamp(s, zone).strftime("%Y-%m-%d") for s in starts],
        "cost_by_model": series,
        "cost": [_cents(v) for v in cost_day],
        "baseline": [_cents(v) for v in base_day],
        "calls": calls_day,
        "tokens": {"input": tokens[0], "output": tokens[1], "cache_read": tokens[2], "cache_write": tokens[3]},
        "by_model": table(model_tot, TOP_MODELS),
        "by_workflow": table(workflow_tot, TOP_GROUPS),
        "by_project": table(project_tot, TOP_GROUPS),
        "top_sessions": sessions,
        "totals": {**{k: v for k, v in totals.items() if k not in ("cost", "baseline")},
                   "cost": _cents(totals["cost"]), "baseline": _cents(totals["baseline"])},
    }
