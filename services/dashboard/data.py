"""What the dashboard shows: the sums (see sums.py) shaped into series and tables, money in cents."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..alerts.periods import day_starts, period_end, period_start
from .sums import Sums, collect

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
    return shape(collect(store, starts, end), starts, now=now, tz=tz)


def shape(sums: Sums, starts: list[int], *, now: float, tz: str) -> dict[str, Any]:
    """The page's data from the sums: top groups with the rest as "other", money rounded to cents."""
    n = len(starts)
    zone = ZoneInfo(tz)
    model_day: dict[str, list[int]] = {}
    model_tot: dict[str, list[int]] = {}
    tokens = [[0] * n for _ in range(4)]
    cost_day, base_day, calls_day = [0] * n, [0] * n, [0] * n
    unknown_calls = 0
    for (d, model), (cost, base, calls, unknown, tin, tout, tcr, tcw) in sums.day_model.items():
        model_day.setdefault(model, [0] * n)[d] += cost
        acc = model_tot.setdefault(model, [0, 0, 0, 0])
        acc[0] += cost
        acc[1] += calls
        acc[2] += unknown
        acc[3] += tin + tout + tcr + tcw
        cost_day[d] += cost
        base_day[d] += base
        calls_day[d] += calls
        for i, value in enumerate((tin, tout, tcr, tcw)):
            tokens[i][d] += value
        unknown_calls += unknown
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

    ranked = heapq.nsmallest(TOP_SESSIONS, sums.session.items(), key=lambda kv: (-kv[1][0], kv[0]))
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
        "by_workflow": table(sums.workflow, TOP_GROUPS),
        "by_project": table(sums.project, TOP_GROUPS),
        "top_sessions": sessions,
        "totals": {**{k: v for k, v in totals.items() if k not in ("cost", "baseline")},
                   "cost": _cents(totals["cost"]), "baseline": _cents(totals["baseline"])},
    }
