"""``track(client, workflow=...)``: log every call an OpenAI or Anthropic client makes, changing nothing.

The wrapper is a thin proxy around the SDK client. ``chat.completions.create``, ``responses.create`` and
``messages.create`` (sync and async, streaming or not) are timed and their usage is handed to the background
writer; everything else passes straight through. Exceptions are logged as errors and re-raised unchanged.
For OpenAI chat streams the wrapper asks for ``stream_options.include_usage`` (the only way to get usage from a
stream) and hides the extra usage-only chunk from a caller who did not ask for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .writer import BackgroundWriter, default_writer, writer_for

# Attribute paths that make calls, per client family.
_TARGETS = {
    ("chat", "completions", "create"): "chat",
    ("responses", "create"): "responses",
    ("messages", "create"): "messages",
}
_PREFIXES = {path[:i] for path in _TARGETS for i in range(1, len(path))}


def track(client: Any, workflow: str, *, session: str | None = None, project_dir: str | None = None,
          db_path: str | None = None, writer: BackgroundWriter | None = None) -> Any:
    """Return ``client`` wrapped so that each API call it makes is logged to the spend store."""
    from .record import check_workflow

    check_workflow(workflow)
    if writer is None:
        writer = writer_for(db_path) if db_path else default_writer()
    is_async = type(client).__name__.startswith("Async")
    family = "anthropic" if type(client).__module__.startswith("anthropic") else "openai"
    meta = _Meta(writer, workflow, session, project_dir, is_async, family)
    return _Proxy(client, (), meta)


class _Meta:
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
                error=_describe(error) if error else None, session=self.session, project_dir=self.project_dir,
                source="sdk", request_id=request_id)
        except Exception:  # noqa: BLE001 - logging must never break the caller's call
            pass


class _Proxy:
    """Delegates every attribute to the wrapped object; intercepts only the call paths in _TARGETS."""

    def __init__(self, target: Any, path: tuple[str, ...], meta: _Meta) -> None:
        object.__setattr__(self, "_fd_target", target)
        object.__setattr__(self, "_fd_path", path)
        object.__setattr__(self, "_fd_meta", meta)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._fd_target, name)
        path = self._fd_path + (name,)
        kind = _TARGETS.get(path)
        if kind is not None and callable(value):
            return _make_call(value, kind, self._fd_meta)
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


def _make_call(create: Callable[..., Any], kind: str, meta: _Meta) -> Callable[..., Any]:
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
                return _AsyncStream(result, _Observer(kind, meta, model, started, hide_usage))
            meta.log(_model_of(result, model), _usage_of(kind, result), started, None, _request_id(result))
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
            return _SyncStream(result, _Observer(kind, meta, model, started, hide_usage))
        meta.log(_model_of(result, model), _usage_of(kind, result), started, None, _request_id(result))
        return result

    return call


def _prepare(kind: str, kwargs: dict[str, Any]) -> bool:
    """Ask OpenAI chat streams for usage; True when the caller did not ask (so the usage chunk is hidden)."""
    if kind != "chat" or kwargs.get("stream") is not True:
        return False
    options = kwargs.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage"):
        return False
    kwargs["stream_options"] = {**(options if isinstance(options, dict) else {}), "include_usage": True}
    return True


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _openai_usage(usage: Any, prompt_key: str, details_key: str, output_key: str) -> tuple[int, int, int, int] | None:
    if usage is None:
        return None
    prompt = _int(_get(usage, prompt_key))
    cached = _int(_get(_get(usage, details_key), "cached_tokens"))
    return (max(prompt - cached, 0), _int(_get(usage, output_key)), cached, 0)


def _anthropic_usage(usage: Any) -> tuple[int, int, int, int] | None:
    if usage is None:
        return None
    return (_int(_get(usage, "input_tokens")), _int(_get(usage, "output_tokens")),
            _int(_get(usage, "cache_read_input_tokens")), _int(_get(usage, "cache_creation_input_tokens")))


def _usage_of(kind: str, result: Any) -> tuple[int, int, int, int] | None:
    usage = _get(result, "usage")
    if kind == "chat":
        return _openai_usage(usage, "prompt_tokens", "prompt_tokens_details", "completion_tokens")
    if kind == "responses":
        return _openai_usage(usage, "input_tokens", "input_tokens_details", "output_tokens")
    return _anthropic_usage(usage)


def _model_of(result: Any, fallback: str) -> str:
    model = _get(result, "model")
    return str(model) if model else fallback


def _request_id(result: Any) -> str | None:
    rid = getattr(result, "_request_id", None)
    return rid if isinstance(rid, str) else None


def _describe(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    text = str(exc).splitlines()[0] if str(exc) else ""
    head = f"{type(exc).__name__}" + (f" {status}" if status else "")
    return f"{head}: {text}"[:300] if text else head


class _Observer:
    """Collects usage from stream events; logs once when the stream ends, fails or is closed."""

    def __init__(self, kind: str, meta: _Meta, model: str, started: float, hide_usage: bool) -> None:
        self.kind = kind
        self.meta = meta
        self.model = model
        self.started = started
        self.hide_usage = hide_usage
        self.usage: list[int] = [0, 0, 0, 0]
        self.seen_usage = False
        self.done = False

    def see(self, event: Any) -> bool:
        """Record what the event says; False when the caller should not see it."""
        if self.kind == "chat":
            usage = _get(event, "usage")
            if usage is not None:
                self.usage = list(_openai_usage(usage, "prompt_tokens", "prompt_tokens_details",
                                                "completion_tokens") or self.usage)
                self.seen_usage = True
                self.model = _model_of(event, self.model)
                if self.hide_usage and not _get(event, "choices"):
                    return False
        elif self.kind == "responses":
            if _get(event, "type") in ("response.completed", "response.incomplete", "response.failed"):
                response = _get(event, "response")
                self.model = _model_of(response, self.model)
                usage = _openai_usage(_get(response, "usage"), "input_tokens", "input_tokens_details",
                                      "output_tokens")
                if usage:
                    self.usage = list(usage)
                    self.seen_usage = True
        else:
            etype = _get(event, "type")
            if etype == "message_start":
                message = _get(event, "message")
                self.model = _model_of(message, self.model)
                usage = _anthropic_usage(_get(message, "usage"))
                if usage:
                    self.usage = list(usage)
                    self.seen_usage = True
            elif etype == "message_delta":
                usage = _get(event, "usage")
                if usage is not None:
                    # message_delta counts are cumulative; input counts appear here only on some servers.
                    self.usage[1] = _int(_get(usage, "output_tokens")) or self.usage[1]
                    for i, key in ((0, "input_tokens"), (2, "cache_read_input_tokens"),
                                   (3, "cache_creation_input_tokens")):
                        if _get(usage, key):
                            self.usage[i] = _int(_get(usage, key))
        return True

    def finish(self, error: BaseException | None = None) -> None:
        if self.done:
            return
        self.done = True
        self.meta.log(self.model, tuple(self.usage) if self.seen_usage else None, self.started, error)  # type: ignore[arg-type]


class _SyncStream:
    def __init__(self, stream: Any, observer: _Observer) -> None:
        self._stream = stream
        self._observer = observer

    def __iter__(self) -> Any:
        try:
            for event in self._stream:
                if self._observer.see(event):
                    yield event
        except BaseException as exc:
            if not isinstance(exc, GeneratorExit):
                self._observer.finish(exc)
            else:
                self._observer.finish()
            raise
        self._observer.finish()

    def __next__(self) -> Any:
        it = self.__dict__.get("_iter")
        if it is None:
            it = self.__dict__["_iter"] = iter(self)
        return next(it)

    def __enter__(self) -> _SyncStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._observer.finish()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _AsyncStream:
    def __init__(self, stream: Any, observer: _Observer) -> None:
        self._stream = stream
        self._observer = observer

    async def _gen(self) -> Any:
        try:
            async for event in self._stream:
                if self._observer.see(event):
                    yield event
        except BaseException as exc:
            self._observer.finish(None if isinstance(exc, GeneratorExit) else exc)
            raise
        self._observer.finish()

    def __aiter__(self) -> Any:
        return self._gen()

    async def __anext__(self) -> Any:
        it = self.__dict__.get("_iter")
        if it is None:
            it = self.__dict__["_iter"] = self._gen()
        return await it.__anext__()

    async def __aenter__(self) -> _AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        try:
            await self._stream.close()
        finally:
            self._observer.finish()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
