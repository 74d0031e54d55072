"""Claude Code: spinner "… (esc to interrupt …)", "Do you want to proceed?", the "❯" box, usage-limit lines."""

from __future__ import annotations

import re

from .common import BRAILLE_TITLE, Detection, context_left, last_match, parse_reset, recent_lines

SIGNATURE = re.compile(r"Claude Code v\d|Context left until auto-compact|tell Claude what to do")
TITLE_SIGNATURE = re.compile(r"Claude Code")

WORKING = [re.compile(r"esc to interrupt", re.I), re.compile(r"Compacting conversation", re.I)]
PERMISSION = [re.compile(r"Do you want to proceed\?"), re.compile(r"Do you want to (make this edit|create)"),
              re.compile(r"tell Claude what to do differently"), re.compile(r"Do you trust the files"),
              re.compile(r"Yes, I trust this folder")]
PERMISSION_HEAD = [re.compile(r"^\s*(Bash command|Edit file|Create file|Read file|Fetch|Tool use|.*MCP)"),
                   re.compile(r"Do you trust the files|Quick safety check")]
LIMIT = [re.compile(r"usage limit reached", re.I), re.compile(r"session limit reached", re.I),
         re.compile(r"hit your (session|usage|weekly) limit", re.I), re.compile(r"limit will reset", re.I)]
IDLE = [re.compile(r"^\s*[❯>]\s"), re.compile(r"^\s*[❯>]\s*$"), re.compile(r"\? for shortcuts")]


def detect(screen: str, *, title: str = "", now: float = 0.0) -> Detection:
    lines = recent_lines(screen, 30)
    ctx = context_left(lines)
    tail = lines[-12:]
    perm = last_match(PERMISSION, tail)
    if perm is not None:
        head = last_match(PERMISSION_HEAD, lines)
        start = head if head is not None and head >= len(lines) - 20 else len(lines) - len(tail)
        prompt = "\n".join(lines[start:])
        return Detection("permission", ctx, prompt=prompt, detail=prompt.splitlines()[0].strip()[:200])
    if last_match(WORKING, tail) is not None or BRAILLE_TITLE.match(title or ""):
        return Detection("working", ctx)
    limit = last_match(LIMIT, lines[-10:])
    if limit is not None:
        line = lines[-10:][limit].strip(" ⎿")
        return Detection("usage_limited", ctx, reset_at=parse_reset(line, now), detail=line[:200])
    if last_match(IDLE, tail) is not None:
        return Detection("idle", ctx)
    return Detection("unknown", ctx)
