"""Long work talks in non-TTY output too: bench rows as they finish with what is left, the first index build
and the first classify as progress lines (CLI stderr, server log). Lines are asserted, not their timing."""

from __future__ import annotations

import json
import logging
import re

import pytest
from typer.testing import CliRunner

from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from matching.progress import Steps, line_progress


@pytest.fixture()
def app():
    from api.cli.main import app

    return app


@pytest.fixture()
def data_dir(tmp_path, world, monkeypatch):
    """300 sample firms, 20 of them without segments (to classify); the hashing embedder."""
    import dataclasses

    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")
    firms = [o for o in world[0].organisations if o.kind.value == "firm"][:300]
    firms = [dataclasses.replace(o, segments=()) if i < 20 else o for i, o in enumerate(firms)]
    with SqliteStore.open(tmp_path / "store.sqlite") as store:
        store.write(Batch(segments=world[0].segments, organisations=firms))
    return tmp_path


def test_line_progress_says_at_intervals_and_once_at_the_end():
    lines, clock = [], iter([0.0, 1.0, 11.0, 12.0, 25.0, 26.0, 27.0]).__next__
    p = line_progress("x", lines.append, interval=10.0, clock=clock)
    for done in (1, 2, 3, 4, 10, 10):  # t = 1, 11, 12, 25, 26, 27
        p(done, 10)
    assert lines == ["x: 2/10 (20%), 11 s, ~44 s left", "x: 4/10 (40%), 25 s, ~38 s left", "x: 10/10 (100%) in 26 s"]


def test_steps_estimate_what_is_left_from_the_weights():
    lines, clock = [], iter([0.0, 5.0, 10.0, 40.0]).__next__
    steps = Steps([1, 1, 6], lines.append, clock=clock)
    for name in "abc":
        steps.done(name)
    assert lines == ["[1/3] a · 5 s so far, ~35 s left", "[2/3] b · 10 s so far, ~30 s left", "[3/3] c · 40 s in all"]


def test_classify_prints_progress_lines_when_stderr_is_not_a_terminal(app, data_dir):
    r = CliRunner().invoke(app, ["classify", "--dry-run", "--data-dir", str(data_dir)])
    assert r.exit_code == 0, r.output
    # the line in the CLI's language (Chinese by default; 253a224), English with CHAINMATCH_LANG=en
    assert re.search(r"^挂链: (\d[\d,]*)/\1 \(100%\)，用时 \d+ 秒$", r.stderr, re.M), r.stderr
    r = CliRunner().invoke(app, ["classify", "--dry-run", "--data-dir", str(data_dir)], env={"CHAINMATCH_LANG": "en"})
    assert re.search(r"^classify: (\d[\d,]*)/\1 \(100%\) in \d+ s$", r.stderr, re.M), r.stderr
    r = CliRunner().invoke(app, ["classify", "--dry-run", "--json", "--data-dir", str(data_dir)])
    assert "挂链" not in r.stderr and json.loads(r.stdout)["organisations"] == 20  # --json stays quiet


def test_first_search_logs_the_index_build_without_a_callback(data_dir, caplog):
    """What the server's warm start does: no bar, so the encoding is logged (chainmatch.progress, INFO)."""
    from api.cli.common import settings_for
    from matching.engines import Engines

    engines = Engines(settings_for(data_dir))
    with caplog.at_level(logging.INFO, logger="chainmatch.progress"), \
            SqliteStore.open(data_dir / "store.sqlite") as store:
        engines.search(store)
        engines.classify(store)
    said = [r.getMessage() for r in caplog.records if r.name == "chainmatch.progress"]
    assert any(re.match(r"search index: encoding 编码: [\d,]+/[\d,]+ \(100%\) in \d+ s$", m) for m in said), said
    assert any(re.match(r"classify 挂链: 20/20 \(100%\)", m) for m in said), said


def test_bench_search_says_each_row_with_what_is_left_also_with_json(app, data_dir):
    r = CliRunner().invoke(app, ["bench", "search", "--sizes", "1000,2000", "--vectors", "isotropic", "--texts", "0",
                                 "--queries", "10", "--data-dir", str(data_dir), "--json"])
    assert r.exit_code == 0, r.output
    rows = re.findall(r"^\[(\d)/4\] ([\d,]+) isotropic (flat|hnsw-sq8): .*recall@10 [\d.]+ · \d+ s "
                      r"(?:so far, ~\d+ s left|in all)$", r.stderr, re.M)
    assert [(i, n, kind) for i, n, kind in rows] == [("1", "1,000", "flat"), ("2", "1,000", "hnsw-sq8"),
                                                     ("3", "2,000", "flat"), ("4", "2,000", "hnsw-sq8")], r.stderr
    assert len(json.loads(r.stdout)["rows"]) == 4


def test_bench_gaps_says_its_stages(app):
    r = CliRunner().invoke(app, ["bench", "gaps", "--firms", "400", "--links", "1200", "--json"])
    assert r.exit_code == 0, r.output
    for stage in ("generating 400 firms", "measuring in a fresh process", "cold "):
        assert stage in r.stderr, r.stderr


@pytest.mark.slow
def test_bench_load_capacity_says_each_run_as_it_ends(app, tmp_path):
    r = CliRunner().invoke(app, ["bench", "load", "--firms", "300", "--links-per-firm", "2", "--model", "hashing:64",
                                 "--find-capacity", "--rate", "20", "--seconds", "1", "--max-steps", "2",
                                 "--sequential", "1", "--world-dir", str(tmp_path / "w"), "--json"])
    assert r.exit_code == 0, r.output
    assert "server ready in" in r.stderr and "unloaded p95 ms:" in r.stderr
    assert re.search(r"^\[1/2\] rate 20/s: answered .* at most 1 more run\(s\)", r.stderr, re.M), r.stderr
    doc = json.loads(r.stdout)
    assert doc["mode"] == "capacity" and len(doc["steps"]) == 2 and not doc["world_reused"]
    r = CliRunner().invoke(app, ["bench", "load", "--firms", "300", "--links-per-firm", "2", "--model", "hashing:64",
                                 "--rate", "20", "--seconds", "1", "--sequential", "1",
                                 "--world-dir", str(tmp_path / "w"), "--json"])
    doc = json.loads(r.stdout)
    assert doc["world_reused"] and doc["mode"] == "open" and doc["offered"] > 0
    assert "reused from" in r.stderr
