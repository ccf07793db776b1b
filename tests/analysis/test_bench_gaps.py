"""``bench gaps`` at a toy scale: both paths run and report the figures the issue asks for."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from api.bench.gaps import register_bench, run_gaps_bench


def test_both_paths_report_cold_warm_and_rss():
    for through_store in (True, False):
        fig = run_gaps_bench(600, 2000, seed=5, through_store=through_store)
        assert fig["path"] == ("sqlite" if through_store else "npy")
        assert fig["cold_ms"] > fig["warm_ms"] >= 0 and fig["cached_ok"]
        assert fig["peak_rss_mb"] > 0 and fig["local_firms"] > 0
        assert ("store_write_s" in fig) == through_store


def test_register_bench_adds_bench_gaps():
    bench_app = typer.Typer()
    register_bench(bench_app)

    @bench_app.command("noop")
    def noop() -> None:  # a second command keeps typer from collapsing the group
        pass

    result = CliRunner().invoke(bench_app, ["gaps", "--firms", "300", "--links", "900", "--json"])
    assert result.exit_code == 0, result.output
    assert '"cold_ms"' in result.output and '"machine"' in result.output
