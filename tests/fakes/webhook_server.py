"""A fake Slack incoming webhook and Telegram Bot API on 127.0.0.1, speaking their real wire formats.

Tests script its answers: ``server.script("slack", [429, 500, 200])`` makes the next three Slack posts answer
rate-limited, server error, then ok (then ok forever). A 429 carries ``Retry-After`` (Slack) or
``parameters.retry_after`` (Telegram). Every request is recorded with its arrival time. The server runs in a
daemon thread and stops when the fixture ends (or after ``lifetime_s``, so it can never outlive a test run).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLACK_PATH = "/services/T000/B000/fakesecretfakesecret"
TELEGRAM_TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
_TELEGRAM_PATH = re.compile(r"^/bot(?P<token>[^/]+)/sendMessage$")


@dataclass
class Received:
    service: str  # slack or telegram
    at: float
    payload: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.payload.get("text", ""))


@dataclass
class FakeWebhooks:
    retry_after: int = 1
    delay_s: float = 0.0  # hold every answer this long (to kill a sender mid-request)
    received: list[Received] = field(default_factory=list)
    _scripts: dict[str, list[int]] = field(default_factory=lambda: {"slack": [], "telegram": []})
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def slack_url(self) -> str:
        return self.base + SLACK_PATH

    def script(self, service: str, statuses: list[int]) -> None:
        with self._lock:
            self._scripts[service] = list(statuses)

    def texts(self, service: str) -> list[str]:
        with self._lock:
            return [r.text for r in self.received if r.service == service]

    def times(self, service: str) -> list[float]:
        with self._lock:
            return [r.at for r in self.received if r.service == service]

    def _next_status(self, service: str) -> int:
        with self._lock:
            script = self._scripts[service]
            return script.pop(0) if script else 200

    def _record(self, service: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self.received.append(Received(service, time.monotonic(), payload))

    def start(self, lifetime_s: float = 120.0) -> "FakeWebhooks":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _reply(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    self._reply(400, b"invalid_payload", "text/plain")
                    return
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                if self.path == SLACK_PATH:
                    self._slack(payload)
                    return
                match = _TELEGRAM_PATH.match(self.path)
                if match:
                    self._telegram(match.group("token"), payload)
                    return
                self._reply(404, b"no_service", "text/plain")

            def _slack(self, payload: dict[str, Any]) -> None:
                if not payload.get("text"):
                    self._reply(400, b"no_text", "text/plain")
                    return
                status = fake._next_status("slack")
                if status == 200:
                    fake._record("slack", payload)
                    self._reply(200, b"ok", "text/plain")
                elif status == 429:
                    self._reply(429, b"rate_limited", "text/plain", {"Retry-After": str(fake.retry_after)})
                else:
                    self._reply(status, b"internal_error", "text/plain")

            def _telegram(self, token: str, payload: dict[str, Any]) -> None:
                if token != TELEGRAM_TOKEN:
                    self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                text = str(payload.get("text", ""))
                if not payload.get("chat_id") or not text:
                    self._json(400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"})
                    return
                if len(text) > 4096:
                    self._json(400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"})
                    return
                status = fake._next_status("telegram")
                if status == 200:
                    fake._record("telegram", payload)
                    self._json(200, {"ok": True, "result": {"message_id": len(fake.received), "text": text}})
                elif status == 429:
                    self._json(429, {"ok": False, "error_code": 429,
                                     "description": f"Too Many Requests: retry after {fake.retry_after}",
                                     "parameters": {"retry_after": fake.retry_after}})
                else:
                    self._json(status, {"ok": False, "error_code": status, "description": "Internal Server Error"})

            def _json(self, status: int, body: dict[str, Any]) -> None:
                self._reply(status, json.dumps(body).encode(), "application/json")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        timer = threading.Timer(lifetime_s, self.stop)
        timer.daemon = True
        timer.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def main() -> None:
    """Run standalone (for a subprocess test): print the base URL, serve until killed."""
    import sys

    fake = FakeWebhooks(delay_s=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0).start(lifetime_s=60)
    print(fake.base, flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
