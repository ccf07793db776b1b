"""``chainmatch bench load``: the command, and its tables (closed loop per kind; open-loop runs and the capacity).

What is measured and how: :mod:`api.bench.load` (world, server, closed loop)
and :mod:`api.bench.openloop` (Poisson arrivals, capacity).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.bench.load import SATURATION_MAX_MS, run_load_bench
from api.cli.common import JsonOut, console, print_json
from api.cli.text import print_grid

__all__ = ["print_load", "register_bench"]


def _kind_rows(fig: dict, f: dict) -> list[list]:
    cols = ["count", "errors", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"]
    return [[k, *(e[c] for c in cols), fig["unloaded"].get(k, {}).get("p95_ms"), fig["warmup_s"].get(k)]
            for k, e in {**f["endpoints"], "overall": f["overall"]}.items()]


_KIND_COLS = ["kind", "count", "errors", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "unloaded p95", "warm-up s"]


def print_load(fig: dict) -> None:
    """``bench load``'s figures as tables: the closed loop per kind, or the open-loop runs and the capacity."""
    firms, m = fig["firms"], fig["machine"]
    if fig["mode"] == "closed":
        print_grid(f"bench load · closed loop · {firms:,} firms · {fig['clients']} clients × "
                            f"{fig['wall_s']} s · {m}", _KIND_COLS, _kind_rows(fig, fig))
        console.print(f"server peak RSS {fig['server_peak_rss_mb']} MB · server CPU {fig['server_cpu_s']} s · "
                      f"driver CPU {fig['client_cpu_s']} s ({fig['client_cpu_share']:.0%} of one core) · "
                      f"auth on: {fig['auth_on']} · load average {fig['load_avg_before']} → "
                      f"{fig['load_avg_after']} · saturation check (0 errors, none > "
                      f"{SATURATION_MAX_MS:.0f} ms): {'pass' if fig['saturation_ok'] else 'FAIL'}")
        return
    steps = fig["steps"] if fig["mode"] == "capacity" else [fig]
    print_grid(f"bench load · open loop (Poisson arrivals) · {firms:,} firms · {m}",
                        ["rate/s", "answered/s", "p50", "p95", "p99", "max", "errors", "pass", "driver CPU",
                         "server CPU s", "lag p99 ms", "load"],
                        [[f["rate"], f["achieved_rps"], f["overall"]["p50_ms"], f["overall"]["p95_ms"],
                          f["overall"]["p99_ms"], f["overall"]["max_ms"], f["overall"]["errors"], f["pass"],
                          f"{f['driver_cpu_share']:.0%}", f["server_cpu_s"], f["lag_p99_ms"],
                          f"{f['load_avg_before']} → {f['load_avg_after']}"] for f in steps])
    passing = [f for f in steps if f["pass"]]
    best = max(passing, key=lambda f: f["rate"]) if passing else steps[-1]
    print_grid(f"per kind at {best['rate']:g}/s (latency from the scheduled arrival, ms)", _KIND_COLS,
                        _kind_rows(fig, best))
    if fig["mode"] == "capacity":
        cap = fig["capacity_rps"]
        console.print(f"capacity (p99 ≤ {fig['p99_goal_ms']:.0f} ms, 0 errors): "
                      + (f"{cap:g} req/s (first failing rate {fig['first_fail_rps']})" if cap is not None
                         else "none: even the lowest rate tried failed"))
    console.print(f"server peak RSS {fig['server_peak_rss_mb']} MB · auth on: {fig['auth_on']} · "
                  f"{fig['workers']} server process(es) · answers_kept {fig.get('answers_kept')}")


def register_bench(bench_app: typer.Typer) -> None:
    """Add ``bench load`` to the ``bench`` sub-app."""

    @bench_app.command("load")
    def bench_load(
        firms: Annotated[int, typer.Option(min=1, help="Synthetic firms in the served store.")] = 100_000,
        links_per_firm: Annotated[int, typer.Option(min=0, help="Links per firm.")] = 5,
        clients: Annotated[int, typer.Option(min=1, help="Concurrent clients of the closed loop.")] = 50,
        seconds: Annotated[float, typer.Option(min=0.5, help="Length of the load (of each run with "
                                               "--find-capacity), in seconds.")] = 60.0,
        rate: Annotated[float | None, typer.Option(min=0.1, help="Open loop: Poisson arrivals at this many "
                                                   "requests/s (with --find-capacity: the first rate tried).")] = None,
        find_capacity: Annotated[bool, typer.Option("--find-capacity", help="Open loop: the highest rate with "
                                                    "p99 ≤ 500 ms and 0 errors (doubling, then bisection).")] = False,
        max_steps: Annotated[int, typer.Option(min=1, help="Most runs of --find-capacity.")] = 8,
        precision: Annotated[float, typer.Option(min=0.01, help="--find-capacity stops when the failing rate is "
                                                 "within this fraction of the passing one.")] = 0.1,
        world_dir: Annotated[Path | None, typer.Option(help="Keep the prepared store (and the index the server "
                                                       "builds) here and reuse it on the next run.")] = None,
        sequential: Annotated[int, typer.Option(min=1, help="Unloaded requests per kind, one at a time.")] = 20,
        model: Annotated[str | None, typer.Option(help="Embedding model of the server (default: the "
                                                  "setting's), e.g. hashing:64.")] = None,
        seed: Annotated[int, typer.Option(help="Generator and request seed.")] = 7,
        workers: Annotated[int, typer.Option(min=1, max=32, help="Server worker processes "
                                             "(chainmatch serve --workers).")] = 1,
        answers_kept: Annotated[int | None, typer.Option(min=0, help="The server's answers_kept (answers kept "
                                                         "per store version; 0: none), default the setting's.")] = None,
        as_json: JsonOut = False,
    ) -> None:
        """The HTTP API (auth on) under load: closed loop (C clients) or open loop (--rate, --find-capacity)."""
        from api.bench.cli import machine
        from api.cli.common import say_err

        capacity = {"max_steps": max_steps, "precision": precision} if find_capacity else None
        fig = run_load_bench(firms, links_per_firm, clients=clients, seconds=seconds, seed=seed,
                             sequential=sequential, model=model, workers=workers, rate=rate, capacity=capacity,
                             world_dir=world_dir, answers_kept=answers_kept, say=say_err)
        fig["machine"] = machine()
        if as_json:
            print_json(fig)
            return
        print_load(fig)
