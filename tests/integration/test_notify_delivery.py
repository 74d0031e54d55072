"""Delivering the outbox to a fake Slack and Telegram on 127.0.0.1 (real HTTP, real wire formats)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from fleetdeck.services.clock import FixedClock
from fleetdeck.services.notify.delivery import channel_health, deliver_pending
from fleetdeck.services.notify.outbox import enqueue
from fleetdeck.services.store import Store
from tests.fakes.webhook_server import TELEGRAM_TOKEN, FakeWebhooks

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def fake() -> Iterator[FakeWebhooks]:
    server = FakeWebhooks().start()
    yield server
    server.stop()


def notify_config(fake: FakeWebhooks, **overrides: object) -> dict:
    config = {"slack_webhook": fake.slack_url, "telegram_token": TELEGRAM_TOKEN, "telegram_chat_id": "42",
              "telegram_api_base": fake.base, "desktop": False, "slack_min_interval": 0.0,
              "telegram_min_interval": 0.0, "group_max": 10, "max_attempts": 4, "backoff_base": 30.0,
              "backoff_max": 3600.0, "failing_after": 2, "timeout": 5.0}
    config.update(overrides)
    return config


def test_an_alert_reaches_slack_and_telegram_and_is_marked_sent(store: Store, fake: FakeWebhooks,
                                                                clock: FixedClock) -> None:
    enqueue(store, source="test", title="Over daily budget", body="$21 of $20", severity="critical",
            now=clock.now())
    report = deliver_pending(store, notify_config(fake), now_fn=clock.now)
    assert report.sent == {"console": 1, "slack": 1, "telegram": 1}
    assert "Over daily budget" in fake.texts("slack")[0]
    assert "$21 of $20" in fake.texts("telegram")[0]
    assert store.scalar("SELECT status FROM outbox") == "sent"


def test_alerts_queued_together_are_grouped_and_identical_titles_collapse(store: Store, fake: FakeWebhooks,
                                                                          clock: FixedClock) -> None:
    for _ in range(3):
        enqueue(store, source="test", title="Agent stuck", now=clock.now())
    enqueue(store, source="test", title="Spend spike", severity="warning", now=clock.now())
    deliver_pending(store, notify_config(fake), now_fn=clock.now)
    [text] = fake.texts("slack")
    assert "4 alerts" in text and "Agent stuck (×3)" in text and "Spend spike" in text


def test_slack_messages_are_spaced_by_the_rate_limit(store: Store, fake: FakeWebhooks, clock: FixedClock) -> None:
    for i in range(3):
        enqueue(store, source="test", title=f"alert {i}", now=clock.now())
    deliver_pending(store, notify_config(fake, group_max=1, slack_min_interval=0.3), now_fn=clock.now)
    times = fake.times("slack")
    assert len(times) == 3
    assert all(b - a >= 0.28 for a, b in zip(times, times[1:]))


def test_a_429_defers_the_channel_for_retry_after_without_holding_back_others(
        store: Store, fake: FakeWebhooks, clock: FixedClock) -> None:
    fake.retry_after = 7
    fake.script("telegram", [429])
    enqueue(store, source="test", title="hello", now=clock.now())
    report = deliver_pending(store, notify_config(fake), now_fn=clock.now)
    assert report.deferred["telegram"] == 7
    assert fake.texts("slack") and not fake.texts("telegram")
    clock.advance(3)
    deliver_pending(store, notify_config(fake), now_fn=clock.now)
    assert not fake.texts("telegram"), "sent before retry_after had passed"
    clock.advance(5)
    deliver_pending(store, notify_config(fake), now_fn=clock.now)
    assert fake.texts("telegram") == ["ℹ️ hello"]
    assert store.scalar("SELECT status FROM outbox") == "sent"


def test_server_errors_are_retried_with_backoff_and_the_channel_shows_failing(
        store: Store, fake: FakeWebhooks, clock: FixedClock) -> None:
    fake.script("slack", [500, 503])
    config = notify_config(fake)
    enqueue(store, source="test", title="retry me", now=clock.now())
    deliver_pending(store, config, now_fn=clock.now)
    clock.advance(10)
    deliver_pending(store, config, now_fn=clock.now)
    assert store.scalar("SELECT attempts FROM outbox_deliveries WHERE channel = 'slack'") == 1, "retried too soon"
    clock.advance(25)
    deliver_pending(store, config, now_fn=clock.now)
    health = {h["channel"]: h for h in channel_health(store, config)}
    assert health["slack"]["failing"] and "HTTP 503" in health["slack"]["last_error"]
    assert not health["telegram"]["failing"]
    clock.advance(61)
    deliver_pending(store, config, now_fn=clock.now)
    assert fake.texts("slack") == ["ℹ️ retry me"]
    assert not {h["channel"]: h for h in channel_health(store, config)}["slack"]["failing"]


def test_a_channel_that_rejects_the_message_fails_alone_and_the_secret_stays_out_of_errors(
        store: Store, fake: FakeWebhooks, clock: FixedClock) -> None:
    bad_token = "999999:WRONGwrongWRONGwrongWRONGwrong00"
    config = notify_config(fake, telegram_token=bad_token)
    enqueue(store, source="test", title="still goes to slack", now=clock.now())
    deliver_pending(store, config, now_fn=clock.now)
    assert fake.texts("slack")
    row = store.query_one("SELECT status, last_error FROM outbox_deliveries WHERE channel = 'telegram'")
    assert row["status"] == "failed" and "401" in row["last_error"]
    errors = " ".join(str(r[0]) for r in store.query("SELECT last_error FROM notify_channels"))
    assert bad_token not in errors and bad_token.split(":")[1] not in errors


def test_long_messages_are_split_under_telegrams_4096_characters(store: Store, fake: FakeWebhooks,
                                                                  clock: FixedClock) -> None:
    body = "\n".join(f"line {i:05d} " + "x" * 80 for i in range(120))
    enqueue(store, source="test", title="big report", body=body, now=clock.now())
    deliver_pending(store, notify_config(fake), now_fn=clock.now)
    parts = fake.texts("telegram")
    assert len(parts) >= 3 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts).count("line ") == 120


def test_the_outbox_survives_a_kill_9_mid_delivery(paths, tmp_path: Path) -> None:  # noqa: ANN001
    slow = FakeWebhooks(delay_s=0.4).start()
    try:
        store = Store.open(paths.db_file)
        for i in range(6):
            enqueue(store, source="test", title=f"message {i}")
        store.close()
        script = tmp_path / "deliver.py"
        script.write_text(
            "import sys\n"
            "from fleetdeck.services.store import Store\n"
            "from fleetdeck.services.notify.delivery import deliver_pending\n"
            f"config = {notify_config(slow, group_max=1, telegram_token='', max_attempts=8)!r}\n"
            "store = Store.open(sys.argv[1])\n"
            "deliver_pending(store, config)\n")
        proc = subprocess.Popen([sys.executable, str(script), str(paths.db_file)], env=os.environ.copy())
        deadline = time.monotonic() + 15
        while len(slow.texts("slack")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 2 <= len(slow.texts("slack")) < 6, "the sender finished before it could be killed"
        slow.delay_s = 0.0
        store = Store.open(paths.db_file)
        deliver_pending(store, notify_config(slow, group_max=1, telegram_token=""))
        sent = set(slow.texts("slack"))
        assert sent == {f"ℹ️ message {i}" for i in range(6)}
        assert store.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 6
        store.close()
    finally:
        slow.stop()
