"""bench all: phases in their own processes, failures and time-outs reported, goals judged, the markdown."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.bench.suite import PHASES, SCALES, goals, markdown, replace_section, run_phase


def _ok(result: dict) -> dict:
    return {"status": "ok", "wall_s": 1.0, "tree_peak_rss_mb": 100, "result": result}


def test_a_failing_phase_is_reported_with_its_reason():
    rec = run_phase(["bench", "gaps", "--firms", "0", "--json"], timeout=60)
    assert rec["status"] == "failed" and "exit 2" in rec["why"]


def test_a_phase_over_its_time_limit_is_killed_and_reported():
    rec = run_phase(["bench", "recommend", "--firms", "200000", "--queries", "5", "--json"], timeout=1.5)
    assert rec["status"] == "timeout" and "did not finish within" in rec["why"]
    assert rec["wall_s"] < 10


def test_goals_judge_measured_values_and_say_what_did_not_run():
    phases = {
        "import": _ok({"firms_per_s": 25_000, "peak_rss_mb": 900}),
        "gaps": {"status": "timeout", "why": "did not finish within 60 s (killed)", "tree_peak_rss_mb": 50},
        "recommend": _ok({"scales": [{"target_p95_ms": 250.0, "peak_rss_gb": 2.0}]}),
    }
    by = {g["goal"]: g for g in goals(SCALES["tiny"], phases)}
    assert by["import ≥ 20k firms/s"]["verdict"] == "met"
    assert by["recommendation p95 ≤ 200 ms"]["verdict"] == "missed"
    assert by["gap analysis ≤ 1 s cold"]["verdict"] == "not run"
    assert "timeout" in by["gap analysis ≤ 1 s cold"]["why"]
    assert by["saturation (closed loop): 0 errors"]["verdict"] == "not run"
    assert by["API capacity ≥ 200 req/s at p99 ≤ 500 ms, 0 errors"]["verdict"] == "not run"
    rss = by["peak RSS ≤ 8 GB"]
    assert rss["value"] == 2048 and "search" in rss["why"] and "load" in rss["why"]


def test_replace_section_keeps_the_other_scales():
    text = replace_section("", "100k", "A\n")
    text = replace_section(text, "1m", "B\n")
    text = replace_section(text, "100k", "C\n")
    assert "A\n" not in text and text.index("C\n") < text.index("B\n")
    assert text.startswith("# Benchmarks") and text.count("<!-- bench:100k start -->") == 1


@pytest.mark.slow
def test_bench_all_tiny_gives_every_phase_and_goal(tmp_path):
    """Every phase runs at the tiny scale; the markdown names the machine and has a row per phase and goal."""
    from api.cli.main import app

    out = tmp_path / "docs" / "benchmarks.md"
    res = CliRunner().invoke(app, ["bench", "all", "--scale", "tiny", "--output", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {p: r["status"] for p, r in doc["phases"].items()} == dict.fromkeys(PHASES, "ok")
    assert all(g["verdict"] in ("met", "missed") for g in doc["goals"]), doc["goals"]
    load = doc["phases"]["load"]["result"]
    assert load["overall"]["count"] > 0 and load["auth_on"] and load["mode"] == "closed"
    cap = doc["phases"]["capacity"]["result"]
    assert cap["mode"] == "capacity" and 1 <= len(cap["steps"]) <= SCALES["tiny"].capacity_steps
    assert all(f["offered"] > 0 and "p99_ms" in f["overall"] for f in cap["steps"])
    assert doc["phases"]["import"]["result"]["firms"] == SCALES["tiny"].firms
    md = out.read_text(encoding="utf-8")
    assert md == replace_section("", "tiny", markdown(doc))
    for p in PHASES:
        assert f"\n| {p} | ok |" in md
    for g in doc["goals"]:
        assert f"| {g['goal']} |" in md
    m = doc["machine"]
    assert m["cpu"] in md and m["commit"] in md and f"{m['cores']} cores" in md and "load average" in md
