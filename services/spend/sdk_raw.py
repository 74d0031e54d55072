"""Raw and streaming responses seen through ``track()``: ``with_raw_response`` and ``with_streaming_response``.

These hand the caller the SDK's response object instead of the result; the result comes from its ``parse()``
(or ``json()``, or the lines of a stream). The wrappers here observe those, so such calls are logged with
their usage like plain ones. A caller that reads a body some other way (``iter_bytes()``, ``text()``) is not
seen: the call is still logged, once, without usage. The usage-only chunk of an OpenAI chat stream (asked for
by the wrapper) is hidden from a parsed stream, not from raw ``iter_lines()``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from .sdk_streams import AsyncStream, Observer, SyncStream
from .sdk_usage import model_of, usage_of


def settle(observer: Observer, result: Any) -> None:
    """Log a finished call from its parsed result (an SDK object or the JSON dict)."""
    observer.model = model_of(result, observer.model)
    usage = usage_of(observer.kind, result)
    if usage is not None:
        observer.usage = list(usage)
        observer.seen_usage = True
    observer.finish()


class StreamingResponse:
    """An SDK response whose body the caller reads, its reads observed: ``parse()`` (a stream read through
    SyncStream/AsyncStream, the same object each time as the SDK caches its own; or the result), ``json()``, and
    ``iter_lines()`` of a stream (each ``data:`` line's JSON is an event). What a ``with_streaming_response``
    block gives the caller, and what ``with_raw_response.create(stream=True)`` returns. A call still unlogged
    when the response is dropped (its body read some other way) is logged then, without usage."""

    def __init__(self, response: Any, observer: Observer, stream: bool, is_async: bool) -> None:
        self._response = response
        self._observer = observer
        self._stream = stream
        self._is_async = is_async
        self._parsed: Any = None

    def parse(self, **kwargs: Any) -> Any:
        if self._is_async:
            return self._parse_async(**kwargs)
        if self._stream:
            if self._parsed is None:
                self._parsed = SyncStream(self._response.parse(**kwargs), self._observer)
            return self._parsed
        result = self._response.parse(**kwargs)
        settle(self._observer, result)
        return result

    async def _parse_async(self, **kwargs: Any) -> Any:
        if self._stream:
            if self._parsed is None:
                self._parsed = AsyncStream(await self._response.parse(**kwargs), self._observer)
            return self._parsed
        result = await self._response.parse(**kwargs)
        settle(self._observer, result)
        return result

    def json(self) -> Any:
        if self._is_async:
            return self._json_async()
        data = self._response.json()
        if not self._stream:
            settle(self._observer, data)
        return data

    async def _json_async(self) -> Any:
        data = await self._response.json()
        if not self._stream:
            settle(self._observer, data)
        return data

    def iter_lines(self) -> Any:
        if self._is_async:
            return self._aiter_lines()
        return self._iter_lines()

    def _iter_lines(self) -> Any:
        for line in self._response.iter_lines():
            self._see_line(line)
            yield line

    async def _aiter_lines(self) -> Any:
        async for line in self._response.iter_lines():
            self._see_line(line)
            yield line

    def _see_line(self, line: str) -> None:
        if self._stream and line.startswith("data:"):
            try:
                event = json.loads(line[5:])
            except ValueError:  # "[DONE]", or a line the caller's own parser will judge
                return
            self._observer.see(event)

    def finish(self) -> None:
        """The block ends: a result nobody parsed is read now, while the response is open (a JSON body,
        already on its way); a stream is logged with what its events said."""
        if self._observer.done:
            return
        if not self._stream:
            try:
                settle(self._observer, self._response.parse())
                return
            except Exception:  # noqa: BLE001 - the caller's business; the call is logged without usage
                pass
        self._observer.finish()

    async def finish_async(self) -> None:
        if self._observer.done:
            return
        if not self._stream:
            try:
                settle(self._observer, await self._response.parse())
                return
            except Exception:  # noqa: BLE001 - as in finish()
                pass
        self._observer.finish()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._response, name)

    def __del__(self) -> None:
        try:
            self._observer.finish()
        except Exception:  # noqa: BLE001 - logging must never break the caller (nor its interpreter's exit)
            pass


class StreamingResponseManager:
    """Wraps the context manager ``with_streaming_response.create(...)`` returns. The request is made when the
    block is entered, so the call is timed from there; leaving the block logs it."""

    def __init__(self, manager: Any, observer: Observer, stream: bool) -> None:
        self._manager = manager
        self._observer = observer
        self._stream = stream
        self._response: StreamingResponse | None = None

    def _start(self) -> None:
        self._observer.started = time.perf_counter()

    def __enter__(self) -> StreamingResponse:
        self._start()
        try:
            response = self._manager.__enter__()
        except BaseException as exc:
            self._observer.finish(exc)
            raise
        self._response = StreamingResponse(response, self._observer, self._stream, False)
        return self._response

    def __exit__(self, *exc: object) -> Any:
        if self._response is not None:
            self._response.finish()
        return self._manager.__exit__(*exc)

    async def __aenter__(self) -> StreamingResponse:
        self._start()
        try:
            response = await self._manager.__aenter__()
        except BaseException as exc:
            self._observer.finish(exc)
            raise
        self._response = StreamingResponse(response, self._observer, self._stream, True)
        return self._response

    async def __aexit__(self, *exc: object) -> Any:
        if self._response is not None:
            await self._response.finish_async()
        return await self._manager.__aexit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)
