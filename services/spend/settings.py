"""The [spend] config section: baseline model, aliases, price overrides, local models."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting


def _valid_prices(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "expected a table of model = { input = $/MTok, output = $/MTok, cache_read = .., cache_write = .. }"
    for model, entry in value.items():
        if not isinstance(entry, dict):
            return f"{model}: expected a table with input/output prices per million tokens"
        for key, price in entry.items():
            if key not in ("input", "output", "cache_read", "cache_write"):
                return f"{model}.{key}: unknown price (known: input, output, cache_read, cache_write)"
            if isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0:
                return f"{model}.{key}: expected a non-negative number of dollars per million tokens"
    return None


def _valid_aliases(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "expected a table of alias = \"full-model-id\""
    return None


SECTIONS = [
    Section(
        "spend",
        "API spend: pricing, aliases, baseline model and transcript locations",
        (
            Setting("baseline_model", "claude-sonnet-4-5",
                    "What the same tokens would have cost on this model (the savings line)."),
            Setting("aliases", {}, "Extra model aliases: short = \"full-model-id\" (added to the built-in ones).",
                    kind="table", validate=_valid_aliases),
            Setting("prices", {},
                    "Price overrides/additions in $ per million tokens:\n"
                    "model = { input = 3.0, output = 15.0, cache_read = 0.3, cache_write = 3.75 }",
                    kind="table", validate=_valid_prices),
            Setting("local_models", ["ollama/*", "local/*", "lmstudio/*", "llama*", "qwen*", "mistral*",
                                     "deepseek-coder*", "codellama*", "phi*", "gemma*"],
                    "Model name patterns that run locally and cost $0.", kind="list"),
            Setting("claude_dir", "", "Claude Code config dir (default $CLAUDE_CONFIG_DIR or ~/.claude).",
                    kind="path"),
            Setting("codex_dir", "", "Codex home (default $CODEX_HOME or ~/.codex).", kind="path"),
            Setting("ingest_on_report", True,
                    "`fleetdeck report` and `dashboard` read new transcript lines first, so they are current "
                    "(`--no-ingest` skips).",
                    kind="bool"),
        ),
    ),
]
