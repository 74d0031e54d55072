"""Streams seen through ``track()``: usage is collected from the events as the caller reads them and logged once.

``SyncStream``/``AsyncStream`` wrap a raw SDK stream (``create(stream=True)``). The SDKs' stream helpers
(``messages.stream()``, ``chat.completions.stream()``, ``responses.stream()``) build their own stream object
around a raw one when their context manager is entered; ``SyncManager``/``AsyncManager`` put the observing
wrapper in between at that moment, before anything is read, so the call is logged whichever way the caller
consumes it (iterating, ``text_stream``, ``until_done()``, ``get_final_*()``) or when the block is left early.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .sdk_usage import anthropic_usage, as_int, get, model_of, openai_usage

if TYPE_CHECKING:
    from .wrappers import Meta


class Observer:
    """Collects usage from stream events; logs once when the stream ends, fails or is closed."""

    def __init__(self, kind: str, meta: Meta, model: str, started: float, hide_usage: bool) -> None:
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
            usage = get(event, "usage")
            if usage is not None:
                self.usage = list(openai_usage(usage, "prompt_tokens", "prompt_tokens_details",
                                               "completion_tokens") or self.usage)
                self.seen_usage = True
                self.model = model_of(event, self.model)
                if self.hide_usage and not get(event, "choices"):
                    return False
        elif self.kind == "responses":
            if get(event, "type") in ("response.completed", "response.incomplete", "response.failed"):
                response = get(event, "response")
                self.model = model_of(response, self.model)
                usage = openai_usage(get(response, "usage"), "input_tokens", "input_tokens_details",
                                     "output_tokens")
                if usage:
                    self.usage = list(usage)
                    self.seen_usage = True
        else:
            etype = get(event, "type")
            if etype == "message_start":
                message = get(event, "message")
                self.model = model_of(message, self.model)
                usage = anthropic_usage(get(message, "usage"))
                if usage:
                    self.usage = list(usage)
                    self.seen_usage = True
            elif etype == "message_delta":
                usage = get(event, "usage")
                if usage is not None:
                    # message_delta counts are cumulative; input counts appear here only on some servers.
                    self.usage[1] = as_int(get(usage, "output_tokens")) or self.usage[1]
                    for i, key in ((0, "input_tokens"), (2, "cache_read_input_tokens"),
                                   (3, "cache_creation_input_tokens")):
                        if get(usage, key):
                            self.usage[i] = as_int(get(usage, key))
        return True

    def finish(self, error: BaseException | None = None) -> None:
        if self.done:
            return
        self.done = True
        self.meta.log(self.model, tuple(self.usage) if self.seen_usage else None, self.started, error)  # type: ignore[arg-type]


class SyncStream:
    def __init__(self, stream: Any, observer: Observer) -> None:
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

    def __enter__(self) -> SyncStream:
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


class AsyncStream:
    def __init__(self, stream: Any, observer: Observer) -> None:
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

    async def __aenter__(self) -> AsyncStream:
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


class SyncManager:
    """Wraps a stream helper's context manager: the stream it opens reads its raw events through SyncStream."""

    def __init__(self, manager: Any, observer: Observer) -> None:
        self._manager = manager
        self._observer = observer

    def __enter__(self) -> Any:
        try:
            stream = self._manager.__enter__()
        except BaseException as exc:
            self._observer.finish(exc)
            raise
        _observe_raw(stream, SyncStream, self._observer)
        return stream

    def __exit__(self, *exc: object) -> Any:
        try:
            return self._manager.__exit__(*exc)
        finally:
            self._observer.finish()  # left early: what was seen so far (the request was made and is billed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)


class AsyncManager:
    def __init__(self, manager: Any, observer: Observer) -> None:
        self._manager = manager
        self._observer = observer

    async def __aenter__(self) -> Any:
        try:
            stream = await self._manager.__aenter__()
        except BaseException as exc:
            self._observer.finish(exc)
            raise
        _observe_raw(stream, AsyncStream, self._observer)
        return stream

    async def __aexit__(self, *exc: object) -> Any:
        try:
            return await self._manager.__aexit__(*exc)
        finally:
            self._observer.finish()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)


def _observe_raw(stream: Any, wrapper: type[SyncStream | AsyncStream], observer: Observer) -> None:
    """Put the observing wrapper between a helper stream and its raw SDK stream. All three helpers keep the raw
    stream as ``_raw_stream`` and start reading it only on the first event, which has not been asked for yet.
    A helper without it (another SDK version) is left alone and its call is logged without usage; the SDK
    wrapper tests, which read every helper's usage back from the store, are there to catch that first."""
    raw = getattr(stream, "_raw_stream", None)
    if raw is not None:
        stream._raw_stream = wrapper(raw, observer)
