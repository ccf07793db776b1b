"""``chainmatch search | classify [confirm|reject] | index build|status``: the matching core on the CLI.

``register(app)`` adds the commands to the main app. Commands are thin: resolve options, call the
engine room the API uses (:class:`matching.engines.Engines`: its index lock and caches too), print a
table (or JSON with ``--json``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import (
    DataDir,
    JsonOut,
    console,
    engine_room,
    print_json,
    progress_bar,
    table,
)
from graph.resolve import resolve_region, resolve_segment

__all__ = ["register", "search", "classify", "classify_confirm", "classify_reject", "index_build", "index_status"]

Mode = Annotated[str, typer.Option("--mode", help="hybrid (default), dense or lexical.")]


# ------------------------------------------------------------------ helpers


def open_search(engines, store, *, rebuild: bool = False, quiet: bool = False):
    """The engines' search engine for ``store``, with a progress bar while texts are encoded."""
    with progress_bar("encoding 编码", quiet) as progress:
        return engines.search(store, rebuild=rebuild, progress=progress)


def _fmt(x, digits: int = 3):
    return "" if x is None else f"{x:.{digits}f}"


# ------------------------------------------------------------------ commands


def search(
    query: Annotated[str, typer.Argument(help="What to look for, in Chinese or English (e.g. 动作捕捉设备).")],
    region: Annotated[str | None, typer.Option(help="Region id or name; includes sub-regions (深圳, cn/guangdong/shenzhen).")] = None,
    segment: Annotated[str | None, typer.Option(help="Segment id or name (confirmed or predicted members).")] = None,
    kind: Annotated[str | None, typer.Option(help="Organisation kind: firm, incubator, park, university, lab, …")] = None,
    tier: Annotated[str | None, typer.Option(help="Tier tag, e.g. 链主, 专精特新, 瞪羚.")] = None,
    min_employees: Annotated[int | None, typer.Option(help="At least this many employees.")] = None,
    max_employees: Annotated[int | None, typer.Option(help="At most this many employees.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Number of hits.")] = 10,
    mode: Mode = "hybrid",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Search organisations: dense + Chinese-aware lexical, fused; every hit shows its score parts."""
    from matching.search import Filters

    with engine_room(data_dir) as (engines, store):
        seg = resolve_segment(segment, store.segments(), field="--segment").id if segment else None
        filters = Filters(region=resolve_region(region, field="--region"), segment=seg, kind=kind,
                          tier=tier, min_employees=min_employees, max_employees=max_employees)
        engine = open_search(engines, store, quiet=as_json)
        result = engine.search(query, k=limit, mode=mode, filters=filters)
        regions = {c.id: c.region for c in engine.cards}
    if as_json:
        print_json(result.as_dict())
        return
    rows = [[h.rank, h.id, h.name, regions.get(h.id) or "", _fmt(h.score, 4),
             _fmt(h.dense_score), h.dense_rank or "", _fmt(h.lexical_score, 2), h.lexical_rank or ""]
            for h in result.hits]
    w = ", ".join(f"{k} {v:g}" for k, v in result.weights.items())
    console.print(table(f"search 搜索 “{query}” · {mode} ({w})",
                        ["#", "id", "name 名称", "region 地区", "fused", "dense", "d#", "lexical", "l#"], rows))
    if not rows:
        console.print("no hits 无结果")


def classify(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show predictions; write nothing.")] = False,
    top: Annotated[int, typer.Option(min=1, max=10, help="Predictions shown per organisation.")] = 3,
    keep: Annotated[int, typer.Option(min=1, max=5, help="Predictions written per organisation.")] = 1,
    min_confidence: Annotated[float, typer.Option(min=0.0, max=1.0, help="Write only predictions at least this confident.")] = 0.5,
    dense: Annotated[bool, typer.Option("--dense/--no-dense", help="Use embedding features too.")] = True,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """挂链: predict segments for firms without confirmed ones; store them as PREDICTED memberships.

    Review a prediction with ``classify confirm ORG SEGMENT`` or ``classify reject ORG SEGMENT``.
    """
    if ctx.invoked_subcommand is not None:
        return
    from matching.classify import apply_predictions

    with engine_room(data_dir) as (engines, store):
        with progress_bar("classify 挂链", as_json) as progress:
            preds = engines.classify(store, top=top, dense=dense, progress=progress)
        result = None
        if not dry_run:
            result = apply_predictions(store, preds, max_per_org=keep, min_confidence=min_confidence)
    flat = [p for ps in preds for p in ps]
    if as_json:
        print_json({"organisations": len(preds), "predictions": [p.as_dict() for p in flat],
                    "written": None if result is None else result.changed})
        return
    rows = [[p.org_id, p.rank, p.segment, f"{p.confidence:.2f}", p.evidence.value, ", ".join(p.fields)]
            for p in flat]
    console.print(table(f"classify 挂链 · {len(preds)} organisations without confirmed segments",
                        ["organisation", "#", "segment 环节", "confidence", "evidence 证据", "fields"], rows))
    if result is None:
        console.print("dry run: nothing written 试运行，未写入")
    else:
        console.print(f"wrote {result.changed} organisations (predicted memberships; confirmed ones untouched)")


def _review(decision: str, org: str, segment: str, data_dir, as_json: bool) -> None:
    from dataclasses import asdict

    from graph.resolve import resolve_org

    with engine_room(data_dir) as (engines, store):
        found = engines.review(store, resolve_org(store, org), resolve_segment(segment, store.segments()).id,
                               decision)
    if as_json:
        print_json(asdict(found))
        return
    words = {"confirmed": "confirmed 已确认: counts with weight 1 everywhere and is classifier evidence",
             "rejected": "rejected 已否决: counts nowhere and is never predicted again"}
    was = found.previous or "no membership 无"
    if not found.changed:
        console.print(f"{found.org} · {found.segment}: already {found.status}; nothing written 未改动")
    else:
        console.print(f"{found.org} · {found.segment}: {was} → {words[found.status]} (store version {found.version})")


OrgArg = Annotated[str, typer.Argument(help="Organisation id, USCC or exact name.")]
SegmentArg = Annotated[str, typer.Argument(help="Segment id or name (e.g. 游戏引擎).")]


def classify_confirm(org: OrgArg, segment: SegmentArg, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Confirm a 挂链 membership: it counts as confirmed (weight 1) in gaps, chain map and recommendations."""
    _review("confirm", org, segment, data_dir, as_json)


def classify_reject(org: OrgArg, segment: SegmentArg, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Reject a 挂链 prediction: it counts nowhere and classify never writes it again."""
    _review("reject", org, segment, data_dir, as_json)


def index_build(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild even if the index is current.")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Build (or refresh) the search index; texts already in the embedding cache are not re-encoded."""
    with engine_room(data_dir) as (engines, store):
        status = open_search(engines, store, rebuild=rebuild, quiet=as_json).status()
    if as_json:
        print_json(status)
        return
    verb = "built" if status.get("rebuilt") else "current, loaded"
    console.print(f"index {verb}: {status['size']} organisations · dense {status['dense_kind']} · "
                  f"encoded {status.get('n_encoded', 0) if status.get('rebuilt') else 0} texts · "
                  f"store version {status['store_version']}")


def index_status(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Whether the saved index matches the store version and the configured model."""
    from matching.search import SearchConfig, index_dir, read_manifest, staleness

    with engine_room(data_dir) as (engines, store), engines.embedding_cache() as cache:
        settings, embedder, directory = engines.settings, engines.embedder(), index_dir(engines.settings.data_dir)
        version = store.version()
        manifest = read_manifest(directory)
        why = staleness(manifest, version, embedder.model_id, SearchConfig.from_settings(settings))
        cached = cache.count(embedder.model_id)
    doc = {"directory": str(directory), "current": why is None, "reason": why, "store_version": version,
           "model": embedder.model_id, "cached_vectors": cached, "manifest": manifest}
    if as_json:
        print_json(doc)
        return
    rows = [["directory", directory], ["current 是否最新", "yes" if why is None else f"no — {why}"],
            ["store version", version], ["model", embedder.model_id], ["cached vectors", cached]]
    if manifest:
        rows += [["built at", manifest.get("built_at")], ["organisations", manifest.get("size")],
                 ["dense index", manifest.get("dense_kind")], ["build seconds", manifest.get("build_seconds")]]
    console.print(table("index status 索引状态", ["", ""], rows))


# ------------------------------------------------------------------ registration


def register(app: typer.Typer) -> None:
    """Add ``search``, ``classify`` and ``index build|status`` to the main app."""
    app.command("search")(search)
    classify_app = typer.Typer(help="挂链: predict segments; confirm or reject a prediction.",
                               invoke_without_command=True)
    classify_app.callback()(classify)
    classify_app.command("confirm")(classify_confirm)
    classify_app.command("reject")(classify_reject)
    app.add_typer(classify_app, name="classify")
    index_app = typer.Typer(help="The search index: build it, or show whether it is current.",
                            no_args_is_help=True)
    index_app.command("build")(index_build)
    index_app.command("status")(index_status)
    app.add_typer(index_app, name="index")
