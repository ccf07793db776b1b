"""``chainmatch bench hybrid``: whole hybrid search over HTTP for one user, Chinese and English queries.

The world and the server are those of ``bench load`` (:func:`api.bench.load.prepared_world`,
:class:`api.bench.load.Server`: ``chainmatch serve`` in a child process, auth on,
a synthetic store of ``firms`` firms). After the server's warm start (it
builds or loads the search index) one query per language that is not among
the measured ones is sent, so first-call costs are not timed. Then, one
request at a time (one user, no other load from this driver), for each
language:

- **cold** — ``queries`` *distinct* queries, none sent before: the server's
  query-vector cache (:class:`matching.querycache.QueryVectors`) cannot
  answer them, so every English query is encoded by the model. Chinese
  queries use the lexical index alone with the bundled English-only model
  (:func:`matching.fusion.dense_weight`), so they encode nothing;
- **repeat** — the same queries again, in the same order: what a user who
  repeats a query (a segment name, the next page) waits.

The queries are the synthetic world's segment names and keywords (Chinese)
and its English segment names, cycled when ``queries`` exceeds the distinct
ones (then the cold pass holds repeats, and says so in ``distinct``). Each
row is printed as it finishes. Latency is from the request's first byte
written to its last byte read, on loopback (:class:`api.bench.rawhttp.RawClient`).

Examples
--------
>>> pick(["a", "b", "c"], 2, 1)
['b', 'c']
>>> pick(["a", "b"], 3, 0)
['a', 'b', 'a']
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, get_args

import typer

from api.bench.load import Call, Server, _client, _send, percentile, prepared_world
from api.cli.common import JsonOut, console, print_json, say_err
from graph.settings import Settings

#: The ``query_encoder`` setting's values, as a CLI choice.
QueryEncoder = StrEnum("QueryEncoder", {v: v for v in get_args(Settings.model_fields["query_encoder"].annotation)})

__all__ = ["pick", "run_hybrid_bench", "GOAL_P95_MS"]

#: issue 21: whole hybrid search over HTTP, one user, 100k firms, Chinese and English
GOAL_P95_MS = 20.0


def pick(pool: list[str], n: int, seed: int) -> list[str]:
    """``n`` queries from ``pool``: a rotation starting at ``seed % len(pool)``, distinct while ``n`` ≤ the pool."""
    start = seed % len(pool)
    return [pool[(start + i) % len(pool)] for i in range(n)]


def _row(lang: str, phase: str, queries: list[str], ms: list[float], errors: int) -> dict:
    def r(x):
        return None if x is None else round(x, 2)

    return {"lang": lang, "phase": phase, "count": len(ms), "distinct": len(set(queries)), "errors": errors,
            "p50_ms": r(percentile(ms, 50)), "p95_ms": r(percentile(ms, 95)), "p99_ms": r(percentile(ms, 99)),
            "max_ms": r(max(ms, default=None))}


async def _measure(url: str, token: str, plan: dict[str, list[str]], limit: int,
                   say: Callable[[dict], None]) -> list[dict]:
    rows = []
    async with _client(url, token, 1, timeout=60.0) as client:
        for warm in ("预热查询", "warm-up query"):  # first-call costs, not timed
            await _send(client, Call("warm", "/search", (("q", warm), ("limit", str(limit)))))
        for lang, queries in plan.items():
            for phase in ("cold", "repeat"):
                ms, errors = [], 0
                for q in queries:
                    s = await _send(client, Call(lang, "/search", (("q", q), ("limit", str(limit)))))
                    ms.append(s.ms)
                    errors += not s.ok
                row = _row(lang, phase, queries, ms, errors)
                say(row)
                rows.append(row)
    return rows


def run_hybrid_bench(firms: int = 100_000, links_per_firm: int = 5, *, queries: int = 40, limit: int = 10,
                     seed: int = 7, model: str | None = None, world_dir: Path | None = None,
                     query_encoder: str | None = None, say: Callable[[str], None] | None = None, on_row: Callable[[dict], None] | None = None) -> dict:
    """Prepare (or reuse) the world, serve it, time one user's hybrid searches; the figures.

    ``on_row`` gets each row (language × cold/repeat) as it finishes.
    """
    from contextlib import ExitStack

    say = say or (lambda _m: None)
    on_row = on_row or (lambda _r: None)
    with ExitStack() as stack:
        data_dir = Path(world_dir) if world_dir is not None else (
            Path(stack.enter_context(tempfile.TemporaryDirectory())) / "data")
        t = time.perf_counter()
        token, world, reused = prepared_world(data_dir, firms, links_per_firm * firms, seed)
        fig: dict = {"firms": firms, "links": links_per_firm * firms, "queries": queries, "limit": limit,
                     "world_reused": reused, "prepare_s": round(time.perf_counter() - t, 1)}
        say(f"world: {firms:,} firms {'reused from' if reused else 'written to'} {data_dir} in {fig['prepare_s']} s; "
            f"starting the server (its warm start builds or loads the search index)")
        plan = {"zh": pick(world["zh"], queries, seed), "en": pick(world["en"], queries, seed)}
        fig["query_encoder"] = query_encoder or Settings.model_fields["query_encoder"].default
        with Server(data_dir, model=model, query_encoder=query_encoder) as server:
            t = time.perf_counter()
            server.wait_ready(timeout=3600.0)
            fig["start_s"] = round(time.perf_counter() - t, 1)
            say(f"server ready in {fig['start_s']} s; {queries} queries per language, one at a time")
            fig["load_avg_before"] = round(os.getloadavg()[0], 2)
            cpu = server.cpu_s()
            fig["rows"] = asyncio.run(_measure(server.url, token, plan, limit, on_row))
            after = server.cpu_s()
            fig["load_avg_after"] = round(os.getloadavg()[0], 2)
            n = sum(r["count"] for r in fig["rows"])
            fig["server_cpu_ms_per_request"] = (round((after - cpu) * 1000 / n, 2)
                                                if None not in (cpu, after) and n else None)
            fig["server_peak_rss_mb"] = server.peak_rss_mb()
    cold = [r for r in fig["rows"] if r["phase"] == "cold"]
    fig["worst_cold_p95_ms"] = max(r["p95_ms"] for r in cold)
    fig["goal_p95_ms"] = GOAL_P95_MS
    fig["goal_met"] = all(r["p95_ms"] <= GOAL_P95_MS and r["errors"] == 0 for r in cold)
    return fig


def register_bench(bench_app) -> None:
    """Add ``bench hybrid`` to the ``bench`` sub-app."""
    cols = ["lang", "phase", "count", "distinct", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms"]

    @bench_app.command("hybrid")
    def bench_hybrid(
        firms: Annotated[int, typer.Option(min=1, help="Synthetic firms in the served store.")] = 100_000,
        links_per_firm: Annotated[int, typer.Option(min=0, help="Links per firm.")] = 5,
        queries: Annotated[int, typer.Option(min=1, help="Queries per language and pass, one at a time.")] = 40,
        limit: Annotated[int, typer.Option(min=1, help="Hits asked for per query.")] = 10,
        world_dir: Annotated[Path | None, typer.Option(help="Keep the prepared store (and the index the server "
                                                       "builds) here and reuse it on the next run "
                                                       "(the same directory as bench load --world-dir).")] = None,
        model: Annotated[str | None, typer.Option(help="Embedding model of the server (default: the "
                                                  "setting's).")] = None,
        seed: Annotated[int, typer.Option(help="Generator and query seed.")] = 7,
        query_encoder: Annotated[QueryEncoder | None, typer.Option(
            help="How the server encodes one query (default: the setting's; A/B the paths).")] = None,
        as_json: JsonOut = False,
    ) -> None:
        """Whole hybrid search over HTTP for one user: p50/p95/p99 of zh and en queries, new and repeated."""
        from api.bench.cli import machine

        def row_line(r: dict) -> None:
            say_err(f"{r['lang']} {r['phase']}: {r['count']} queries ({r['distinct']} distinct), "
                    f"{r['errors']} errors, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, "
                    f"max {r['max_ms']} ms")

        fig = run_hybrid_bench(firms, links_per_firm, queries=queries, limit=limit, seed=seed, model=model,
                               world_dir=world_dir, query_encoder=query_encoder.value if query_encoder else None,
                               say=say_err, on_row=row_line)
        fig["machine"] = machine()
        if as_json:
            print_json(fig)
            return
        from api.cli.text import print_grid

        print_grid(f"bench hybrid · one user over HTTP · {firms:,} firms · {fig['machine']}", cols,
                   [[r[c] for c in cols] for r in fig["rows"]])
        console.print(f"server CPU {fig['server_cpu_ms_per_request']} ms per request · load average "
                      f"{fig['load_avg_before']} → {fig['load_avg_after']} · goal p95 ≤ {GOAL_P95_MS:g} ms "
                      f"(new queries, zh and en): {'met' if fig['goal_met'] else 'missed'} "
                      f"(worst {fig['worst_cold_p95_ms']} ms)")
