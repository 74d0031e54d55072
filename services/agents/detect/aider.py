"""aider: "(Y)es/(N)o … [Yes]:" questions, "Waiting for <model>", the "> " prompt, rate-limit retries."""

from __future__ import annotations

import re

from .common import Detection, last_match, parse_reset, recent_lines

SIGNATURE = re.compile(r"^Aider v\d", re.M)
TITLE_SIGNATURE = re.compile(r"^aider\b")

QUESTION = re.compile(r"\(Y\)es/\(N\)o.*\[(Yes|No)\]:\s*$")
WORKING = [re.compile(r"Waiting for \S+"), re.compile(r"Retrying in \d+(\.\d+)? seconds")]
LIMIT = [re.compile(r"RateLimitError|usage limit reached|limit will reset", re.I)]
PROMPT = re.compile(r"^\s*(\w+)?>(\s.*)?$")


def detect(screen: str, *, title: str = "", now: float = 0.0) -> Detection:
    lines = recent_lines(screen, 20)
    if not lines:
        return Detection("unknown")
    last = lines[-1]
    if QUESTION.search(last):
        prompt = "\n".join(lines[-3:])
        return Detection("permission", prompt=prompt, detail=last.strip()[:200])
    if any(p.search(last) for p in WORKING):
        return Detection("working")
    limit = last_match(LIMIT, lines[-5:])
    if limit is not None:
        text = " ".join(lines[-5:][limit:])
        return Detection("usage_limited", reset_at=parse_reset(text, now), detail=lines[-5:][limit].strip()[:200])
    if PROMPT.match(last):
        return Detection("idle")
    return Detection("unknown")
