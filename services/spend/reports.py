"""Spend report queries, shared by `fleetdeck report` and the console's spend pane.

All sums come straight from api_calls. Calls without a known price are never counted as $0: their calls and
tokens are reported in separate ``unknown_*`` fields, and ``cost_micros`` / ``baseline_cost_micros`` /
``savings_micros`` cover priced calls only, so the savings line compares like with like. Day, week and month
boundaries follow the configured timezone: rows are first summed per UTC hour (from the trigger-maintained
api_calls_hourly rollup, which keeps ``report 30`` over a million calls fast) or, where whole hours are not exact
(session/project groupings, odd bounds, half-hour timezones), per 15-minute slot of api_calls (every real
timezone offset is a multiple of 15 minutes); the slots are then labelled in that timezone.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..errors import DataError, UsageError

if TYPE_CHECKING:
    from ..store import Store

GROUPS = {"model": "model", "workflow": "workflow", "session": "session", "project": "project_dir"}
PERIODS = ("daily", "weekly", "monthly")
SLOT = 900

_SUMS = """count(*) AS calls,
    total(input_tokens) AS input_tokens, total(output_tokens) AS output_tokens,
    total(cache_read_tokens) AS cache_read_tokens, total(cache_write_tokens) AS cache_write_tokens,
    total(cost_micros) AS cost_micros,
    total(CASE WHEN cost_micros IS NOT NULL THEN baseline_cost_micros END) AS baseline_cost_micros,
    total(cost_micros IS NULL) AS unknown_calls,
    total(CASE WHEN cost_micros IS NULL
               THEN input_tokens + output_tokens + cache_read_tokens + cache_write_tokens END) AS unknown_tokens,
    total(status = 'error') AS errors"""

_NUMERIC = ("calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost_micros",
            "baseline_cost_micros", "unknown_calls", "unknown_tokens", "errors")


@dataclass
class SpendRow:
    period: str | None
    group: str | None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_micros: int = 0  # priced calls only
    baseline_cost_micros: int = 0  # the same priced calls on the baseline model
    unknown_calls: int = 0
    unknown_tokens: int = 0
    errors: int = 0
    share: float = 0.0  # of the report's known cost

    @property
    def savings_micros(self) -> int:
        return self.baseline_cost_micros - self.cost_micros

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens

    def add(self, other: SpendRow | dict[str, Any]) -> None:
        for name in _NUMERIC:
            value = other[name] if isinstance(other, dict) else getattr(other, name)
            setattr(self, name, getattr(self, name) + int(value or 0))

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"savings_micros": self.savings_micros, "tokens": self.tokens}


@dataclass
class SpendReport:
    since: int
    until: int
    timezone: str
    period: str | None
    by: str | None
    baseline_model: str
    rows: list[SpendRow] = field(default_factory=list)
    total: SpendRow = field(default_factory=lambda: SpendRow(None, None))
    unknown_models: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "timezone": self.timezone, "period": self.period,
                "by": self.by, "baseline_model": self.baseline_model,
                "rows": [r.as_json() for r in self.rows], "total": self.total.as_json(),
                "unknown_models": self.unknown_models}


# -- time windows -------------------------------------------------------------------------------------------


def parse_when(text: str, tz: ZoneInfo, *, end: bool = False) -> int:
    """A date (YYYY-MM-DD, local midnight; with ``end`` the next midnight), an ISO datetime, or epoch seconds."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            if end:
                d += timedelta(days=1)
            return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"cannot read {text!r} as a date (YYYY-MM-DD), a time (ISO 8601) or epoch seconds") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return int(dt.timestamp())


def window(days: int | None, since: str | None, until: str | None, tz: ZoneInfo,
           now: float | None = None) -> tuple[int, int]:
    """[since, until) in epoch seconds: the last ``days`` local days including today, or the given bounds."""
    now = time.time() if now is None else now
    end = parse_when(until, tz, end=True) if until else int(now) + 1
    if since:
        start = parse_when(since, tz)
    else:
        days = 7 if days is None else days
        if days < 1:
            raise UsageError("DAYS must be at least 1")
        today = datetime.fromtimestamp(now, tz).date() - timedelta(days=days - 1)
        start = int(datetime(today.year, today.month, today.day, tzinfo=tz).timestamp())
    if start >= end:
        raise UsageError("--since must be before --until")
    return start, end


def period_label(ts: int, period: str, tz: ZoneInfo) -> str:
    local = datetime.fromtimestamp(ts, tz)
    if period == "daily":
        return local.strftime("%Y-%m-%d")
    if period == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m")


# -- the query ----------------------------------------------------------------------------------------------


def spend_report(store: Store, *, since: int, until: int, by: str | None = "model", period: str | None = None,
                 timezone: str = "UTC", baseline_model: str = "claude-sonnet-4-5") -> SpendReport:
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by: one of {', '.join(GROUPS)}")
    if period is not None and period not in PERIODS:
        raise UsageError(f"period: one of {', '.join(PERIODS)}")
    tz = ZoneInfo(timezone)
    since, until = int(since), int(until)
    report = SpendReport(since, until, timezone, period, by, baseline_model)
    rollup = _can_use_rollup(store, by, since, until, tz)
    if rollup:
        col = {"model": "model", "workflow": "nullif(workflow, '')", None: "NULL"}[by]
        slot = "hour" if period else "NULL"
        sums = ", ".join(f"sum({name}) AS {name}" for name in _NUMERIC)
        sql = (f"SELECT {slot} AS slot, {col} AS grp, {sums} FROM api_calls_hourly"
               f" WHERE hour >= ? AND hour < ? GROUP BY slot, grp HAVING sum(calls) != 0")
    else:
        col = GROUPS[by] if by else "NULL"
        slot = f"(at / {SLOT}) * {SLOT}" if period else "NULL"
        sql = (f"SELECT {slot} AS slot, {col} AS grp, {_SUMS} FROM api_calls"
               f" WHERE at >= ? AND at < ? GROUP BY slot, grp")
    merged: dict[tuple[str | None, str | None], SpendRow] = {}
    labels: dict[int, str] = {}
    for r in store.query(sql, (since, until)):
        label = None
        if period:
            s = int(r["slot"])
            label = labels.get(s)
            if label is None:
                label = labels[s] = period_label(s, period, tz)
        key = (label, r["grp"])
        row = merged.get(key)
        if row is None:
            row = merged[key] = SpendRow(label, r["grp"])
        row.add(dict(r))
    known_total = sum(r.cost_micros for r in merged.values())
    for row in merged.values():
        row.share = row.cost_micros / known_total if known_total else 0.0
        report.total.add(row)
    report.total.share = 1.0 if known_total else 0.0
    report.rows = sorted(merged.values(), key=lambda r: (r.period or "", -r.cost_micros, -r.tokens, r.group or ""))
    if report.total.unknown_calls:
        unknown_sql = ("SELECT DISTINCT model FROM api_calls_hourly WHERE hour >= ? AND hour < ? AND unknown_calls > 0"
                       if rollup else
                       "SELECT DISTINCT model FROM api_calls WHERE at >= ? AND at < ? AND cost_micros IS NULL")
        report.unknown_models = sorted(m for (m,) in store.query(unknown_sql, (since, until)))
    return report


def _can_use_rollup(store: Store, by: str | None, since: int, until: int, tz: ZoneInfo) -> bool:
    """The hourly rollup answers exactly when the bounds fall on whole hours (or past the newest call) and
    every local offset in the window is a whole number of hours."""
    if by not in (None, "model", "workflow") or since % 3600:
        return False
    if until % 3600:
        newest = store.scalar("SELECT max(at) FROM api_calls")
        if newest is not None and until <= newest:
            return False
        until = until - until % 3600 + 3600
    step = 6 * 86400
    for ts in [*range(since, until, step), until]:
        offset = datetime.fromtimestamp(ts, tz).utcoffset()
        if offset is None or offset.total_seconds() % 3600:
            return False
    return True


def daily_output_tokens(store: Store, *, timezone: str = "UTC", source: str | None = None) -> dict[str, int]:
    """Output tokens per local day (for cross-checks against other tools)."""
    tz = ZoneInfo(timezone)
    where = "WHERE source = ?" if source else ""
    params = (source,) if source else ()
    totals: dict[str, int] = {}
    for slot, out in store.query(f"SELECT (at / {SLOT}) * {SLOT}, total(output_tokens) FROM api_calls {where}"
                                 f" GROUP BY 1", params):
        label = period_label(int(slot), "daily", tz)
        totals[label] = totals.get(label, 0) + int(out)
    return dict(sorted(totals.items()))


def report_for_config(store: Store, config: Any, *, days: int | None = None, since: str | None = None,
                      until: str | None = None, by: str | None = "model", period: str | None = None,
                      now: float | None = None) -> SpendReport:
    """The report as the user's config shapes it ([general] timezone, [spend] baseline_model)."""
    from .pricing import pricer_for

    tz_name = str(config.get("general", "timezone", "UTC") or "UTC")
    start, end = window(days, since, until, ZoneInfo(tz_name), now)
    return spend_report(store, since=start, until=end, by=by, period=period, timezone=tz_name,
                        baseline_model=pricer_for(config).baseline_model)
