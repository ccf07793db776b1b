"""Search benchmark: encode throughput, index build time, query latency and recall vs exact.

Vectors at scale are synthetic, in three sets (:data:`VECTOR_SETS`).
``isotropic`` draws i.i.d. normal vectors (the hardest case for any
approximate index: no structure at all). ``matched`` draws one Gaussian with
the mean and covariance of real embeddings (the sample world's texts through
the configured model), so the spectrum resembles real data, but without
its clusters. ``clustered`` draws a mixture around the k-means centres of the
sample world's organisation vectors, each cluster with its measured spread:
real embeddings come in topics, and an index that leans on that structure
(IVF) is judged on it. Queries are drawn from the same set, never from the
index (held out), and recall@10 is against exact search.

Examples
--------
>>> x = synthetic_vectors(5, 8, kind="isotropic", seed=1)
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
from dataclasses import dataclass

import numpy as np

from matching.embedder import Embedder, normalise_rows
from matching.vectors import FaissIndex, exact_search, one_faiss_thread, recall_at_k

__all__ = ["VECTOR_SETS", "Reference", "synthetic_vectors", "fit_reference", "bench_encode", "bench_index", "row_text", "run_search_bench"]


#: The synthetic vector sets: ``isotropic`` (i.i.d. normal, no structure at all: the hardest case),
#: ``matched`` (one Gaussian with the mean and covariance of real embeddings) and ``clustered`` (a
#: Gaussian mixture around the k-means centres of real embeddings, each with its measured spread).
VECTOR_SETS = ("isotropic", "matched", "clustered")


@dataclass(frozen=True)
class Reference:
    """A Gaussian mixture fitted to real embeddings: what ``matched`` and ``clustered`` vectors copy.

    Component ``c`` is ``centres[c] + scales[c] * factor @ z`` with ``z``
    standard normal, drawn with probability ``weights[c]``; ``factor @
    factor.T`` is the (pooled within-component) covariance with unit trace, so
    ``scales[c] ** 2`` is component ``c``'s mean squared distance to its centre.
    """

    centres: np.ndarray
    weights: np.ndarray
    scales: np.ndarray
    factor: np.ndarray

    @property
    def components(self) -> int:
        return len(self.centres)


def _cov_factor(residuals: np.ndarray) -> np.ndarray:
    """``L`` with ``L @ L.T`` the covariance of ``residuals`` scaled to unit trace."""
    cov = residuals.T @ residuals / max(1, len(residuals) - 1)
    w, u = np.linalg.eigh(cov)
    w = np.clip(w, 0, None)
    return (u * np.sqrt(w / max(w.sum(), 1e-12))).astype(np.float32)


def fit_reference(vectors: np.ndarray, clusters: int = 1, *, seed: int = 0) -> Reference:
    """The mixture of ``clusters`` Gaussians that synthetic vectors copy from real embeddings.

    One cluster: the embeddings' mean and covariance (``matched``). More:
    spherical k-means centres (the cluster means are the centres), the
    pooled within-cluster covariance shape and each cluster's own spread
    (RMS distance to its mean); a cluster of fewer than 5 real vectors takes
    the median spread, so no component collapses onto a point.

    >>> rng = np.random.default_rng(0)
    >>> real = np.concatenate([rng.normal(c, 0.1, (50, 8)) for c in (-1.0, 1.0)]).astype("float32")
    >>> ref = fit_reference(real, 2)
    >>> ref.components, sorted(np.round(ref.centres[:, 0]).tolist()), ref.weights.tolist()
    (2, [-1.0, 1.0], [0.5, 0.5])
    >>> bool(np.allclose(ref.scales, 0.1 * np.sqrt(8), rtol=0.2))
    True
    """
    v = np.asarray(vectors, dtype=np.float32)
    if clusters <= 1:
        mu = v.mean(axis=0)
        r = (v - mu).astype(np.float64)
        scale = np.sqrt((r**2).sum(axis=1).mean() * len(v) / max(1, len(v) - 1))
        return Reference(mu[None, :], np.ones(1), np.array([scale], np.float32), _cov_factor(r))
    import faiss

    km = faiss.Kmeans(v.shape[1], clusters, niter=25, seed=seed, spherical=True, verbose=False)
    km.train(np.ascontiguousarray(v))
    _, label = km.index.search(np.ascontiguousarray(v), 1)
    label = label[:, 0]
    keep = np.unique(label)
    centres = np.stack([v[label == c].mean(axis=0) for c in keep])
    sizes = np.array([(label == c).sum() for c in keep])
    resid = (v - centres[np.searchsorted(keep, label)]).astype(np.float64)
    sq = np.array([(resid[label == c] ** 2).sum(axis=1).mean() for c in keep])
    scales = np.sqrt(sq * sizes / np.maximum(1, sizes - 1))
    scales[sizes < 5] = np.median(scales[sizes >= 5]) if (sizes >= 5).any() else np.median(scales)
    return Reference(centres.astype(np.float32), sizes / sizes.sum(), scales.astype(np.float32), _cov_factor(resid))


def synthetic_vectors(
    n: int,
    dim: int,
    *,
    kind: str = "isotropic",
    reference: Reference | None = None,
    seed: int = 0,
    chunk: int = 100_000,
) -> np.ndarray:
    """``n`` unit vectors: i.i.d. normal (``isotropic``) or drawn from a :class:`Reference` mixture.

    ``matched`` and ``clustered`` differ only in the reference they are
    given (one component, or one per cluster).
    """
    if kind not in VECTOR_SETS:
        raise ValueError(f"unknown vector set {kind!r} (choose from {', '.join(VECTOR_SETS)})")
    if kind != "isotropic" and reference is None:
        raise ValueError(f"{kind} vectors need a reference mixture fitted to real embeddings")
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        z = rng.standard_normal((m, dim), dtype=np.float32)
        if kind != "isotropic":
            ref = reference
            comp = rng.choice(ref.components, m, p=ref.weights) if ref.components > 1 else np.zeros(m, int)
            z = (z @ ref.factor.T) * ref.scales[comp, None] + ref.centres[comp]
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


def _latencies(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Wall and CPU milliseconds per query, one query at a time on one thread (a server answering many users).

    The CPU time (this thread's) is what a query costs; on a shared machine
    the wall time adds whatever the other processes took from the core.
    """
    with one_faiss_thread():
        index.search(queries[:5], k)  # warm up
        wall, cpu = np.empty(len(queries)), np.empty(len(queries))
        for i in range(len(queries)):
            t, c = time.perf_counter(), time.thread_time()
            index.search(queries[i : i + 1], k)
            cpu[i], wall[i] = time.thread_time() - c, time.perf_counter() - t
    return wall * 1000.0, cpu * 1000.0


def _measure(idx, queries: np.ndarray, truth: np.ndarray, k: int) -> dict:
    _, found = idx.search(queries, k)
    lat, cpu = _latencies(idx, queries, k)
    return {
        "ef_search": idx.ef_search if idx.kind not in ("flat", "ivf") else None,
        "nprobe": idx.nprobe if idx.kind == "ivf" else None,
        "p50_ms": round(float(np.percentile(lat, 50)), 3),
        "p95_ms": round(float(np.percentile(lat, 95)), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 3),
        "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 3),
        "recall_at_10": round(recall_at_k(found, truth, k), 4),
    }


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


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

    The figures are for the effort the build tuned by itself, as the search
    engine serves it (``"served"``), with the recall the tuner predicted on
    its held-out rows (``"tuner_recall"``) and its ``"target_recall"``;
    ``sweep`` adds the same figures at other efforts (efSearch or nprobe)
    under ``"sweep"``.
    """
    if truth is None:
        _, truth = exact_search(xb, queries, k)
    rss0 = _rss_mb()
    idx = FaissIndex(xb.shape[1], exact_below=exact_below, approx=approx, **index_kwargs)
    idx.add(xb)
    t, c = time.perf_counter(), time.process_time()
    idx.build()
    build_s, build_cpu = time.perf_counter() - t, time.process_time() - c
    row = {"n": len(xb), "index": idx.kind, "build_seconds": round(build_s, 1),
           "build_cpu_seconds": round(build_cpu, 1), "index_mb": round(_rss_mb() - rss0),
           **_measure(idx, queries, truth, k)}
    if idx.kind != "flat":
        row.update(served=True, target_recall=idx.target_recall,
                   tuner_recall=None if idx.tuned_recall is None else round(idx.tuned_recall, 4))
    if idx.kind != "flat" and sweep:
        tuned = idx.ef_search if idx.kind != "ivf" else idx.nprobe
        row["sweep"] = []
        for value in sweep:
            idx.set_effort(value)
            row["sweep"].append(_measure(idx, queries, truth, k))
        idx.set_effort(tuned)
    return row


def row_text(row: dict) -> str:
    """One finished row on one line.

    >>> row_text({"vectors": "clustered", "n": 1000, "index": "hnsw", "build_seconds": 2.0, "p50_ms": 1.0,
    ...           "p95_ms": 2.5, "cpu_p95_ms": 1.5, "recall_at_10": 0.97,
    ...           "sweep": [{"ef_search": 64, "p95_ms": 1.2, "recall_at_10": 0.9}]})
    '1,000 clustered hnsw: build 2.0 s, p50 1.0 ms, p95 2.5 ms (CPU p95 1.5 ms), recall@10 0.97 (swept 64: p95 1.2 ms @ 0.9)'
    >>> row_text({"n": 10, "index": "hnsw-sq8", "build_seconds": 1.0, "p50_ms": 1.0, "p95_ms": 2.0, "recall_at_10": 0.96,
    ...           "served": True, "ef_search": 128, "tuner_recall": 0.962, "target_recall": 0.96})
    '10 hnsw-sq8: build 1.0 s, served efSearch 128 (tuner 0.962 for 0.96), p50 1.0 ms, p95 2.0 ms, recall@10 0.96'
    """
    swept = ", ".join(f"{m.get('ef_search') or m.get('nprobe')}: p95 {m['p95_ms']} ms @ {m['recall_at_10']}"
                      for m in row.get("sweep", ()))
    cpu = f" (CPU p95 {row['cpu_p95_ms']} ms)" if "cpu_p95_ms" in row else ""
    served = ""
    if row.get("served"):
        name, effort = ("nprobe", row.get("nprobe")) if row["index"] == "ivf" else ("efSearch", row.get("ef_search"))
        served = f" served {name} {effort} (tuner {row.get('tuner_recall')} for {row.get('target_recall')}),"
    peak = f", peak RSS {row['peak_rss_mb']:,} MB" if "peak_rss_mb" in row else ""
    return (f"{row['n']:,} {row.get('vectors', '')} {row['index']}: build {row['build_seconds']} s,{served} "
            f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms{cpu}, recall@10 {row['recall_at_10']}{peak}"
            + (f" (swept {swept})" if swept else "")).replace("  ", " ")


def _peak_rss_mb() -> float:
    """This process's peak resident set (``VmHWM``; ``ru_maxrss`` where there is no /proc), in MB."""
    from api.bench.load import proc_peak_rss_mb

    peak = proc_peak_rss_mb()
    return peak if peak is not None else round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _bench_set(kind: str, sizes: Sequence[int], dim: int, reference_vectors: dict, clusters: int, queries: int,
               approx: Sequence[str], flat: bool, k: int, seed: int, sweep: Sequence[int], say, steps,
               index_kwargs: dict) -> list[dict]:
    """Every row of one vector set (each size: exact, then each approximate index)."""
    rows = []
    reference = None
    if kind != "isotropic":
        reference = fit_reference(reference_vectors[kind], clusters if kind == "clustered" else 1, seed=seed)
    q = synthetic_vectors(queries, dim, kind=kind, reference=reference, seed=seed + 1)
    for n in sizes:
        say(f"{n:,} {kind} vectors: generating")
        xb = synthetic_vectors(n, dim, kind=kind, reference=reference, seed=seed + 2)
        t = time.perf_counter()
        _, truth = exact_search(xb, q, k)
        exact_ms = (time.perf_counter() - t) * 1000 / len(q)
        if flat:
            say(f"{n:,} {kind}: exact (IndexFlatIP)")
            row = {"vectors": kind, **bench_index(xb, q, exact_below=n + 1, k=k, truth=truth)}
            row["numpy_exact_batched_ms_per_query"] = round(exact_ms, 3)
            rows.append(row)
            steps.done(row_text(row))
        for a in approx:
            say(f"{n:,} {kind}: {a} build + tune")
            row = {"vectors": kind, **bench_index(xb, q, approx=a, exact_below=0, k=k, truth=truth,
                                                  sweep=sweep, **index_kwargs)}
            rows.append(row)
            steps.done(row_text(row))
        del xb
    return rows


class _Said:
    """A child process's progress: each line to stderr (a spawned process cannot call its parent's ``say``)."""

    def done(self, text: str) -> None:
        _stderr(text)


def _stderr(text: str) -> None:
    import sys

    print(text, file=sys.stderr, flush=True)


def _isolated_set(args: tuple) -> tuple[list[dict], float]:
    """:func:`_bench_set` in a fresh process: its rows and the process's own peak RSS (MB)."""
    rows = _bench_set(*args[:-1], say=_stderr, steps=_Said(), index_kwargs=args[-1])
    return rows, _peak_rss_mb()


def run_search_bench(
    sizes: Sequence[int],
    *,
    vectors: Sequence[str] = ("matched", "clustered"),
    embedder: Embedder | None = None,
    texts: Sequence[str] = (),
    reference_vectors: dict[str, np.ndarray] | None = None,
    clusters: int = 40,
    queries: int = 500,
    approx: Sequence[str] = ("hnsw-sq8",),
    flat: bool = True,
    k: int = 10,
    seed: int = 0,
    dim: int | None = None,
    sweep: Sequence[int] = (),
    say: Callable[[str], None] | None = None,
    isolate: bool = False,
    **index_kwargs,
) -> dict:
    """The whole benchmark: encode throughput on ``texts``, then per vector set and size each index.

    ``reference_vectors`` maps a set to the real embeddings it copies
    (``matched``: the sample world's texts, one Gaussian; ``clustered``: its
    organisation vectors, ``clusters`` k-means clusters). Each row is said
    (``say``) as it finishes, with an estimate of what is left. Returns
    ``{"encode": …, "rows": [one per set, size and index], "peak_rss_mb": …}``.
    With ``isolate`` each vector set runs in a fresh process (spawned, not
    forked: a forked child starts with its parent's peak RSS) and each row
    carries that process's peak RSS, ``peak_rss_mb``.

    >>> real = synthetic_vectors(400, 16, seed=5)
    >>> fig = run_search_bench([2000], vectors=["isotropic", "clustered"], reference_vectors={"clustered": real},
    ...                        clusters=8, queries=20, approx=["pca-hnsw"], flat=False, dim=16)
    >>> [(r["vectors"], r["index"], r["recall_at_10"] >= 0.9) for r in fig["rows"]]
    [('isotropic', 'pca-hnsw', True), ('clustered', 'pca-hnsw', True)]
    """
    say = say or (lambda _msg: None)
    reference_vectors = reference_vectors or {}
    out: dict = {"vectors": list(vectors), "queries": queries, "rows": []}
    if embedder is not None and texts:
        say(f"encoding {len(texts)} texts with {embedder.model_id}")
        out["encode"] = bench_encode(embedder, texts)
        dim = embedder.dim
    for kind in vectors:
        if kind not in VECTOR_SETS:
            raise ValueError(f"unknown vector set {kind!r} (choose from {', '.join(VECTOR_SETS)})")
        if kind != "isotropic" and kind not in reference_vectors:
            raise ValueError(f"{kind} vectors need reference vectors (real embeddings)")
        if kind != "isotropic":
            dim = reference_vectors[kind].shape[1]
    dim = dim or 384
    from matching.progress import Steps

    # weights: a row's cost grows with its vector count; an approximate build costs ~10 exact ones
    per_size = ([1] if flat else []) + [10] * len(approx)
    steps = Steps([n * w for _ in vectors for n in sizes for w in per_size], say)
    for kind in vectors:
        args = (kind, sizes, dim, {kind: reference_vectors[kind]} if kind in reference_vectors else {}, clusters,
                queries, approx, flat, k, seed, sweep)
        if not isolate:
            out["rows"].extend(_bench_set(*args, say=say, steps=steps, index_kwargs=index_kwargs))
            continue
        import multiprocessing

        say(f"{kind}: in a fresh process (its own peak RSS)")
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            rows, peak = pool.apply(_isolated_set, ((*args, index_kwargs),))
        for row in rows:
            row["peak_rss_mb"] = peak  # the set's process, all its sizes
            steps.done(row_text(row))
        out["rows"].extend(rows)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out
