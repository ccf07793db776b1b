"""Open-loop load: requests arrive at a rate, as a team's clicks do, whatever the server's speed.

A closed loop (``bench load --clients C``) sends the next request when the
last one is answered, so a slow server is sent less: it measures saturation,
and its latencies are queueing at full load. Here arrivals are a Poisson
process of rate ``R`` requests/s (exponential gaps, drawn in advance from a
seed), each request is sent at its scheduled time on its own task, and its
latency runs **from the scheduled arrival**, not from when it was sent: a
driver or connection pool that falls behind adds to the latency instead of
hiding it (no coordinated omission). ``lag`` says how late the driver
dispatched (its own health: a large lag means the driver, not the server, was
the bottleneck).

The capacity is the highest offered rate whose run has p99 ≤ ``p99_ms`` and 0
errors: :func:`find_capacity` doubles the rate from a start until a run fails,
then bisects between the last pass and the first fail until they are within
``precision`` of each other (or ``max_steps`` runs). On a shared machine one
run per rate is noisy: each step is reported with the load average and both
processes' CPU.

Examples
--------
>>> at = arrivals(100.0, 10.0, seed=1)
>>> 900 < len(at) < 1100, all(0 <= a < b < 10 for a, b in zip(at, at[1:]))
(True, True)
>>> passes = lambda r: r <= 230
>>> find_capacity(lambda r: {"rate": r, "pass": passes(r)}, start=50, precision=0.05)["capacity_rps"]
225.0
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from api.bench.load import Sample, percentile, summarise

__all__ = ["arrivals", "drive_open", "drain", "step_passes", "find_capacity", "P99_GOAL_MS"]

#: a run passes when its p99 is at most this and it has no error
P99_GOAL_MS = 500.0


def arrivals(rate: float, seconds: float, seed: int = 0) -> list[float]:
    """Poisson arrival times in ``[0, seconds)`` at ``rate`` per second (sorted, seconds from the start)."""
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate}")
    rng, t, out = random.Random(seed), 0.0, []
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            return out
        out.append(t)


async def _one(client, call, scheduled: float, out: list[Sample]) -> None:
    try:
        status, _ = await client.get(call.path, call.params)
        error = None
    except Exception as e:  # timeouts, refused or reset connections: counted, never fatal
        status, error = None, type(e).__name__ or "error"
    out.append(Sample(call.kind, status, (time.perf_counter() - scheduled) * 1000.0, status == call.expect, error))


async def drive_open(url: str, token: str | None, make, *, rate: float, seconds: float, seed: int = 0,
                     timeout: float = 10.0, max_connections: int = 512) -> dict:
    """Poisson arrivals at ``rate``/s for ``seconds``: samples and the driver's own figures.

    Returns ``samples`` (latency from the scheduled arrival), ``wall_s`` (first
    arrival to last answer), ``driver_cpu_s`` and the dispatch lag (ms after its
    scheduled time that a request's task was started: p99 and max).
    """
    from api.bench.rawhttp import RawClient

    at = arrivals(rate, seconds, seed)
    rng = random.Random(seed + 1)
    calls = [make(rng) for _ in at]  # drawn before the clock starts: the loop only dispatches
    out: list[Sample] = []
    lags: list[float] = []
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with RawClient(url, headers, timeout=timeout, max_connections=max_connections) as client:
        tasks = []
        c0 = time.process_time()
        t0 = time.perf_counter() + 0.05
        i = 0
        while i < len(at):
            now = time.perf_counter()
            while i < len(at) and t0 + at[i] <= now:  # everything due: dispatch, however late
                lags.append((now - t0 - at[i]) * 1000.0)
                tasks.append(asyncio.create_task(_one(client, calls[i], t0 + at[i], out)))
                i += 1
            if i < len(at):
                await asyncio.sleep(max(0.0, t0 + at[i] - time.perf_counter()))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
    return {"samples": out, "wall_s": wall, "driver_cpu_s": cpu,
            "lag_p99_ms": round(percentile(lags, 99) or 0.0, 2), "lag_max_ms": round(max(lags, default=0.0), 2)}


def step_passes(summary: dict, p99_ms: float = P99_GOAL_MS) -> bool:
    """A run passes when it answered something, with no error and p99 ≤ ``p99_ms``."""
    o = summary["overall"]
    return o["count"] > 0 and o["errors"] == 0 and o["p99_ms"] is not None and o["p99_ms"] <= p99_ms


def step_figures(run: dict, rate: float, seconds: float, p99_ms: float = P99_GOAL_MS) -> dict:
    """One run's figures: offered and achieved rate, per-kind and overall percentiles, pass/fail."""
    s = summarise(run["samples"], run["wall_s"])
    failed: dict[str, int] = {}
    for x in run["samples"]:
        if not x.ok:
            key = f"{x.kind} {x.status if x.status is not None else x.error}"
            failed[key] = failed.get(key, 0) + 1
    return {"rate": rate, "failed": dict(sorted(failed.items())), "seconds": seconds, "offered": len(run["samples"]),
            "achieved_rps": s["overall"]["rps"], "pass": step_passes(s, p99_ms),
            "driver_cpu_s": round(run["driver_cpu_s"], 2),
            "driver_cpu_share": round(run["driver_cpu_s"] / run["wall_s"], 3) if run["wall_s"] else None,
            "lag_p99_ms": run["lag_p99_ms"], "lag_max_ms": run["lag_max_ms"], "wall_s": round(run["wall_s"], 2),
            **s}


def find_capacity(step: Callable[[float], dict], *, start: float = 50.0, precision: float = 0.1,
                  max_steps: int = 10, ceiling: float = 5000.0) -> dict:
    """The highest passing rate: double from ``start`` until a run fails, then bisect.

    ``step(rate)`` runs the load at ``rate`` and returns a dict with ``pass``.
    Bisection stops when the failing rate is within ``precision`` (a fraction)
    of the passing one. Returns ``capacity_rps`` (None: even ``start`` failed;
    then the rate is halved down to ``start / 8`` before giving up),
    ``first_fail_rps`` and every step in the order run.
    """
    steps: list[dict] = []

    def run(rate: float) -> bool:
        steps.append(step(rate))
        return bool(steps[-1]["pass"])

    lo, hi, rate = None, None, float(start)
    while len(steps) < max_steps:
        if run(rate):
            lo = rate
            if rate * 2 > ceiling:
                break
            rate *= 2
        else:
            hi = rate
            break
    if lo is None:  # the start already failed: look below it
        while hi is not None and len(steps) < max_steps and hi > start / 8:
            rate = hi / 2
            if run(rate):
                lo = rate
                break
            hi = rate
    while lo is not None and hi is not None and len(steps) < max_steps and (hi - lo) / lo > precision:
        mid = (lo + hi) / 2
        if run(mid):
            lo = mid
        else:
            hi = mid
    return {"capacity_rps": lo, "first_fail_rps": hi, "steps": steps,
            "resolution": None if lo is None or hi is None else round((hi - lo) / lo, 3)}


def drain(url: str, token: str | None, *, limit_s: float = 180.0, prompt_s: float = 0.1, settle: int = 3) -> float:
    """Wait until ``url``'s ``/health`` answers within ``prompt_s``, ``settle`` times in a row; seconds waited.

    A run that overloads the server leaves it serving its backlog after the
    driver stops (the driver's requests time out; the server's work does
    not): the next run of a capacity search would otherwise start behind it
    and fail at any rate.
    """
    import urllib.request

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    t0, ok = time.perf_counter(), 0
    while ok < settle and time.perf_counter() - t0 < limit_s:
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(urllib.request.Request(url + "/health", headers=headers), timeout=30) as r:
                r.read()
            ok = ok + 1 if time.perf_counter() - t <= prompt_s else 0
        except OSError:
            ok = 0
        time.sleep(0.2)
    return round(time.perf_counter() - t0, 1)


def _step(server, token: str, make, rate: float, seconds: float, seed: int) -> dict:
    """One open-loop run against ``server``: :func:`step_figures` plus the server's CPU and the load average,
    after waiting for the server to have served what an earlier run left queued (:func:`drain`)."""
    import os

    drained = drain(server.url, token)
    load_before, cpu_before = round(os.getloadavg()[0], 2), server.cpu_s()
    run = asyncio.run(drive_open(server.url, token, make, rate=rate, seconds=seconds, seed=seed))
    cpu_after = server.cpu_s()
    fig = step_figures(run, rate, seconds)
    fig["server_cpu_s"] = round(cpu_after - cpu_before, 2) if None not in (cpu_before, cpu_after) else None
    fig["load_avg_before"], fig["load_avg_after"] = load_before, round(os.getloadavg()[0], 2)
    fig["drain_s"] = drained
    return fig


def step_line(f: dict) -> str:
    """One finished run on one line (the progress the CLI prints as each run ends).

    >>> step_line({"rate": 50.0, "achieved_rps": 49.8, "overall": {"p50_ms": 5.0, "p95_ms": 9.1, "p99_ms": 20.0,
    ...            "errors": 0}, "pass": True, "driver_cpu_share": 0.03, "server_cpu_s": 10.0, "wall_s": 20.0,
    ...            "load_avg_before": 1.5})
    'rate 50/s: answered 49.8/s, p50 5 · p95 9.1 · p99 20 ms, 0 errors, pass · driver 3% of a core, server 0.5 cores, load 1.5'
    """
    o = f["overall"]
    server = f"{f['server_cpu_s'] / f['wall_s']:.1f} cores" if f.get("server_cpu_s") is not None else "?"
    failed = f" ({', '.join(f'{k}: {n}' for k, n in f['failed'].items())})" if f.get("failed") else ""
    return (f"rate {f['rate']:g}/s: answered {f['achieved_rps']:g}/s, p50 {o['p50_ms']:g} · p95 {o['p95_ms']:g} · "
            f"p99 {o['p99_ms']:g} ms, {o['errors']} errors{failed}, {'pass' if f['pass'] else 'FAIL'} · driver "
            f"{f['driver_cpu_share']:.0%} of a core, server {server}, load {f['load_avg_before']:g}")


def run_open(server, token: str, make, *, rate: float | None, seconds: float, seed: int = 0,
             capacity: dict | None = None, say: Callable[[str], None] | None = None) -> dict:
    """One open-loop run at ``rate``, or the capacity search (``capacity``: :func:`find_capacity`'s options).

    ``say`` gets a line per finished run and, in a capacity search, how many
    runs may be left at most and how long they take.
    """
    say = say or (lambda _m: None)
    if capacity is None:
        f = _step(server, token, make, rate, seconds, seed)
        say(step_line(f))
        return {"rate": rate, **f}
    opts = {"start": rate or 50.0, **capacity}
    max_steps = opts.get("max_steps", 10)
    done: list[dict] = []

    def step(r: float) -> dict:
        f = _step(server, token, make, r, seconds, seed + len(done))
        done.append(f)
        left = max_steps - len(done)
        say(f"[{len(done)}/{max_steps}] {step_line(f)} · at most {left} more run(s), ~{left * (seconds + 2):.0f} s")
        return f

    found = find_capacity(step, **opts)
    return {"capacity_rps": found["capacity_rps"], "first_fail_rps": found["first_fail_rps"],
            "resolution": found["resolution"], "p99_goal_ms": P99_GOAL_MS,
            "steps": found["steps"]}
