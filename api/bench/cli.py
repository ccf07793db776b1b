"""``chainmatch bench …``: committed benchmarks that print figures.

The ``bench`` group is assembled here, once: ``bench import`` and ``bench
search`` are declared below, every other benchmark registers itself from
the module that measures it (:func:`_assemble`).
"""

from __future__ import annotations

import platform
from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, print_json, say_err
from api.cli.text import print_grid
from graph.errors import InvalidInput

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
    print_grid(f"bench import · {fig['machine']}", ["figure", "value"],
                        [[k, v] for k, v in fig.items() if k != "machine"])


@bench_app.command("search")
def bench_search(
    sizes: Annotated[str, typer.Option(help="Comma-separated vector counts.")] = "100000,1000000",
    vectors: Annotated[str, typer.Option(
        help="Synthetic vector sets, comma-separated: matched (one Gaussian with the real embeddings' "
             "covariance), clustered (a mixture around the real embeddings' k-means centres), isotropic "
             "(i.i.d. normal).")] = "matched,clustered",
    clusters: Annotated[int, typer.Option(min=2, help="k-means clusters of the clustered set.")] = 40,
    queries: Annotated[int, typer.Option(min=10, help="Held-out queries, timed one at a time.")] = 500,
    approx: Annotated[str, typer.Option(help="Approximate indexes to time: hnsw-sq8 (what search serves), pca-hnsw, hnsw, ivf, comma-separated.")] = "hnsw-sq8",
    texts: Annotated[int, typer.Option(min=0, help="Sample-world texts encoded for throughput (0: skip).")] = 512,
    flat: Annotated[bool, typer.Option("--flat/--no-flat", help="Also time exact IndexFlatIP.")] = True,
    sweep: Annotated[str, typer.Option(help="Other efSearch/nprobe values to time after the tuned one, e.g. 64,128,256.")] = "",
    hnsw_m: Annotated[int, typer.Option(min=4, help="HNSW graph degree M.")] = 32,
    ef_construction: Annotated[int, typer.Option(min=8, help="HNSW construction beam.")] = 40,
    k_factor: Annotated[int, typer.Option(min=1, help="pca-hnsw, hnsw-sq8: candidates re-ranked exactly per result.")] = 4,
    threads: Annotated[int, typer.Option(min=0, help="FAISS threads for the build (0: FAISS's default).")] = 0,
    target_recall: Annotated[float | None, typer.Option(
        min=0.5, max=1.0, help="The tuner's target (default: the search_target_recall setting, as served).")] = None,
    isolate: Annotated[bool, typer.Option(
        "--isolate/--no-isolate", help="Each vector set in a fresh process, with that process's peak RSS.")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Encode throughput, build time, p50/p95 latency and CPU per query (one at a time, one thread), recall@10 vs exact.

    An approximate index's first row is the effort its tuner picked by itself
    (served), with the recall the tuner predicted; ``--sweep`` rows follow.
    """
    from api.bench.search import VECTOR_SETS, run_search_bench
    from api.cli.common import settings_for

    try:
        n_list = [int(x.replace("_", "")) for x in sizes.split(",") if x.strip()]
        efforts = [int(x) for x in sweep.split(",") if x.strip()]
    except ValueError as e:
        raise InvalidInput(f"--sizes and --sweep must be comma-separated integers, got {sizes!r}, {sweep!r}") from e
    sets = [v.strip() for v in vectors.split(",") if v.strip()]
    if not sets or any(v not in VECTOR_SETS for v in sets):
        raise InvalidInput(f"--vectors must name sets among {', '.join(VECTOR_SETS)}, got {vectors!r}")
    say = say_err  # progress on stderr, --json or not: stdout stays the figures
    embedder, sample, reference = None, [], {}
    if target_recall is None:
        target_recall = settings_for(data_dir).search_target_recall
    if texts or set(sets) - {"isotropic"}:
        from fixtures.world import load_world
        from matching.documents import dense_fields
        from matching.embcache import encode_cached, org_vectors
        from matching.engines import Engines

        engines = Engines(settings_for(data_dir))
        embedder = engines.embedder()
        batch, _ = load_world()
        sample = sorted({t for o in batch.organisations for t in dense_fields(o)})
        if set(sets) - {"isotropic"}:
            say(f"reference embeddings: {len(sample)} sample-world texts (embedding cache)")
            with engines.embedding_cache() as cache:
                reference["matched"], _ = encode_cached(embedder, sample, cache)
                reference["clustered"], _ = org_vectors(embedder, list(batch.organisations), cache)
        sample = sample[:texts]
    fig = run_search_bench(n_list, vectors=sets, embedder=embedder, texts=sample, reference_vectors=reference,
                           clusters=clusters, queries=queries,
                           approx=[a.strip() for a in approx.split(",") if a.strip()], flat=flat, say=say,
                           sweep=efforts, hnsw_m=hnsw_m, ef_construction=ef_construction, k_factor=k_factor,
                           threads=threads or None, target_recall=target_recall, isolate=isolate)
    fig["machine"] = machine()
    if as_json:
        print_json(fig)
        return
    enc = fig.get("encode")
    if enc:
        console.print(f"encode 编码: {enc['texts']} texts in {enc['seconds']} s = "
                      f"{enc['texts_per_second']} texts/s ({enc['model']})")
    rows = []
    for r in fig["rows"]:
        index = f"{r['index']} (served)" if r.get("served") else r["index"]
        rows.append([r["vectors"], r["n"], index, r["build_seconds"], r["build_cpu_seconds"], r["index_mb"],
                     r.get("peak_rss_mb", ""), r["ef_search"] or r["nprobe"] or "", r.get("tuner_recall", ""),
                     r["p50_ms"], r["p95_ms"], r["cpu_p95_ms"], r["recall_at_10"]])
        for s in r.get("sweep", []):
            rows.append(["", "", "  (sweep)", "", "", "", "", s["ef_search"] or s["nprobe"], "", s["p50_ms"],
                         s["p95_ms"], s["cpu_p95_ms"], s["recall_at_10"]])
    print_grid(f"bench search · {fig['machine']} · tuner target {target_recall}",
               ["vectors", "n", "index", "build s", "build CPU s", "index MB", "peak RSS MB", "ef/nprobe",
                "tuner recall", "p50 ms", "p95 ms", "CPU p95 ms", "recall@10"], rows)
    console.print(f"peak RSS {fig['peak_rss_mb']} MB" + (" (this process; each set's is its row's)" if isolate else ""))


def _assemble() -> None:
    """Every other ``bench`` command, each kept beside what it measures; the group is assembled here, once."""
    from api.bench import backends, gaps, hybrid, loadcli, suite
    from api.bench.recommend import bench_recommend

    gaps.register_bench(bench_app)
    backends.register_bench(bench_app)
    loadcli.register_bench(bench_app)
    hybrid.register_bench(bench_app)
    suite.register_bench(bench_app)
    bench_app.command("recommend")(bench_recommend)


_assemble()
