"""Errors agents show on screen (a Python traceback, an API error) become triage errors.

The poller already captures every pane whose screen changed; this only reads those captures. An error stays on
screen for many polls, so each (session, error text) is recorded once: its dedupe key is their hash.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from ..store import Store

_TRACEBACK_START = "Traceback (most recent call last):"
# The line that ends a traceback: "SomeError: message" or a bare exception name, unindented.
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b.*$|^[A-Za-z_][\w.]*: .+$")
# API failures agents print: "API Error: 529 …", "anthropic.RateLimitError: …", "Error: 429 Too Many Requests".
_API_ERROR = re.compile(
    r"(API Error:?\s*\d{3}.*|\b\w*(RateLimit|Overloaded|APIConnection|APIStatus|InternalServer|Authentication)"
    r"Error\b.*|\b(overloaded_error|rate_limit_error|api_error)\b.*|\bError: (4\d\d|5\d\d)\b.*)"
)


def extract_errors(screen: str) -> list[str]:
    """The error blocks visible on a screen, in order: whole tracebacks, then single API-error lines."""
    if "Error" not in screen and "error" not in screen and _TRACEBACK_START not in screen:
        return []
    lines = [line.rstrip() for line in screen.splitlines()]
    found: list[str] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        column = lines[i].find(_TRACEBACK_START)
        # Agents indent tool output behind a gutter ("  ⎿  Traceback …"): read the block from that column.
        if column >= 0 and lines[i][:column].strip() in ("", "⎿", "│", "|", ">"):
            indent = column
            block = [lines[i][indent:]]
            j = i + 1
            while j < len(lines):
                text = lines[j][indent:] if lines[j][:indent].strip() in ("", "⎿", "│", "|", ">") else lines[j]
                block.append(text)
                if text and not text.startswith(" ") and _EXCEPTION_LINE.match(text):
                    break
                j += 1
            if j < len(lines):  # a traceback still being printed is picked up on a later poll
                found.append("\n".join(block))
                used.update(range(i, j + 1))
            i = j + 1
            continue
        i += 1
    for n, line in enumerate(lines):
        if n in used:
            continue
        match = _API_ERROR.search(line)
        if match:
            found.append(match.group(0).strip())
    return found


# The last screen looked at per session: `watch` polls every 2 s and most screens do not change between polls.
_last_screen: dict[tuple[str, str], int] = {}


def record_pane_errors(store: "Store", sessions: Iterable[Any], *, config: Any = None, now: float | None = None) -> int:
    """Record the errors on each session's screen (objects with ``key`` and ``screen``); return how many were new."""
    from ..triage.engine import Rules, record_error

    rules = None
    recorded = 0
    for session in sessions:
        screen = getattr(session, "screen", "") or ""
        seen_key, fingerprint = (str(store.path), session.key), hash(screen)
        if _last_screen.get(seen_key) == fingerprint:
            continue  # already looked at; its errors (if any) are recorded
        _last_screen[seen_key] = fingerprint
        blocks = extract_errors(screen)
        if blocks and rules is None and config is not None:
            rules = Rules.from_config(config.section("triage"))
        for block in blocks:
            digest = hashlib.sha1(f"{session.key}\0{block}".encode()).hexdigest()
            result = record_error(store, source="session", text=block, origin=session.key, at=now,
                                  dedupe_key=f"pane:{digest}", rules=rules)
            recorded += result.events
    return recorded
