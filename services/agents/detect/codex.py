"""Codex CLI: "Working (4s • esc to interrupt)", "Would you like to run …", the "›" prompt, "N% context left"."""

from __future__ import annotations

import re

from .common import Detection, context_left, last_match, parse_reset, recent_lines

SIGNATURE = re.compile(r"OpenAI Codex|tell Codex what to do|You are running Codex in")
TITLE_SIGNATURE = re.compile(r"^codex\b")

WORKING = [re.compile(r"esc to interrupt", re.I)]
PERMISSION = [re.compile(r"Would you like to (run|make|apply)"), re.compile(r"Press enter to confirm or esc to cancel"),
              re.compile(r"tell Codex what to do differently"), re.compile(r"You are running Codex in"),
              re.compile(r"Press enter to continue")]
PERMISSION_HEAD = [re.compile(r"Would you like to|You are running Codex in")]
LIMIT = [re.compile(r"hit your usage limit", re.I), re.compile(r"usage limit reached", re.I),
         re.compile(r"rate limit", re.I)]
IDLE = [re.compile(r"^\s*›"), re.compile(r"\? for shortcuts"), re.compile(r"context left")]


def detect(screen: str, *, title: str = "", now: float = 0.0) -> Detection:
    lines = recent_lines(screen, 30)
    ctx = context_left(lines)
    tail = lines[-14:]
    perm = last_match(PERMISSION, tail)
    if perm is not None:
        head = last_match(PERMISSION_HEAD, lines)
        prompt = "\n".join(lines[head if head is not None else len(lines) - len(tail):])
        return Detection("permission", ctx, prompt=prompt, detail=prompt.splitlines()[0].strip()[:200])
    # A plan-mode question also shows "esc to interrupt"; the question wording above wins.
    if last_match(WORKING, tail) is not None:
        return Detection("working", ctx)
    limit = last_match(LIMIT, lines[-8:])
    if limit is not None:
        line = lines[-8:][limit].strip(" ■")
        return Detection("usage_limited", ctx, reset_at=parse_reset(line, now), detail=line[:200])
    if last_match(IDLE, tail) is not None:
        return Detection("idle", ctx)
    return Detection("unknown", ctx)
