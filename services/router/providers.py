"""One call to one model through the official SDKs (imported lazily), with failures sorted into kinds.

Kinds decide what the router does next: ``unavailable`` (cannot reach the model, no key, unknown model) skips
to the model's alternatives or the next tier with a warning; every other failure (``error``, ``timeout``,
``empty``, ``refused``) is a failed attempt that falls back one tier up.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Mapping

from .tiers import ModelRef

REFUSAL_PREFIXES = ("i can't help with", "i cannot help with", "i'm sorry, but i can't", "i am unable to help",
                    "i can't assist with", "i cannot assist with")


@dataclass
class Answer:
    text: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    latency_ms: int
    request_id: str | None = None


class AttemptFailed(Exception):
    def __init__(self, kind: str, message: str, *, latency_ms: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.latency_ms = latency_ms


def _key(cfg: Mapping[str, Any], setting: str, env: str) -> str | None:
    return cfg.get(setting) or os.environ.get(env) or None


def call_model(ref: ModelRef, messages: list[dict[str, Any]], cfg: Mapping[str, Any]) -> Answer:
    timeout = float(cfg.get("timeout_s") or 60.0)
    max_tokens = int(cfg.get("max_tokens") or 2048)
    started = time.monotonic()
    try:
        if ref.provider == "anthropic":
            answer = _anthropic(ref.model, messages, cfg, timeout, max_tokens)
        else:
            answer = _openai(ref, messages, cfg, timeout, max_tokens)
    except AttemptFailed as exc:
        exc.latency_ms = int((time.monotonic() - started) * 1000)
        raise
    except Exception as exc:  # noqa: BLE001 - sorted into kinds below; anything else is a plain error
        raise _classify(exc, int((time.monotonic() - started) * 1000)) from None
    answer.latency_ms = int((time.monotonic() - started) * 1000)
    if not answer.text.strip():
        raise AttemptFailed("empty", "empty answer", latency_ms=answer.latency_ms) from None
    if answer.text.strip().lower().startswith(REFUSAL_PREFIXES):
        raise AttemptFailed("refused", "the model refused", latency_ms=answer.latency_ms)
    return answer


def _classify(exc: Exception, latency_ms: int) -> AttemptFailed:
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    message = str(getattr(exc, "message", None) or exc).splitlines()[0][:300] if str(exc) else name
    if name in ("APITimeoutError",) or isinstance(exc, TimeoutError):
        return AttemptFailed("timeout", f"timed out: {message}", latency_ms=latency_ms)
    if name == "APIConnectionError" or status in (401, 403, 404):
        return AttemptFailed("unavailable", f"{name}: {message}", latency_ms=latency_ms)
    return AttemptFailed("error", f"{name}{f' {status}' if status else ''}: {message}", latency_ms=latency_ms)


def _anthropic(model: str, messages: list[dict[str, Any]], cfg: Mapping[str, Any], timeout: float,
               max_tokens: int) -> Answer:
    import anthropic

    key = _key(cfg, "anthropic_api_key", "ANTHROPIC_API_KEY")
    if not key:
        raise AttemptFailed("unavailable", "no Anthropic API key (router.anthropic_api_key or $ANTHROPIC_API_KEY)")
    client = anthropic.Anthropic(api_key=key, base_url=cfg.get("anthropic_base_url") or None, timeout=timeout,
                                 max_retries=0)
    system = "\n\n".join(str(m["content"]) for m in messages if m.get("role") == "system")
    rest = [m for m in messages if m.get("role") != "system"]
    kwargs: dict[str, Any] = {"model": model, "max_tokens": max_tokens, "messages": rest}
    if system:
        kwargs["system"] = system
    resp = client.messages.create(**kwargs)
    if resp.stop_reason == "refusal":
        raise AttemptFailed("refused", "the model refused (stop_reason=refusal)")
    text = "".join(getattr(block, "text", "") for block in resp.content)
    u = resp.usage
    return Answer(text, u.input_tokens or 0, u.output_tokens or 0, getattr(u, "cache_read_input_tokens", 0) or 0,
                  getattr(u, "cache_creation_input_tokens", 0) or 0, 0, getattr(resp, "_request_id", None))


def _openai(ref: ModelRef, messages: list[dict[str, Any]], cfg: Mapping[str, Any], timeout: float,
            max_tokens: int) -> Answer:
    import openai

    if ref.provider == "local":
        base_url = cfg.get("local_base_url") or "http://127.0.0.1:11434/v1"
        key = "local"  # OpenAI-compatible local servers ignore the key, the SDK insists on one
        limit = {"max_tokens": max_tokens}
    else:
        base_url = cfg.get("openai_base_url") or None
        key = _key(cfg, "openai_api_key", "OPENAI_API_KEY")
        if not key:
            raise AttemptFailed("unavailable", "no OpenAI API key (router.openai_api_key or $OPENAI_API_KEY)")
        limit = {"max_completion_tokens": max_tokens}
    client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=0)
    resp = client.chat.completions.create(model=ref.model, messages=messages, **limit)
    choice = resp.choices[0] if resp.choices else None
    if choice is not None and getattr(choice.message, "refusal", None):
        raise AttemptFailed("refused", f"the model refused: {choice.message.refusal[:200]}")
    text = (choice.message.content or "") if choice is not None else ""
    u = resp.usage
    cached = 0
    if u is not None and u.prompt_tokens_details is not None:
        cached = u.prompt_tokens_details.cached_tokens or 0
    prompt = (u.prompt_tokens or 0) if u is not None else 0
    return Answer(text, max(prompt - cached, 0), (u.completion_tokens or 0) if u is not None else 0, cached, 0, 0,
                  getattr(resp, "_request_id", None))
