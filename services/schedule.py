"""Cron expressions: parse, compute the next run, and translate to systemd OnCalendar.

Only the five standard fields are supported (minute hour day-of-month month day-of-week) with ``*``, numbers,
ranges ``a-b``, lists ``a,b`` and steps ``*/n`` / ``a-b/n``; that is what a default schedule needs and what
both cron and systemd understand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))
WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


class CronError(ValueError):
    pass


@dataclass(frozen=True)
class CronSpec:
    expression: str
    minute: frozenset[int]
    hour: frozenset[int]
    day: frozenset[int]
    month: frozenset[int]
    weekday: frozenset[int]
    day_any: bool
    weekday_any: bool

    def matches(self, when: dt.datetime) -> bool:
        if when.minute not in self.minute or when.hour not in self.hour or when.month not in self.month:
            return False
        weekday = (when.weekday() + 1) % 7  # cron: 0 = Sunday
        day_ok = when.day in self.day
        weekday_ok = weekday in self.weekday
        if self.day_any or self.weekday_any:
            return day_ok and weekday_ok
        return day_ok or weekday_ok  # cron's rule when both are restricted

    def next_after(self, when: dt.datetime) -> dt.datetime:
        """The first matching minute strictly after ``when`` (naive or aware; kept as given)."""
        candidate = when.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        for _ in range(366 * 24 * 60):
            if self.matches(candidate):
                return candidate
            candidate += dt.timedelta(minutes=1)
        raise CronError(f"{self.expression!r} never fires")


def _parse_field(text: str, name: str, low: int, high: int) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    is_any = text == "*"
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"{name}: bad step {step_text!r}")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            if not (a.isdigit() and b.isdigit()):
                raise CronError(f"{name}: bad range {part!r}")
            start, end = int(a), int(b)
        elif part.isdigit():
            start = end = int(part)
        else:
            raise CronError(f"{name}: bad value {part!r}")
        if start < low or end > high or start > end:
            raise CronError(f"{name}: {part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    if name == "weekday" and 7 in values:
        values.discard(7)
        values.add(0)
    return frozenset(values), is_any


def parse_cron(expression: str) -> CronSpec:
    parts = expression.split()
    if len(parts) != 5:
        raise CronError(f"cron expression {expression!r} needs 5 fields, has {len(parts)}")
    parsed = [_parse_field(text, name, low, high) for text, (name, low, high) in zip(parts, FIELDS)]
    return CronSpec(
        expression=expression,
        minute=parsed[0][0],
        hour=parsed[1][0],
        day=parsed[2][0],
        month=parsed[3][0],
        weekday=parsed[4][0],
        day_any=parsed[2][1],
        weekday_any=parsed[4][1],
    )


def _calendar_field(text: str, width: int) -> str:
    if text == "*":
        return "*"
    out = []
    for part in text.split(","):
        step = None
        if "/" in part:
            part, step = part.split("/", 1)
        if part == "*":
            part = "0"
            out.append(f"{int(part):0{width}d}/{step}" if step else "*")
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            rng = f"{int(a):0{width}d}..{int(b):0{width}d}"
            if step:
                # systemd has no stepped range; expand it.
                out.extend(f"{v:0{width}d}" for v in range(int(a), int(b) + 1, int(step)))
            else:
                out.append(rng)
            continue
        out.append(f"{int(part):0{width}d}" + (f"/{step}" if step else ""))
    return ",".join(out)


def to_on_calendar(expression: str) -> str:
    """Translate a cron expression to a systemd OnCalendar value."""
    spec = parse_cron(expression)  # validates
    minute, hour, day, month, weekday = expression.split()
    date = f"*-{_calendar_field(month, 2)}-{_calendar_field(day, 2)}"
    time = f"{_calendar_field(hour, 2)}:{_calendar_field(minute, 2)}:00"
    if spec.weekday_any:
        return f"{date} {time}"
    days = ",".join(WEEKDAYS[d] for d in sorted(spec.weekday))
    return f"{days} {date} {time}"
