"""``chainmatch search | classify [confirm|reject] | index build|status``: the matching core on the CLI.

``register(app)`` adds the commands to the main app. Commands are thin: resolve options, call the
engine room the API uses (:class:`matching.engines.Engines`: its index lock and caches too), print a
table in the run's language with names, not ids (or JSON with ``--json``, unchanged).
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import (
    DataDir,
    JsonOut,
    console,
    engine_room,
    open_store_for,
    print_json,
    progress_bar,
)
from api.cli.text import Col, lang, names_for, print_pairs, print_table, t
from graph.display import pick, region_name, word
from graph.resolve import resolve_region, resolve_segment

__all__ = ["register", "search", "classify", "classify_confirm", "classify_reject", "index_build", "index_status"]

Mode = Annotated[str, typer.Option("--mode", help="hybrid (default), dense or lexical.")]


# ------------------------------------------------------------------ helpers


def open_search(engines, store, *, rebuild: bool = False, quiet: bool = False):
    """The engines' search engine for ``store``, with a progress bar while texts are encoded."""
    with progress_bar(t("编码", "encoding"), quiet) as progress:
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
        cards = {c.id: c for c in engine.cards}
    if as_json:
        print_json(result.as_dict())
        return
    lg = lang()
    notes = [h.status_note_en if lg == "en" else h.status_note_zh for h in result.hits]
    noted = any(notes)  # a 登记状态 column only when a hit is closed or moved away: why it counts nowhere
    rows = []
    for h, note in zip(result.hits, notes, strict=True):
        card = cards.get(h.id)
        name = pick(card.name_zh, card.name_en, lg) if card else h.name
        rows.append([h.rank, name, region_name(card.region if card else h.region, lg) or "-",
                     word(card.kind, lg) if card else "", *([note] if noted else []), _fmt(h.score, 4),
                     _fmt(h.dense_score), h.dense_rank or "", _fmt(h.lexical_score, 2), h.lexical_rank or ""])
    modes = {"hybrid": t("混合", "hybrid", lg), "dense": t("语义", "dense", lg), "lexical": t("词法", "lexical", lg)}
    weights = {"dense": t("语义", "dense", lg), "lexical": t("词法", "lexical", lg)}
    w = ("，" if lg == "zh" else ", ").join(f"{weights.get(k, k)} {v:g}" for k, v in result.weights.items())
    print_table(t(f"搜索“{query}” · {modes.get(mode, mode)}（{w}）", f"Search \u201c{query}\u201d · {modes.get(mode, mode)} ({w})", lg),
                [Col("#", "#", keep=9), Col("名称", "name", keep=9, min=14), Col("地区", "region", keep=8, min=8),
                 Col("类型", "kind", keep=3), *([Col("登记状态", "status", keep=8)] if noted else []),
                 Col("综合", "fused", keep=9, justify="right"),
                 Col("语义", "dense", keep=5, justify="right"), Col("语义名次", "d#", keep=2, min=4, justify="right"),
                 Col("词法", "lexical", keep=5, justify="right"),
                 Col("词法名次", "l#", keep=2, min=4, justify="right")], rows)
    if not rows:
        console.print(t("无结果", "no hits", lg))
    if noted:
        console.print(t("已注销、吊销或迁出的企业可以查到，但不作为招商目标、本地产能、引荐人或合作伙伴。",
                        "Closed (deregistered, revoked) or moved-away firms are found, but never counted as "
                        "targets, local capacity, introducers or partners.", lg))

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
        with progress_bar(t("挂链", "classify"), as_json) as progress:
            preds = engines.classify(store, top=top, dense=dense, progress=progress)
        result = None
        if not dry_run:
            result = apply_predictions(store, preds, max_per_org=keep, min_confidence=min_confidence)
    flat = [p for ps in preds for p in ps]
    if as_json:
        print_json({"organisations": len(preds), "predictions": [p.as_dict() for p in flat],
                    "written": None if result is None else result.changed})
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        names.preload(p.org_id for p in flat)
        rows = [[names.org(p.org_id), p.rank, names.segment(p.segment), f"{p.confidence:.2f}",
                 word(p.evidence.value, lg), ("、" if lg == "zh" else ", ").join(_field(f, lg) for f in p.fields)]
                for p in flat]
    print_table(t(f"挂链 · {len(preds)} 家机构没有已确认的环节", f"Classify · {len(preds)} organisations "
                  "without confirmed segments", lg),
                [Col("机构", "organisation", keep=9, min=14), Col("#", "#", keep=6), Col("环节", "segment", keep=9, min=10),
                 Col("置信度", "confidence", keep=8, justify="right"), Col("证据", "evidence", keep=5),
                 Col("依据字段", "fields", keep=3, min=10)], rows)
    if result is None:
        console.print(t("试运行：未写入", "dry run: nothing written", lg))
    else:
        console.print(t(f"已为 {result.changed} 家机构写入预测环节（已确认的环节不变）",
                        f"wrote predicted segments for {result.changed} organisations (confirmed ones untouched)", lg))


#: field groups a 挂链 prediction cites (matching.classify.FIELDS): key → (zh, en)
_FIELDS = {"products": ("产品", "products"), "scope": ("经营范围", "business scope"), "industry": ("行业", "industry"),
           "description": ("简介", "description"), "keywords": ("关键词", "keywords"), "name": ("名称", "name")}


def _field(key: str, language: str) -> str:
    pair = _FIELDS.get(key)
    return pair[language == "en"] if pair else key.replace("_", " ")


def _review(decision: str, org: str, segment: str, data_dir, as_json: bool) -> None:
    from dataclasses import asdict

    from graph.resolve import resolve_org

    with engine_room(data_dir) as (engines, store):
        found = engines.review(store, resolve_org(store, org), resolve_segment(segment, store.segments()).id,
                               decision)
    if as_json:
        print_json(asdict(found))
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        what = f"{names.org(found.org)} · {names.segment(found.segment)}"
    was = word(found.previous, lg) if found.previous else t("无", "none", lg)
    effect = {"confirmed": t("各项分析中按权重 1 计入，并作为挂链分类的证据",
                             "counts with weight 1 everywhere and is classifier evidence", lg),
              "rejected": t("不再计入任何分析，也不会再被预测", "counts nowhere and is never predicted again", lg)}
    if not found.changed:
        console.print(t(f"{what}：已是{word(found.status, lg)}，未改动",
                        f"{what}: already {word(found.status, lg)}; nothing written", lg), markup=False)
    else:
        console.print(t(f"{what}：{was} → {word(found.status, lg)}（{effect[found.status]}；存储版本 {found.version}）",
                        f"{what}: {was} → {word(found.status, lg)} ({effect[found.status]}; store version "
                        f"{found.version})", lg), markup=False)


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
    lg = lang()
    built = status.get("rebuilt")
    encoded = status.get("n_encoded", 0) if built else 0
    console.print(t(f"索引{'已重建' if built else '已是最新，已载入'}：{status['size']} 家机构 · 稠密索引 "
                    f"{status['dense_kind']} · 新编码 {encoded} 条文本 · 存储版本 {status['store_version']}",
                    f"index {'built' if built else 'current, loaded'}: {status['size']} organisations · dense "
                    f"{status['dense_kind']} · encoded {encoded} texts · store version {status['store_version']}", lg))


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
    lg = lang()
    rows = [(t("目录", "directory", lg), directory),
            (t("是否最新", "current", lg), t("是", "yes", lg) if why is None else t(f"否：{_why_zh(why)}", f"no: {why}", lg)),
            (t("存储版本", "store version", lg), version), (t("模型", "model", lg), embedder.model_id),
            (t("已缓存向量", "cached vectors", lg), cached)]
    if manifest:
        rows += [(t("构建时间", "built at", lg), manifest.get("built_at")),
                 (t("机构数", "organisations", lg), manifest.get("size")),
                 (t("稠密索引", "dense index", lg), manifest.get("dense_kind")),
                 (t("构建秒数", "build seconds", lg), manifest.get("build_seconds"))]
    print_pairs(t("索引状态", "Index status", lg), rows)


def _why_zh(why: str) -> str:
    """Why an index is stale (:func:`matching.search.staleness`), in Chinese.

    >>> _why_zh("built for store version 3, store is at 5"), _why_zh("no index built yet")
    ('按存储版本 3 构建，存储已是版本 5', '尚未构建索引')
    """
    import re

    fixed = {"no index built yet": "尚未构建索引", "index format changed": "索引格式已变",
             "index settings changed": "索引设置已变"}
    if why in fixed:
        return fixed[why]
    found = re.match(r"built for store version (\S+), store is at (\S+)$", why)
    if found:
        return f"按存储版本 {found.group(1)} 构建，存储已是版本 {found.group(2)}"
    found = re.match(r"built with model (\S+), configured model is (\S+)$", why)
    if found:
        return f"用模型 {found.group(1)} 构建，当前配置的模型是 {found.group(2)}"
    return why


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
