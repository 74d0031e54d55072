"""The [notify] section: where alerts go and how politely they are delivered."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..config import Section, Setting

_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_TELEGRAM_TOKEN = re.compile(r"^[0-9]{3,}:[A-Za-z0-9_-]{20,}$")


def valid_webhook(value: Any) -> str | None:
    """Problems are described without echoing the value: it is a secret."""
    if value in ("", None):
        return None
    if not isinstance(value, str):
        return "expected a URL string"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "not a valid webhook URL"
    local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if not (parts.scheme == "https" or local) or not parts.hostname or not parts.path.strip("/"):
        return "not a valid webhook URL (expected https://hooks.slack.com/services/...)"
    return None


def valid_telegram_token(value: Any) -> str | None:
    if value in ("", None):
        return None
    if not isinstance(value, str) or not _TELEGRAM_TOKEN.match(value):
        return "not a valid Telegram bot token (expected <digits>:<key> from @BotFather)"
    return None


def valid_api_base(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "expected a URL such as https://api.telegram.org"
    parts = urlsplit(value)
    if parts.hostname and (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS)):
        return None
    return "expected an https:// URL such as https://api.telegram.org"


def valid_chat_id(value: Any) -> str | None:
    if value in ("", None):
        return None
    text = str(value)
    if re.match(r"^-?[0-9]+$", text) or re.match(r"^@[A-Za-z0-9_]{4,}$", text):
        return None
    return "expected a numeric chat id or @channelname"


SECTIONS = [
    Section(
        "notify",
        "Where alerts go: Slack, Telegram, desktop notifications and the console",
        (
            Setting("slack_webhook", "", "Slack incoming webhook URL (a secret).", validate=valid_webhook,
                    secret=True),
            Setting("telegram_token", "", "Telegram bot token from @BotFather (a secret).",
                    validate=valid_telegram_token, secret=True),
            Setting("telegram_chat_id", "", "Telegram chat id (number) or @channel to send to.",
                    validate=valid_chat_id),
            Setting("telegram_api_base", "https://api.telegram.org", "Telegram Bot API base URL.",
                    validate=valid_api_base),
            Setting("desktop", True, "Show desktop notifications with notify-send when it is installed.",
                    kind="bool"),
            Setting("slack_min_interval", 1.0, "Seconds between two Slack messages (Slack allows ~1/s).",
                    kind="float"),
            Setting("telegram_min_interval", 1.0, "Seconds between two Telegram messages to one chat.",
                    kind="float"),
            Setting("group_max", 10, "At most this many alerts are grouped into one message.", kind="int"),
            Setting("max_attempts", 8, "Give up on a message for a channel after this many failed tries.",
                    kind="int"),
            Setting("backoff_base", 30.0, "First retry after this many seconds; doubles each try.", kind="float"),
            Setting("backoff_max", 3600.0, "Never wait longer than this between tries.", kind="float"),
            Setting("failing_after", 3, "Mark a channel failing after this many failures in a row.", kind="int"),
            Setting("timeout", 10.0, "HTTP timeout in seconds for one delivery.", kind="float"),
        ),
    ),
]
