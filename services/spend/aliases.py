"""Model aliases: short names (sonnet, gpt5, local) to the full ids that are stored and priced.

Apart from pricing.py so that what only needs a name (a report's baseline model) does not import the price
machinery (dataclasses and genai-prices' glue: ~15 ms of a `fleetdeck report` that has nothing else to do).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_BASELINE = "claude-sonnet-4-5"

BUILTIN_ALIASES: dict[str, str] = {
    "haiku": "claude-haiku-4-5",
    "sonnet": "claude-sonnet-4-5",
    "opus": "claude-opus-4-5",
    "haiku-3": "claude-3-haiku-20240307",
    "sonnet-4": "claude-sonnet-4-0",
    "opus-4": "claude-opus-4-0",
    "opus-4.1": "claude-opus-4-1",
    "gpt4o": "gpt-4o",
    "gpt-4o": "gpt-4o",
    "4o": "gpt-4o",
    "gpt-4o-mini": "gpt-4o-mini",
    "4o-mini": "gpt-4o-mini",
    "gpt5": "gpt-5",
    "gpt-5": "gpt-5",
    "gpt-5-mini": "gpt-5-mini",
    "local": "local/default",
    "ollama": "ollama/default",
}


def alias_table(spend: Mapping[str, Any] | None) -> dict[str, str]:
    """The built-in aliases plus the [spend] aliases of the config (lower-cased keys; config wins)."""
    extra = (spend or {}).get("aliases") or {}
    return {**BUILTIN_ALIASES, **{k.lower(): v for k, v in extra.items()}}


def resolve_alias(aliases: Mapping[str, str], model: str) -> str:
    """The full model id for an alias (case-insensitive); other names pass through unchanged."""
    name = model.strip()
    return aliases.get(name.lower(), name)


def baseline_model(spend: Mapping[str, Any] | None) -> str:
    """The resolved [spend] baseline_model (what Pricer.baseline_model says, without building a Pricer)."""
    name = str((spend or {}).get("baseline_model") or DEFAULT_BASELINE)
    return resolve_alias(alias_table(spend), name)
