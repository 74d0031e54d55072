"""`fleetdeck alerts test|list`, the deliver/weekly jobs from the CLI, and bad channel config (exit 78)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from fleetdeck.app.cli import main
from fleetdeck.services.paths import Paths
from tests.fakes.spend_rows import add_call
from tests.fakes.webhook_server import TELEGRAM_TOKEN, FakeWebhooks

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def fake() -> Iterator[FakeWebhooks]:
    server = FakeWebhooks().start()
    yield server
    server.stop()


def write_config(paths: Paths, fake: FakeWebhooks, extra: str = "") -> None:
    paths.config_file.write_text(
        f'[notify]\nslack_webhook = "{fake.slack_url}"\ntelegram_token = "{TELEGRAM_TOKEN}"\n'
        f'telegram_chat_id = "42"\ntelegram_api_base = "{fake.base}"\ndesktop = false\n'
        f"slack_min_interval = 0.0\ntelegram_min_interval = 0.0\n{extra}")


def test_alerts_test_sends_to_exactly_one_channel(paths: Paths, fake: FakeWebhooks, capsys) -> None:  # noqa: ANN001
    write_config(paths, fake)
    assert main(["alerts", "test", "telegram"]) == 0
    assert fake.texts("telegram") == ["ℹ️ fleetdeck test message\nIf you can read this, telegram alerts work."]
    assert fake.texts("slack") == []
    assert "sent a test message to telegram" in capsys.readouterr().out


def test_a_failing_channel_exits_69_and_shows_as_failing_in_alerts_list(paths: Paths, fake: FakeWebhooks,
                                                                         capsys) -> None:  # noqa: ANN001
    write_config(paths, fake, "failing_after = 1\n")
    fake.script("slack", [500])
    assert main(["alerts", "test", "slack"]) == 69
    assert "slack: HTTP 500" in capsys.readouterr().err
    assert main(["alerts", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    slack = next(c for c in listing["channels"] if c["channel"] == "slack")
    assert slack["failing"] and slack["pending"] == 1
    assert listing["outbox"][0]["channels"] == {"slack": "pending"}
    assert main(["alerts", "list"]) == 0
    assert "FAILING" in capsys.readouterr().out


@pytest.mark.parametrize("line, key", [
    ('slack_webhook = "not a url sekrit-123"', "notify.slack_webhook"),
    ('telegram_token = "sekrit-123"', "notify.telegram_token"),
])
def test_invalid_channel_config_exits_78_naming_the_key_never_the_secret(paths: Paths, line: str, key: str,
                                                                          capsys) -> None:  # noqa: ANN001
    paths.config_file.write_text(f"[notify]\n{line}\n")
    assert main(["alerts", "list"]) == 78
    err = capsys.readouterr().err
    assert key in err and "sekrit" not in err


def test_budget_alert_travels_from_spend_to_slack_through_deliver_alerts(paths: Paths, fake: FakeWebhooks,
                                                                         store, capsys) -> None:  # noqa: ANN001
    import time

    write_config(paths, fake, "\n[budgets]\ndaily = 1.0\n")
    add_call(store, time.time() - 5, 2.50)
    assert main(["run", "deliver-alerts"]) == 0
    assert any("Over daily budget" in t for t in fake.texts("slack"))
    assert main(["run", "deliver-alerts"]) == 0
    assert sum("Over daily budget" in t for t in fake.texts("slack")) == 1


def test_weekly_report_writes_markdown_and_json_and_queues_a_summary(paths: Paths, store, capsys) -> None:  # noqa: ANN001
    import time

    add_call(store, time.time() - 3600, 4.0, model="claude-opus-4-1", workflow="review")
    add_call(store, time.time() - 3000, None, model="mystery-model", workflow="review")
    assert main(["run", "weekly-report"]) == 0
    [md] = list((paths.data_dir / "reports").glob("weekly-*.md"))
    data = json.loads(md.with_suffix(".json").read_text())
    assert data["totals"]["cost_micros"] == 4_000_000 and data["by_model"][0]["name"] == "claude-opus-4-1"
    text = md.read_text()
    assert "**$4.00**" in text and md.stat().st_mode & 0o777 == 0o600
    assert "| mystery-model | 1 | unknown |" in text and "| review | 2 | $4.00 + 1 unpriced |" in text
    row = store.query_one("SELECT title, body FROM outbox WHERE source = 'weekly-report'")
    assert row["title"].startswith("Weekly spend") and "$4.00 over 2 calls" in row["body"]


def test_dashboard_command_writes_the_default_file(paths: Paths, store, capsys) -> None:  # noqa: ANN001
    assert main(["dashboard", "--days", "7", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert Path(result["path"]) == paths.data_dir / "dashboard" / "costs.html"
    assert main(["dashboard", "--days", "0"]) == 64
