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


def test_a_kept_array_view_is_generated_once_and_derived_again_when_the_code_changes(tmp_path, monkeypatch):
    """--arrays: the first run generates and saves the view, the next reuses it (no generation, no derive),
    and a changed analysis code (another fingerprint) derives the indexes again without regenerating."""
    from graph.analysis import cache

    keep = tmp_path / "arrays"
    first = run_gaps_bench(500, 1500, seed=4, arrays_dir=keep)
    again = run_gaps_bench(500, 1500, seed=4, arrays_dir=keep)
    assert "generate_s" in first and "generate_s" not in again and "derive_s" not in again
    assert (again["gaps"], again["status_counts"], again["local_firms"]) == (
        first["gaps"], first["status_counts"], first["local_firms"])
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another-code")
    changed = run_gaps_bench(500, 1500, seed=4, arrays_dir=keep)
    assert "generate_s" not in changed and "derive_s" in changed
    other = run_gaps_bench(400, 1500, seed=4, arrays_dir=keep)  # another world: generated anew
    assert "generate_s" in other and other["local_firms"] != first["local_firms"]
