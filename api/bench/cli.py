"""``chainmatch bench …``: committed benchmarks that print figures."""

from __future__ import annotations

import platform
from typing import Annotated

import typer

from api.cli.common import JsonOut, console, print_json, table

__all__ = ["bench_app"]

bench_app = typer.Typer(help="Benchmarks: print throughput, latency and peak RSS.", no_args_is_help=True)


def machine() -> str:
    import os

    import psutil

    return (f"{platform.machine()} · {os.cpu_count()} cores · "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB · Python {platform.python_version()}")


@bench_app.command("import")
def bench_import(
    firms: Annotated[int, typer.Option(min=1, help="Synthetic firms.")] = 100_000,
    links: Annotated[int, typer.Option(min=0, help="Synthetic links.")] = 500_000,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 7,
    as_json: JsonOut = False,
) -> None:
    """Import synthetic CSVs (Chinese headers) through the real importer: rows/s and peak RSS."""
    from api.bench.imports import run_import_bench

    fig = run_import_bench(firms, links, seed)
    fig["machine"] = machine()
    if as_json:
        print_json(fig)
        return
    console.print(table(f"bench import · {fig['machine']}", ["figure", "value"],
                        [[k, v] for k, v in fig.items() if k != "machine"]))
