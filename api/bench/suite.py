"""``chainmatch bench all``: every benchmark at one scale, judged against the goals of issue 10.

Each phase — ``bench import``, ``gaps``, ``search``, ``recommend`` and
``load`` — runs as its own ``chainmatch bench … --json`` in a fresh child
process (so a phase's peak RSS is its own; ``tree_peak_rss_mb`` is the
largest process of the phase, from ``wait4``), with a time limit. A phase
that fails or runs out of time is reported as such, never dropped. The
result is one table of goals (measured value, met / missed), the phases'
key figures, and the load test per request kind; ``--output`` writes it as
markdown naming the machine (CPU model, cores, RAM, Python, OS), the load
average before and after, the date and the git commit. Each scale has its
own section in the file, replaced when that scale runs again.

Examples
--------
>>> sorted(SCALES)
['100k', '1m', 'tiny']
>>> judge({"value": 12.0, "op": "<=", "limit": 10.0})
'missed'
>>> replace_section("# B\\n", "tiny", "new\\n").count("bench:tiny")
2
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import JsonOut, console, print_json
from api.cli.text import print_grid

__all__ = ["Scale", "SCALES", "PHASES", "phase_argv", "run_phase", "goals", "judge", "machine_facts",
           "markdown", "replace_section", "run_all", "register_bench"]


@dataclass(frozen=True, slots=True)
class Scale:
    firms: int
    links: int
    load_firms: int  # the load goal is stated at 100k firms
    clients: int
    seconds: float
    queries: int
    search_vectors: str = "matched,clustered"  # bench search --vectors: the goal holds on each
    texts: int = 512
    load_model: str | None = None  # None: the server's default model
    sweep: str = "64,128,256,512"  # efforts (HNSW efSearch) measured besides the tuned one
    load_workers: int = 1  # server processes of the load phase (serve --workers); docs/benchmarks.md compares 1 and 2
    capacity_seconds: float = 30.0  # each open-loop run of the capacity phase
    capacity_start: float = 50.0  # its first rate (requests/s)
    capacity_steps: int = 7


SCALES: dict[str, Scale] = {
    "tiny": Scale(2_000, 10_000, 2_000, 4, 3.0, 20, search_vectors="isotropic", texts=0, load_model="hashing:64",
                  capacity_seconds=2.0, capacity_steps=2),
    "100k": Scale(100_000, 500_000, 100_000, 50, 60.0, 200),
    "1m": Scale(1_000_000, 5_000_000, 100_000, 50, 60.0, 200),
}
PHASES = ("import", "gaps", "search", "recommend", "load", "capacity")
#: rough relative cost of each phase (wall seconds of the 100k run in docs/benchmarks.md), for the estimate
PHASE_WEIGHTS = {"import": 50, "gaps": 30, "search": 120, "recommend": 45, "load": 240, "capacity": 400}


def phase_argv(phase: str, s: Scale, workdir: Path) -> list[str]:
    """The ``chainmatch`` arguments of one phase at a scale.

    >>> phase_argv("gaps", SCALES["tiny"], Path("/tmp"))
    ['bench', 'gaps', '--firms', '2000', '--links', '10000', '--json']
    """
    if phase == "import":
        return ["bench", "import", "--firms", str(s.firms), "--links", str(s.links), "--json"]
    if phase == "gaps":
        return ["bench", "gaps", "--firms", str(s.firms), "--links", str(s.links), "--json"]
    if phase == "search":
        return (["bench", "search", "--sizes", str(s.firms), "--queries", str(s.queries), "--vectors", s.search_vectors,
                "--texts", str(s.texts), "--data-dir", str(workdir / "search"), "--json"]
                + (["--sweep", s.sweep] if s.sweep else []))
    if phase == "recommend":
        return ["bench", "recommend", "--firms", str(s.firms), "--links-per-firm", str(s.links // s.firms),
                "--queries", str(s.queries), "--json"]
    if phase == "load":
        argv = ["bench", "load", "--firms", str(s.load_firms), "--links-per-firm", str(s.links // s.firms),
                "--clients", str(s.clients), "--seconds", str(s.seconds), "--workers", str(s.load_workers), "--json"]
        return argv + (["--model", s.load_model] if s.load_model else [])
    if phase == "capacity":
        argv = ["bench", "load", "--firms", str(s.load_firms), "--links-per-firm", str(s.links // s.firms),
                "--find-capacity", "--rate", f"{s.capacity_start:g}", "--seconds", f"{s.capacity_seconds:g}",
                "--max-steps", str(s.capacity_steps), "--workers", str(s.load_workers), "--json"]
        return argv + (["--model", s.load_model] if s.load_model else [])
    raise ValueError(f"unknown phase {phase!r}")


def run_phase(argv: list[str], timeout: float, say=None) -> dict:
    """Run ``chainmatch <argv>`` in a new process group; its JSON, status, wall time and tree peak RSS.

    The child's stderr (its progress lines) is passed to ``say`` line by line
    as it comes, and its tail kept for the reason of a failure.
    """
    import json
    import threading
    from collections import deque

    cmd = [sys.executable, "-c", "from api.cli.main import main; main()", *argv]
    tail: deque[str] = deque(maxlen=40)

    def pump(stream) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            tail.append(line)
            if say is not None:
                say(f"  {argv[1]} | {line}")

    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, start_new_session=True)
        reader = threading.Thread(target=pump, args=(proc.stderr,), daemon=True)
        reader.start()
        status, ru, timed_out = None, None, False
        while status is None:
            pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status, ru = os.waitstatus_to_exitcode(st), usage
            elif time.perf_counter() - t > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the phase's whole group: server and pool workers too
                _, st, ru = os.wait4(proc.pid, 0)
                status = os.waitstatus_to_exitcode(st)
            else:
                time.sleep(0.25)
        proc.returncode = status
        reader.join(timeout=5)
        proc.stderr.close()
        wall = time.perf_counter() - t
        out.seek(0)
        text, errors = out.read().decode("utf-8", "replace"), "\n".join(tail)
    rec = {"argv": argv, "wall_s": round(wall, 1), "tree_peak_rss_mb": round(ru.ru_maxrss / 1024)}
    if timed_out:
        return rec | {"status": "timeout", "why": f"did not finish within {timeout:.0f} s (killed)"}
    if status != 0:
        return rec | {"status": "failed", "why": f"exit {status}: {errors.strip()[-600:]}"}
    try:
        rec["result"] = json.loads(text)
    except json.JSONDecodeError:
        return rec | {"status": "failed", "why": f"no JSON on stdout: {text[-300:]} {errors[-300:]}"}
    return rec | {"status": "ok"}


def _own_peak_mb(phase: str, r: dict) -> float | None:
    if phase == "recommend":
        return round(r["scales"][0]["peak_rss_gb"] * 1024)
    return r.get("server_peak_rss_mb" if phase in ("load", "capacity") else "peak_rss_mb")


def _search_p95(r: dict, n: int) -> tuple[float, str]:
    """The approximate index's p95 at its tuned effort, the worst over the vector sets.

    >>> _search_p95({"rows": [{"n": 5, "index": "flat", "p95_ms": 90.0},
    ...     {"n": 5, "index": "hnsw-sq8", "p95_ms": 3.0}, {"n": 5, "index": "hnsw-sq8", "p95_ms": 4.0}]}, 5)
    (4.0, 'hnsw-sq8')
    """
    rows = [x for x in r["rows"] if x["n"] == n]
    approx = [x for x in rows if x["index"] != "flat"]
    row = max(approx, key=lambda x: x["p95_ms"]) if approx else rows[0]
    return row["p95_ms"], row["index"]


#: The recall a search-latency figure must come with (issue 10 names the latency; a fast index that
#: misses a tenth of the true neighbours would meet it trivially).
SEARCH_RECALL = 0.95


def _search_p95_at_recall(r: dict, n: int) -> float | None:
    """The lowest p95 among an approximate index's efforts (tuned or swept) with recall ≥ 0.95, worst set.

    Per vector set, the best such p95; the figure is the worst set's (the
    goal holds on every set), or None when a set has no effort that reaches
    the recall.

    >>> _search_p95_at_recall({"rows": [{"n": 5, "vectors": "matched", "index": "hnsw", "p95_ms": 9.0,
    ...     "recall_at_10": 0.99, "sweep": [{"p95_ms": 2.0, "recall_at_10": 0.9},
    ...     {"p95_ms": 4.0, "recall_at_10": 0.96}]}, {"n": 5, "vectors": "clustered", "index": "hnsw",
    ...     "p95_ms": 3.0, "recall_at_10": 0.97}]}, 5)
    4.0
    """
    best: dict[str, float | None] = {}
    for x in r["rows"]:
        if x["n"] != n or x["index"] == "flat":
            continue
        ok = [m["p95_ms"] for m in (x, *x.get("sweep", ())) if m["recall_at_10"] >= SEARCH_RECALL]
        key = x.get("vectors", "")
        best[key] = min([v for v in (best.get(key), *ok) if v is not None], default=None)
    if not best or None in best.values():
        return None
    return max(best.values())


def _unloaded_search_p95(r: dict) -> float:
    return max(r["unloaded"][k]["p95_ms"] for k in ("search_zh", "search_en"))


#: (label, phase, value(result), unit, op, limit, goal scale, what the value is)
_GOALS = [
    ("hybrid search p95 ≤ 10 ms — dense index alone", "search", lambda r, s: _search_p95(r, s.firms)[0], "ms",
     "<=", 10.0, "1m", "bench search: FAISS index of the scale's firm count, one query at a time, one thread, "
     "at the effort the build tuned (recall target 0.99 on its own sample queries)"),
    ("hybrid search p95 ≤ 10 ms — dense index at recall@10 ≥ 0.95", "search",
     lambda r, s: _search_p95_at_recall(r, s.firms), "ms", "<=", 10.0, "1m",
     "bench search: the same index, the lowest p95 among the tuned and swept efforts whose recall@10 "
     "against exact search is ≥ 0.95"),
    ("hybrid search p95 ≤ 10 ms — whole hybrid search over HTTP", "load", lambda r, s: _unloaded_search_p95(r),
     "ms", "<=", 10.0, "1m", "bench load, one user: query encoding + BM25 + dense + fusion + auth + HTTP "
     "(worse of zh / en)"),
    ("recommendation p95 ≤ 200 ms", "recommend", lambda r, s: r["scales"][0]["target_p95_ms"], "ms", "<=", 200.0,
     "1m", "bench recommend: one gap segment, top 10 with attraction forms, in process"),
    ("recommendation p95 ≤ 200 ms — over HTTP", "load", lambda r, s: r["unloaded"]["recommend"]["p95_ms"], "ms",
     "<=", 200.0, "1m", "bench load, one user: GET /recommendations with auth"),
    ("gap analysis ≤ 1 s cold", "gaps", lambda r, s: r["cold_ms"] / 1000, "s", "<=", 1.0, "1m",
     "bench gaps: whole city, empty caches"),
    ("import ≥ 20k firms/s", "import", lambda r, s: r["firms_per_s"], "firms/s", ">=", 20_000, "1m",
     "bench import: CSV with Chinese headers through the real importer"),
    ("saturation (closed loop): 0 errors", "load", lambda r, s: r["overall"]["errors"], "errors", "<=", 0, "100k",
     "bench load: non-2xx or exceptions over all clients, each sending as soon as answered"),
    ("saturation (closed loop): no request > 5 s", "load", lambda r, s: r["overall"]["max_ms"], "ms", "<=",
     5000.0, "100k", "bench load: the slowest request of the closed loop (its p99 is queueing at full load)"),
    ("API capacity ≥ 200 req/s at p99 ≤ 500 ms, 0 errors", "capacity", lambda r, s: r["capacity_rps"], "req/s",
     ">=", 200.0, "100k", "bench load --find-capacity: open loop, Poisson arrivals of the mix, latency from the "
     "scheduled arrival; the highest rate run that passed"),
]


def judge(g: dict) -> str:
    """``met`` / ``missed`` for a measured goal, ``not run`` without a value."""
    if g.get("value") is None:
        return "not run"
    ok = g["value"] <= g["limit"] if g["op"] == "<=" else g["value"] >= g["limit"]
    return "met" if ok else "missed"


def goals(s: Scale, phases: dict[str, dict]) -> list[dict]:
    """Each goal of issue 10 with the measured value at the sizes ``s`` and the verdict."""
    out = []
    for label, phase, value, unit, op, limit, at, what in _GOALS:
        rec = phases.get(phase, {})
        g = {"goal": label, "phase": phase, "unit": unit, "op": op, "limit": limit, "goal_scale": at,
             "what": what, "value": None}
        measured = value(rec["result"], s) if rec.get("status") == "ok" else None
        if measured is not None:
            g["value"] = round(float(measured), 2)
            g["verdict"] = judge(g)
        elif rec.get("status") == "ok":
            g["why"], g["verdict"] = "no measured setting reached it", "missed"
        else:
            g["why"] = f"{phase}: {rec.get('status', 'not run')} {rec.get('why', '')}".strip()
            g["verdict"] = judge(g)
        out.append(g)
    peaks = {p: _own_peak_mb(p, r["result"]) for p, r in phases.items() if r.get("status") == "ok"}
    trees = [r["tree_peak_rss_mb"] for r in phases.values() if "tree_peak_rss_mb" in r]
    g = {"goal": "peak RSS ≤ 8 GB", "phase": "all", "unit": "MB", "op": "<=", "limit": 8192, "goal_scale": "1m",
         "what": "largest of the phases' own peak RSS (" + ", ".join(f"{p} {v}" for p, v in peaks.items())
         + f"); largest process of any phase incl. data generation: {max(trees, default=None)} MB",
         "value": max((v for v in peaks.values() if v is not None), default=None)}
    if len(peaks) < len(PHASES):
        g["why"] = "phases not measured: " + ", ".join(p for p in PHASES if p not in peaks)
    g["verdict"] = judge(g)
    out.append(g)
    return out


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_facts() -> dict:
    """CPU model, cores, RAM, Python, OS, date and git commit of this run."""
    import psutil

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    root = Path(__file__).resolve().parents[1]
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": _run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]) or "unknown"}


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


_KEY_FIGURES = {
    "import": ("firms_per_s", "links_per_s", "firms_seconds", "links_seconds", "store_mb"),
    "gaps": ("cold_ms", "cold_cpu_ms", "warm_ms", "path"),
    "search": (),
    "recommend": (),
    "load": ("prepare_s", "start_s", "wall_s", "server_cpu_s", "client_cpu_s", "client_cpu_share",
             "warmup_failures"),
    "capacity": (),
}


def _key_figures(phase: str, rec: dict) -> str:
    """A phase's key figures on one line (a markdown cell: no pipes, no newlines)."""
    return _figures_text(phase, rec).replace("|", "/").replace("\n", " ")


def _figures_text(phase: str, rec: dict) -> str:
    if rec.get("status") != "ok":
        return f"**{rec.get('status', 'not run')}**: {rec.get('why', '')}"
    r = rec["result"]
    if phase == "search":
        return "; ".join(f"{x.get('vectors', '')} {x['index']} n={x['n']:,} build {x['build_seconds']} s p50 {x['p50_ms']} ms "
                         f"p95 {x['p95_ms']} ms recall@10 {x['recall_at_10']}" + _swept(x) for x in r["rows"])
    if phase == "capacity":
        return (f"capacity {_fmt(r['capacity_rps'])} req/s (first failing {_fmt(r['first_fail_rps'])}); runs: "
                + "; ".join(f"{_fmt(f['rate'])}/s p99 {_fmt(f['overall']['p99_ms'])} ms {f['overall']['errors']} "
                            f"errors driver {f['driver_cpu_share']:.0%}" for f in r["steps"]))
    if phase == "recommend":
        r = r["scales"][0]
        return ", ".join(f"{k} {_fmt(r[k])}" for k in ("index_s", "target_p50_ms", "target_p95_ms", "chain_p95_ms",
                                                       "introducers_p95_ms"))
    return ", ".join(f"{k} {_fmt(r.get(k))}" for k in _KEY_FIGURES[phase])


def _swept(row: dict) -> str:
    """The swept efforts of an approximate index row, as ``(effort: p95 ms @ recall, …)``."""
    if not row.get("sweep"):
        return ""
    name = "nprobe" if row["index"] == "ivf" else "efSearch"
    tuned = row.get("ef_search") or row.get("nprobe")
    return (f" at {name} {tuned} (swept: " + ", ".join(
        f"{m.get('ef_search') or m.get('nprobe')}: p95 {m['p95_ms']} ms @ {m['recall_at_10']}"
        for m in row["sweep"]) + ")")


def markdown(doc: dict) -> str:
    """The section of ``docs/benchmarks.md`` for one run (see :func:`run_all`)."""
    m, s = doc["machine"], Scale(**doc["sizes"])
    lines = [f"## Scale {doc['scale']}: {s.firms:,} firms / {s.links:,} links — {m['date']}", "",
             f"Command: `{doc['command']}`  ", f"Machine: {m['cpu']} · {m['cores']} cores · {m['ram_gib']} GiB RAM · "
             f"Python {m['python']} · {m['os']}  ",
             f"Commit: `{m['commit']}` · load average (1/5/15 min) before {doc['load_before']}, after "
             f"{doc['load_after']} (other work on the machine inflates wall-clock latencies)", "",
             "| goal | goal at | measured | at | verdict | what was measured |", "|---|---|---|---|---|---|"]
    for g in doc["goals"]:
        at = s.load_firms if g["phase"] == "load" else s.firms
        val = f"{_fmt(g['value'])} {g['unit']}" if g["value"] is not None else g.get("why", "—")
        lines.append(f"| {g['goal']} | {g['goal_scale']} | {val} | {at:,} firms | **{g['verdict']}** | {g['what']} |")
    lines += ["", "| phase | status | wall s | own peak RSS MB | largest process MB | key figures |",
              "|---|---|---|---|---|---|"]
    for p in PHASES:
        rec = doc["phases"].get(p, {"status": "not run", "why": "not selected (--phases)"})
        own = _own_peak_mb(p, rec["result"]) if rec.get("status") == "ok" else None
        lines.append(f"| {p} | {rec.get('status')} | {_fmt(rec.get('wall_s'))} | {_fmt(own)} | "
                     f"{_fmt(rec.get('tree_peak_rss_mb'))} | {_key_figures(p, rec)} |")
    load = doc["phases"].get("load", {})
    if load.get("status") == "ok":
        r = load["result"]
        lines += ["", f"Load: {r['clients']} concurrent clients for {r['wall_s']} s on {r['firms']:,} firms, "
                  f"server processes: {r.get('workers', 1)} worker(s), "
                  f"embedding model {r.get('model')}, auth on (viewer key; keyless request answered "
                  f"{r['keyless_status']}); load average {r['load_avg_before']} → {r['load_avg_after']}; driver CPU "
                  f"{r['client_cpu_s']} s ({r['client_cpu_share']:.0%} of one core), server CPU {r['server_cpu_s']} s, "
                  f"server peak RSS {r['server_peak_rss_mb']} MB. Latencies in ms.", "",
                  "| kind | requests | errors | req/s | p50 | p95 | p99 | max | one user p50 | one user p95 | "
                  "warm-up s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for k, f in {**r["endpoints"], "**all**": r["overall"]}.items():
            u = r["unloaded"].get(k, {})
            lines.append(f"| {k} | {_fmt(f['count'])} | {_fmt(f['errors'])} | {_fmt(f['rps'])} | {_fmt(f['p50_ms'])} | "
                         f"{_fmt(f['p95_ms'])} | {_fmt(f['p99_ms'])} | {_fmt(f['max_ms'])} | {_fmt(u.get('p50_ms'))} | "
                         f"{_fmt(u.get('p95_ms'))} | {_fmt(r['warmup_s'].get(k))} |")
    cap = doc["phases"].get("capacity", {})
    if cap.get("status") == "ok":
        r = cap["result"]
        lines += ["", f"Capacity: open loop (Poisson arrivals of the same mix, latency from the scheduled arrival) on "
                  f"{r['firms']:,} firms, {r.get('workers', 1)} server process(es), {r['seconds']:g} s per run; "
                  f"capacity {_fmt(r['capacity_rps'])} req/s (p99 ≤ {r['p99_goal_ms']:g} ms and 0 errors; first "
                  f"failing rate {_fmt(r['first_fail_rps'])}). Latencies in ms.", "",
                  "| rate/s | answered/s | p50 | p95 | p99 | max | errors | pass | driver CPU (of a core) | "
                  "server CPU (cores) | load before |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for f in r["steps"]:
            o = f["overall"]
            cores = f["server_cpu_s"] / f["wall_s"] if f.get("server_cpu_s") is not None and f["wall_s"] else None
            lines.append(f"| {_fmt(f['rate'])} | {_fmt(f['achieved_rps'])} | {_fmt(o['p50_ms'])} | {_fmt(o['p95_ms'])} | "
                         f"{_fmt(o['p99_ms'])} | {_fmt(o['max_ms'])} | {o['errors']} | {'yes' if f['pass'] else 'no'} | "
                         f"{f['driver_cpu_share']:.0%} | {_fmt(cores)} | {_fmt(f['load_avg_before'])} |")
    return "\n".join(lines) + "\n"


_HEADER = ("# Benchmarks\n\nProduced by `chainmatch bench all` (see README, Benchmarks). Each scale has its own "
           "section, replaced when that scale is run again. Goals are issue 10's.\n")


def replace_section(text: str, scale: str, section: str) -> str:
    """``text`` with the section of ``scale`` replaced by ``section`` (appended when absent)."""
    start, end = f"<!-- bench:{scale} start -->", f"<!-- bench:{scale} end -->"
    block = f"{start}\n{section}{end}\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        return head + block + rest.split(end, 1)[1].lstrip("\n")
    return (text or _HEADER).rstrip("\n") + "\n\n" + block


def run_all(scale: str, phases: tuple[str, ...] = PHASES, *, clients: int | None = None,
            seconds: float | None = None, timeout: float = 3600.0, command: str = "",
            say=lambda _msg: None) -> dict:
    """Every selected phase at ``scale`` in its own process; goals judged; the document for :func:`markdown`."""
    s = SCALES[scale]
    s = replace(s, clients=clients or s.clients, seconds=seconds or s.seconds)
    doc = {"scale": scale, "sizes": asdict(s), "command": command, "machine": machine_facts(),
           "load_before": [round(x, 2) for x in os.getloadavg()], "phases": {}}
    from matching.progress import Steps

    chosen = [p for p in PHASES if p in phases]
    steps = Steps([PHASE_WEIGHTS[p] for p in chosen], say)
    with tempfile.TemporaryDirectory() as tmp:
        for p in PHASES:
            if p not in phases:
                doc["phases"][p] = {"status": "skipped", "why": "not selected (--phases)"}
                continue
            argv = phase_argv(p, s, Path(tmp))
            say(f"{p}: chainmatch {' '.join(argv)}")
            doc["phases"][p] = rec = run_phase(argv, timeout, say=say)
            steps.done(f"{p}: {rec['status']} in {rec['wall_s']} s · {_key_figures(p, rec)}")
    doc["load_after"] = [round(x, 2) for x in os.getloadavg()]
    doc["goals"] = goals(s, doc["phases"])
    return doc


def register_bench(bench_app: typer.Typer) -> None:
    """Add ``bench all`` to the ``bench`` sub-app."""

    @bench_app.command("all")
    def bench_all(
        scale: Annotated[str, typer.Option(help="tiny (2k firms, for tests), 100k or 1m.")] = "100k",
        load_clients: Annotated[int | None, typer.Option(min=1, help="Concurrent clients of the load phase "
                                                         "(default 50; tiny 4).")] = None,
        load_seconds: Annotated[float | None, typer.Option(min=0.5, help="Length of the load phase "
                                                           "(default 60 s; tiny 3 s).")] = None,
        phases: Annotated[str, typer.Option(help="Comma-separated phases to run.")] = ",".join(PHASES),
        timeout: Annotated[float, typer.Option(min=1, help="Seconds a phase may take before it is "
                                               "killed and reported as timed out.")] = 3600.0,
        output: Annotated[Path | None, typer.Option(help="Markdown file whose section for this scale is "
                                                    "written, e.g. docs/benchmarks.md.")] = None,
        as_json: JsonOut = False,
    ) -> None:
        """Import, gaps, search, recommend and the API under load, each in a fresh process; goals met or missed."""
        from api.cli.common import say_err
        from graph.errors import InvalidInput

        if scale not in SCALES:
            raise InvalidInput(f"--scale must be one of {', '.join(SCALES)}, got {scale!r}")
        chosen = tuple(p.strip() for p in phases.split(",") if p.strip())
        unknown = [p for p in chosen if p not in PHASES]
        if unknown:
            raise InvalidInput(f"--phases: unknown {unknown}; phases: {', '.join(PHASES)}")
        given = [("--load-clients", load_clients), ("--load-seconds", load_seconds), ("--output", output),
                 ("--phases", phases if chosen != PHASES else None)]
        command = " ".join(["chainmatch bench all --scale", scale, *(f"{k} {v}" for k, v in given if v)])
        doc = run_all(scale, chosen, clients=load_clients, seconds=load_seconds, timeout=timeout,
                      command=command, say=say_err)  # progress on stderr, --json or not
        if output is not None:
            old = output.read_text(encoding="utf-8") if output.exists() else ""
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(replace_section(old, scale, markdown(doc)), encoding="utf-8")
        if as_json:
            print_json(doc)
            return
        print_grid(f"bench all · scale {scale} · {doc['machine']['cpu']} · {doc['machine']['cores']} cores",
                            ["goal", "goal at", "measured", "verdict"],
                            [[g["goal"], g["goal_scale"],
                              f"{_fmt(g['value'])} {g['unit']}" if g["value"] is not None else g.get("why"),
                              g["verdict"]] for g in doc["goals"]])
        print_grid("phases", ["phase", "status", "wall s", "largest process MB", "figures"],
                            [[p, r.get("status"), r.get("wall_s"), r.get("tree_peak_rss_mb"), _key_figures(p, r)]
                             for p, r in doc["phases"].items()])
        if output is not None:
            console.print(f"written: {output}")
