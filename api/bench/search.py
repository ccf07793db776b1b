"""Search benchmark: encode throughput, index build time, query latency and recall vs exact.

Vectors at scale are synthetic. ``gaussian`` draws i.i.d. normal vectors
(the hardest case for any approximate index: no structure at all);
``matched`` draws normal vectors with the mean and covariance of real
embeddings (the sample world's texts through the configured model), so the
spectrum resembles real data without pretending to be it.

Examples
--------
>>> x = synthetic_vectors(5, 8, kind="gaussian", seed=1)
>>> x.shape, bool(np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5))
((5, 8), True)
>>> fig = bench_index(synthetic_vectors(3000, 16, seed=2), synthetic_vectors(20, 16, seed=3),
...                   approx="hnsw", exact_below=0)
>>> fig["index"], fig["n"], fig["recall_at_10"] >= 0.9
('hnsw', 3000, True)
>>> fig = bench_index(synthetic_vectors(3000, 16, seed=2), synthetic_vectors(20, 16, seed=3),
...                   approx="ivf", exact_below=0, sweep=(1, 64))
>>> [r["nprobe"] for r in fig["sweep"]], fig["sweep"][1]["recall_at_10"]
([1, 64], 1.0)
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Sequence

import numpy as np

from matching.embedder import Embedder, normalise_rows
from matching.vectors import FaissIndex, exact_search, one_faiss_thread, recall_at_k

__all__ = ["synthetic_vectors", "fit_reference", "bench_encode", "bench_index", "row_text", "run_search_bench"]


def fit_reference(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and a covariance factor ``L`` (``cov = L @ L.T``) of real embeddings."""
    v = np.asarray(vectors, dtype=np.float64)
    mu = v.mean(axis=0)
    cov = np.cov(v - mu, rowvar=False)
    w, u = np.linalg.eigh(cov)
    return mu.astype(np.float32), (u * np.sqrt(np.clip(w, 0, None))).astype(np.float32)


def synthetic_vectors(
    n: int,
    dim: int,
    *,
    kind: str = "gaussian",
    reference: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    chunk: int = 100_000,
) -> np.ndarray:
    """``n`` unit vectors: i.i.d. normal, or normal with a reference mean/covariance (``matched``)."""
    if kind not in ("gaussian", "matched"):
        raise ValueError(f"unknown synthetic kind {kind!r}")
    if kind == "matched" and reference is None:
        raise ValueError("matched vectors need a reference (mean, covariance factor)")
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        z = rng.standard_normal((m, dim), dtype=np.float32)
        if kind == "matched":
            mu, factor = reference
            z = z @ factor.T + mu
        out[start : start + m] = normalise_rows(z)
    return out


def bench_encode(embedder: Embedder, texts: Sequence[str]) -> dict:
    """Texts per second through ``embedder`` (no cache)."""
    embedder.encode(list(texts[:8]))  # load the model and warm up outside the timing
    t = time.perf_counter()
    embedder.encode(list(texts))
    s = time.perf_counter() - t
    return {"model": embedder.model_id, "texts": len(texts), "seconds": round(s, 2),
            "texts_per_second": round(len(texts) / s, 1)}


def _latencies(index, queries: np.ndarray, k: int) -> np.ndarray:
    """Milliseconds per query, one query at a time on one thread (as a server answering many users)."""
    with one_faiss_thread():
        index.search(queries[:5], k)  # warm up
        out = np.empty(len(queries))
        for i in range(len(queries)):
            t = time.perf_counter()
            index.search(queries[i : i + 1], k)
            out[i] = time.perf_counter() - t
    return out * 1000.0


def _measure(idx, queries: np.ndarray, truth: np.ndarray, k: int) -> dict:
    _, found = idx.search(queries, k)
    lat = _latencies(idx, queries, k)
    return {
        "ef_search": idx.ef_search if idx.kind == "hnsw" else None,
        "nprobe": idx.nprobe if idx.kind == "ivf" else None,
        "p50_ms": round(float(np.percentile(lat, 50)), 3),
        "p95_ms": round(float(np.percentile(lat, 95)), 3),
        "recall_at_10": round(recall_at_k(found, truth, k), 4),
    }


def bench_index(
    xb: np.ndarray,
    queries: np.ndarray,
    *,
    approx: str = "hnsw",
    exact_below: int = 50_000,
    k: int = 10,
    truth: np.ndarray | None = None,
    sweep: Sequence[int] = (),
    **index_kwargs,
) -> dict:
    """Build a :class:`FaissIndex` over ``xb``; single-query latency p50/p95 and recall@k vs exact.

    The figures are for the effort the build tuned; ``sweep`` adds the same
    figures at other efforts (efSearch or nprobe) under ``"sweep"``.
    """
    if truth is None:
        _, truth = exact_search(xb, queries, k)
    idx = FaissIndex(xb.shape[1], exact_below=exact_below, approx=approx, **index_kwargs)
    idx.add(xb)
    t = time.perf_counter()
    idx.build()
    build_s = time.perf_counter() - t
    row = {"n": len(xb), "index": idx.kind, "build_seconds": round(build_s, 1), **_measure(idx, queries, truth, k)}
    if idx.kind in ("hnsw", "ivf") and sweep:
        tuned = idx.ef_search if idx.kind == "hnsw" else idx.nprobe
        row["sweep"] = []
        for value in sweep:
            idx.set_effort(value)
            row["sweep"].append(_measure(idx, queries, truth, k))
        idx.set_effort(tuned)
    return row


def row_text(row: dict) -> str:
    """One finished row on one line.

    >>> row_text({"n": 1000, "index": "hnsw", "build_seconds": 2.0, "p50_ms": 1.0, "p95_ms": 2.5,
    ...           "recall_at_10": 0.97, "sweep": [{"ef_search": 64, "p95_ms": 1.2, "recall_at_10": 0.9}]})
    '1,000 hnsw: build 2.0 s, p50 1.0 ms, p95 2.5 ms, recall@10 0.97 (swept 64: p95 1.2 ms @ 0.9)'
    """
    swept = ", ".join(f"{m.get('ef_search') or m.get('nprobe')}: p95 {m['p95_ms']} ms @ {m['recall_at_10']}"
                      for m in row.get("sweep", ()))
    return (f"{row['n']:,} {row['index']}: build {row['build_seconds']} s, p50 {row['p50_ms']} ms, "
            f"p95 {row['p95_ms']} ms, recall@10 {row['recall_at_10']}" + (f" (swept {swept})" if swept else ""))


def run_search_bench(
    sizes: Sequence[int],
    *,
    kind: str = "matched",
    embedder: Embedder | None = None,
    texts: Sequence[str] = (),
    reference_vectors: np.ndarray | None = None,
    queries: int = 200,
    approx: Sequence[str] = ("hnsw",),
    flat: bool = True,
    k: int = 10,
    seed: int = 0,
    dim: int | None = None,
    sweep: Sequence[int] = (),
    say: Callable[[str], None] | None = None,
    **index_kwargs,
) -> dict:
    """The whole benchmark: encode throughput on ``texts``, then per size the exact and approximate indexes.

    ``matched`` vectors take their mean and covariance from
    ``reference_vectors`` (real embeddings). Returns ``{"encode": …, "rows":
    [one per size and index], "peak_rss_mb": …}``.
    """
    say = say or (lambda _msg: None)
    out: dict = {"kind": kind, "queries": queries, "rows": []}
    if embedder is not None and texts:
        say(f"encoding {len(texts)} texts with {embedder.model_id}")
        out["encode"] = bench_encode(embedder, texts)
        dim = embedder.dim
    reference = None
    if kind == "matched":
        if reference_vectors is None:
            raise ValueError("matched vectors need reference vectors (real embeddings)")
        reference = fit_reference(reference_vectors)
        dim = reference_vectors.shape[1]
    if dim is None:
        dim = 384
    q = synthetic_vectors(queries, dim, kind=kind, reference=reference, seed=seed + 1)
    from matching.progress import Steps

    # weights: a row's cost grows with its vector count; an approximate build costs ~10 exact ones
    steps = Steps([n * w for n in sizes for w in ([1] if flat else []) + [10] * len(approx)], say)
    for n in sizes:
        say(f"{n:,} {kind} vectors: generating")
        xb = synthetic_vectors(n, dim, kind=kind, reference=reference, seed=seed + 2)
        t = time.perf_counter()
        _, truth = exact_search(xb, q, k)
        exact_ms = (time.perf_counter() - t) * 1000 / len(q)
        if flat:
            say(f"{n:,}: exact (IndexFlatIP)")
            row = bench_index(xb, q, exact_below=n + 1, k=k, truth=truth)
            row["numpy_exact_batched_ms_per_query"] = round(exact_ms, 3)
            out["rows"].append(row)
            steps.done(row_text(row))
        for a in approx:
            say(f"{n:,}: {a} build + tune")
            out["rows"].append(bench_index(xb, q, approx=a, exact_below=0, k=k, truth=truth, sweep=sweep,
                                           **index_kwargs))
            steps.done(row_text(out["rows"][-1]))
        del xb
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out
