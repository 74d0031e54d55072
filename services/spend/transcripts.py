"""Parsers for agent transcripts: one JSONL line in, one api_calls row (as a dict) or nothing out.

Claude Code (``~/.claude/projects/<slug>/<session>.jsonl``): assistant lines carry ``message.usage``; the same
``message.id`` + ``requestId`` is written once per streamed block, so rows carry a dedupe key and the copy with
the most tokens wins. Codex (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``): ``token_count`` events carry
cumulative totals, so each row is the difference to the previous total; that running total is parser state
saved with the file's offset.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

USAGE_MARK = b'"usage"'
TOKEN_COUNT_MARK = b'"token_count"'


class TornLine(ValueError):
    """A line that is not complete JSON (a crash mid-write)."""


def parse_time(value: Any) -> int | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _n(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


_TOKENS = re.compile(rb'"(input_tokens|output_tokens|cache_read_input_tokens|cache_creation_input_tokens)":(\d+)')
_STR = {name: re.compile(rb'"' + name.encode() + rb'":"((?:[^"\\]|\\.)*)"')
        for name in ("model", "id", "requestId", "timestamp", "sessionId", "cwd", "uuid")}

_DAYS: dict[bytes, int] = {}


def _epoch(raw: bytes) -> int | None:
    """Epoch seconds of a UTC timestamp like 2026-11-05T03:26:44.737Z (other forms: fromisoformat)."""
    if len(raw) >= 20 and raw[10:11] == b"T" and raw.endswith(b"Z") and raw[13:14] == b":":
        day = _DAYS.get(raw[:10])
        if day is None:
            parsed = parse_time(raw[:10].decode() + "T00:00:00Z")
            if parsed is None:
                return None
            day = _DAYS[raw[:10]] = parsed
        try:
            return day + int(raw[11:13]) * 3600 + int(raw[14:16]) * 60 + int(raw[17:19])
        except ValueError:
            return None
    return parse_time(raw.decode("ascii", "replace"))


def _text(raw: bytes) -> str:
    return json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8", "replace")


class ClaudeParser:
    source = "claude"
    mark = USAGE_MARK

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state = state or {}

    def parse(self, line: bytes, offset: int, path: str) -> dict[str, Any] | None:
        if USAGE_MARK not in line:
            return None
        fast = self._fast(line)
        if fast is not None:
            return fast or None
        try:
            obj = json.loads(line)
        except ValueError:
            raise TornLine(path) from None
        return self._from_obj(obj, offset, path)

    def _fast(self, line: bytes) -> dict[str, Any] | Literal[False] | None:
        """Pick the fields out of the usual line layout without decoding the (large) message content.

        Returns None when the line does not have the usual shape (the caller then decodes it fully), False
        when it is a complete line that carries no assistant usage. Searches use pos/endpos on the line
        itself, so nothing is copied.
        """
        if not (line.startswith(b"{") and line.endswith(b"}")):
            return None
        if b'"type":"assistant"' not in line:
            return False if b'"type":"user"' in line else None
        m_start = line.find(b'"message":{')
        u_start = line.rfind(b'"usage":{')
        c_start = line.find(b'"content":', m_start)
        if m_start < 0 or u_start < m_start or c_start < 0:
            return None
        model = _STR["model"].search(line, m_start, c_start)
        mid = _STR["id"].search(line, m_start, c_start)
        u_end = line.find(b"}}", u_start)  # usage is the last field of message; nested objects end earlier
        rid = _STR["requestId"].search(line, u_start)
        ts = _STR["timestamp"].search(line, u_start)
        if model is None or ts is None or u_end < 0:
            return None
        at = _epoch(ts.group(1))
        if at is None:
            return None
        tokens = dict(_TOKENS.findall(line, u_start, u_end + 1))
        sid = _STR["sessionId"].search(line, 0, m_start) or _STR["sessionId"].search(line, u_start)
        cwd = _STR["cwd"].search(line, 0, m_start) or _STR["cwd"].search(line, u_start)
        session = _text(sid.group(1)) if sid else None
        if mid and rid:
            key = f"claude:{mid.group(1).decode()}:{rid.group(1).decode()}"
        else:
            uid = _STR["uuid"].search(line, u_start)
            if uid is None:
                return None
            key = f"claude:{session}:{uid.group(1).decode()}"
        return {
            "at": at,
            "model": _text(model.group(1)),
            "session": session,
            "project_dir": _text(cwd.group(1)) if cwd else None,
            "input_tokens": int(tokens.get(b"input_tokens", 0)),
            "output_tokens": int(tokens.get(b"output_tokens", 0)),
            "cache_read_tokens": int(tokens.get(b"cache_read_input_tokens", 0)),
            "cache_write_tokens": int(tokens.get(b"cache_creation_input_tokens", 0)),
            "dedupe_key": key,
            "request_id": rid.group(1).decode() if rid else None,
        }

    def _from_obj(self, obj: Any, offset: int, path: str) -> dict[str, Any] | None:
        if not isinstance(obj, dict) or obj.get("type") not in ("assistant", None):
            return None
        message = obj.get("message")
        if not isinstance(message, dict):
            return None
        usage = message.get("usage")
        if not isinstance(usage, dict):
            return None
        at = parse_time(obj.get("timestamp"))
        if at is None:
            return None
        mid, rid = message.get("id"), obj.get("requestId")
        if mid and rid:
            key = f"claude:{mid}:{rid}"
        else:
            key = f"claude:{obj.get('sessionId') or path}:{obj.get('uuid') or offset}"
        return {
            "at": at,
            "model": str(message.get("model") or "unknown"),
            "session": obj.get("sessionId"),
            "project_dir": obj.get("cwd"),
            "input_tokens": _n(usage.get("input_tokens")),
            "output_tokens": _n(usage.get("output_tokens")),
            "cache_read_tokens": _n(usage.get("cache_read_input_tokens")),
            "cache_write_tokens": _n(usage.get("cache_creation_input_tokens")),
            "dedupe_key": key,
            "request_id": rid,
        }


_CODEX_KEYS = ("input_tokens", "cached_input_tokens", "output_tokens")


class CodexParser:
    source = "codex"
    mark = None  # session_meta/turn_context lines matter too

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state = state or {}

    def parse(self, line: bytes, offset: int, path: str) -> dict[str, Any] | None:
        if TOKEN_COUNT_MARK not in line and b'"session_meta"' not in line and b'"turn_context"' not in line:
            return None
        try:
            obj = json.loads(line)
        except ValueError:
            raise TornLine(path) from None
        if not isinstance(obj, dict):
            return None
        kind, payload = obj.get("type"), obj.get("payload")
        if not isinstance(payload, dict):
            return None
        st = self.state
        if kind == "session_meta":
            st["session"] = payload.get("id") or st.get("session")
            st["cwd"] = payload.get("cwd") or st.get("cwd")
            st["model"] = payload.get("model") or st.get("model")
            return None
        if kind == "turn_context":
            st["model"] = payload.get("model") or st.get("model")
            st["cwd"] = payload.get("cwd") or st.get("cwd")
            return None
        if kind != "event_msg" or payload.get("type") != "token_count":
            return None
        info = payload.get("info")
        if not isinstance(info, dict):
            return None
        total = info.get("total_token_usage")
        last = info.get("last_token_usage")
        prev = st.get("total") or {}
        if isinstance(total, dict):
            now = {k: _n(total.get(k)) for k in _CODEX_KEYS}
            if now == prev:
                return None  # the same totals re-announced
            delta = {k: now[k] - _n(prev.get(k)) for k in _CODEX_KEYS}
            if any(v < 0 for v in delta.values()):  # totals restarted: trust the last turn's numbers
                delta = {k: _n((last or {}).get(k)) for k in _CODEX_KEYS}
            st["total"] = now
        elif isinstance(last, dict):
            delta = {k: _n(last.get(k)) for k in _CODEX_KEYS}
        else:
            return None
        if not any(delta.values()):
            return None
        at = parse_time(obj.get("timestamp"))
        if at is None:
            return None
        cached = delta["cached_input_tokens"]
        return {
            "at": at,
            "model": str(st.get("model") or "gpt-5-codex"),
            "session": st.get("session"),
            "project_dir": st.get("cwd"),
            "input_tokens": max(delta["input_tokens"] - cached, 0),  # OpenAI counts cached input inside input
            "output_tokens": delta["output_tokens"],
            "cache_read_tokens": cached,
            "cache_write_tokens": 0,
            "dedupe_key": f"codex:{st.get('session') or path}:{offset}",
            "request_id": None,
        }
