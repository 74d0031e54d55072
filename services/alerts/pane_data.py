"""Everything the console's spend pane shows, in one call on the store's thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .periods import period_end, period_start
from .summary import breakdown, calls_of, daily_costs, totals

if TYPE_CHECKING:
    from ..store import Store

SPARK_DAYS = 30


def spend_overview(store: "Store", *, now: float, tz: str, days: int, group: str,
                   drill: str | None = None, top: int = 10) -> dict[str, Any]:
    """Totals for the last ``days`` local days (today included) and the same span before, breakdowns, sparkline."""
    end = period_end("daily", period_start("daily", now, tz), tz)
    start = period_start("daily", end - days * 86400 + 43200, tz)
    previous = period_start("daily", start - days * 86400 + 43200, tz)
    spark_start = period_start("daily", end - SPARK_DAYS * 86400 + 43200, tz)
    result: dict[str, Any] = {
        "days": days,
        "group": group,
        "totals": totals(store, start, end),
        "previous": totals(store, previous, start),
        "daily": daily_costs(store, spark_start, end, tz),
        "rows": breakdown(store, start, end, group, top),
        "sessions": breakdown(store, start, end, "session", 5),
        "projects": breakdown(store, start, end, "project", 5),
        "drill": None,
    }
    if drill is not None:
        result["drill"] = {"name": drill, "daily": calls_of(store, spark_start, end, group, drill, tz)}
    failing = store.query("SELECT channel, last_error FROM notify_channels WHERE failing = 1")
    result["failing_channels"] = [dict(r) for r in failing]
    return result
