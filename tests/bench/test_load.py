"""bench load: the load tester hits the real server, counts requests and errors, and its percentiles are numpy's."""

from __future__ import annotations

import asyncio
import random
import re
import time

import numpy as np
import pytest

from api.bench.load import (
    Sample,
    Server,
    drive,
    percentile,
    request_maker,
    run_load_bench,
    summarise,
)
from graph.ports import free_port

WORLD = {"firms": 10, "segments": ["s1"], "zh": ["动画"], "en": ["Animation"], "chains": ["c1"],
         "regions": ["cn/guangdong/shenzhen"]}


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1001])
def test_percentile_equals_numpy(n):
    xs = np.random.default_rng(n).lognormal(3, 1, n)
    for q in (0, 1, 50, 95, 99, 100):
        assert percentile(list(xs), q) == pytest.approx(float(np.percentile(xs, q)), rel=1e-12)


def test_summary_counts_errors_per_kind_and_throughput_counts_successes():
    samples = [Sample("a", 200, 5.0, True), Sample("a", 503, 9.0, False), Sample("b", None, 30.0, False, "ReadTimeout"),
               Sample("b", 404, 2.0, True)]
    s = summarise(samples, 2.0)
    assert s["overall"]["count"] == 4 and s["overall"]["errors"] == 2 and s["overall"]["rps"] == 1.0
    assert s["endpoints"]["b"]["statuses"] == {"404": 1, "ReadTimeout": 1}
    assert s["endpoints"]["a"]["p50_ms"] == 7.0


def test_refused_connections_are_counted_as_errors_not_raised():
    make = request_maker(WORLD, {"health": 1.0})
    samples, wall, _cpu = asyncio.run(drive(f"http://127.0.0.1:{free_port()}", None, make, clients=2,
                                            seconds=0.3, timeout=1.0))
    assert samples and wall >= 0.3
    assert all(s.status is None and not s.ok and s.error for s in samples)
    assert summarise(samples, wall)["overall"]["errors"] == len(samples)


def test_request_mix_follows_weights():
    make = request_maker(WORLD, {"health": 0.8, "org_get": 0.2})
    rng = random.Random(3)
    kinds = [make(rng).kind for _ in range(2000)]
    assert 0.75 < kinds.count("health") / len(kinds) < 0.85


@pytest.mark.slow
def test_load_against_the_real_server_counts_what_the_server_logged(tmp_path):
    """A 404 expected is a success, a 404 not expected an error; counts match the server's access log."""
    sequential = 2
    fig = run_load_bench(2000, 2, clients=4, seconds=3, sequential=sequential, model="hashing:64",
                         mix={"health": 0.4, "missing_ok": 0.3, "missing_bad": 0.3}, access_log=True,
                         workdir=tmp_path, keep_samples=True)
    assert fig["auth_on"] and fig["keyless_status"] == 401
    ep = fig["endpoints"]
    assert ep["missing_bad"]["count"] > 0 and ep["missing_bad"]["errors"] == ep["missing_bad"]["count"]
    assert ep["missing_bad"]["statuses"] == {"404": ep["missing_bad"]["count"]}
    assert ep["missing_ok"]["count"] > 0 and ep["missing_ok"]["errors"] == 0
    assert ep["health"]["errors"] == 0
    assert fig["overall"]["errors"] == ep["missing_bad"]["count"]
    assert set(fig["warmup_failures"]) == {"missing_bad"}
    # the server's own log: one line per request; warm-up (1) and unloaded (sequential) come first
    log = fig["server_log"]
    for kind, path, status in (("health", "/health", 200), ("missing_ok", "/organisations/syn:missing-ok", 404),
                               ("missing_bad", "/organisations/syn:missing-bad", 404)):
        pattern = re.escape(path).replace(":", "(?::|%3A)")  # httpx percent-encodes the colon
        served = len(re.findall(rf'"GET {pattern} HTTP/1.1" {status}', log))
        assert served == ep[kind]["count"] + 1 + sequential, kind
    # figures are numpy's percentiles of the recorded samples
    ms = np.array([s[2] for s in fig["samples"]])
    assert len(ms) == fig["overall"]["count"]
    for q in (50, 95, 99):
        assert fig["overall"][f"p{q}_ms"] == pytest.approx(np.percentile(ms, q), abs=0.006)
    bad = np.array([s[2] for s in fig["samples"] if s[0] == "missing_bad"])
    assert ep["missing_bad"]["p95_ms"] == pytest.approx(np.percentile(bad, 95), abs=0.006)
    assert fig["server_peak_rss_mb"] > 50 and fig["client_cpu_s"] >= 0


@pytest.mark.slow
def test_load_against_two_worker_processes(tmp_path):
    """``serve --workers 2``: a supervisor and two workers answer every request, auth on, nothing lost."""
    fig = run_load_bench(2000, 2, clients=6, seconds=3, sequential=2, model="hashing:64",
                         mix={"health": 0.3, "org_get": 0.4, "search_zh": 0.3}, access_log=True,
                         workdir=tmp_path, workers=2)
    assert fig["workers"] == 2 and fig["server_processes"] >= 3  # + multiprocessing's resource tracker
    assert fig["auth_on"] and fig["keyless_status"] == 401 and not fig["warmup_failures"]
    assert fig["overall"]["errors"] == 0 and fig["overall"]["count"] > 0
    # both workers log to the same output: one line per request, whichever worker served it
    served = len(re.findall(r'"GET /(?:health|organisations|search)[^"]* HTTP/1.1" 200', fig["server_log"]))
    assert served == fig["overall"]["count"] + 3 + 3 * 2
    # the measurement starts only when both workers are warm, not when the first answers /ready
    log = fig["server_log"]
    assert log.count("warm in ") == 2
    first_request = re.search(r'"GET /(?:health|organisations|search)', log).start()
    assert log.rindex("warm in ") < first_request


def test_hybrid_bench_times_each_language_new_and_repeated(tmp_path):
    """bench hybrid: a row per language and pass as it finishes, distinct queries in the cold pass, no errors."""
    from api.bench.hybrid import run_hybrid_bench

    seen = []
    fig = run_hybrid_bench(1500, 1, queries=5, model="hashing:64", world_dir=tmp_path / "w", on_row=seen.append)
    assert [(r["lang"], r["phase"]) for r in seen] == [("zh", "cold"), ("zh", "repeat"), ("en", "cold"),
                                                       ("en", "repeat")]
    assert seen == fig["rows"]
    for r in fig["rows"]:
        assert r["count"] == 5 and r["distinct"] == 5 and r["errors"] == 0
        assert 0 < r["p50_ms"] <= r["p95_ms"] <= r["max_ms"]
    assert fig["worst_cold_p95_ms"] == max(r["p95_ms"] for r in seen if r["phase"] == "cold")
    assert fig["goal_met"] == (fig["worst_cold_p95_ms"] <= 20.0)
    again = run_hybrid_bench(1500, 1, queries=5, model="hashing:64", world_dir=tmp_path / "w")
    assert again["world_reused"] and not fig["world_reused"]


def test_the_served_process_gets_answers_kept_and_the_query_encoder(tmp_path):
    """``bench load --answers-kept N`` and ``bench hybrid --query-encoder E`` reach the server: its environment (the
    only CHAINMATCH_ settings it passes besides auth and the model) holds them."""
    import psutil

    server = Server(tmp_path, model="hashing:64", answers_kept=0, query_encoder="traced")
    try:
        # Popen returns once the exec has closed its error pipe, but the kernel sets up the new
        # environment block a moment later: read too soon, /proc/PID/environ is empty (CI hit it
        # under load). CHAINMATCH_AUTH is always passed, so wait for it.
        end = time.monotonic() + 30
        while "CHAINMATCH_AUTH" not in (env := psutil.Process(server.proc.pid).environ()) and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        server.stop()
    assert env["CHAINMATCH_ANSWERS_KEPT"] == "0" and env["CHAINMATCH_EMBEDDING_MODEL"] == "hashing:64"
    assert env["CHAINMATCH_QUERY_ENCODER"] == "traced"
