"""Open-loop load: Poisson arrivals, latency from the scheduled arrival (a queue shows), the capacity search,
and the raw HTTP client the driver uses (keep-alive, chunked, close, refused)."""

from __future__ import annotations

import asyncio
import statistics
import time

import pytest

from api.bench.load import request_maker
from api.bench.openloop import arrivals, drive_open, find_capacity, step_figures
from api.bench.rawhttp import RawClient
from graph.ports import free_port

WORLD = {"firms": 10, "segments": ["s1"], "zh": ["动画"], "en": ["Animation"], "chains": ["c1"],
         "regions": ["cn/guangdong/shenzhen"]}


async def _serve(service_s: float, *, serial: bool, chunked: bool = False, close: bool = False,
                 drop: bool = False):
    """A loopback HTTP/1.1 server: each request takes ``service_s`` (one at a time when ``serial``).

    ``close`` answers ``connection: close`` and closes; ``drop`` closes after one answer without saying so
    (as a server does to a keep-alive connection idle past its time-out).
    """
    connections = []
    lock = asyncio.Lock()
    seen: list[str] = []
    busy: list[float] = []  # how long each request held the server (a loaded machine oversleeps)

    async def handle(reader, writer):
        connections.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                seen.append(head.split(b"\r\n")[0].decode())
                if serial:
                    async with lock:
                        t = time.perf_counter()
                        await asyncio.sleep(service_s)
                        busy.append(time.perf_counter() - t)
                else:
                    await asyncio.sleep(service_s)
                body = b'{"ok": true}'
                if chunked:
                    writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                                 b"5\r\n{\"ok\"\r\n7\r\n: true}\r\n0\r\n\r\n")
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s"
                                 % (len(body), b"connection: close\r\n" if close else b"", body))
                await writer.drain()
                if close or drop:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client went away, or the test's loop is closing
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    server.busy, server.connections = busy, connections
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", seen


def test_arrivals_are_a_poisson_process_of_the_rate():
    at = arrivals(200.0, 50.0, seed=4)
    gaps = [b - a for a, b in zip(at, at[1:], strict=False)]
    assert abs(len(at) - 10_000) < 4 * 100  # Poisson count: sd = sqrt(10,000)
    assert statistics.mean(gaps) == pytest.approx(1 / 200, rel=0.05)
    assert statistics.stdev(gaps) / statistics.mean(gaps) == pytest.approx(1.0, abs=0.05)  # exponential: CV 1
    assert arrivals(200.0, 50.0, seed=4) == at and arrivals(200.0, 50.0, seed=5) != at
    with pytest.raises(ValueError):
        arrivals(0, 1)


def test_latency_runs_from_the_scheduled_arrival_so_a_queue_shows():
    """100/s offered to a server that answers 50/s one at a time: the queue grows to about a second.

    The oracle replays the same arrivals through a single server of the service time the test server really
    took (its sleeps run long on a loaded machine). A driver that timed from the moment it sent (coordinated
    omission) would see about one service time per request, whatever the queue.
    """
    rate, seconds, seed = 100.0, 1.0, 3

    async def main():
        server, url, _ = await _serve(0.02, serial=True)
        async with server:
            run = await drive_open(url, None, request_maker(WORLD, {"health": 1.0}), rate=rate, seconds=seconds,
                                   seed=seed)
        return run, statistics.mean(server.busy)

    run, service = asyncio.run(main())
    at, free, oracle = arrivals(rate, seconds, seed), 0.0, []
    for a in at:
        free = max(free, a) + service
        oracle.append((free - a) * 1000)
    ms = sorted(s.ms for s in run["samples"])
    assert len(ms) == len(at) and all(s.ok for s in run["samples"])
    assert statistics.median(ms) == pytest.approx(statistics.median(oracle), rel=0.3)
    assert statistics.median(ms) > 10 * service * 1000  # far above one service time
    fig = step_figures(run, rate, seconds)
    assert not fig["pass"] and fig["overall"]["p99_ms"] > 500 and fig["offered"] == len(at)


def test_a_fast_server_keeps_up_and_passes():
    async def main():
        server, url, seen = await _serve(0.002, serial=False)
        async with server:
            run = await drive_open(url, "tok", request_maker(WORLD, {"org_get": 1.0}), rate=200.0, seconds=1.0,
                                   seed=1)
        return run, seen

    run, seen = asyncio.run(main())
    fig = step_figures(run, 200.0, 1.0)
    assert fig["pass"] and fig["overall"]["errors"] == 0 and fig["offered"] == len(seen) > 150
    assert fig["overall"]["p50_ms"] < 100
    assert all(line.startswith("GET /organisations/syn:") for line in seen)


def test_capacity_search_finds_the_threshold_from_above_and_below():
    def step(limit):
        return lambda r: {"rate": r, "pass": r <= limit}

    up = find_capacity(step(230), start=50, precision=0.05)
    assert 230 / 1.05 <= up["capacity_rps"] <= 230 < up["first_fail_rps"]
    assert [s["rate"] for s in up["steps"]][:4] == [50, 100, 200, 400]
    down = find_capacity(step(10), start=50, precision=0.1)
    assert 10 / 1.1 <= down["capacity_rps"] <= 10 < down["first_fail_rps"]
    never = find_capacity(step(1), start=50, max_steps=10)
    assert never["capacity_rps"] is None and len(never["steps"]) == 4  # 50, 25, 12.5, 6.25 (= start / 8)
    capped = find_capacity(step(10_000), start=50, max_steps=3)
    assert capped["capacity_rps"] == 200 and capped["first_fail_rps"] is None and len(capped["steps"]) == 3


@pytest.mark.parametrize("mode", ["length", "chunked", "close"])
def test_raw_client_reads_each_body_form_and_reuses_connections(mode):
    async def main():
        server, url, seen = await _serve(0.0, serial=False, chunked=mode == "chunked", close=mode == "close")
        async with server, RawClient(url, {"Authorization": "Bearer x"}, max_connections=2) as client:
            got = [await client.get("/search", (("q", "动画"),)) for _ in range(3)]
        return got, seen

    got, seen = asyncio.run(main())
    assert got == [(200, b'{"ok": true}')] * 3
    assert seen == ["GET /search?q=%E5%8A%A8%E7%94%BB HTTP/1.1"] * 3


def test_raw_client_raises_on_a_refused_connection_and_a_timeout():
    async def refused():
        async with RawClient(f"http://127.0.0.1:{free_port()}", timeout=2.0) as client:
            await client.get("/health")

    with pytest.raises(OSError):
        asyncio.run(refused())

    async def slow():
        server, url, _ = await _serve(1.0, serial=False)
        async with server, RawClient(url, timeout=0.1) as client:
            await client.get("/health")

    with pytest.raises(TimeoutError):
        asyncio.run(slow())


def test_raw_client_sends_again_when_a_kept_connection_was_closed_and_drops_old_ones():
    async def main(**kw):
        server, url, seen = await _serve(0.0, serial=False, drop=True)
        async with server, RawClient(url, **kw) as client:
            got = [await client.get("/health") for _ in range(3)]
        return got, seen, len(server.connections)

    got, seen, conns = asyncio.run(main())
    assert got == [(200, b'{"ok": true}')] * 3 and len(seen) == 3 and conns == 3  # each reuse failed, resent

    async def idle(max_idle):
        server, url, seen = await _serve(0.0, serial=False)
        async with server, RawClient(url, max_idle=max_idle) as client:
            for _ in range(3):
                await client.get("/health")
                await asyncio.sleep(0.05)
        return len(server.connections)

    assert asyncio.run(idle(10.0)) == 1 and asyncio.run(idle(0.01)) == 3


def test_drain_waits_until_the_server_has_served_its_backlog():
    """A capacity step starts only when /health answers promptly again: a server still busy with what an
    overloaded run left queued (here: slow for its first 1.5 s) is waited for, a prompt one is not."""
    import http.server
    import threading

    from api.bench.openloop import drain

    started = time.perf_counter()
    paths: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            paths.append(self.path)
            if time.perf_counter() - started < 1.5:
                time.sleep(0.3)  # the backlog: every answer late
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        waited = drain(url, "t", prompt_s=0.15)
        assert 1.2 <= waited < 30 and set(paths) == {"/health"}
        assert drain(url, "t", prompt_s=0.15) < 1.2  # served promptly now: three answers and go
        assert drain("http://127.0.0.1:9", None, limit_s=0.5) >= 0.5  # nothing listening: gives up at the limit
    finally:
        server.shutdown()
