"""``track(client, workflow=...)``: log every call an OpenAI or Anthropic client makes, changing nothing.

The wrapper is a thin proxy around the SDK client. The calls that reach a model are timed and their usage is
handed to the background writer: ``create`` and ``parse`` of ``chat.completions``, ``responses`` and
``messages`` (and Anthropic's ``beta.messages``), sync and async, streaming or not, and the stream helpers
``messages.stream()``, ``chat.completions.stream()`` and ``responses.stream()`` (see sdk_streams.py), and the
same calls through ``with_raw_response`` and ``with_streaming_response`` (see sdk_raw.py). Everything else
passes straight through. Exceptions are logged as errors and re-raised unchanged. For OpenAI chat streams
the wrapper asks for ``stream_options.include_usage`` (the only way to get usage from a stream) and hides the
extra usage-only chunk from a caller who did not ask for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .sdk_raw import StreamingResponse, StreamingResponseManager
from .sdk_streams import AsyncManager, AsyncStream, Observer, SyncManager, SyncStream
from .sdk_usage import describe, model_of, request_id, usage_of
from .writer import BackgroundWriter, default_writer, writer_for

# Attribute paths that make calls, per client family: the kind of usage their results and events carry.
_RESOURCES = {("chat", "completions"): "chat", ("responses",): "responses", ("messages",): "messages",
              ("beta", "messages"): "messages", ("beta", "chat", "completions"): "chat"}
_TARGETS = {(*resource, method): kind for resource, kind in _RESOURCES.items() for method in ("create", "parse")}
# The same calls through ``with_raw_response``: the SDK's raw response object, whose parse() gives the result.
_RAW_TARGETS = {(*resource, "with_raw_response", method): kind
                for resource, kind in _RESOURCES.items() for method in ("create", "parse")}
# Through ``with_streaming_response``: a context manager that makes the request when it is entered.
_STREAMING_TARGETS = {(*resource, "with_streaming_response", method): kind
                      for resource, kind in _RESOURCES.items() for method in ("create", "parse")}
# Stream helpers return a context manager that makes the request when it is entered.
_HELPERS = {(*resource, "stream"): kind for resource, kind in _RESOURCES.items()}
_PREFIXES = {path[:i] for path in (*_TARGETS, *_RAW_TARGETS, *_STREAMING_TARGETS, *_HELPERS)
             for i in range(1, len(path))}


def track(client: Any, workflow: str, *, session: str | None = None, project_dir: str | None = None,
          db_path: str | None = None, writer: BackgroundWriter | None = None) -> Any:
    """Return ``client`` wrapped so that each API call it makes is logged to the spend store."""
    from ..workflows import check_workflow

    check_workflow(workflow)
    if writer is None:
        writer = writer_for(db_path) if db_path else default_writer()
    is_async = type(client).__name__.startswith("Async")
    family = "anthropic" if type(client).__module__.startswith("anthropic") else "openai"
    meta = Meta(writer, workflow, session, project_dir, is_async, family)
    return _Proxy(client, (), meta)


class Meta:
    __slots__ = ("family", "is_async", "project_dir", "session", "workflow", "writer")

    def __init__(self, writer: BackgroundWriter, workflow: str, session: str | None, project_dir: str | None,
                 is_async: bool, family: str) -> None:
        self.writer = writer
        self.workflow = workflow
        self.session = session
        self.project_dir = project_dir
        self.is_async = is_async
        self.family = family

    def log(self, model: str, usage: tuple[int, int, int, int] | None, started: float, error: BaseException | None,
            request_id: str | None = None) -> None:
        inp, out, cr, cw = usage or (0, 0, 0, 0)
        try:
            self.writer.submit(
                model=model or "unknown", workflow=self.workflow, input_tokens=inp, output_tokens=out,
                cache_read_tokens=cr, cache_write_tokens=cw,
                latency_ms=int((time.perf_counter() - started) * 1000), status="error" if error else "ok",
                error=describe(error) if error else None, session=self.session, project_dir=self.project_dir,
                source="sdk", request_id=request_id)
        except Exception:  # noqa: BLE001 - logging must never break the caller's call
            pass


class _Proxy:
    """Delegates every attribute to the wrapped object; intercepts only the call paths in _TARGETS."""

    def __init__(self, target: Any, path: tuple[str, ...], meta: Meta) -> None:
        object.__setattr__(self, "_fd_target", target)
        object.__setattr__(self, "_fd_path", path)
        object.__setattr__(self, "_fd_meta", meta)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._fd_target, name)
        path = self._fd_path + (name,)
        kind = _TARGETS.get(path)
        if kind is not None and callable(value):
            return _make_call(value, kind, self._fd_meta)
        kind = _RAW_TARGETS.get(path)
        if kind is not None and callable(value):
            return _make_call(value, kind, self._fd_meta, raw=True)
        kind = _STREAMING_TARGETS.get(path)
        if kind is not None and callable(value):
            return _make_streaming(value, kind, self._fd_meta)
        kind = _HELPERS.get(path)
        if kind is not None and callable(value):
            return _make_helper(value, kind, self._fd_meta)
        if path in _PREFIXES:
            return _Proxy(value, path, self._fd_meta)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._fd_target, name, value)

    def __repr__(self) -> str:
        return f"tracked({self._fd_target!r})"

    def __enter__(self) -> Any:
        self._fd_target.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self._fd_target.__exit__(*exc)

    async def __aenter__(self) -> Any:
        await self._fd_target.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> Any:
        return await self._fd_target.__aexit__(*exc)


def _make_call(create: Callable[..., Any], kind: str, meta: Meta, raw: bool = False) -> Callable[..., Any]:
    if meta.is_async:
        async def acall(*args: Any, **kwargs: Any) -> Any:
            hide_usage = _prepare(kind, kwargs)
            started = time.perf_counter()
            model = str(kwargs.get("model") or "")
            try:
                result = await create(*args, **kwargs)
            except BaseException as exc:
                meta.log(model, None, started, exc)
                raise
            if kwargs.get("stream") is True:
                observer = Observer(kind, meta, model, started, hide_usage)
                return StreamingResponse(result, observer, True, True) if raw else AsyncStream(result, observer)
            if raw:  # the async SDK's parse() is a coroutine
                try:
                    parsed = await result.parse()
                except Exception:  # noqa: BLE001 - the caller will meet the same error when it parses
                    parsed = None
                _log_raw(meta, kind, result, parsed, model, started)
            else:
                _log_result(meta, kind, result, model, started)
            return result

        return acall

    def call(*args: Any, **kwargs: Any) -> Any:
        hide_usage = _prepare(kind, kwargs)
        started = time.perf_counter()
        model = str(kwargs.get("model") or "")
        try:
            result = create(*args, **kwargs)
        except BaseException as exc:
            meta.log(model, None, started, exc)
            raise
        if kwargs.get("stream") is True:
            observer = Observer(kind, meta, model, started, hide_usage)
            return StreamingResponse(result, observer, True, False) if raw else SyncStream(result, observer)
        if raw:
            try:
                parsed = result.parse()
            except Exception:  # noqa: BLE001 - the caller will meet the same error when it parses
                parsed = None
            _log_raw(meta, kind, result, parsed, model, started)
        else:
            _log_result(meta, kind, result, model, started)
        return result

    return call


def _log_result(meta: Meta, kind: str, result: Any, model: str, started: float) -> None:
    meta.log(model_of(result, model), usage_of(kind, result), started, None, request_id(result))


def _log_raw(meta: Meta, kind: str, raw: Any, parsed: Any, model: str, started: float) -> None:
    """A raw response, with what its parse() gave (the SDK caches it, so the caller's own parse() gets the same
    object), None when that failed. (A raw stream goes through StreamingResponse instead.)"""
    headers = getattr(raw, "headers", None) or {}
    rid = headers.get("request-id") or headers.get("x-request-id")
    meta.log(model_of(parsed, model), usage_of(kind, parsed) if parsed is not None else None, started, None,
             rid if isinstance(rid, str) else None)


def _make_streaming(create: Callable[..., Any], kind: str, meta: Meta) -> Callable[..., Any]:
    """``with_streaming_response``: sync and async clients alike return a context manager, and make the request
    only when it is entered."""
    def call(*args: Any, **kwargs: Any) -> Any:
        hide_usage = _prepare(kind, kwargs)
        model = str(kwargs.get("model") or "")
        manager = create(*args, **kwargs)
        observer = Observer(kind, meta, model, time.perf_counter(), hide_usage)
        return StreamingResponseManager(manager, observer, kwargs.get("stream") is True)

    return call


def _make_helper(stream: Callable[..., Any], kind: str, meta: Meta) -> Callable[..., Any]:
    """A stream helper: sync and async clients alike return a context manager without awaiting anything."""
    def call(*args: Any, **kwargs: Any) -> Any:
        hide_usage = _prepare(kind, kwargs, streaming=True)
        started = time.perf_counter()
        model = str(kwargs.get("model") or "")
        try:
            manager = stream(*args, **kwargs)
        except BaseException as exc:
            meta.log(model, None, started, exc)
            raise
        observer = Observer(kind, meta, model, started, hide_usage)
        return AsyncManager(manager, observer) if meta.is_async else SyncManager(manager, observer)

    return call


def _prepare(kind: str, kwargs: dict[str, Any], streaming: bool = False) -> bool:
    """Ask OpenAI chat streams for usage; True when the caller did not ask (so the usage chunk is hidden)."""
    if kind != "chat" or not (streaming or kwargs.get("stream") is True):
        return False
    options = kwargs.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage"):
        return False
    kwargs["stream_options"] = {**(options if isinstance(options, dict) else {}), "include_usage": True}
    return True
