"""Optional LLM fix suggestions, cached per signature and always labelled as an LLM suggestion.

``[triage] suggest_with``: "off" (default), "router" (the tiered router's ``complete``) or "model" (an
OpenAI-compatible chat endpoint: ``llm_model``, ``llm_base_url``, ``llm_api_key`` or OPENAI_API_KEY). The
error text is redacted before it leaves the machine. A known fix (rules or bugs closed with a note) always
comes first; the LLM is asked only when there is none.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, UnavailableError

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store

LABEL = "LLM suggestion (unverified)"
PROMPT = ("You triage software errors. Suggest the most likely fix for the error below in at most 5 short lines. "
          "Say so if the information is not enough.\n\nSignature: {signature}\n\nSample:\n{sample}")


def _ask(config: "Config", store: "Store", prompt: str) -> tuple[str, str]:
    section = config.section("triage")
    mode = (section.get("suggest_with") or "off").lower()
    messages = [{"role": "user", "content": prompt}]
    if mode == "router":
        from ..router import complete

        done = complete("triage fix suggestion", messages=messages, workflow="triage", store=store, config=config)
        return done.text.strip(), done.model
    if mode == "model":
        model = section.get("llm_model")
        if not model:
            raise ConfigError("[triage] suggest_with = \"model\" needs llm_model")
        import openai

        key = section.get("llm_api_key") or os.environ.get("OPENAI_API_KEY")
        client = openai.OpenAI(base_url=section.get("llm_base_url") or None, api_key=key or "unset",
                               max_retries=1, timeout=60)
        try:
            reply = client.chat.completions.create(model=model, messages=messages, max_tokens=400)  # type: ignore[arg-type]
        except openai.OpenAIError as exc:
            raise UnavailableError(f"fix suggestion failed: {exc.__class__.__name__}: {str(exc)[:200]}") from None
        return (reply.choices[0].message.content or "").strip(), model
    raise ConfigError("fix suggestions are off: set [triage] suggest_with = \"router\" or \"model\"")


def suggest_fix(store: "Store", config: "Config", gid: int, *, refresh: bool = False) -> dict[str, Any]:
    """{"label", "text", "model", "cached"} for group ``gid``; asks the LLM only when nothing is cached."""
    from ..logsetup import redact
    from .queries import get_group

    g = get_group(store, gid)
    if g.get("llm_fix") and not refresh:
        return {"label": LABEL, "text": g["llm_fix"], "model": g["llm_model"], "cached": True}
    sample = redact(g["representative"][:6000])
    text, model = _ask(config, store, PROMPT.format(signature=redact(g["signature"]), sample=sample))
    text = redact(text)[:4000]
    store.execute("UPDATE error_groups SET llm_fix = ?, llm_model = ?, llm_at = ? WHERE signature = ?",
                  (text, model, int(time.time()), g["signature"]))
    return {"label": LABEL, "text": text, "model": model, "cached": False}
