"""A local fake OpenAI + Anthropic HTTP server that speaks the real wire format, for tests.

Point the real SDKs at it::

    from tests.fakes.llm_server import fake_llm, FakeLLMServer, Reply   # fake_llm is a pytest fixture

    def test_something(fake_llm):
        fake_llm.queue(Reply(text="hi", input_tokens=100, output_tokens=20, cache_read_tokens=50))
        fake_llm.fail(429, "slow down")                     # the next request gets this error
        client = openai.OpenAI(base_url=fake_llm.openai_url, api_key="sk-test", max_retries=0)
        anth = anthropic.Anthropic(base_url=fake_llm.anthropic_url, api_key="sk-ant-test", max_retries=0)
        ...
        fake_llm.requests[-1].path, fake_llm.requests[-1].json   # what the SDK sent

Import the fixture into your test module (``from tests.fakes.llm_server import fake_llm  # noqa: F401``) or
use ``with FakeLLMServer() as server:`` directly.

Endpoints (one FIFO of scripted replies shared by all; an empty queue answers ``FakeLLMServer.default``):
- ``POST /v1/chat/completions``: chat.completion JSON, or SSE ``chat.completion.chunk`` events when
  ``"stream": true`` (a final usage chunk with empty ``choices`` only when
  ``stream_options.include_usage`` is set, as OpenAI does), ending ``data: [DONE]``.
- ``POST /v1/responses``: a ``response`` object, or SSE ``response.created`` / ``response.output_text.delta``
  / ``response.completed`` (usage in the completed response).
- ``POST /v1/messages``: Anthropic message JSON, or SSE ``message_start`` (input/cache usage) ...
  ``content_block_delta`` ... ``message_delta`` (cumulative output_tokens) ``message_stop``.

Token meaning in ``Reply``: ``input_tokens`` is *uncached* input. Anthropic reports it as is, with
``cache_read_input_tokens`` / ``cache_creation_input_tokens``; OpenAI reports
``prompt_tokens = input + cache_read`` with ``prompt_tokens_details.cached_tokens = cache_read`` (OpenAI has
no cache-write count, so ``cache_write_tokens`` is ignored there).

``Reply(status=4xx/5xx, error_message=..., error_type=...)`` answers with the provider's error body.
``Reply(delay=s)`` waits before answering; ``chunk_delay`` waits between SSE events. The server is bounded:
it shuts itself down after ``max_lifetime`` seconds (default 300) even if a test forgets to stop it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    text: str = "Hello from the fake model."
    input_tokens: int = 12
    output_tokens: int = 7
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    model: str | None = None  # default: echo the request's model
    status: int = 200
    error_message: str | None = None
    error_type: str | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    at: float = field(default_factory=time.time)


class FakeLLMServer:
    def __init__(self, *, max_lifetime: float = 300.0) -> None:
        self.default = Reply()
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.max_lifetime = max_lifetime
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    # -- scripting -----------------------------------------------------------------------------------------

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def reply(self, **fields: Any) -> None:
        self.queue(Reply(**fields))

    def fail(self, status: int, message: str = "fake failure", error_type: str | None = None,
             delay: float = 0.0) -> None:
        self.queue(Reply(status=status, error_message=message, error_type=error_type, delay=delay))

    def next_reply(self) -> Reply:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    # -- lifecycle -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_url(self) -> str:
        return self.url + "/v1"

    @property
    def anthropic_url(self) -> str:
        return self.url

    def start(self) -> FakeLLMServer:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-llm", daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.max_lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if self._timer is not None:
            self._timer.cancel()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    """A started FakeLLMServer on 127.0.0.1 (random port), stopped after the test."""
    with FakeLLMServer() as server:
        yield server


# -- wire formats ------------------------------------------------------------------------------------------


def _openai_usage(r: Reply) -> dict[str, Any]:
    prompt = r.input_tokens + r.cache_read_tokens
    return {"prompt_tokens": prompt, "completion_tokens": r.output_tokens,
            "total_tokens": prompt + r.output_tokens,
            "prompt_tokens_details": {"cached_tokens": r.cache_read_tokens, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}


def _responses_usage(r: Reply) -> dict[str, Any]:
    prompt = r.input_tokens + r.cache_read_tokens
    return {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": r.cache_read_tokens},
            "output_tokens": r.output_tokens, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": prompt + r.output_tokens}


def _anthropic_usage(r: Reply, output_tokens: int) -> dict[str, Any]:
    return {"input_tokens": r.input_tokens, "cache_creation_input_tokens": r.cache_write_tokens,
            "cache_read_input_tokens": r.cache_read_tokens, "output_tokens": output_tokens,
            "service_tier": "standard"}


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)] or [""]


def _chat_json(r: Reply, model: str, rid: str, created: int) -> dict[str, Any]:
    return {"id": rid, "object": "chat.completion", "created": created, "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": r.text, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": _openai_usage(r)}


def _chat_events(r: Reply, model: str, rid: str, created: int, include_usage: bool) -> Iterator[tuple[str | None, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        c = {"id": rid, "object": "chat.completion.chunk", "created": created, "model": model,
             "system_fingerprint": "fp_fake",
             "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        if include_usage:
            c["usage"] = None
        return c

    yield None, chunk({"role": "assistant", "content": "", "refusal": None}, None)
    for piece in _pieces(r.text):
        yield None, chunk({"content": piece}, None)
    yield None, chunk({}, "stop")
    if include_usage:
        yield None, {"id": rid, "object": "chat.completion.chunk", "created": created, "model": model,
                     "system_fingerprint": "fp_fake", "choices": [], "usage": _openai_usage(r)}
    yield None, "[DONE]"


def _response_obj(r: Reply, model: str, rid: str, created: int, status: str) -> dict[str, Any]:
    done = status == "completed"
    output = [{"type": "message", "id": "msg_" + rid[5:], "status": "completed", "role": "assistant",
               "content": [{"type": "output_text", "text": r.text, "annotations": []}]}] if done else []
    return {"id": rid, "object": "response", "created_at": created, "status": status, "model": model,
            "output": output, "usage": _responses_usage(r) if done else None, "error": None,
            "incomplete_details": None, "instructions": None, "metadata": {}, "parallel_tool_calls": True,
            "temperature": 1.0, "tool_choice": "auto", "tools": [], "top_p": 1.0, "text": {"format": {"type": "text"}}}


def _response_events(r: Reply, model: str, rid: str, created: int) -> Iterator[tuple[str | None, Any]]:
    """The Responses API's event sequence for one text message (the SDK's stream helper checks the order)."""
    seq = iter(range(10_000))

    def event(kind: str, **fields: Any) -> tuple[str, dict[str, Any]]:
        return kind, {"type": kind, "sequence_number": next(seq), **fields}

    item_id = "msg_" + rid[5:]
    yield event("response.created", response=_response_obj(r, model, rid, created, "in_progress"))
    yield event("response.in_progress", response=_response_obj(r, model, rid, created, "in_progress"))
    yield event("response.output_item.added", output_index=0,
                item={"type": "message", "id": item_id, "status": "in_progress", "role": "assistant", "content": []})
    place = {"item_id": item_id, "output_index": 0, "content_index": 0}
    yield event("response.content_part.added", **place, part={"type": "output_text", "text": "", "annotations": []})
    for piece in _pieces(r.text):
        yield event("response.output_text.delta", **place, delta=piece, logprobs=[])
    yield event("response.output_text.done", **place, text=r.text, logprobs=[])
    part = {"type": "output_text", "text": r.text, "annotations": []}
    yield event("response.content_part.done", **place, part=part)
    yield event("response.output_item.done", output_index=0,
                item={"type": "message", "id": item_id, "status": "completed", "role": "assistant", "content": [part]})
    yield event("response.completed", response=_response_obj(r, model, rid, created, "completed"))


def _message_json(r: Reply, model: str, rid: str) -> dict[str, Any]:
    return {"id": rid, "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": r.text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": _anthropic_usage(r, r.output_tokens)}


def _message_events(r: Reply, model: str, rid: str) -> Iterator[tuple[str | None, Any]]:
    start = {"id": rid, "type": "message", "role": "assistant", "model": model, "content": [],
             "stop_reason": None, "stop_sequence": None, "usage": _anthropic_usage(r, 1)}
    yield "message_start", {"type": "message_start", "message": start}
    yield "content_block_start", {"type": "content_block_start", "index": 0,
                                  "content_block": {"type": "text", "text": ""}}
    yield "ping", {"type": "ping"}
    for piece in _pieces(r.text):
        yield "content_block_delta", {"type": "content_block_delta", "index": 0,
                                      "delta": {"type": "text_delta", "text": piece}}
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}
    yield "message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                            "usage": {"output_tokens": r.output_tokens}}
    yield "message_stop", {"type": "message_stop"}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLLMServer
    protocol_version = "HTTP/1.0"  # one request per connection; SSE bodies end when the connection closes

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        path = self.path.split("?", 1)[0]
        self.fake.requests.append(RecordedRequest("POST", path, {k.lower(): v for k, v in self.headers.items()}, body))
        anthropic = path.endswith("/messages")
        if body is None:
            self._error(400, "invalid JSON body", None, anthropic)
            return
        routes = ("/v1/chat/completions", "/v1/responses", "/v1/messages")
        if path not in routes:
            self._error(404, f"no route {path}", "not_found_error", anthropic)
            return
        r = self.fake.next_reply()
        if r.delay:
            time.sleep(r.delay)
        if r.status >= 400:
            self._error(r.status, r.error_message or "fake failure", r.error_type, anthropic)
            return
        model = r.model or str(body.get("model") or "fake-model")
        created = int(time.time())
        stream = bool(body.get("stream"))
        if path == "/v1/chat/completions":
            rid = "chatcmpl-" + uuid.uuid4().hex[:24]
            if stream:
                include = bool((body.get("stream_options") or {}).get("include_usage"))
                self._send_sse(_chat_events(r, model, rid, created, include), r.chunk_delay)
            else:
                self._send_json(200, _chat_json(r, model, rid, created))
        elif path == "/v1/responses":
            rid = "resp_" + uuid.uuid4().hex[:24]
            if stream:
                self._send_sse(_response_events(r, model, rid, created), r.chunk_delay)
            else:
                self._send_json(200, _response_obj(r, model, rid, created, "completed"))
        else:
            rid = "msg_" + uuid.uuid4().hex[:24]
            if stream:
                self._send_sse(_message_events(r, model, rid), r.chunk_delay)
            else:
                self._send_json(200, _message_json(r, model, rid))

    def _error(self, status: int, message: str, error_type: str | None, anthropic: bool) -> None:
        if anthropic:
            kind = error_type or {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
                                  429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
            self._send_json(status, {"type": "error", "error": {"type": kind, "message": message}},
                            {"request-id": "req_fake" + uuid.uuid4().hex[:12]})
        else:
            kind = error_type or ("rate_limit_exceeded" if status == 429 else "invalid_request_error"
                                  if status < 500 else "server_error")
            self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": kind}},
                            {"x-request-id": "req_fake" + uuid.uuid4().hex[:12]})

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send_sse(self, events: Iterator[tuple[str | None, Any]], chunk_delay: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for name, payload in events:
            data = payload if isinstance(payload, str) else json.dumps(payload)
            head = f"event: {name}\n" if name else ""
            self.wfile.write(f"{head}data: {data}\n\n".encode())
            self.wfile.flush()
            if chunk_delay:
                time.sleep(chunk_delay)
        self.close_connection = True
