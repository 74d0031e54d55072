"""Day, week and month boundaries in the configured timezone, as UTC epoch seconds."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def period_start(period: str, now: float, tz: str) -> int:
    """Start of the daily/weekly (Monday)/monthly period containing ``now``."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(now, zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "weekly":
        start -= timedelta(days=start.weekday())
    elif period == "monthly":
        start = start.replace(day=1)
    # replace() keeps the old UTC offset; re-localise so DST changes inside the period are honoured
    return int(datetime(start.year, start.month, start.day, tzinfo=zone).timestamp())


def period_end(period: str, start: int, tz: str) -> int:
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(start, zone)
    if period == "daily":
        nxt = local + timedelta(days=1)
    elif period == "weekly":
        nxt = local + timedelta(days=7)
    else:
        nxt = (local.replace(day=28) + timedelta(days=4)).replace(day=1)
    return int(datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).timestamp())


def day_starts(first: float, last: float, tz: str) -> list[int]:
    """Local midnights from the day containing ``first`` through the day containing ``last``."""
    starts = [period_start("daily", first, tz)]
    while True:
        nxt = period_end("daily", starts[-1], tz)
        if nxt > last:
            return starts
        starts.append(nxt)


def _offset(ts: int, zone: ZoneInfo) -> int:
    delta = datetime.fromtimestamp(ts, zone).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def local_day_sql(column: str, first: float, last: float, tz: str) -> tuple[str, list[int]]:
    """An SQL expression giving the index of the local day of ``column`` (0 = the day containing ``first``).

    The local day number is (t + utc offset) // 86400; the offset only changes at DST transitions, found here
    hour by hour, so the SQL is a CASE of at most a few branches and a million rows bucket at C speed.
    """
    zone = ZoneInfo(tz)
    start = period_start("daily", first, tz)
    base = (start + _offset(start, zone)) // 86400
    segments: list[tuple[int, int]] = [(start, _offset(start, zone))]
    for ts in range(start + 3600, int(last) + 3600, 3600):
        off = _offset(ts, zone)
        if off != segments[-1][1]:
            segments.append((ts, off))
    if len(segments) == 1:
        return f"(({column} + ?) / 86400 - ?)", [segments[0][1], base]
    pieces: list[str] = []
    params: list[int] = []
    for at, off in reversed(segments[1:]):
        pieces.append(f"WHEN {column} >= ? THEN ({column} + ?) / 86400 - ?")
        params.extend([at, off, base])
    params.extend([segments[0][1], base])
    return "(CASE " + " ".join(pieces) + f" ELSE ({column} + ?) / 86400 - ? END)", params
