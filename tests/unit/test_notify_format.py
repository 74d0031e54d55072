"""Message text: grouping, splitting for Telegram's 4,096 characters, and channel URL/token validation."""

from __future__ import annotations

from fleetdeck.services.notify.channels import TELEGRAM_LIMIT, split_text
from fleetdeck.services.notify.delivery import format_group
from fleetdeck.services.notify.settings import valid_telegram_token, valid_webhook


def row(title: str, body: str = "", severity: str = "info") -> dict:
    return {"title": title, "body": body, "severity": severity}


def test_one_alert_is_its_title_and_body() -> None:
    assert format_group([row("Spend spike", "$40 in an hour", "warning")]) == "⚠️ Spend spike\n$40 in an hour"


def test_a_group_leads_with_its_worst_severity_and_counts_repeats() -> None:
    text = format_group([row("a"), row("a"), row("b", "detail", "critical")])
    assert text.splitlines() == ["🚨 fleetdeck: 3 alerts", "• a (×2)", "• b", "  detail"]


def test_split_keeps_lines_whole_and_every_part_under_the_limit() -> None:
    text = "\n".join(f"{i:04d} " + "y" * 95 for i in range(200))
    parts = split_text(text, TELEGRAM_LIMIT)
    assert all(len(p) <= TELEGRAM_LIMIT for p in parts)
    assert "\n".join(parts) == text


def test_a_single_line_longer_than_the_limit_is_cut_not_dropped() -> None:
    parts = split_text("z" * 9000, TELEGRAM_LIMIT)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_webhook_and_token_validation_never_echo_the_value() -> None:
    assert valid_webhook("https://hooks.slack.com/services/T/B/x") is None
    assert valid_webhook("http://127.0.0.1:9/hook") is None
    for bad in ("http://example.com/hook-sekrit", "hooks.slack.com/services/sekrit", "https://sekrit.example/"):
        problem = valid_webhook(bad)
        assert problem and "sekrit" not in problem
    assert valid_telegram_token("123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123") is None
    assert "sekrit" not in (valid_telegram_token("sekrit") or "")
