"""``chainmatch bench backends``: the same gap analysis and target recommendation on both stores.

One synthetic city (:func:`fixtures.synth.synthetic_batch` with the sample
world's chains; generating it is not timed) is written to a temporary
embedded store (SQLite, one transaction) and to the Neo4j server named by
``--neo4j-uri`` / ``CHAINMATCH_NEO4J_URI`` with
:meth:`~graph.store.neo4j.Neo4jStore.write_chunked` — several transactions,
because one transaction of 100k firms and 500k links exceeds the transaction
memory of the 1 GiB test server; a benchmark can give up all-or-nothing.
Then, per backend, with no result cache anywhere:

- ``gaps_first_s`` — :meth:`Analyst.gaps <graph.analysis.service.Analyst.gaps>`
  for the whole city, the first time after the write. Embedded: SQL into
  numpy arrays + aggregates; Neo4j: the Cypher pushdown (query plans
  compiled on this first call);
- ``gaps_s`` — the same analysis by a new analyst (median of ``--repeat``):
  the steady state;
- ``index_s`` — :meth:`ChainIndex.for_ranking
  <matching.recommend.index.ChainIndex.for_ranking>` for the focus
  segments: embedded, the recommender's whole columnar view (built once per
  store version); Neo4j, the recommendation pushdown — the small index of
  that ranking, gathered in Cypher (the first call also ranks the supply
  graph, kept per version); ``index_cpu_s`` is this process's CPU time
  of the same call (the Neo4j server's work is not in it);
- ``recommend_ms`` — :func:`~matching.recommend.targets.recommend_targets`
  for the city's gap segments (when it has none, its five thinnest
  segments), top 10 with attraction forms (median of ``--repeat``).

``same_gaps`` and ``same_targets`` check that both backends give identical
answers; ``ratio_*`` is Neo4j ÷ embedded. Start a throwaway server with
``eval "$(scripts/neo4j-start.sh --fresh)"``; a Neo4j database that already
holds chainmatch records is refused unless ``--wipe`` (which deletes them).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import JsonOut, print_json, say_err
from api.cli.text import print_grid
from graph.errors import ConfigError

__all__ = ["run_backends_bench", "register_bench"]

CITY = "cn/guangdong/shenzhen"
THINNEST = 5  # focus segments when the city has no gaps


def _timed(call: Callable):
    t = time.perf_counter()
    out = call()
    return out, time.perf_counter() - t


def _strip(out) -> dict:
    """An analysis result's JSON without its ``meta`` (which names the backend)."""
    from graph.analysis.results import to_json

    return {k: v for k, v in to_json(out).items() if k != "meta"}


def _gap_figures(store, region: str, repeat: int) -> tuple[dict, dict, list[str]]:
    """Gap timings, the result, and the focus segments (gaps, else the thinnest)."""
    from graph.analysis.common import all_segments_chain
    from graph.analysis.service import Analyst

    an = Analyst.for_store(store)
    out, first = _timed(lambda: an.gaps(region))
    again = [_timed(lambda: Analyst.for_store(store).gaps(region))[1] for _ in range(repeat)]
    if out.gaps:
        focus = [g.segment for g in out.gaps]
    else:
        counts = an.aggregates(region, all_segments_chain(an.source.segment_ids())).local_counts
        focus = sorted(counts, key=lambda s: (counts[s], s))[:THINNEST]
    return {"gaps_first_s": round(first, 2), "gaps_s": round(statistics.median(again), 2)}, out, focus


def _recommend_figures(store, region: str, gaps, focus: list[str], repeat: int) -> tuple[dict, list]:
    from matching.recommend.index import ChainIndex
    from matching.recommend.targets import focus_from_gaps, recommend_targets

    wanted = focus_from_gaps(gaps.gaps) if gaps.gaps else focus
    segments = [f.segment for f in wanted] if gaps.gaps else focus
    cpu = time.process_time()
    ix, index_s = _timed(lambda: ChainIndex.for_ranking(store, region, segments))
    cpu = time.process_time() - cpu
    runs = [_timed(lambda: recommend_targets(ix, region, wanted, k=10)) for _ in range(repeat)]
    top = runs[0][0]
    key = [(t.org, t.segment, round(t.total, 9), t.form.form if t.form else None) for t in top]
    return {"index_s": round(index_s, 2), "index_cpu_s": round(cpu, 2),
            "recommend_ms": round(statistics.median(d for _, d in runs) * 1000, 1),
            "targets": len(top)}, key


def _write_both(embedded, neo, firms: int, links: int, seed: int, chunk: int, wipe: bool, say) -> dict:
    """Generate the world (not timed) and write it to both stores; the batch is freed on return."""
    from fixtures.synth import synthetic_batch
    from fixtures.world import load_world

    say(f"generating {firms:,} firms and {links:,} links (not timed)")
    batch, gen_s = _timed(lambda: synthetic_batch(firms, links, seed))
    batch.chains = load_world()[0].chains  # the synthetic world uses the sample world's segments
    say("writing the embedded store (one transaction)")
    _, emb_s = _timed(lambda: embedded.write(batch))
    if wipe:
        say("wiping the Neo4j database")
        neo.wipe()
    say(f"writing Neo4j ({chunk:,} records per transaction)")
    _, neo_s = _timed(lambda: neo.write_chunked(batch, chunk=chunk))
    return {"generate_s": round(gen_s, 1), "embedded_write_s": round(emb_s, 1), "neo4j_write_s": round(neo_s, 1)}


def run_backends_bench(
    firms: int = 100_000,
    links: int = 500_000,
    *,
    neo4j_uri: str | None = None,
    seed: int = 7,
    region: str = CITY,
    chunk: int = 20_000,
    repeat: int = 3,
    wipe: bool = False,
    workdir: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> dict:
    """Run the benchmark (see the module docstring) and return its figures."""
    from graph.settings import Settings
    from graph.store.neo4j import Neo4jStore
    from graph.store.sqlite import SqliteStore

    uri = neo4j_uri or os.environ.get("CHAINMATCH_NEO4J_URI")
    if not uri:
        raise ConfigError("bench backends needs a Neo4j server: pass --neo4j-uri or set CHAINMATCH_NEO4J_URI"
                          " (eval \"$(scripts/neo4j-start.sh --fresh)\" starts a throwaway one)",
                          "bench backends 需要 Neo4j 服务器：请传入 --neo4j-uri 或设置 CHAINMATCH_NEO4J_URI")
    settings = Settings(_env_file=None, backend="neo4j", neo4j_uri=uri)
    fig: dict = {"firms": firms, "links": links, "region": region, "neo4j": uri, "chunk": chunk, "repeat": repeat}
    with Neo4jStore.connect(settings) as neo, tempfile.TemporaryDirectory(dir=workdir) as tmp:
        held = neo.counts()
        if sum(held.values()) and not wipe:
            raise ConfigError(f"the Neo4j database at {uri} already holds chainmatch records ({held}); "
                              "pass --wipe to delete them first",
                              f"{uri} 的 Neo4j 数据库中已有 chainmatch 数据；如需先删除请加 --wipe")
        embedded = SqliteStore.open(Path(tmp) / "store.sqlite")
        try:
            fig.update(_write_both(embedded, neo, firms, links, seed, chunk, wipe, say))
            say("gap analysis: embedded")
            emb_gaps, emb_out, focus = _gap_figures(embedded, region, repeat)
            say("gap analysis: Neo4j (Cypher pushdown)")
            neo_gaps, neo_out, _ = _gap_figures(neo, region, repeat)
            fig["gaps"] = emb_out.gaps_total
            fig["focus"] = "gaps" if emb_out.gaps else f"{len(focus)} thinnest segments"
            fig["same_gaps"] = _strip(emb_out) == _strip(neo_out)
            say("target recommendation: embedded")
            emb_rec, emb_top = _recommend_figures(embedded, region, emb_out, focus, repeat)
        finally:
            embedded.close()
        say("target recommendation: Neo4j")
        neo_rec, neo_top = _recommend_figures(neo, region, emb_out, focus, repeat)
        fig["same_targets"] = emb_top == neo_top
    for name, figures in (("embedded", {**emb_gaps, **emb_rec}), ("neo4j", {**neo_gaps, **neo_rec})):
        fig.update({f"{name}_{k}": v for k, v in figures.items()})
    for k in ("gaps_first_s", "gaps_s", "index_s", "index_cpu_s", "recommend_ms"):
        base = fig[f"embedded_{k}"]
        fig[f"ratio_{k}"] = round(fig[f"neo4j_{k}"] / base, 1) if base else None
    fig["load_avg_1min"] = round(os.getloadavg()[0], 2)
    return fig


def register_bench(bench_app: typer.Typer) -> None:
    """Add ``bench backends`` to the ``bench`` sub-app."""

    @bench_app.command("backends")
    def bench_backends(
        firms: Annotated[int, typer.Option(min=1, help="Synthetic firms.")] = 100_000,
        links: Annotated[int, typer.Option(min=0, help="Synthetic links.")] = 500_000,
        neo4j_uri: Annotated[str | None, typer.Option(
            "--neo4j-uri", help="Bolt URI of the Neo4j server (default: CHAINMATCH_NEO4J_URI).")] = None,
        wipe: Annotated[bool, typer.Option(
            "--wipe", help="Delete every chainmatch record in that Neo4j database first.")] = False,
        seed: Annotated[int, typer.Option(help="Generator seed.")] = 7,
        region: Annotated[str, typer.Option(help="The city analysed.")] = CITY,
        chunk: Annotated[int, typer.Option(min=1, help="Records per Neo4j write transaction.")] = 20_000,
        repeat: Annotated[int, typer.Option(min=1, help="Timed repetitions (median) after the first.")] = 3,
        as_json: JsonOut = False,
    ) -> None:
        """Gap analysis and target recommendation on the embedded store and on Neo4j: both timings, the ratio."""
        from api.bench.cli import machine

        fig = run_backends_bench(firms, links, neo4j_uri=neo4j_uri, seed=seed, region=region, chunk=chunk,
                                 repeat=repeat, wipe=wipe, say=lambda m: say_err(f"{m}…"))
        fig["machine"] = machine()
        if as_json:
            print_json(fig)
            return
        rows = [[k, fig[f"embedded_{k}"], fig[f"neo4j_{k}"], fig[f"ratio_{k}"]]
                for k in ("gaps_first_s", "gaps_s", "index_s", "index_cpu_s", "recommend_ms")]
        print_grid(f"bench backends · {fig['firms']:,} firms · {fig['links']:,} links · {fig['machine']}",
                            ["figure", "embedded", "neo4j", "neo4j ÷ embedded"], rows)
        print_grid("", ["figure", "value"],
                            [[k, fig[k]] for k in ("embedded_write_s", "neo4j_write_s", "gaps", "focus",
                                                   "same_gaps", "same_targets", "load_avg_1min")])
