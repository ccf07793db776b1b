"""Import benchmark: synthetic files of the sample world's shape through the real importer.

The files are streamed to disk first (not timed); the import runs in a fresh
child process so its peak RSS is the importer's own, not the generator's.
Each phase reports wall and CPU seconds (``time.process_time`` of the child:
on a shared machine wall time says as much about the neighbours as about
the importer) and prints its figures to stderr as soon as it ends.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["run_import_bench"]


def _child(data_dir: str, orgs: str, links: str, out) -> None:
    try:
        out.send(_measure(data_dir, orgs, links))
    except BaseException as e:  # the parent re-raises it; never leave it waiting
        out.send(e)
        raise


def _measure(data_dir: str, orgs: str, links: str) -> dict:
    from graph.io.importer import import_file
    from graph.store.sqlite import SqliteStore

    figures = {}
    with SqliteStore.open(Path(data_dir) / "store.sqlite") as store:
        for label, path, entity in (("organisations", orgs, "organisations"), ("links", links, "links"),
                                    ("organisations_again", orgs, "organisations")):
            t, cpu = time.perf_counter(), time.process_time()
            report = import_file(store, Path(path), entity)
            figures[label] = {"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - cpu,
                              "rows": report.rows_read, "changed": report.imported.changed}
            print(f"bench import: {label} {figures[label]}", file=sys.stderr, flush=True)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def run_import_bench(firms: int, links: int, seed: int = 7, workdir: Path | None = None) -> dict:
    """Generate, import, re-import; return rates (rows/s) and peak RSS (MB)."""
    from fixtures.synth import sample_shape, write_synthetic_world
    from graph.store.protocol import Batch
    from graph.store.sqlite import SqliteStore

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp_path = Path(tmp)
        t = time.perf_counter()
        orgs_csv, links_csv = write_synthetic_world(tmp_path / "files", firms, links, seed)
        generate_s = time.perf_counter() - t
        shape = sample_shape()
        with SqliteStore.open(tmp_path / "data" / "store.sqlite") as store:
            store.write(Batch(segments=list(shape.segments), segment_edges=list(shape.edges)))
        ctx = mp.get_context("spawn")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(str(tmp_path / "data"), str(orgs_csv), str(links_csv), send))
        proc.start()
        figures = recv.recv()
        proc.join()
        if isinstance(figures, BaseException):
            raise figures
        size_mb = (tmp_path / "data" / "store.sqlite").stat().st_size / 2**20
    o, k, again = figures["organisations"], figures["links"], figures["organisations_again"]
    return {
        "firms": firms,
        "links": links,
        "generate_seconds": round(generate_s, 2),
        "firms_seconds": round(o["seconds"], 2),
        "firms_cpu_seconds": round(o["cpu_seconds"], 2),
        "firms_per_s": round(o["rows"] / o["seconds"]),
        "firms_per_cpu_s": round(o["rows"] / o["cpu_seconds"]),
        "links_seconds": round(k["seconds"], 2),
        "links_cpu_seconds": round(k["cpu_seconds"], 2),
        "links_per_s": round(k["rows"] / k["seconds"]) if k["rows"] else 0,
        "links_per_cpu_s": round(k["rows"] / k["cpu_seconds"]) if k["rows"] else 0,
        "reimport_seconds": round(again["seconds"], 2),
        "reimport_cpu_seconds": round(again["cpu_seconds"], 2),
        "reimport_changed": again["changed"],
        "peak_rss_mb": round(figures["peak_rss_mb"]),
        "store_mb": round(size_mb),
    }
