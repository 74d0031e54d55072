"""The [optimizer] config section: which instruction files to review, with which model, and what may be auto-applied."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting

DEFAULT_FILES = ["AGENTS.md", "SOUL.md", "TOOLS.md", "HEARTBEAT.md", "DECISION_PROTOCOL.md", "generate_tasks.py"]
CHANGE_TYPES = ("add_sentence", "add_section", "clarify_sentence", "fix_typo", "rewrite_section", "delete_section",
                "other")
DEFAULT_ALLOWED = ["add_sentence", "add_section", "clarify_sentence", "fix_typo"]


def _valid_model(value: Any) -> str | None:
    provider = str(value).split(":", 1)[0]
    if ":" not in str(value) or provider not in ("anthropic", "openai", "local", "tier"):
        return "expected provider:model (anthropic, openai or local) or tier:NAME (a [router] tier)"
    return None


def _valid_types(value: Any) -> str | None:
    unknown = [v for v in value if v not in CHANGE_TYPES]
    return f"unknown change types {unknown} (known: {', '.join(CHANGE_TYPES)})" if unknown else None


SECTIONS = [
    Section(
        "optimizer",
        "Self-optimizer: nightly LLM review of the agents' instruction files",
        (
            Setting("workspace", "", "Git repository holding the instruction files (empty: optimizer disabled).",
                    kind="path"),
            Setting("files", DEFAULT_FILES, "Files to review, relative to the workspace.", kind="list"),
            Setting("model", "anthropic:claude-sonnet-4-6",
                    "Reviewer model as provider:model, or tier:NAME for a router tier's first model.",
                    validate=_valid_model),
            Setting("allowed_change_types", DEFAULT_ALLOWED, "Change types that may be applied automatically.",
                    kind="list", validate=_valid_types),
            Setting("max_added_lines", 30, "Largest patch (added lines) applied automatically.", kind="int"),
            Setting("max_deleted_lines", 3, "Most lines a patch may delete and still be applied automatically.",
                    kind="int"),
            Setting("max_file_bytes", 60000, "Files larger than this are not sent for review.", kind="int"),
        ),
    ),
]
