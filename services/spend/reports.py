"""Spend report queries, shared by `fleetdeck report` and the console's spend pane.

All sums come straight from api_calls. Calls without a known price are never counted as $0: their calls and
tokens are reported in separate ``unknown_*`` fields, and ``cost_micros`` / ``baseline_cost_micros`` /
``savings_micros`` cover priced calls only, so the savings line compares like with like. Day, week and month
boundaries follow the configured timezone.

Reports by model, workflow or nothing read the trigger-maintained api_calls_hourly rollup (which keeps ``report
30`` over a million calls fast) for every UTC hour that lies wholly inside the window and inside one period, and
api_calls itself only for the rest: the partial hours at the window's ends and, in timezones whose periods do not
start on a whole UTC hour (Asia/Kolkata, America/St_Johns, ...), the hours a period boundary cuts. Session and
project reports, which the rollup cannot answer, sum api_calls per 15-minute slot (every real timezone offset is a
multiple of 15 minutes); the slots are then labelled in the timezone.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone as _timezone, tzinfo
from typing import TYPE_CHECKING, Any

from ..errors import DataError, UsageError

if TYPE_CHECKING:
    from ..store import Store

def zone(name: str) -> tzinfo:
    """The timezone of that IANA name. UTC, the default, is datetime's own (the same instants and labels): the
    zoneinfo import costs a `fleetdeck report` about 5 ms, a fair part of what it does when there is little."""
    if name == "UTC":
        return _timezone.utc
    from zoneinfo import ZoneInfo as _ZoneInfo

    return _ZoneInfo(name)

GROUPS = {"model": "model", "workflow": "workflow", "session": "session", "project": "project_dir"}
# What the rollup can group by (it keeps no workflow as '', which reports show as none).
ROLLUP_GROUPS = {None: "NULL", "model": "model", "workflow": "nullif(workflow, '')"}
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


# Plain classes, not dataclasses: importing dataclasses costs every `fleetdeck report` about 10 ms.
_FIELDS = ("period", "group", *_NUMERIC, "share")


class SpendRow:
    """One row of a report: the sums of its calls. ``cost_micros`` and ``baseline_cost_micros`` cover priced
    calls only (the baseline: the same calls on the baseline model); ``share`` is of the report's known cost."""

    __slots__ = _FIELDS

    def __init__(self, period: str | None, group: str | None, calls: int = 0, input_tokens: int = 0,
                 output_tokens: int = 0, cache_read_tokens: int = 0, cache_write_tokens: int = 0,
                 cost_micros: int = 0, baseline_cost_micros: int = 0, unknown_calls: int = 0,
                 unknown_tokens: int = 0, errors: int = 0, share: float = 0.0) -> None:
        self.period = period
        self.group = group
        self.calls = calls
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.cache_read_tokens = cache_read_tokens
        self.cache_write_tokens = cache_write_tokens
        self.cost_micros = cost_micros
        self.baseline_cost_micros = baseline_cost_micros
        self.unknown_calls = unknown_calls
        self.unknown_tokens = unknown_tokens
        self.errors = errors
        self.share = share

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

    @property
    def unpriced(self) -> bool:
        """No call of the row has a known price: its cost is unknown, not $0."""
        return 0 < self.calls == self.unknown_calls

    def as_json(self) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in _FIELDS} | {"savings_micros": self.savings_micros,
                                                                 "tokens": self.tokens}
        if self.unpriced:
            row |= {"cost_micros": None, "baseline_cost_micros": None, "savings_micros": None}
        return row

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpendRow) and all(getattr(self, n) == getattr(other, n) for n in _FIELDS)

    def __repr__(self) -> str:
        return "SpendRow(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in _FIELDS) + ")"


class SpendReport:
    def __init__(self, since: int, until: int, timezone: str, period: str | None, by: str | None,
                 baseline_model: str, rows: list[SpendRow] | None = None, total: SpendRow | None = None,
                 unknown_models: list[str] | None = None) -> None:
        self.since = since
        self.until = until
        self.timezone = timezone
        self.period = period
        self.by = by
        self.baseline_model = baseline_model
        self.rows: list[SpendRow] = [] if rows is None else rows
        self.total = SpendRow(None, None) if total is None else total
        self.unknown_models: list[str] = [] if unknown_models is None else unknown_models

    def as_json(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "timezone": self.timezone, "period": self.period,
                "by": self.by, "baseline_model": self.baseline_model,
                "rows": [r.as_json() for r in self.rows], "total": self.total.as_json(),
                "unknown_models": self.unknown_models}


# -- time windows -------------------------------------------------------------------------------------------


def parse_when(text: str, tz: tzinfo, *, end: bool = False) -> int:
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


def window(days: int | None, since: str | None, until: str | None, tz: tzinfo,
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
        today = datetime.fromtimestamp(now, tz).date()
        # A DAYS beyond the calendar (`report 100000000`: "everything") starts at its first day, not overflow.
        first = today - timedelta(days=min(days - 1, (today - date(1, 1, 2)).days))
        start = int(datetime(first.year, first.month, first.day, tzinfo=tz).timestamp())
    if start >= end:
        if until:
            raise UsageError("--since must be before --until")
        raise DataError(f"--since {since} is in the future")
    return start, end


def period_label(ts: int, period: str, tz: tzinfo) -> str:
    local = datetime.fromtimestamp(ts, tz)
    if period == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if local.year < 1000:  # strftime's %Y does not pad; keep its labels for such years
        return local.strftime("%Y-%m-%d" if period == "daily" else "%Y-%m")
    # isoformat is what strftime("%Y-%m-%d") gives from year 1000 on, several times faster (a daily report over
    # months labels thousands of rollup hours)
    day = local.date().isoformat()
    return day if period == "daily" else day[:7]


# -- the query ----------------------------------------------------------------------------------------------


def spend_report(store: Store, *, since: int, until: int, by: str | None = "model", period: str | None = None,
                 timezone: str = "UTC", baseline_model: str = "claude-sonnet-4-5") -> SpendReport:
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by: one of {', '.join(GROUPS)}")
    if period is not None and period not in PERIODS:
        raise UsageError(f"period: one of {', '.join(PERIODS)}")
    tz = zone(timezone)
    since, until = int(since), int(until)
    report = SpendReport(since, until, timezone, period, by, baseline_model)
    if by in ROLLUP_GROUPS:
        results, unknown_queries = _rollup_results(store, by, period, since, until, tz)
    else:
        results = _raw_results(store, by, period, since, until, tz)
        unknown_queries = [("SELECT DISTINCT model FROM api_calls WHERE at >= ? AND at < ? AND cost_micros IS NULL",
                            (since, until))]
    # Every query selects slot, grp, then the _NUMERIC sums in order; they are added up as plain lists (a
    # daily report over months merges thousands of rollup hours).
    sums: dict[tuple[str | None, str | None], list[int]] = {}
    labels: dict[int, str] = {}
    for r in results:
        values = tuple(r)
        label = None
        if period:
            s = int(values[0])
            label = labels.get(s)
            if label is None:
                label = labels[s] = period_label(s, period, tz)
        key = (label, values[1])
        acc = sums.get(key)
        if acc is None:
            sums[key] = [int(v or 0) for v in values[2:]]
        else:
            for i, v in enumerate(values[2:]):
                acc[i] += int(v or 0)
    merged = {key: SpendRow(key[0], key[1], *acc) for key, acc in sums.items()}
    known_total = sum(r.cost_micros for r in merged.values())
    for row in merged.values():
        row.share = row.cost_micros / known_total if known_total else 0.0
        report.total.add(row)
    report.total.share = 1.0 if known_total else 0.0
    report.rows = sorted(merged.values(), key=lambda r: (r.period or "", -r.cost_micros, -r.tokens, r.group or ""))
    if report.total.unknown_calls:
        report.unknown_models = sorted({m for sql, params in unknown_queries for (m,) in store.query(sql, params)})
    return report


# -- session and project reports: the raw rows -------------------------------------------------------------------

# Below this share of the table's time span a window is read through the index on `at` (a table lookup per row,
# then a sort); above it, one pass over the covering session index (migration 0013), already in (session,
# project) order, is cheaper. The dashboard's top sessions and projects choose the same way.
COVER_SHARE = 0.1
MMAP_BYTES = 1 << 30


def covering_pass(store: Store, since: int, until: int) -> bool:
    """Whether [since, until) spans enough of the table's calls for one pass over the session index."""
    lo, hi = store.query_one("SELECT min(at), max(at) FROM api_calls")
    return lo is not None and min(until, hi + 1) - max(since, lo) >= COVER_SHARE * (hi + 1 - lo)


def _raw_results(store: Store, by: str, period: str | None, since: int, until: int, tz: tzinfo) -> list[Any]:
    """slot, group and the _NUMERIC sums per group, and per slot for a ``period`` report: a UTC day in UTC (every
    period boundary is a UTC midnight), else 15 minutes (every real timezone offset is a multiple of it)."""
    covering = covering_pass(store, since, until)
    if covering:
        # One pass over the whole index, through a memory map rather than a read() per page.
        store.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    if period is None and covering:
        # Sums per (session, project) pair in the index's own order (no sort), then the pairs per group: a project
        # report sorts a few thousand pairs, not every call (a million calls: 7.6 s before, 2.5-2.9 s).
        sums = ", ".join(f"sum({name}) AS {name}" for name in _NUMERIC)
        return list(store.query(
            f"WITH pairs AS MATERIALIZED (SELECT session, project_dir, {_SUMS}"
            f" FROM api_calls INDEXED BY api_calls_session_project WHERE at >= ? AND at < ?"
            f" GROUP BY session, project_dir) SELECT NULL AS slot, {GROUPS[by]} AS grp, {sums} FROM pairs"
            f" GROUP BY grp", (since, until)))
    step = 86400 if tz is _timezone.utc else SLOT
    slot = f"(at / {step}) * {step}" if period else "NULL"
    source = "api_calls INDEXED BY api_calls_session_project" if covering else "api_calls"
    return list(store.query(f"SELECT {slot} AS slot, {GROUPS[by]} AS grp, {_SUMS} FROM {source}"
                            f" WHERE at >= ? AND at < ? GROUP BY grp, slot", (since, until)))


# -- rollup hours and raw leftovers ---------------------------------------------------------------------------


def _period_starts(since: int, until: int, period: str | None, tz: tzinfo) -> set[int]:
    """The instants inside (since, until) where a period (local day, ISO week, month) begins."""
    starts: set[int] = set()
    if period is None:
        return starts
    day = datetime.fromtimestamp(since, tz).date()
    last = datetime.fromtimestamp(until, tz).date()
    while day < last:
        day += timedelta(days=1)
        if (period == "weekly" and day.weekday()) or (period == "monthly" and day.day != 1):
            continue
        for fold in (0, 1):  # both readings of an ambiguous midnight; an extra cut only splits a piece in two
            ts = int(datetime(day.year, day.month, day.day, tzinfo=tz, fold=fold).timestamp())
            if since < ts < until:
                starts.add(ts)
    return starts


def split_window(since: int, until: int, period: str | None, tz: tzinfo
                 ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """[since, until) as ranges of whole UTC hours that the rollup answers, and the pieces left for raw rows.

    Every rollup hour and every piece lies inside one period, so each can be labelled by its own start.
    """
    cuts = sorted({since, until} | _period_starts(since, until, period, tz))
    hours: list[tuple[int, int]] = []
    pieces: list[tuple[int, int]] = []
    for lo, hi in zip(cuts, cuts[1:]):
        first, last = -(-lo // 3600) * 3600, hi // 3600 * 3600
        if first >= last:
            pieces.append((lo, hi))
            continue
        if hours and hours[-1][1] == first:
            hours[-1] = (hours[-1][0], last)  # periods meeting on a whole hour need no cut in the rollup
        else:
            hours.append((first, last))
        pieces += [(a, b) for a, b in ((lo, first), (last, hi)) if a < b]
    return hours, pieces


def _rollup_results(store: Store, by: str | None, period: str | None, since: int, until: int, tz: tzinfo
                    ) -> tuple[list[Any], list[tuple[str, tuple[int, int]]]]:
    col = ROLLUP_GROUPS[by]
    sums = ", ".join(f"sum({name}) AS {name}" for name in _NUMERIC)
    # In UTC every hour of a UTC day has that day's daily, weekly and monthly label, so SQLite can sum the hours
    # per day: a daily report over months then labels and merges tens of rows in Python, not thousands. (Other
    # zones: per hour; a local day's hours are not one arithmetic group across DST changes.)
    slot = "NULL" if not period else "hour / 86400 * 86400" if tz is _timezone.utc else "hour"
    # Without a grouping, grouping by the constant too would make SQLite sort in a temporary b-tree.
    hourly = (f"SELECT {slot} AS slot, {col} AS grp, {sums} FROM api_calls_hourly"
              f" WHERE hour >= ? AND hour < ? GROUP BY slot{', grp' if by else ''} HAVING sum(calls) != 0")
    raw = (f"SELECT {'?' if period else 'NULL'} AS slot, {col} AS grp, {_SUMS} FROM api_calls"
           f" WHERE at >= ? AND at < ? GROUP BY grp")
    results: list[Any] = []
    unknown: list[tuple[str, tuple[int, int]]] = []
    # Every call lies in a rollup hour, so nothing is outside [first hour, last hour + 1 h): cutting only that
    # part of the window into periods keeps `report 36500 --daily` from walking a century of empty days.
    first, last = store.query_one("SELECT min(hour), max(hour) FROM api_calls_hourly")
    if first is None:
        return results, unknown
    since, until = max(since, int(first)), min(until, int(last) + 3600)
    if since >= until:
        return results, unknown
    hours, pieces = split_window(since, until, period, tz)
    for lo, hi in hours:
        results += store.query(hourly, (lo, hi))
        unknown.append(("SELECT DISTINCT model FROM api_calls_hourly WHERE hour >= ? AND hour < ?"
                        " AND unknown_calls > 0", (lo, hi)))
    for lo, hi in pieces:
        results += store.query(raw, (lo, lo, hi) if period else (lo, hi))
        unknown.append(("SELECT DISTINCT model FROM api_calls WHERE at >= ? AND at < ? AND cost_micros IS NULL",
                        (lo, hi)))
    return results, unknown


def daily_output_tokens(store: Store, *, timezone: str = "UTC", source: str | None = None) -> dict[str, int]:
    """Output tokens per local day (for cross-checks against other tools)."""
    tz = zone(timezone)
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
    from .aliases import baseline_model

    tz_name = str(config.get("general", "timezone", "UTC") or "UTC")
    start, end = window(days, since, until, zone(tz_name), now)
    return spend_report(store, since=start, until=end, by=by, period=period, timezone=tz_name,
                        baseline_model=baseline_model(config.section("spend")))
