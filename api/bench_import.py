"""Import benchmark: synthetic files of the sample world's shape through the real importer.

The files are generated first (not timed); the import runs in a fresh
child process so its peak RSS is the importer's own, not the generator's.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
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
            t = time.perf_counter()
            report = import_file(store, Path(path), entity)
            figures[label] = {"seconds": time.perf_counter() - t, "rows": report.rows_read,
                              "changed": report.imported.changed}
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def run_import_bench(firms: int, links: int, seed: int = 7, workdir: Path | None = None) -> dict:
    """Generate, import, re-import; return rates (rows/s) and peak RSS (MB)."""
    from fixtures.synth import synthetic_batch, write_synthetic_csv
    from graph.store.protocol import Batch
    from graph.store.sqlite import SqliteStore

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp_path = Path(tmp)
        t = time.perf_counter()
        batch = synthetic_batch(firms, links, seed)
        orgs_csv, links_csv = write_synthetic_csv(tmp_path / "files", batch)
        generate_s = time.perf_counter() - t
        with SqliteStore.open(tmp_path / "data" / "store.sqlite") as store:
            store.write(Batch(segments=batch.segments, segment_edges=batch.segment_edges))
        del batch
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
        "firms_per_s": round(o["rows"] / o["seconds"]),
        "links_seconds": round(k["seconds"], 2),
        "links_per_s": round(k["rows"] / k["seconds"]),
        "reimport_seconds": round(again["seconds"], 2),
        "reimport_changed": again["changed"],
        "peak_rss_mb": round(figures["peak_rss_mb"]),
        "store_mb": round(size_mb),
    }
