"""What the dashboard shows, aggregated in SQLite in two passes over the range (days × groups, top sessions)."""

from __future__ import annotations

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


def dashboard_data(store: "Store", *, days: int, now: float, tz: str) -> dict[str, Any]:
    """Daily series and breakdowns for the last ``days`` local days (today included); money in cents."""
    end = period_end("daily", period_start("daily", now, tz), tz)
    start = period_start("daily", end - days * 86400 + 43200, tz)
    starts = day_starts(start, end - 1, tz)
    n = len(starts)
    zone = ZoneInfo(tz)
    expr, params = local_day_sql("at", start, end, tz)
    # When the range holds (nearly) all rows, a straight table scan beats a million index lookups; "+at"
    # tells SQLite not to use the index on at.
    bounds = store.query_one("SELECT min(at), max(at) FROM api_calls")
    col = "at"
    if bounds and bounds[0] is not None:
        covered = min(end, bounds[1]) - max(start, bounds[0])
        col = "+at" if covered >= 0.3 * max(1, bounds[1] - bounds[0]) else "at"
    store.execute("PRAGMA temp_store = MEMORY")  # the GROUP BY sorter must not spill to disk
    rows = store.query(
        f"SELECT {expr} AS d, model, coalesce(workflow, '(none)'), coalesce(project_dir, '(none)'),"
        " sum(coalesce(cost_micros, 0)), sum(CASE WHEN cost_micros IS NOT NULL THEN baseline_cost_micros ELSE 0 END),"
        " count(*), sum(cost_micros IS NULL), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
        " sum(cache_write_tokens)"
        f" FROM api_calls WHERE {col} >= ? AND {col} < ? GROUP BY 1, 2, 3, 4", (*params, start, end))

    model_day: dict[str, list[int]] = {}
    workflow_tot: dict[str, list[int]] = {}
    project_tot: dict[str, list[int]] = {}
    model_tot: dict[str, list[int]] = {}
    tokens = [[0] * n for _ in range(4)]
    cost_day, base_day, calls_day = [0] * n, [0] * n, [0] * n
    totals = {"cost": 0, "baseline": 0, "calls": 0, "unknown_calls": 0, "input": 0, "output": 0,
              "cache_read": 0, "cache_write": 0}
    for d, model, workflow, project, cost, base, calls, unknown, tin, tout, tcr, tcw in rows:
        if not 0 <= d < n:
            continue
        model_day.setdefault(model, [0] * n)[d] += cost
        for table, key in ((workflow_tot, workflow), (project_tot, project), (model_tot, model)):
            acc = table.setdefault(key, [0, 0, 0, 0])
            acc[0] += cost
            acc[1] += calls
            acc[2] += unknown
            acc[3] += tin + tout + tcr + tcw
        cost_day[d] += cost
        base_day[d] += base or 0
        calls_day[d] += calls
        for i, value in enumerate((tin, tout, tcr, tcw)):
            tokens[i][d] += value or 0
        totals["unknown_calls"] += unknown
    totals.update(cost=sum(cost_day), baseline=sum(base_day), calls=sum(calls_day), input=sum(tokens[0]),
                  output=sum(tokens[1]), cache_read=sum(tokens[2]), cache_write=sum(tokens[3]))

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

    sessions = [{"name": r[0], "cost": _cents(int(r[1])), "calls": int(r[2]), "tokens": int(r[3] or 0),
                 "project": r[4] or ""}
                for r in store.query(
                    "SELECT coalesce(session, '(none)'), sum(coalesce(cost_micros, 0)) AS c, count(*),"
                    " sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens), max(project_dir)"
                    f" FROM api_calls WHERE {col} >= ? AND {col} < ? GROUP BY 1 ORDER BY c DESC LIMIT ?",
                    (start, end, TOP_SESSIONS))]
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
