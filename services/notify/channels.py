"""The places a message can go. Each channel sends one text and reports failure as ``DeliveryError``.

Wire formats are the real ones: Slack incoming webhooks take ``{"text": ...}`` and answer ``ok``; Telegram's
``sendMessage`` takes ``{"chat_id", "text"}`` and answers ``{"ok": true}`` or, when rate limited,
``{"ok": false, "error_code": 429, "parameters": {"retry_after": N}}``. Secrets never appear in errors.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from ..logsetup import redact

TELEGRAM_LIMIT = 4096
SLACK_LIMIT = 39_000  # Slack truncates past 40,000 characters


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(redact(message))
        self.retry_after = retry_after
        self.permanent = permanent


class Channel(Protocol):
    name: str
    limit: int
    min_interval: float

    def send(self, text: str) -> None: ...


def split_text(text: str, limit: int) -> list[str]:
    """Split on line boundaries where possible so every part fits ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current:
        parts.append(current)
    return [p.rstrip("\n") or p for p in parts]


def _post_json(url: str, payload: dict[str, Any], timeout: float) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from config
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers or {}), exc.read() or b""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"cannot connect: {reason}") from None


def _retry_after(headers: dict[str, str], body: dict[str, Any] | None = None) -> float | None:
    if body:
        value = (body.get("parameters") or {}).get("retry_after")
        if isinstance(value, (int, float)):
            return float(value)
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return float(value)
            except ValueError:
                return None
    return None


@dataclass
class SlackChannel:
    webhook: str
    min_interval: float = 1.0
    timeout: float = 10.0
    name: str = "slack"
    limit: int = SLACK_LIMIT

    def send(self, text: str) -> None:
        status, headers, body = _post_json(self.webhook, {"text": text}, self.timeout)
        if status == 200:
            return
        snippet = body[:120].decode("utf-8", "replace")
        if status == 429:
            raise DeliveryError("slack: rate limited (429)", retry_after=_retry_after(headers) or 1.0)
        # 4xx other than 429 are our fault or a revoked webhook: retrying the same text will not help soon.
        raise DeliveryError(f"slack: HTTP {status} {snippet}".strip(), permanent=400 <= status < 500 and status != 408)


@dataclass
class TelegramChannel:
    token: str
    chat_id: str
    api_base: str = "https://api.telegram.org"
    min_interval: float = 1.0
    timeout: float = 10.0
    name: str = "telegram"
    limit: int = TELEGRAM_LIMIT

    def send(self, text: str) -> None:
        url = f"{self.api_base.rstrip('/')}/bot{self.token}/sendMessage"
        status, headers, raw = _post_json(url, {"chat_id": self.chat_id, "text": text,
                                                "disable_web_page_preview": True}, self.timeout)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if status == 200 and body.get("ok"):
            return
        description = str(body.get("description") or "")[:120]
        if status == 429 or body.get("error_code") == 429:
            raise DeliveryError(f"telegram: rate limited (429) {description}".strip(),
                                retry_after=_retry_after(headers, body) or 1.0)
        raise DeliveryError(f"telegram: HTTP {status} {description}".strip(),
                            permanent=400 <= status < 500 and status != 408)


@dataclass
class DesktopChannel:
    command: str = "notify-send"
    min_interval: float = 0.0
    name: str = "desktop"
    limit: int = 2000

    def send(self, text: str) -> None:
        title, _, body = text.partition("\n")
        try:
            result = subprocess.run([self.command, "--app-name=fleetdeck", title, body],
                                    capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeliveryError(f"desktop: {exc}") from None
        if result.returncode != 0:
            raise DeliveryError(f"desktop: notify-send exited {result.returncode}")


@dataclass
class ConsoleChannel:
    """The console shows the outbox itself; delivering here only records that it was shown."""

    min_interval: float = 0.0
    name: str = "console"
    limit: int = 100_000

    def send(self, text: str) -> None:
        return None


CHANNEL_NAMES = ("slack", "telegram", "desktop", "console")


def configured_channels(notify: dict[str, Any]) -> dict[str, Channel]:
    """The channels the [notify] section turns on, by name."""
    timeout = float(notify.get("timeout", 10.0))
    channels: dict[str, Channel] = {"console": ConsoleChannel()}
    if notify.get("slack_webhook"):
        channels["slack"] = SlackChannel(notify["slack_webhook"], float(notify.get("slack_min_interval", 1.0)),
                                         timeout)
    if notify.get("telegram_token") and notify.get("telegram_chat_id"):
        channels["telegram"] = TelegramChannel(
            notify["telegram_token"], str(notify["telegram_chat_id"]),
            str(notify.get("telegram_api_base") or "https://api.telegram.org"),
            float(notify.get("telegram_min_interval", 1.0)), timeout)
    if notify.get("desktop") and shutil.which("notify-send"):
        channels["desktop"] = DesktopChannel()
    return channels
