"""``chainmatch bench backends``: both stores give the same gaps and targets, and the figures are reported."""

from __future__ import annotations

import json
import os

import pytest
import typer
from typer.testing import CliRunner

from api.bench.backends import register_bench, run_backends_bench
from graph.errors import ConfigError


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """The bench sub-app, as api/cli/main.py wires it."""

    register_bench(app)
    return app


def test_without_a_neo4j_server_it_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv("CHAINMATCH_NEO4J_URI", raising=False)
    with pytest.raises(ConfigError, match="CHAINMATCH_NEO4J_URI") as err:
        run_backends_bench(100, 100)
    assert "neo4j-start.sh" in err.value.message


@pytest.mark.neo4j
@pytest.mark.slow  # 20-60 s on a busy 2-core machine: two stores written, two recommendation indexes built
def test_a_small_run_gives_both_timings_the_ratio_and_identical_answers():
    if not os.environ.get("CHAINMATCH_NEO4J_URI"):
        pytest.skip("CHAINMATCH_NEO4J_URI not set: no Neo4j server to test against")
    runner = CliRunner()
    args = ["backends", "--firms", "1500", "--links", "6000", "--repeat", "1", "--chunk", "1000", "--wipe", "--json"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    fig = json.loads(result.stdout)
    assert fig["firms"] == 1500 and fig["links"] == 6000
    assert fig["same_gaps"] is True and fig["same_targets"] is True
    for k in ("gaps_first_s", "gaps_s", "index_s", "recommend_ms"):
        assert fig[f"embedded_{k}"] >= 0 and fig[f"neo4j_{k}"] >= 0 and f"ratio_{k}" in fig
    assert fig["embedded_targets"] == fig["neo4j_targets"] == 10
    # the database now holds the benchmark's records: a second run without --wipe is refused
    again = runner.invoke(_app(), args[:-2] + ["--json"])
    assert again.exit_code != 0 and "--wipe" in str(again.exception)
