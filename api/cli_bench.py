"""``chainmatch bench …``: committed benchmarks that print figures."""

from __future__ import annotations

import typer

__all__ = ["bench_app"]

bench_app = typer.Typer(help="Benchmarks: print throughput, latency and peak RSS.", no_args_is_help=True)
