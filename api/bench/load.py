"""``chainmatch bench load``: the real HTTP API under a bounded load on loopback.

A synthetic world (:func:`fixtures.synth.synthetic_batch`, ``firms`` firms and
``links_per_firm × firms`` links; not timed beyond ``prepare_s``) is written
to a fresh embedded store with one generated **viewer** key, so
authentication is on the measured path. The app runs as ``chainmatch serve``
(uvicorn, one process unless ``workers``) in a child process on ``127.0.0.1`` and a free port,
with default settings (``CHAINMATCH_*`` variables of the caller are not
passed on) but the embedding model named by ``model``.
Then, from this one process (asyncio + httpx, one event loop, so the driver
stays light on a small machine; its CPU time is reported):

1. **warm-up** — ``serve`` loads the model and builds (or loads) the search,
   recommendation and analysis engines in every worker before it accepts
   requests (``start_s``); then each kind of request once, one at a time
   (``warmup_s`` per kind: first-call caches), and one request without a
   key, which must be 401;
2. **unloaded** — ``sequential`` requests of each kind one at a time: the
   latency of one user alone (p50/p95 per kind);
3. **load** — ``clients`` concurrent clients, each sending its next request
   as soon as the last one is answered, for ``seconds`` seconds, drawn from
   :data:`MIX` (hybrid search in Chinese and English, recommendations for a
   gap, gaps, chain map, organisation get and list, health).

A request is an error when it raises (timeout, refused connection) or its
status is not the one its kind expects (200). Figures per kind and overall:
count, errors, throughput, p50/p95/p99/max latency in ms (linear
interpolation between order statistics, as numpy's default). The server's
peak RSS is its ``VmHWM`` (with ``workers`` > 1: the sum over the supervisor
and its worker processes); its CPU time (all its processes) and the
driver's over the load window say whether the driver competed for the cores.

Examples
--------
>>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([5.0], 99), percentile([], 50)
(2.5, 5.0, None)
>>> s = summarise([Sample("a", 200, 1.0, True), Sample("a", 500, 3.0, False)], 2.0)
>>> s["overall"]["count"], s["overall"]["errors"], s["endpoints"]["a"]["statuses"]
(2, 1, {'200': 1, '500': 1})
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.ports import free_port

__all__ = ["Call", "Sample", "MIX", "percentile", "summarise", "proc_peak_rss_mb",
           "prepare_world", "prepared_world", "Server", "request_maker", "drive", "run_load_bench",
           "SATURATION_MAX_MS"]

CITY = "cn/guangdong/shenzhen"

#: Kinds of request and their share of the load.
MIX: dict[str, float] = {
    "search_zh": 0.15, "search_en": 0.15, "recommend": 0.15, "gaps": 0.10, "chain_map": 0.10,
    "org_get": 0.20, "org_list": 0.10, "health": 0.05,
}


@dataclass(frozen=True, slots=True)
class Call:
    """One request: its kind, path, query parameters and the status that counts as success."""

    kind: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    expect: int = 200


@dataclass(frozen=True, slots=True)
class Sample:
    """One answered (or failed) request: ``status`` is None when it raised."""

    kind: str
    status: int | None
    ms: float
    ok: bool
    error: str | None = None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile, linear between order statistics (numpy's default); None when empty."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _figures(samples: list[Sample], seconds: float) -> dict:
    ms = [s.ms for s in samples]
    statuses: dict[str, int] = {}
    for s in samples:
        key = str(s.status) if s.status is not None else (s.error or "exception")
        statuses[key] = statuses.get(key, 0) + 1
    errors = sum(not s.ok for s in samples)

    def r(x):
        return None if x is None else round(x, 2)

    return {"count": len(samples), "errors": errors,
            "rps": round((len(samples) - errors) / seconds, 1) if seconds else None,
            "p50_ms": r(percentile(ms, 50)), "p95_ms": r(percentile(ms, 95)), "p99_ms": r(percentile(ms, 99)),
            "max_ms": r(max(ms, default=None)), "statuses": dict(sorted(statuses.items()))}


def summarise(samples: list[Sample], seconds: float) -> dict:
    """Overall and per-kind figures of ``samples`` recorded over ``seconds`` (throughput: successes/s)."""
    kinds = sorted({s.kind for s in samples})
    return {"overall": _figures(samples, seconds),
            "endpoints": {k: _figures([s for s in samples if s.kind == k], seconds) for k in kinds}}


def proc_peak_rss_mb(pid: int | str = "self") -> float | None:
    """Peak resident set (``VmHWM``) of a live process, in MB; None where /proc is absent.

    >>> proc_peak_rss_mb() > 0
    True
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a server with ``--workers`` is a supervisor and its workers)."""
    try:
        import psutil

        return [pid] + [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except Exception:  # the process is gone, or no psutil
        return [pid]


def _cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) of ``pid`` and its live descendants."""
    try:
        import psutil

        total = 0.0
        for p in _tree(pid):
            t = psutil.Process(p).cpu_times()
            total += t.user + t.system
        return total
    except Exception:  # the process is gone, or no psutil: the figure is simply absent
        return None


def _default_model() -> str:
    from graph.settings import Settings

    return Settings.model_fields["embedding_model"].default


def prepare_world(data_dir: Path, firms: int, links: int, seed: int) -> tuple[str, dict]:
    """Write a synthetic world to ``data_dir``'s embedded store; create a viewer key.

    Returns the key's token and what the request maker needs: segment names
    and ids, chain ids, regions, the firm count.
    """
    from api.auth import KeyStore, Role, keys_path
    from fixtures.synth import SYNTH_REGIONS, synthetic_batch
    from fixtures.world import load_world
    from graph.store.sqlite import SqliteStore

    sample = load_world()[0]
    batch = synthetic_batch(firms, links, seed)
    batch.chains, batch.clusters, batch.regions = sample.chains, sample.clusters, sample.regions
    with SqliteStore.open(Path(data_dir) / "store.sqlite") as store:
        store.write(batch)
    segments = batch.segments
    del batch
    with KeyStore.open(keys_path(data_dir)) as keys:
        token = keys.create("bench-load viewer", Role.VIEWER).token
    chains = [c.id for c in sample.chains]
    world = {
        "firms": firms,
        "segments": [s.id for s in segments],
        "zh": sorted({t for s in segments for t in (s.name_zh, *s.keywords) if t and not t.isascii()}),
        "en": sorted({s.name_en for s in segments if s.name_en}),
        "chains": chains,
        "regions": [CITY] + [r for r, _, _ in SYNTH_REGIONS if r.startswith(CITY + "/")],
    }
    return token, world


def request_maker(world: dict, mix: dict[str, float] | None = None) -> Callable[[random.Random], Call]:
    """A function drawing the next :class:`Call` from ``mix`` (default :data:`MIX`) with an RNG.

    >>> make = request_maker({"firms": 3, "segments": ["s1"], "zh": ["动画"], "en": ["Animation"],
    ...                       "chains": ["c1"], "regions": ["cn/guangdong/shenzhen"]}, {"org_get": 1.0})
    >>> make(random.Random(1))
    Call(kind='org_get', path='/organisations/syn:0000001', params=(), expect=200)
    """
    mix = mix or MIX
    kinds, weights = list(mix), list(mix.values())
    w = world

    def build(kind: str, rng: random.Random) -> Call:
        region = rng.choice(w["regions"])
        if kind == "search_zh":
            return Call(kind, "/search", (("q", rng.choice(w["zh"])), ("limit", "10")))
        if kind == "search_en":
            return Call(kind, "/search", (("q", rng.choice(w["en"])), ("limit", "10")))
        if kind == "recommend":
            return Call(kind, "/recommendations", (("region", region), ("segment", rng.choice(w["segments"])),
                                                   ("limit", "10")))
        if kind == "gaps":
            return Call(kind, "/analysis/gaps", (("region", region), ("chain", rng.choice(w["chains"])),
                                                 ("top", "20")))
        if kind == "chain_map":
            return Call(kind, "/analysis/chain-map", (("region", region), ("chain", rng.choice(w["chains"]))))
        if kind == "org_get":
            return Call(kind, f"/organisations/syn:{rng.randrange(w['firms']):07d}")
        if kind == "org_list":
            return Call(kind, "/organisations", (("region", region), ("segment", rng.choice(w["segments"])),
                                                 ("limit", "20")))
        if kind == "health":
            return Call(kind, "/health")
        # for tests: an unknown id; its 404 is a success only where it is expected
        if kind == "missing_ok":
            return Call(kind, "/organisations/syn:missing-ok", expect=404)
        if kind == "missing_bad":
            return Call(kind, "/organisations/syn:missing-bad", expect=200)
        raise ValueError(f"unknown request kind {kind!r}")

    def make(rng: random.Random) -> Call:
        return build(rng.choices(kinds, weights)[0], rng)

    make.build = build  # type: ignore[attr-defined]
    make.kinds = kinds  # type: ignore[attr-defined]
    return make


class Server:
    """``chainmatch serve`` in a child process on loopback; log in ``log_path``."""

    def __init__(self, data_dir: Path, *, model: str | None = None, access_log: bool = False,
                 log_path: Path | None = None, workers: int = 1, answers_kept: int | None = None,
                 query_encoder: str | None = None):
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path or Path(data_dir) / "server.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINMATCH_")}
        env.update({"CHAINMATCH_AUTH": "on", "PYTHONUNBUFFERED": "1"})
        if model:
            env["CHAINMATCH_EMBEDDING_MODEL"] = model
        if answers_kept is not None:
            env["CHAINMATCH_ANSWERS_KEPT"] = str(answers_kept)
        if query_encoder:
            env["CHAINMATCH_QUERY_ENCODER"] = query_encoder
        cmd = [sys.executable, "-c", "from api.cli.main import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--data-dir", str(data_dir), "--auth", "on",
               "--log-level", "info" if access_log else "warning", "--workers", str(workers)]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Return once ``/ready`` answers 200 and every worker has logged its warm start's end.

        Each worker warms before it accepts, so ``/ready`` answers as soon as
        the first is warm; the others may still be building their engines on
        the same cores. A measurement started then timed one serving process
        beside warming ones (``bench load --workers 2`` once gave 46.9 req/s
        against one worker's 162.5). So with several workers this also waits
        for as many ``warm in`` lines (:func:`api.app.warm`) in the log.
        """
        import httpx

        from graph.errors import BackendUnavailable

        end = time.monotonic() + timeout
        ready = False
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise BackendUnavailable(f"the server exited with {self.proc.returncode}: {self.log_tail()}")
            if not ready:
                try:
                    ready = httpx.get(self.url + "/ready", timeout=2.0).status_code == 200
                except httpx.HTTPError:
                    pass
            if ready and (self.workers == 1 or self.warm_workers() >= self.workers):
                return
            time.sleep(0.2)
        raise BackendUnavailable(f"the server did not become ready in {timeout:.0f} s: {self.log_tail()}")

    def warm_workers(self) -> int:
        """How many of the server's processes have logged the end of their warm start."""
        self._log.flush()
        return self.log_path.read_bytes().count(b"warm in ")

    def log_tail(self, chars: int = 2000) -> str:
        self._log.flush()
        return self.log_path.read_bytes()[-chars:].decode("utf-8", "replace")

    def peak_rss_mb(self) -> float | None:
        """Peak resident set of the server: the sum over its processes (each worker's own peak)."""
        peaks = [proc_peak_rss_mb(p) for p in _tree(self.proc.pid)]
        return round(sum(p for p in peaks if p is not None), 1) if any(p is not None for p in peaks) else None

    def cpu_s(self) -> float | None:
        return _cpu_s(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


async def _send(client, call: Call) -> Sample:
    t = time.perf_counter()
    try:
        status, _ = await client.get(call.path, call.params)
        error = None
    except Exception as e:  # timeouts, refused or reset connections: counted, never fatal
        status, error = None, type(e).__name__
    ms = (time.perf_counter() - t) * 1000.0
    return Sample(call.kind, status, ms, status == call.expect, error)


async def _worker(client, make, rng: random.Random, deadline: float, out: list[Sample]) -> None:
    while time.perf_counter() < deadline:
        out.append(await _send(client, make(rng)))


def _client(url: str, token: str | None, clients: int, timeout: float | None):
    """The driver's HTTP client (:class:`api.bench.rawhttp.RawClient`: a fraction of httpx's CPU per request)."""
    from api.bench.rawhttp import RawClient

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return RawClient(url, headers, timeout=timeout, max_connections=clients)


async def drive(url: str, token: str | None, make, *, clients: int, seconds: float, seed: int = 0,
                timeout: float = 30.0) -> tuple[list[Sample], float, float]:
    """``clients`` concurrent clients for ``seconds``: samples, wall seconds, driver CPU seconds."""
    out: list[Sample] = []
    async with _client(url, token, clients, timeout) as client:
        t, c = time.perf_counter(), time.process_time()
        deadline = t + seconds
        await asyncio.gather(*(_worker(client, make, random.Random(seed * 1000 + i), deadline, out)
                               for i in range(clients)))
        return out, time.perf_counter() - t, time.process_time() - c


async def _warm(url: str, token: str, make, sequential: int, seed: int) -> dict:
    """Each kind once (timed as warm-up), a keyless request (must be 401), then ``sequential`` per kind."""
    rng = random.Random(seed)
    warm: dict[str, float] = {}
    failed: dict[str, str] = {}
    unloaded: list[Sample] = []
    async with _client(url, token, 1, timeout=None) as client:
        for kind in make.kinds:
            call = make.build(kind, rng)
            t = time.perf_counter()
            status, body = await client.get(call.path, call.params)
            warm[kind] = round(time.perf_counter() - t, 2)
            if status != call.expect:  # said in the figures; the load still runs and counts the errors
                failed[kind] = (f"{status} for {call.path}?{dict(call.params)}: "
                                f"{body[:300].decode('utf-8', 'replace')}")
        for kind in make.kinds:
            for _ in range(sequential):
                unloaded.append(await _send(client, make.build(kind, rng)))
    async with _client(url, None, 1, timeout=30.0) as anon:
        keyless = (await anon.get("/organisations/syn:0000000"))[0]
    return {"warmup_s": warm, "warmup_failures": failed, "keyless_status": keyless,
            "unloaded": {k: {f: v for f, v in fig.items() if f in ("count", "errors", "p50_ms", "p95_ms")}
                         for k, fig in summarise(unloaded, 1.0)["endpoints"].items()}}


def prepared_world(data_dir: Path, firms: int, links: int, seed: int) -> tuple[str, dict, bool]:
    """:func:`prepare_world` once per ``data_dir``: a later call with the same sizes and seed reuses it.

    What the request maker needs and the viewer key are kept in
    ``bench-world.json`` (owner-only) beside the store, so a second run on the
    same directory skips generation and the server loads the index it built.
    Returns the token, the world and whether it was reused.
    """
    import json

    from graph.fsperms import private_file

    marker = Path(data_dir) / "bench-world.json"
    want = {"firms": firms, "links": links, "seed": seed}
    if marker.exists():
        kept = json.loads(marker.read_text(encoding="utf-8"))
        if {k: kept.get(k) for k in want} == want:
            return kept["token"], kept["world"], True
        from graph.errors import InvalidInput

        raise InvalidInput(f"{data_dir} holds a bench world of {kept.get('firms')} firms / {kept.get('links')} "
                           f"links / seed {kept.get('seed')}, not {firms} / {links} / {seed}: use another directory")
    token, world = prepare_world(data_dir, firms, links, seed)
    private_file(marker).write_text(json.dumps({**want, "token": token, "world": world}), encoding="utf-8")
    return token, world, False


def run_load_bench(firms: int = 100_000, links_per_firm: int = 5, *, clients: int = 50, seconds: float = 60.0,
                   seed: int = 7, sequential: int = 20, model: str | None = None, mix: dict | None = None,
                   access_log: bool = False, workdir: Path | None = None, keep_samples: bool = False,
                   workers: int = 1, rate: float | None = None, capacity: dict | None = None,
                   world_dir: Path | None = None, answers_kept: int | None = None,
                   say: Callable[[str], None] | None = None) -> dict:
    """Prepare, serve, warm up, load; the figures (see the module docstring).

    Closed loop (``clients``) unless ``rate`` is given (one open-loop run at
    that many requests/s) or ``capacity`` (the arguments of
    :func:`api.bench.openloop.find_capacity`, e.g. ``{"start": 50}``).
    ``world_dir`` keeps the prepared store for the next run (:func:`prepared_world`).
    ``answers_kept``: the server's setting of that name (default: the setting's default).
    """
    from contextlib import ExitStack

    from graph.settings import Settings

    say = say or (lambda _m: None)
    with ExitStack() as stack:
        if world_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=workdir))) / "data"
        else:
            data_dir = Path(world_dir)
        t = time.perf_counter()
        token, world, reused = prepared_world(data_dir, firms, links_per_firm * firms, seed)
        mode = "capacity" if capacity is not None else "open" if rate is not None else "closed"
        fig: dict = {"firms": firms, "links": links_per_firm * firms, "mode": mode, "seconds": seconds,
                     "workers": workers, "model": model or _default_model(), "world_reused": reused,
                     "answers_kept": Settings.model_fields["answers_kept"].default if answers_kept is None
                     else answers_kept,
                     "prepare_s": round(time.perf_counter() - t, 1)}
        if mode == "closed":
            fig["clients"] = clients
        say(f"world: {firms:,} firms {'reused from' if reused else 'written to'} {data_dir} in {fig['prepare_s']} s; "
            f"starting the server (its warm start builds or loads the search index)")
        make = request_maker(world, mix)
        with Server(data_dir, model=model, access_log=access_log, workers=workers,
                    answers_kept=answers_kept) as server:
            t = time.perf_counter()
            server.wait_ready(timeout=3600.0)  # serve warms its engines before it accepts: index builds count here
            fig["start_s"] = round(time.perf_counter() - t, 1)
            say(f"server ready in {fig['start_s']} s; warm-up and {sequential} unloaded requests per kind")
            fig.update(asyncio.run(_warm(server.url, token, make, sequential, seed)))
            say("unloaded p95 ms: " + ", ".join(f"{k} {v['p95_ms']}" for k, v in fig["unloaded"].items())
                + (f"; warm-up failures: {fig['warmup_failures']}" if fig["warmup_failures"] else ""))
            fig["auth_on"] = fig["keyless_status"] == 401
            fig["server_peak_rss_mb_warm"] = server.peak_rss_mb()
            if mode == "closed":
                say(f"closed loop: {clients} clients for {seconds:g} s")
                samples = _closed(server, token, make, fig, clients=clients, seconds=seconds, seed=seed)
                say(f"closed loop: {fig['overall']['count']} requests, {fig['overall']['errors']} errors, "
                    f"p99 {fig['overall']['p99_ms']} ms, max {fig['overall']['max_ms']} ms")
            else:
                from api.bench.openloop import run_open

                samples = []
                fig.update(run_open(server, token, make, rate=rate, seconds=seconds, seed=seed, capacity=capacity,
                                    say=say))
            fig["server_peak_rss_mb"] = server.peak_rss_mb()
            fig["server_processes"] = len(_tree(server.proc.pid))
        if access_log:
            fig["server_log"] = server.log_path.read_text(encoding="utf-8", errors="replace")
    if keep_samples:
        fig["samples"] = [(s.kind, s.status, s.ms, s.ok) for s in samples]
    return fig


#: the closed loop is the saturation check: it passes with no error and no request slower than this
SATURATION_MAX_MS = 5000.0


def _closed(server: Server, token: str, make, fig: dict, *, clients: int, seconds: float, seed: int) -> list[Sample]:
    """The closed loop (saturation check) into ``fig``; its samples."""
    cpu_before = server.cpu_s()
    fig["load_avg_before"] = round(os.getloadavg()[0], 2)
    samples, wall, client_cpu = asyncio.run(drive(server.url, token, make, clients=clients, seconds=seconds,
                                                  seed=seed))
    fig["load_avg_after"] = round(os.getloadavg()[0], 2)
    cpu_after = server.cpu_s()
    fig["server_cpu_s"] = round(cpu_after - cpu_before, 1) if None not in (cpu_before, cpu_after) else None
    fig["wall_s"] = round(wall, 2)
    fig["client_cpu_s"] = round(client_cpu, 1)
    fig["client_cpu_share"] = round(client_cpu / wall, 2)
    fig.update(summarise(samples, wall))
    o = fig["overall"]
    fig["saturation_ok"] = o["errors"] == 0 and (o["max_ms"] or 0.0) <= SATURATION_MAX_MS
    return samples
