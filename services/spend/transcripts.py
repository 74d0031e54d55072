"""Parsers for agent transcripts: one JSONL line in, one ``Call`` (or nothing) out.

Claude Code (``~/.claude/projects/<slug>/<session>.jsonl``): assistant lines carry ``message.usage``; the same
``message.id`` + ``requestId`` is written once per streamed block, so calls carry a dedupe key and the copy with
the most tokens wins. Codex (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``): ``token_count`` events carry
cumulative totals, so each call is the difference to the previous total; that running total is parser state
saved with the file's offset.

Claude lines are decoded with msgspec into a typed shape that names only the fields a call needs: the (large)
message content is skipped without building Python objects for it. A line that does not fit that shape (a
number where a string belongs, a negative count) is decoded again with the standard library and read leniently,
so the fast path never changes what a line means; a line neither can decode is torn.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, NamedTuple

import msgspec

USAGE_MARK = b'"usage"'
TOKEN_COUNT_MARK = b'"token_count"'


class TornLine(ValueError):
    """A line that is not complete JSON (a crash mid-write)."""


class Call(NamedTuple):
    """One API call read from a transcript (tokens: uncached input, output, cache read, cache write)."""

    at: int
    model: str
    session: str | None
    project_dir: str | None
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    dedupe_key: str
    request_id: str | None

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens


def parse_time(value: Any) -> int | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _n(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


# -- Claude Code ------------------------------------------------------------------------------------------------

_Count = Annotated[int, msgspec.Meta(ge=0)]
# gc=False: these hold only strings, numbers and each other (no cycles), so the collector need not track one
# more object per decoded line.


class _Usage(msgspec.Struct, gc=False):
    input_tokens: _Count = 0
    output_tokens: _Count = 0
    cache_read_input_tokens: _Count = 0
    cache_creation_input_tokens: _Count = 0


class _Message(msgspec.Struct, gc=False):
    id: str | None = None
    model: str | None = None
    usage: _Usage | None = None


class _Line(msgspec.Struct, gc=False):
    type: str | None = None
    message: _Message | None = None
    requestId: str | None = None  # noqa: N815 - the transcript's own field names
    timestamp: datetime | None = None  # RFC 3339, parsed in C; other forms go the lenient way
    sessionId: str | None = None  # noqa: N815
    cwd: str | None = None
    uuid: str | None = None


_decode_line = msgspec.json.Decoder(_Line).decode


class ClaudeParser:
    source = "claude"
    Torn = TornLine  # what parse raises for a line that is not complete JSON
    mark = USAGE_MARK  # lines without it carry no usage: they are not decoded at all

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state = state or {}
        self._strings: dict[str, str] = {}  # one object per distinct model/session/cwd, however many calls

    def parse(self, line: bytes, offset: int, path: str) -> Call | None:
        try:
            obj = _decode_line(line)
        except msgspec.DecodeError:  # malformed, or valid JSON of another shape: the lenient reader decides
            try:
                data = json.loads(line)
            except ValueError:
                raise TornLine(path) from None
            return self._lenient(data, offset, path)
        if obj.type not in ("assistant", None):
            return None
        message = obj.message
        if message is None or message.usage is None:
            return None
        if obj.timestamp is None:
            return None
        at = int(obj.timestamp.timestamp())
        usage = message.usage
        mid, rid, session = message.id, obj.requestId, obj.sessionId
        if mid and rid:
            key = f"claude:{mid}:{rid}"
        else:
            key = f"claude:{session or path}:{obj.uuid or offset}"
        strings = self._strings
        model = message.model or "unknown"
        cwd = obj.cwd
        return Call(at, strings.setdefault(model, model),
                    strings.setdefault(session, session) if session else session,
                    strings.setdefault(cwd, cwd) if cwd else cwd,
                    usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens,
                    usage.cache_creation_input_tokens, key, rid)

    def _lenient(self, obj: Any, offset: int, path: str) -> Call | None:
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
        return Call(at, str(message.get("model") or "unknown"), _str_or_none(obj.get("sessionId")),
                    _str_or_none(obj.get("cwd")), _n(usage.get("input_tokens")), _n(usage.get("output_tokens")),
                    _n(usage.get("cache_read_input_tokens")), _n(usage.get("cache_creation_input_tokens")), key,
                    _str_or_none(rid))


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


# -- Codex ------------------------------------------------------------------------------------------------------

_CODEX_KEYS = ("input_tokens", "cached_input_tokens", "output_tokens")


class CodexParser:
    source = "codex"
    Torn = TornLine  # what parse raises for a line that is not complete JSON
    mark = None  # session_meta/turn_context lines matter too

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state = state or {}

    def parse(self, line: bytes, offset: int, path: str) -> Call | None:
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
        return Call(at, str(st.get("model") or "gpt-5-codex"), st.get("session"), st.get("cwd"),
                    max(delta["input_tokens"] - cached, 0),  # OpenAI counts cached input inside input
                    delta["output_tokens"], cached, 0, f"codex:{st.get('session') or path}:{offset}", None)
