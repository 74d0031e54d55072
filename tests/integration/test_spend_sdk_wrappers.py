"""The real openai and anthropic SDKs, wrapped with track(), talking to the local fake server."""

from __future__ import annotations

import anthropic
import openai
import pytest
from fleetdeck.services.spend.wrappers import track
from fleetdeck.services.spend.writer import BackgroundWriter
from fleetdeck.services.store import Store

from tests.fakes.llm_server import FakeLLMServer, Reply, fake_llm  # noqa: F401


@pytest.fixture
def writer(store: Store):
    w = BackgroundWriter(store.path, interval=0.05)
    yield w
    w.close()


def rows(store: Store, writer: BackgroundWriter) -> list[dict]:
    assert writer.flush(5)
    return [dict(r) for r in store.query("SELECT * FROM api_calls ORDER BY id")]


def tokens(row: dict) -> tuple[int, int, int, int]:
    return (row["input_tokens"], row["output_tokens"], row["cache_read_tokens"], row["cache_write_tokens"])


def openai_client(server: FakeLLMServer, cls=openai.OpenAI):
    return cls(base_url=server.openai_url, api_key="sk-test-key-123456", max_retries=0)


def anthropic_client(server: FakeLLMServer, cls=anthropic.Anthropic):
    return cls(base_url=server.anthropic_url, api_key="sk-ant-test-123456", max_retries=0)


def test_openai_chat_completion_is_logged_with_uncached_and_cached_tokens(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="four", input_tokens=100, output_tokens=20, cache_read_tokens=50))
    client = track(openai_client(fake_llm), "qa", writer=writer)
    answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "2+2?"}])
    assert answer.choices[0].message.content == "four"
    (row,) = rows(store, writer)
    assert (row["model"], row["workflow"], row["source"], row["status"]) == ("gpt-4o", "qa", "sdk", "ok")
    assert tokens(row) == (100, 20, 50, 0)
    assert row["cost_micros"] == round(100 * 2.5 + 20 * 10 + 50 * 1.25)
    assert row["latency_ms"] is not None


def test_openai_chat_stream_gets_usage_but_caller_sees_the_same_chunks(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="a b c", input_tokens=30, output_tokens=3))
    client = track(openai_client(fake_llm), "stream", writer=writer)
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                                  messages=[{"role": "user", "content": "hi"}]))
    assert fake_llm.requests[-1].json["stream_options"] == {"include_usage": True}
    assert all(c.choices for c in chunks), "the usage-only chunk the caller did not ask for is hidden"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "a b c"
    (row,) = rows(store, writer)
    assert tokens(row) == (30, 3, 0, 0) and row["model"] == "gpt-4o-mini"


def test_openai_responses_api_plain_and_streaming(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="one", input_tokens=40, output_tokens=4, cache_read_tokens=10),
                   Reply(text="two", input_tokens=41, output_tokens=5))
    client = track(openai_client(fake_llm), "resp", writer=writer)
    assert client.responses.create(model="gpt-5", input="x").output_text == "one"
    events = list(client.responses.create(model="gpt-5", input="y", stream=True))
    assert events[-1].type == "response.completed"
    first, second = rows(store, writer)
    assert tokens(first) == (40, 4, 10, 0) and tokens(second) == (41, 5, 0, 0)


def test_anthropic_messages_plain_and_streaming_with_cache(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="hello", input_tokens=9, output_tokens=11, cache_read_tokens=500,
                         cache_write_tokens=70),
                   Reply(text="x y z", input_tokens=8, output_tokens=13, cache_read_tokens=400))
    client = track(anthropic_client(fake_llm), "chat", writer=writer)
    msg = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "hi"}])
    assert msg.content[0].text == "hello"
    with client.messages.create(model="claude-haiku-4-5", max_tokens=50, stream=True,
                                messages=[{"role": "user", "content": "hi"}]) as stream:
        kinds = [event.type for event in stream]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    plain, streamed = rows(store, writer)
    assert tokens(plain) == (9, 11, 500, 70) and tokens(streamed) == (8, 13, 400, 0)
    assert plain["cost_micros"] == round(9 * 1 + 11 * 5 + 500 * 0.1 + 70 * 1.25)


async def test_async_clients_are_logged_too(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(input_tokens=5, output_tokens=6), Reply(input_tokens=7, output_tokens=8),
                   Reply(input_tokens=1, output_tokens=2))
    oa = track(openai_client(fake_llm, openai.AsyncOpenAI), "async", writer=writer)
    an = track(anthropic_client(fake_llm, anthropic.AsyncAnthropic), "async", writer=writer)
    await oa.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "a"}])
    await an.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "b"}])
    stream = await oa.chat.completions.create(model="gpt-4o", stream=True, messages=[{"role": "user", "content": "c"}])
    async for _ in stream:
        pass
    assert [tokens(r) for r in rows(store, writer)] == [(5, 6, 0, 0), (7, 8, 0, 0), (1, 2, 0, 0)]


def test_errors_are_logged_and_reraised_unchanged(fake_llm, store, writer):  # noqa: F811
    fake_llm.fail(429, "slow down")
    fake_llm.fail(500, "boom")
    oa = track(openai_client(fake_llm), "errs", writer=writer)
    an = track(anthropic_client(fake_llm), "errs", writer=writer)
    with pytest.raises(openai.RateLimitError) as caught:
        oa.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "a"}])
    assert caught.value.status_code == 429
    with pytest.raises(anthropic.InternalServerError):
        an.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "b"}])
    first, second = rows(store, writer)
    assert first["status"] == second["status"] == "error"
    assert "429" in first["error"] and "500" in second["error"]
    assert "sk-test" not in first["error"]


def test_everything_else_on_the_client_passes_through(fake_llm, writer):  # noqa: F811
    raw = openai_client(fake_llm)
    client = track(raw, "x", writer=writer)
    assert client.base_url == raw.base_url
    assert client.models is raw.models


def test_anthropic_stream_helper_is_logged_however_the_caller_reads_it(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="one two", input_tokens=8, output_tokens=13, cache_read_tokens=400),
                   Reply(text="three", input_tokens=5, output_tokens=2, cache_write_tokens=30),
                   Reply(text="a b c d e f", input_tokens=7, output_tokens=9))
    client = track(anthropic_client(fake_llm), "helper", writer=writer)
    ask = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
    with client.messages.stream(**ask) as stream:
        assert "".join(stream.text_stream) == "one two"
    with client.messages.stream(**ask) as stream:
        assert stream.get_final_message().usage.output_tokens == 2
    with client.messages.stream(**ask) as stream:
        next(iter(stream))  # the caller leaves after the first event: the call is still logged, once
    first, second, third = rows(store, writer)
    assert tokens(first) == (8, 13, 400, 0) and tokens(second) == (5, 2, 0, 30)
    assert third["input_tokens"] == 7 and third["status"] == "ok"
    assert first["model"] == "claude-haiku-4-5" and first["workflow"] == "helper"


def test_openai_stream_helpers_for_chat_and_responses_are_logged(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="x y", input_tokens=21, output_tokens=2, cache_read_tokens=5),
                   Reply(text="z", input_tokens=31, output_tokens=1))
    client = track(openai_client(fake_llm), "helper", writer=writer)
    with client.chat.completions.stream(model="gpt-4o", messages=[{"role": "user", "content": "a"}]) as stream:
        deltas = [e.delta for e in stream if e.type == "content.delta"]
        assert stream.get_final_completion().usage is None, "the usage chunk the caller did not ask for is hidden"
    assert "".join(deltas) == "x y"
    assert fake_llm.requests[-1].json["stream_options"] == {"include_usage": True}
    with client.responses.stream(model="gpt-5", input="b") as stream:
        assert stream.get_final_response().output_text == "z"
    chat, resp = rows(store, writer)
    assert tokens(chat) == (21, 2, 5, 0) and tokens(resp) == (31, 1, 0, 0)


def test_structured_output_parse_calls_are_logged(fake_llm, store, writer):  # noqa: F811
    from pydantic import BaseModel

    class Answer(BaseModel):
        value: int

    fake_llm.queue(Reply(text='{"value": 4}', input_tokens=12, output_tokens=3),
                   Reply(text='{"value": 5}', input_tokens=14, output_tokens=4))
    client = track(openai_client(fake_llm), "parse", writer=writer)
    chat = client.chat.completions.parse(model="gpt-4o", messages=[{"role": "user", "content": "2+2"}],
                                         response_format=Answer)
    assert chat.choices[0].message.parsed == Answer(value=4)
    assert client.responses.parse(model="gpt-5", input="2+3", text_format=Answer).output_parsed == Answer(value=5)
    assert [tokens(r) for r in rows(store, writer)] == [(12, 3, 0, 0), (14, 4, 0, 0)]


async def test_async_stream_helpers_and_beta_messages_are_logged(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="p q", input_tokens=3, output_tokens=4), Reply(text="r", input_tokens=6, output_tokens=1),
                   Reply(text="s", input_tokens=2, output_tokens=2))
    an = track(anthropic_client(fake_llm, anthropic.AsyncAnthropic), "async-helper", writer=writer)
    oa = track(openai_client(fake_llm, openai.AsyncOpenAI), "async-helper", writer=writer)
    ask = {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "a"}]}
    async with an.messages.stream(**ask) as stream:
        assert "".join([t async for t in stream.text_stream]) == "p q"
    async with oa.chat.completions.stream(model="gpt-4o", messages=[{"role": "user", "content": "b"}]) as stream:
        await stream.until_done()
    await an.beta.messages.create(**ask)
    assert [tokens(r) for r in rows(store, writer)] == [(3, 4, 0, 0), (6, 1, 0, 0), (2, 2, 0, 0)]


def test_raw_response_calls_are_logged_and_the_caller_parses_the_same_result(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="hi", input_tokens=4, output_tokens=2, cache_read_tokens=9),
                   Reply(text="yo", input_tokens=6, output_tokens=3))
    an = track(anthropic_client(fake_llm), "raw", writer=writer)
    oa = track(openai_client(fake_llm), "raw", writer=writer)
    raw = an.messages.with_raw_response.create(model="claude-haiku-4-5", max_tokens=5,
                                               messages=[{"role": "user", "content": "a"}])
    assert raw.headers.get("content-type", "").startswith("application/json")
    assert raw.parse().content[0].text == "hi"
    chat = oa.chat.completions.with_raw_response.create(model="gpt-4o", messages=[{"role": "user", "content": "b"}])
    assert chat.parse().choices[0].message.content == "yo"
    assert [tokens(r) for r in rows(store, writer)] == [(4, 2, 9, 0), (6, 3, 0, 0)]


def test_raw_response_streams_are_logged_with_their_usage_when_the_caller_parses_them(fake_llm, store,  # noqa: F811
                                                                                     writer):
    fake_llm.queue(Reply(text="a b", input_tokens=7, output_tokens=2, cache_read_tokens=3),
                   Reply(text="c d", input_tokens=5, output_tokens=4))
    an = track(anthropic_client(fake_llm), "raw-stream", writer=writer)
    oa = track(openai_client(fake_llm), "raw-stream", writer=writer)
    raw = an.messages.with_raw_response.create(model="claude-haiku-4-5", max_tokens=5, stream=True,
                                               messages=[{"role": "user", "content": "a"}])
    assert raw.headers.get("content-type", "").startswith("text/event-stream")
    assert raw.parse() is raw.parse(), "the same stream each time, as the SDK's own parse() gives"
    events = list(raw.parse())
    assert "".join(e.delta.text for e in events if e.type == "content_block_delta") == "a b"
    chat = oa.chat.completions.with_raw_response.create(model="gpt-4o", stream=True,
                                                        messages=[{"role": "user", "content": "b"}])
    chunks = list(chat.parse())
    assert all(c.choices for c in chunks) and "".join(c.choices[0].delta.content or "" for c in chunks) == "c d"
    assert [tokens(r) for r in rows(store, writer)] == [(7, 2, 3, 0), (5, 4, 0, 0)]


async def test_async_raw_responses_plain_and_streaming_are_logged_with_usage(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="hi", input_tokens=4, output_tokens=2), Reply(text="x y", input_tokens=6, output_tokens=3))
    an = track(anthropic_client(fake_llm, anthropic.AsyncAnthropic), "raw", writer=writer)
    ask = {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "a"}]}
    raw = await an.messages.with_raw_response.create(**ask)
    assert (await raw.parse()).content[0].text == "hi"
    raw = await an.messages.with_raw_response.create(**ask, stream=True)
    stream = await raw.parse()
    assert "".join([e.delta.text async for e in stream if e.type == "content_block_delta"]) == "x y"
    assert [tokens(r) for r in rows(store, writer)] == [(4, 2, 0, 0), (6, 3, 0, 0)]


def test_streaming_response_blocks_are_logged_however_the_body_is_read(fake_llm, store, writer):  # noqa: F811
    fake_llm.queue(Reply(text="one", input_tokens=3, output_tokens=1, cache_read_tokens=2),
                   Reply(text="two", input_tokens=4, output_tokens=2),
                   Reply(text="a b", input_tokens=5, output_tokens=3, cache_read_tokens=7),
                   Reply(text="c d", input_tokens=6, output_tokens=4),
                   Reply(text="unread", input_tokens=8, output_tokens=5))
    an = track(anthropic_client(fake_llm), "streaming", writer=writer)
    oa = track(openai_client(fake_llm), "streaming", writer=writer)
    ask = {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "a"}]}
    with an.messages.with_streaming_response.create(**ask) as response:
        assert response.parse().content[0].text == "one"
    with oa.chat.completions.with_streaming_response.create(model="gpt-4o",
                                                            messages=[{"role": "user", "content": "b"}]) as response:
        assert response.json()["choices"][0]["message"]["content"] == "two"
    with an.messages.with_streaming_response.create(**ask, stream=True) as response:  # raw SSE lines
        lines = list(response.iter_lines())
    assert any(line.startswith("event: message_stop") for line in lines)
    with oa.chat.completions.with_streaming_response.create(model="gpt-4o", stream=True,
                                                            messages=[{"role": "user", "content": "c"}]) as response:
        chunks = list(response.parse())
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "c d"
    with an.messages.with_streaming_response.create(**ask):
        pass  # left without reading: the answer is billed all the same
    assert [tokens(r) for r in rows(store, writer)] == [(3, 1, 2, 0), (4, 2, 0, 0), (5, 3, 7, 0), (6, 4, 0, 0),
                                                        (8, 5, 0, 0)]


async def test_async_streaming_response_blocks_are_logged_and_failures_reraised(fake_llm, store,  # noqa: F811
                                                                                writer):
    fake_llm.queue(Reply(text="x y", input_tokens=2, output_tokens=3))
    fake_llm.fail(500, "boom")
    an = track(anthropic_client(fake_llm, anthropic.AsyncAnthropic), "streaming", writer=writer)
    ask = {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "a"}]}
    async with an.messages.with_streaming_response.create(**ask, stream=True) as response:
        stream = await response.parse()
        assert "".join([e.delta.text async for e in stream if e.type == "content_block_delta"]) == "x y"
    with pytest.raises(anthropic.InternalServerError):
        async with an.messages.with_streaming_response.create(**ask):
            pass
    ok, failed = rows(store, writer)
    assert tokens(ok) == (2, 3, 0, 0) and failed["status"] == "error" and "500" in failed["error"]
