"""The [router] config section: tiers, endpoints, timeouts and how fast the router learns."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting

DEFAULT_TIERS: list[dict[str, Any]] = [
    {"name": "trivial", "models": ["local:llama3.2"]},
    {"name": "simple", "models": ["anthropic:claude-haiku-4-5", "local:qwen2.5:14b"]},
    {"name": "medium", "models": ["anthropic:claude-sonnet-4-6", "openai:gpt-4o"]},
    {"name": "complex", "models": ["anthropic:claude-sonnet-4-6", "openai:gpt-5"]},
    {"name": "critical", "models": ["anthropic:claude-opus-4-6", "openai:gpt-5"]},
]
PROVIDERS = ("anthropic", "openai", "local")


def _valid_tiers(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "expected a non-empty list of { name = \"...\", models = [\"provider:model\", ...] }"
    names = set()
    for i, tier in enumerate(value):
        if not isinstance(tier, dict) or not isinstance(tier.get("name"), str) or not tier["name"]:
            return f"tier {i + 1}: expected a table with a name"
        if tier["name"] in names:
            return f"tier {tier['name']!r} appears twice"
        names.add(tier["name"])
        models = tier.get("models")
        if not isinstance(models, list) or not models:
            return f"tier {tier['name']!r}: models must be a non-empty list of \"provider:model\""
        for m in models:
            provider = str(m).split(":", 1)[0]
            if not isinstance(m, str) or ":" not in m or provider not in PROVIDERS:
                return f"tier {tier['name']!r}: model {m!r} must look like provider:model ({', '.join(PROVIDERS)})"
    return None


def _positive(value: Any) -> str | None:
    return None if value > 0 else "must be greater than 0"


SECTIONS = [
    Section(
        "router",
        "Tiered model router: tiers cheapest first, endpoints, fallback and learning",
        (
            Setting("tiers", DEFAULT_TIERS,
                    "Tiers from cheapest to most capable; each { name, models = [\"provider:model\", ...] }.\n"
                    "Providers: anthropic, openai, local (any OpenAI-compatible endpoint, $0).",
                    kind="list", validate=_valid_tiers),
            Setting("local_base_url", "http://127.0.0.1:11434/v1",
                    "OpenAI-compatible endpoint for local models (Ollama, llama.cpp server, vLLM)."),
            Setting("openai_base_url", "", "OpenAI API base URL (empty: the SDK's default)."),
            Setting("anthropic_base_url", "", "Anthropic API base URL (empty: the SDK's default)."),
            Setting("openai_api_key", "", "OpenAI API key (empty: $OPENAI_API_KEY).", secret=True),
            Setting("anthropic_api_key", "", "Anthropic API key (empty: $ANTHROPIC_API_KEY).", secret=True),
            Setting("timeout_s", 60.0, "Seconds before an attempt counts as timed out.", kind="float",
                    validate=_positive),
            Setting("max_tokens", 2048, "Answer length limit per call.", kind="int", validate=_positive),
            Setting("raise_after_failures", 3,
                    "Raise a task type's minimum tier after this many failures at its cheapest tier.",
                    kind="int", validate=_positive),
            Setting("lower_after_successes", 10,
                    "Lower a task type's minimum tier again after this many successes in a row.",
                    kind="int", validate=_positive),
            Setting("difficulty_bump", 0.45,
                    "Raise the tier by one when the difficulty model scores a task above this (0..1; 0.45 is about\n"
                    "the hardest 24 % of MMLU questions).",
                    kind="float"),
        ),
    ),
]
