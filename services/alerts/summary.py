"""Spend totals and breakdowns for a time range (the weekly report and the console's spend pane)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import Store

GROUP_COLUMNS = {"model": "model", "workflow": "coalesce(workflow, '(none)')",
                 "project": "coalesce(project_dir, '(none)')", "session": "coalesce(session, '(none)')"}


def totals(store: "Store", start: int, end: int) -> dict[str, int]:
    row = store.query_one(
        "SELECT count(*) AS calls, coalesce(sum(cost_micros), 0) AS cost_micros,"
        " coalesce(sum(baseline_cost_micros), 0) AS baseline_micros,"
        " coalesce(sum(CASE WHEN cost_micros IS NOT NULL THEN baseline_cost_micros END), 0) AS priced_baseline,"
        " sum(cost_micros IS NULL) AS unknown_calls,"
        " coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,"
        " coalesce(sum(cache_read_tokens), 0) AS cache_read_tokens,"
        " coalesce(sum(cache_write_tokens), 0) AS cache_write_tokens"
        " FROM api_calls WHERE at >= ? AND at < ?", (start, end))
    result = {k: int(row[k] or 0) for k in row.keys()} if row else {}
    # Savings compare like with like: only calls whose own price is known.
    result["savings_micros"] = result.get("priced_baseline", 0) - result.get("cost_micros", 0)
    return result


def breakdown(store: "Store", start: int, end: int, by: str, limit: int = 10) -> list[dict[str, Any]]:
    column = GROUP_COLUMNS[by]
    rows = store.query(
        f"SELECT {column} AS name, count(*) AS calls, coalesce(sum(cost_micros), 0) AS cost_micros,"
        f" sum(cost_micros IS NULL) AS unknown_calls,"
        f" coalesce(sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens), 0) AS tokens"
        f" FROM api_calls WHERE at >= ? AND at < ? GROUP BY 1 ORDER BY 3 DESC, 2 DESC LIMIT ?",
        (start, end, limit))
    return [dict(r) for r in rows]


def daily_costs(store: "Store", start: int, end: int, tz: str) -> list[int]:
    """Cost per local day from ``start`` (a local midnight) up to ``end``."""
    from .periods import day_starts, local_day_sql

    days = len(day_starts(start, end - 1, tz))
    expr, params = local_day_sql("at", start, end, tz)
    values = [0] * days
    for row in store.query(f"SELECT {expr} AS day, coalesce(sum(cost_micros), 0) FROM api_calls"
                           f" WHERE at >= ? AND at < ? GROUP BY 1", (*params, start, end)):
        if 0 <= row[0] < days:
            values[row[0]] = int(row[1])
    return values


def calls_of(store: "Store", start: int, end: int, by: str, name: str, tz: str) -> list[int]:
    """Daily cost of one row of a breakdown (the drill-down)."""
    from .periods import day_starts, local_day_sql

    column = GROUP_COLUMNS[by]
    days = len(day_starts(start, end - 1, tz))
    expr, params = local_day_sql("at", start, end, tz)
    values = [0] * days
    for row in store.query(f"SELECT {expr} AS day, coalesce(sum(cost_micros), 0) FROM api_calls"
                           f" WHERE at >= ? AND at < ? AND {column} = ? GROUP BY 1", (*params, start, end, name)):
        if 0 <= row[0] < days:
            values[row[0]] = int(row[1])
    return values
