"""Reading model, token usage and request ids out of OpenAI and Anthropic SDK results and stream events.

Tokens come back as (uncached input, output, cache read, cache write): OpenAI counts cached input inside its
prompt/input figure, Anthropic reports the three input kinds apart.
"""

from __future__ import annotations

from typing import Any


def get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def as_int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def openai_usage(usage: Any, prompt_key: str, details_key: str, output_key: str) -> tuple[int, int, int, int] | None:
    if usage is None:
        return None
    prompt = as_int(get(usage, prompt_key))
    cached = as_int(get(get(usage, details_key), "cached_tokens"))
    return (max(prompt - cached, 0), as_int(get(usage, output_key)), cached, 0)


def anthropic_usage(usage: Any) -> tuple[int, int, int, int] | None:
    if usage is None:
        return None
    return (as_int(get(usage, "input_tokens")), as_int(get(usage, "output_tokens")),
            as_int(get(usage, "cache_read_input_tokens")), as_int(get(usage, "cache_creation_input_tokens")))


def usage_of(kind: str, result: Any) -> tuple[int, int, int, int] | None:
    usage = get(result, "usage")
    if kind == "chat":
        return openai_usage(usage, "prompt_tokens", "prompt_tokens_details", "completion_tokens")
    if kind == "responses":
        return openai_usage(usage, "input_tokens", "input_tokens_details", "output_tokens")
    return anthropic_usage(usage)


def model_of(result: Any, fallback: str) -> str:
    model = get(result, "model")
    return str(model) if model else fallback


def request_id(result: Any) -> str | None:
    rid = getattr(result, "_request_id", None)
    return rid if isinstance(rid, str) else None


def describe(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    text = str(exc).splitlines()[0] if str(exc) else ""
    head = f"{type(exc).__name__}" + (f" {status}" if status else "")
    return f"{head}: {text}"[:300] if text else head
