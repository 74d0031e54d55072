"""Helpers the per-agent detectors share: recent lines, context percentages, reset times."""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from typing import Callable

STATES = ("working", "permission", "idle", "usage_limited", "dead", "unknown")
BRAILLE_TITLE = re.compile(r"^\s*[\u2800-\u28ff]")


@dataclass(frozen=True)
class Detection:
    state: str
    context_left: int | None = None
    prompt: str | None = None  # the permission question in full, when waiting for one
    reset_at: int | None = None
    detail: str | None = None


def recent_lines(screen: str, n: int = 25) -> list[str]:
    """The last ``n`` non-blank lines: where an agent's current state is drawn (history sits above)."""
    lines = [ln.rstrip() for ln in (screen or "").splitlines() if ln.strip()]
    return lines[-n:]


_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
_SEARCHERS: dict[tuple[re.Pattern[str], ...], Callable[[str], object]] = {}


def _searcher(patterns: list[re.Pattern[str]]) -> Callable[[str], object]:
    """A search for any of ``patterns`` (each keeping its own flags) as one regex: one search per line instead
    of one per pattern, which matters when the console polls every pane every second."""
    key = tuple(patterns)
    search = _SEARCHERS.get(key)
    if search is None:
        parts = []
        for p in patterns:
            flags = "".join(letter for flag, letter in _FLAGS if p.flags & flag)
            parts.append(f"(?{flags}:{p.pattern})" if flags else f"(?:{p.pattern})")
        try:
            search = re.compile("|".join(parts)).search
        except re.error:  # e.g. a pattern with global inline flags: search them one by one
            search = lambda line: any(p.search(line) for p in key)  # noqa: E731
        _SEARCHERS[key] = search
    return search


def first_match(patterns: list[re.Pattern[str]], lines: list[str]) -> int | None:
    search = _searcher(patterns)
    for i, line in enumerate(lines):
        if search(line):
            return i
    return None


def last_match(patterns: list[re.Pattern[str]], lines: list[str]) -> int | None:
    search = _searcher(patterns)
    for i in range(len(lines) - 1, -1, -1):
        if search(lines[i]):
            return i
    return None


_CTX = [
    (re.compile(r"Context left until auto-compact:\s*(\d{1,3})\s*%", re.I), False),
    (re.compile(r"(\d{1,3})\s*%\s*until auto-compact", re.I), False),
    (re.compile(r"(\d{1,3})\s*%\s*context left", re.I), False),
    (re.compile(r"(\d{1,3})\s*%\s*used\b", re.I), True),
]


def context_left(lines: list[str]) -> int | None:
    for line in reversed(lines):
        if "%" not in line:  # every form has one; most lines have none
            continue
        for pattern, is_used in _CTX:
            m = pattern.search(line)
            if m:
                value = max(0, min(100, int(m.group(1))))
                return 100 - value if is_used else value
    return None


_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?(?=[\s.,)(]|$)", re.I)
_TZ = re.compile(r"\(([A-Za-z_]+(?:/[A-Za-z_]+)*)\)")


def parse_reset(text: str, now: float) -> int | None:
    """The epoch time a usage limit resets, from "reset at 3pm", "resets 14:30 (UTC)", "Try again at 3:05 PM".

    A bare time of day is the next such time after ``now``, in the zone named in parentheses (UTC otherwise).
    """
    m = re.search(r"(?:reset|resets|try again)\s*(?:at|in)?\s*(.*)", text, re.I)
    if not m:
        return None
    rest = m.group(1)
    rel = re.match(r"\s*(?:(\d+)\s*h(?:ours?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?", rest, re.I)
    if rel and (rel.group(1) or rel.group(2)) and "in" in text[m.start():m.start(1)].lower():
        return int(now + int(rel.group(1) or 0) * 3600 + int(rel.group(2) or 0) * 60)
    t = _TIME.search(rest)
    if not t or (t.group(2) is None and t.group(3) is None):
        return None
    hour, minute = int(t.group(1)), int(t.group(2) or 0)
    ampm = (t.group(3) or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    offset = 0
    tz = _TZ.search(rest)
    if tz and tz.group(1).upper() not in ("UTC", "GMT"):
        try:
            from datetime import datetime
            from zoneinfo import ZoneInfo

            offset = int(datetime.fromtimestamp(now, ZoneInfo(tz.group(1))).utcoffset().total_seconds())
        except Exception:  # noqa: BLE001 - an unknown zone: read it as UTC
            offset = 0
    local = time.gmtime(now + offset)
    candidate = calendar.timegm((local.tm_year, local.tm_mon, local.tm_mday, hour, minute, 0)) - offset
    while candidate <= now - 60:
        candidate += 86400
    return int(candidate)
