"""gemini CLI: "Action Required"/"Allow once", "(esc to cancel, Ns)", "Type your message", titles ✋ ◇ ✦."""

from __future__ import annotations

import re

from .common import Detection, context_left, last_match, parse_reset, recent_lines

SIGNATURE = re.compile(r"Gemini CLI v|Type your message or @path|No, suggest changes")
TITLE_SIGNATURE = re.compile(r"^(✋|◇|✦)\s")

WORKING = [re.compile(r"esc to cancel, \d+s", re.I)]
PERMISSION = [re.compile(r"Action Required"), re.compile(r"Allow once"), re.compile(r"No, suggest changes")]
LIMIT = [re.compile(r"usage limit reached", re.I), re.compile(r"quota exceeded", re.I)]
IDLE = [re.compile(r"Type your message"), re.compile(r"^\W*>\s")]


def detect(screen: str, *, title: str = "", now: float = 0.0) -> Detection:
    lines = recent_lines(screen, 30)
    ctx = context_left(lines)
    tail = lines[-16:]
    if last_match(PERMISSION, tail) is not None or (title or "").startswith("✋"):
        head = last_match([re.compile(r"Action Required")], lines)
        prompt = "\n".join(ln.strip("│ ").rstrip() for ln in lines[head if head is not None else -len(tail):])
        return Detection("permission", ctx, prompt=prompt, detail="Action Required")
    if last_match(WORKING, tail) is not None or (title or "").startswith("✦"):
        return Detection("working", ctx)
    limit = last_match(LIMIT, lines[-8:])
    if limit is not None:
        line = lines[-8:][limit].strip(" ✕")
        return Detection("usage_limited", ctx, reset_at=parse_reset(line, now), detail=line[:200])
    if last_match(IDLE, tail) is not None or (title or "").startswith("◇"):
        return Detection("idle", ctx)
    return Detection("unknown", ctx)
