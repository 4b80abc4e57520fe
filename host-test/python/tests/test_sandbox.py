"""The sandbox and the concurrency a Python app relies on, as the server sees
them: what the plugin may reach (and the refusals, visible), waits the host
caps, calls cancelled from asyncio closing their connection at once, streams
cancelled by closing them, and eight threads with eight requests in flight."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
import time

import pytest

from conftest import settings_for
from helpers import eventually
from talemate_visual import Generation, Network, PartialImage, Timeout, TimeoutLimits, TimeoutPhase, _native

MODEL = "gpt-image-2"


def test_the_plugin_may_reach_only_what_its_url_settings_name(openai, mock):
    host = mock.base_url.removeprefix("http://").split("/")[0]
    assert openai.allowed_hosts(base_url=mock.base_url) == [host]
    # Without a base URL the backend's declared default applies.
    assert openai.allowed_hosts(api_key="sk-x") == ["api.openai.com:443"]
    with openai.open(settings_for(mock)) as client:
        assert client.allowed_hosts == [host]
        client.generate("a fox", "square", model=MODEL)
        assert client.denied_hosts == []


def test_a_host_outside_the_allowlist_is_refused_and_the_refusal_is_visible(openai, mock):
    # The plugin is configured for api.openai.com (its default base URL); the
    # host allows only the mock. The attempt never leaves the process.
    with openai.open(api_key=mock.api_key, max_retries=0, allowed_hosts=[mock.base_url]) as client:
        with pytest.raises(Network) as caught:
            client.generate("a fox", "square", model=MODEL)
        assert client.denied_hosts == ["api.openai.com:443"]
        # A readiness check reports it in its status, and refusals are kept
        # across the instances a client goes through.
        status = client.check(model=MODEL)
        assert status.level == "error" and isinstance(status.problem, Network), status
        assert client.denied_hosts == ["api.openai.com:443"] * 2
    assert "allow" in caught.value.message
    assert mock.requests() == []


def test_the_host_caps_the_plugins_waits(openai, mock):
    # The plugin asks for its default five-minute wait; the host allows half a second.
    mock.set_fault_always("no_first_byte", seconds=10)
    with openai.open(settings_for(mock), max_timeouts=TimeoutLimits(first_byte=0.5)) as client:
        started = time.monotonic()
        with pytest.raises(Timeout) as caught:
            client.generate("a fox", "square", model=MODEL)
        elapsed = time.monotonic() - started
    assert caught.value.phase is TimeoutPhase.FIRST_BYTE
    assert 0.5 <= elapsed < 3, elapsed


def slow(mock, seconds: float = 10) -> None:
    """Every answer waits ``seconds`` before its first byte."""
    mock.set_fault_always("no_first_byte", seconds=seconds)


def test_cancelling_the_task_closes_the_connection_at_once(client, mock):
    slow(mock)

    async def main():
        task = asyncio.ensure_future(client.agenerate("a fox", "square", model=MODEL))
        while mock.in_flight() == 0:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return started

    started = asyncio.run(main())
    eventually(lambda: mock.disconnects() == 1, "the mock sees the client go")
    assert time.monotonic() - started < 1.5
    assert mock.in_flight() == 0
    # The client carries on, in a fresh instance.
    mock.set_fault_always(None)
    assert client.generate("a fox", "square", model=MODEL).images


def test_wait_for_running_out_cancels_the_call(client, mock):
    slow(mock)

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.agenerate("a fox", "square", model=MODEL), 0.3)

    started = time.monotonic()
    asyncio.run(main())
    eventually(lambda: mock.disconnects() == 1, "the mock sees the client go")
    assert time.monotonic() - started < 2
    mock.set_fault_always(None)
    assert client.check(model=MODEL).level != "error"


def test_closing_a_stream_cancels_it(openai):
    # Half a second between events: the stream is still running when closed.
    with _native.MockServer("api", today="2026-12-02", stream_pause_ms=500) as server:
        with openai.open(settings_for(server)) as client:
            stream = client.start_generate("a castle", "landscape", model=MODEL, partial_images=3)
            assert isinstance(stream.next(), PartialImage)
            stream.close()
            eventually(lambda: server.disconnects() == 1, "the mock sees the stream's client go")
            assert stream.next() is None
            # The client carries on.
            assert client.generate("a fox", "square", model=MODEL).images


def test_dropping_a_running_stream_cancels_it(openai):
    with _native.MockServer("api", today="2026-12-02", stream_pause_ms=500) as server:
        with openai.open(settings_for(server)) as client:
            stream = client.start_generate("a castle", "landscape", model=MODEL, partial_images=3)
            assert isinstance(stream.next(), PartialImage)
            del stream
            gc.collect()
            eventually(lambda: server.disconnects() == 1, "the mock sees the dropped stream's client go")
            assert client.generate("a fox", "square", model=MODEL).images


def test_ctrl_c_interrupts_a_synchronous_call(client, mock):
    slow(mock)

    def interrupt_once_the_request_is_in_flight():
        eventually(lambda: mock.in_flight() > 0, "the request reaches the mock", seconds=9)
        os.kill(os.getpid(), signal.SIGINT)

    # Python's own handler, whatever an earlier test or plugin left installed.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Thread(target=interrupt_once_the_request_is_in_flight, daemon=True)
    try:
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.generate("a fox", "square", model=MODEL)
        interrupted_after = time.monotonic() - started
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    # The mock holds the answer for 10 s; the interrupt ends the wait at once.
    assert interrupted_after < 5, interrupted_after
    eventually(lambda: mock.disconnects() == 1, "the mock sees the client go")
    mock.set_fault_always(None)
    assert client.generate("a fox", "square", model=MODEL).images


def test_an_async_stream_cancels_on_aclose_and_on_task_cancel(openai):
    with _native.MockServer("api", today="2026-12-02", stream_pause_ms=500) as server:
        with openai.open(settings_for(server)) as client:

            async def main():
                stream = await client.astart_generate("a castle", model=MODEL, partial_images=3)
                async for event in stream:
                    assert isinstance(event, PartialImage)
                    break
                await stream.aclose()
                while server.disconnects() < 1:
                    await asyncio.sleep(0.01)

                stream = await client.astart_generate("a harbour", model=MODEL, partial_images=3)
                task = asyncio.ensure_future(stream.anext())
                await asyncio.sleep(0.05)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                while server.disconnects() < 2:
                    await asyncio.sleep(0.01)
                return await client.agenerate("a fox", model=MODEL)

            generation = asyncio.run(asyncio.wait_for(main(), 10))
    assert isinstance(generation, Generation)


def test_eight_threads_have_eight_requests_in_flight(openai, mock):
    # Each answer waits a second: eight calls take about one second only if
    # they are in flight together (the GIL is released during each call).
    slow(mock, 1.0)
    clients = [openai.open(settings_for(mock)) for _ in range(8)]
    results, failures = [], []
    barrier = threading.Barrier(8)

    def work(client, i):
        try:
            barrier.wait()
            results.append(client.generate(f"picture {i}", "square", model=MODEL))
        except Exception as e:  # surfaced by the assertion below
            failures.append(e)

    threads = [threading.Thread(target=work, args=(c, i)) for i, c in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for client in clients:
        client.close()
    assert not failures, failures
    assert len(results) == 8
    assert mock.peak_in_flight() == 8
    assert elapsed < 4, elapsed


def test_one_client_serializes_its_calls(client, mock):
    async def main():
        return await asyncio.gather(*(client.agenerate(f"p{i}", model=MODEL) for i in range(3)))

    mock.reset_peak_in_flight()
    generations = asyncio.run(main())
    assert len(generations) == 3 and mock.peak_in_flight() == 1
