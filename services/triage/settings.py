"""Settings of error triage and the log analyzer."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting


def _positive(value: Any) -> str | None:
    return None if value > 0 else f"must be positive, got {value}"


def _rules(value: Any) -> str | None:
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("match"), str):
            return f"item {i}: expected a table with match = \"regex\" (and name, fix, severity, file_bug)"
        if item.get("severity", "error") not in ("warning", "error", "critical"):
            return f"item {i}: severity must be warning, error or critical"
    return None


SECTIONS = [
    Section(
        "triage",
        "Error triage (`fleetdeck run triage`, `fleetdeck errors`, `fleetdeck bugs`)",
        (
            Setting("log_globs", [], "Log files to tail for errors (globs; ~ allowed).", kind="list"),
            Setting("error_pattern", r"(?i)\b(error|exception|fatal|critical|panic|traceback|failed)\b",
                    "A log line counts as an error when it matches this regex (tracebacks always do)."),
            Setting("bug_threshold", 20, "File a bug for a group once it has been seen this many times.",
                    kind="int", validate=_positive),
            Setting("rules", [], "Known error types: a list of { name = \"...\", match = \"regex\", fix = \"...\",\n"
                    "severity = \"critical\", file_bug = true }. match is tried on the signature and the title.",
                    kind="list", validate=_rules),
            Setting("critical_pattern", r"(?i)\b(fatal|critical|panic|out of memory|segmentation fault|"
                    r"disk full|no space left)\b", "Groups whose title matches this are critical (alerted)."),
            Setting("samples", 5, "Samples shown by `errors show`.", kind="int", validate=_positive),
            Setting("event_days", 30, "Keep error events this many days (groups and counts stay).", kind="int",
                    validate=_positive),
            Setting("suggest_with", "off", "Optional LLM fix suggestions: off, router (the model router) or model\n"
                    "(llm_model at llm_base_url). Cached per signature, always shown as 'LLM suggestion'.",
                    validate=lambda v: None if v in ("off", "router", "model") else "expected off, router or model"),
            Setting("llm_model", "", "Model for suggest_with = \"model\"."),
            Setting("llm_base_url", "", "OpenAI-compatible base URL for suggestions (empty: the provider's)."),
            Setting("llm_api_key", "", "API key for llm_base_url (empty: OPENAI_API_KEY).", secret=True),
        ),
    ),
    Section(
        "logs",
        "Log analyzer and rotation (`fleetdeck run logs`)",
        (
            Setting("rotate_globs", [], "Log files fleetdeck owns: rotated by rename + gzip.", kind="list"),
            Setting("foreign_globs", [], "Log files other programs keep open: their written part is archived\n"
                    "(gzip) and its disk space freed by punching a hole; no line is lost.", kind="list"),
            Setting("rotate_mb", 10.0, "Rotate a log once it uses this many MB.", kind="float", validate=_positive),
            Setting("retention", 5, "Rotated archives to keep per log.", kind="int", validate=_positive),
        ),
    ),
]
