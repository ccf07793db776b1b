"""``chainmatch recommend | introducers | campaign … | partners | outcome … | eval backtest``.

Wire with ``register(app, eval_app)`` (``bench recommend`` is in :mod:`api.bench`).
Commands are thin: resolve names to ids, call the engine room the API uses
(:class:`matching.engines.Engines`), print
tables with Chinese + English headers (or ``--json``). Outcomes and campaigns
live in ``<data dir>/workspace.sqlite``; landed firms leave every target list.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import (
    DataDir,
    JsonOut,
    console,
    engine_room,
    err_console,
    open_store_for,
    print_json,
)
from api.cli.text import Col, lang, names_for, print_table, t, wide
from graph.display import pick, word
from graph.errors import InvalidInput
from graph.labels import gap_zh, label
from graph.resolve import resolve_org, resolve_region, resolve_segment
from matching.recommend.gaptargets import DEFAULT_PER_GAP
from matching.workspace import campaigns_in

__all__ = ["register"]

DEFAULT_REGION = "cn/guangdong/shenzhen"
RegionOpt = Annotated[str, typer.Option("--region", "-r", help="Region id or name: 深圳, 南山区, cn/guangdong/shenzhen.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Rows to show.")]


def _context(data_dir):
    """The engines, the store and the workspace of one command (:func:`api.cli.common.engine_room`)."""
    return engine_room(data_dir, workspace=True)


def _parts(parts, language: str = "zh") -> str:
    from graph.labels import label

    return " · ".join(f"{label(p.name, language)} {p.value:+.2f}" for p in parts if p.value)


def _reason(x, language: str) -> str:
    return x.reason_en if language == "en" and x.reason_en else x.reason_zh


# ------------------------------------------------------------------ recommend


def _form(form, language: str) -> str:
    """An attraction form choice in one language (研发中心 / R&D centre)."""
    if form is None:
        return ""
    return form.form_zh if language == "zh" else _form_key(form.form, language)


def _form_key(key: str | None, language: str) -> str:
    from matching.recommend.form import FORMS, FORMS_EN

    if not key:
        return ""
    return (FORMS if language == "zh" else FORMS_EN).get(key, key)


def recommend(
    region: RegionOpt = DEFAULT_REGION,
    segment: Annotated[str | None, typer.Option("--segment", "-s", help="Gap segment id or name (default: every gap of the chain).")] = None,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="Chain id or name for gap-driven targets (default: all chains).")] = None,
    limit: LimitOpt = 10,
    per_gap: Annotated[int, typer.Option("--per-gap", min=1, max=100, help="Targets per gap when a chain's gaps are ranked (most severe gap first, a firm listed once).")] = DEFAULT_PER_GAP,
    hide_rejected: Annotated[bool, typer.Option(help="Leave out firms whose latest outcome is rejected.")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Targets to recruit (招商目标) for a gap segment or every gap of a chain, with attraction form and reasons."""
    rid = resolve_region(region, field="--region")
    with _context(data_dir) as (engines, store, ws):
        sid = resolve_segment(segment, store.segments(), field="--segment").id if segment is not None else None
        page = engines.targets_page(store, ws, rid, segment=sid, chain=chain, limit=limit, per_gap=per_gap,
                                    hide_rejected=hide_rejected)
    if sid is None and not page.focus:
        raise InvalidInput(f"no gaps found for {rid} in chain {chain or 'all'}", f"{rid} 未发现产业链缺口")
    top = page.items
    if as_json:
        print_json({"region": rid, "chain": page.chain, "focus": list(page.focus), "total": page.total,
                    "targets": [t.as_dict() | {"status": page.status.get(t.org)} for t in top]})
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        rows = [[x.rank, pick(x.name_zh, x.name_en, lg), names.segment(x.segment),
                 (label(x.gap, lg) if lg == "en" else gap_zh(x.gap)) if x.gap else "", f"{x.total:.2f}",
                 _form(x.form, lg), word(page.status[x.org], lg) if page.status.get(x.org) else ""] for x in top]
        print_table(t(f"招商目标 · {names.region(rid, full=True)}", f"Targets · {names.region(rid, full=True)}", lg),
                    [Col("#", "#", keep=9), Col("目标企业", "target", keep=9, min=14), Col("环节", "segment", keep=8),
                     Col("缺口", "gap", keep=4), Col("得分", "score", keep=9, justify="right"),
                     Col("引进形式", "form", keep=7), Col("状态", "status", keep=5)], rows)
    for x in top:
        console.print(f"{x.rank}. {_parts(x.parts, lg)}\n   {_reason(x, lg)}")


def introducers_cmd(
    target: Annotated[str, typer.Argument(help="Target organisation: id, USCC or exact name.")],
    region: RegionOpt = DEFAULT_REGION,
    limit: LimitOpt = 10,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Local organisations that can introduce a target (以商招商): direct ties and two-hop paths."""
    from matching.recommend.introducers import RELATION_ZH

    rid = resolve_region(region, field="--region")
    with _context(data_dir) as (engines, store, ws):
        tid = resolve_org(store, target)
        found = engines.introducers(store, ws, tid, rid, k=limit)
    if as_json:
        print_json({"target": tid, "region": rid, "introducers": [x.as_dict() for x in found]})
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        kinds = {"direct": t("直接", "direct", lg), "two_hop": t("间接（两步）", "two-hop", lg)}
        rows = [[x.rank, pick(x.name_zh, x.name_en, lg),
                 kinds.get(x.kind, x.kind) + ": " + ("、".join(RELATION_ZH.get(r, r) for r in x.relations) if lg == "zh"
                                                     else ", ".join(r.replace("_", " ") for r in x.relations)),
                 f"{x.total:.2f}", names.org(x.via) if x.via else "", " ".join(x.path)] for x in found]
        cols = [Col("#", "#", keep=9), Col("引荐方", "introducer", keep=9, min=14), Col("关系", "tie", keep=8),
                Col("得分", "score", keep=9, justify="right"), Col("经由", "via", keep=4, min=12),
                Col("关系编号", "link ids", keep=1)]
        if not wide():  # the links' ids are for tracing a tie in the data: --wide (or --json) shows them
            cols, rows = cols[:-1], [r[:-1] for r in rows]
        print_table(t(f"引荐企业 · {names.org(tid)} → {names.region(rid, full=True)}",
                      f"Introducers · {names.org(tid)} → {names.region(rid, full=True)}", lg), cols, rows)
    for x in found:
        console.print(f"{x.rank}. {_parts(x.parts, lg)}\n   {_reason(x, lg)}")


def partners_cmd(
    profile: Annotated[str, typer.Argument(help="The start-up's profile in free text (中文或English).")],
    region: RegionOpt = DEFAULT_REGION,
    segment: Annotated[list[str] | None, typer.Option("--segment", "-s", help="Its segment(s); default: predicted (挂链).")] = None,
    startup: Annotated[str | None, typer.Option(help="The start-up's own organisation id, if stored (its ties count as known).")] = None,
    limit: LimitOpt = 10,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Local partners for an incubated start-up: customers, suppliers, complementors, platforms."""
    from api.cli.matching import open_search

    rid = resolve_region(region, field="--region")
    with _context(data_dir) as (engines, store, ws):
        sid = resolve_org(store, startup) if startup else None
        given = list(dict.fromkeys(resolve_segment(s, store.segments(), field="--segment").id for s in segment or ()))
        open_search(engines, store, quiet=as_json)  # the index built (or loaded) with a progress bar
        segs, found = engines.partners(store, rid, profile, given, sid, k=limit)
    if as_json:
        print_json({"region": rid, "segments": segs, "partners": [p.as_dict() for p in found]})
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        rows = [[p.rank, pick(p.name_zh, p.name_en, lg), word(p.role, lg), names.many(p.segments), f"{p.total:.2f}"]
                for p in found]
        print_table(t(f"合作伙伴 · 环节：{names.many(segs)}", f"Partners · segments: {names.many(segs)}", lg),
                    [Col("#", "#", keep=9), Col("伙伴", "partner", keep=9, min=14), Col("角色", "role", keep=7),
                     Col("环节", "segments", keep=6, min=12), Col("得分", "score", keep=9, justify="right")], rows)
        for p in found:
            console.print(f"{p.rank}. {_parts(p.parts, lg)}\n   {names.text(_reason(p, lg))}")


# ------------------------------------------------------------------ campaigns


campaign_app = typer.Typer(help="Joint campaigns (联合招商): propose, store, list, detect conflicts.", no_args_is_help=True)


@campaign_app.command("propose")
def campaign_propose(
    targets: Annotated[list[str], typer.Argument(help="Target organisations (ids, USCCs or names).")],
    region: RegionOpt = DEFAULT_REGION,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Plan a campaign: lead district and agency, co-pitch firms, platforms, which targets go together."""
    rid = resolve_region(region, field="--region")
    with _context(data_dir) as (engines, store, ws):
        ids = list(dict.fromkeys(resolve_org(store, t) for t in targets))
        plan = engines.campaign(store, ws, ids, rid)
        conflicts = ws.conflicts(ids)
    if as_json:
        print_json(plan.as_dict() | {"conflicts": [c.as_dict() for c in conflicts]})
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        console.print(_reason(plan, lg))
        names.preload([c.org for c in plan.co_pitch] + [p.org for p in plan.platforms] + list(plan.targets))
        print_table(t("联合推介企业", "Co-pitch firms", lg),
                    [Col("企业", "firm", keep=9, min=14), Col("所在区", "district", keep=7),
                     Col("目标", "targets", keep=5, min=12), Col("需求", "demand", keep=6, justify="right")],
                    [[names.org(c.org), names.region(c.unit), names.many(c.targets, k=3), c.demand]
                     for c in plan.co_pitch])
        print_table(t("支撑平台", "Platforms", lg),
                    [Col("平台", "platform", keep=9, min=14), Col("类型", "kind", keep=7), Col("所在区", "district", keep=6),
                     Col("依据", "why", keep=4, min=12)],
                    [[names.org(p.org), word(p.kind, lg), names.region(p.unit),
                      names.many([w for w in p.why if w.startswith("seg:")][:3]) or t("直接关系", "direct ties", lg)]
                     for p in plan.platforms])
        if plan.groups:
            print_table(t("组合推介", "Pitch together", lg),
                        [Col("类型", "kind", keep=9), Col("目标", "targets", keep=9, min=14),
                         Col("依据", "evidence", keep=3)],
                        [[g.kind_zh if lg == "zh" else g.kind.replace("_", " "), names.many(g.targets),
                          " ".join(g.evidence)] for g in plan.groups])
        elif len(plan.targets) > 1:
            console.print(t("组合推介：这些目标之间没有可一并推介的共同上下游或关联。",
                            "Pitch together: these targets share no supply chain or ties to pitch them as a group.",
                            lg))
        _print_conflicts(conflicts, names=names)


@campaign_app.command("create")
def campaign_create(
    name: Annotated[str, typer.Argument(help="Campaign name.")],
    owner: Annotated[str, typer.Option(help="Owner agency (organisation id or name).")],
    target: Annotated[list[str], typer.Option("--target", "-t", help="Target organisation; repeat for several.")],
    partner: Annotated[list[str] | None, typer.Option("--partner", "-p", help="Partner agency; repeat.")] = None,
    region: Annotated[str | None, typer.Option("--region", "-r", help="Region the campaign recruits for.")] = None,
    note: str = "",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Store a campaign with its owner agency, partner agencies and targets; report conflicts."""
    with _context(data_dir) as (_e, store, ws):
        ids = [resolve_org(store, t) for t in target]
        c = ws.create_campaign(name, resolve_org(store, owner), ids, partners=[resolve_org(store, p) for p in partner or []],
                               region=resolve_region(region, field="--region") if region else None, note=note)
        conflicts = ws.conflicts(ids)
    if as_json:
        print_json({"campaign": c.as_dict(), "conflicts": [x.as_dict() for x in conflicts]})
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        console.print(t(f"已创建联合招商活动 {c.id}：{c.name} · 牵头 {names.org(c.owner)} · {len(c.targets)} 家目标",
                        f"campaign {c.id} created: {c.name} · owner {names.org(c.owner)} · {len(c.targets)} "
                        f"target{'s' if len(c.targets) != 1 else ''}", lg))
        _print_conflicts(conflicts, names=names)


@campaign_app.command("list")
def campaign_list(status: Annotated[str | None, typer.Option(help="open or closed.")] = None,
                  region: Annotated[str | None, typer.Option("--region", "-r", help="Only campaigns of this region "
                                                             "or a place inside it: recruiting for it, or with "
                                                             "their owner or a partner agency there.")] = None,
                  data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Stored campaigns."""
    rid = resolve_region(region, field="--region") if region else None
    with _context(data_dir) as (_e, store, ws):
        cs = campaigns_in(ws, store, status=status, region=rid)
    if as_json:
        print_json([c.as_dict() for c in cs])
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        names.preload([i for c in cs for i in (c.owner, *c.partners, *c.targets)])
        print_table(t("联合招商活动", "Campaigns", lg),
                    [Col("编号", "id", keep=9), Col("名称", "name", keep=9, min=10), Col("牵头", "owner", keep=8, min=12),
                     Col("协同", "partners", keep=4, min=12), Col("目标", "targets", keep=7, min=12),
                     Col("状态", "status", keep=6)],
                    [[c.id, c.name, names.org(c.owner), names.many(c.partners, k=3), names.many(c.targets, k=3),
                      word(c.status, lg)] for c in cs])


@campaign_app.command("add")
def campaign_add(campaign_id: int, target: Annotated[list[str] | None, typer.Option("--target", "-t")] = None,
                 partner: Annotated[list[str] | None, typer.Option("--partner", "-p")] = None,
                 data_dir: DataDir = None) -> None:
    """Add targets or partner agencies to a campaign."""
    with _context(data_dir) as (_e, store, ws):
        if target:
            ws.add_targets(campaign_id, [resolve_org(store, t) for t in target])
        if partner:
            ws.add_partners(campaign_id, [resolve_org(store, p) for p in partner])
        _print_conflicts(ws.conflicts(), names=names_for(store))


@campaign_app.command("close")
def campaign_close(campaign_id: int, note: str = "", data_dir: DataDir = None) -> None:
    """Close a campaign (its targets no longer count for conflicts)."""
    with _context(data_dir) as (_e, _store, ws):
        ws.close_campaign(campaign_id, note)
    console.print(t(f"联合招商活动 {campaign_id} 已关闭", f"campaign {campaign_id} closed"))


@campaign_app.command("conflicts")
def campaign_conflicts(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Targets claimed by open campaigns of different agencies that do not coordinate (各自为战)."""
    with _context(data_dir) as (_e, _store, ws):
        found = ws.conflicts()
    if as_json:
        print_json([c.as_dict() for c in found])
        return
    _print_conflicts(found, quiet_if_none=False, data_dir=data_dir)


@campaign_app.command("history")
def campaign_history(campaign_id: int, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Every change of a campaign."""
    with _context(data_dir) as (_e, _store, ws):
        ws.campaign(campaign_id)
        events = ws.history(campaign_id)
    if as_json:
        print_json([{"at": a, "event": e, "detail": d} for a, e, d in events])
        return
    print_table(t(f"联合招商活动 {campaign_id} 的历史", f"Campaign {campaign_id} history"),
                [Col("时间", "at", keep=9), Col("事件", "event", keep=9), Col("详情", "detail", keep=5, min=16)],
                [list(e) for e in events])


def _print_conflicts(found, quiet_if_none: bool = True, *, names=None, data_dir=None) -> None:
    lg = lang()
    if found:
        if names is None:
            with open_store_for(data_dir) as store:
                _print_conflicts(found, quiet_if_none, names=names_for(store))
            return
        print_table(t("冲突（多个机构争抢同一目标）", "Conflicts (agencies competing for one target)", lg),
                    [Col("目标", "target", keep=9, min=14), Col("机构", "agencies", keep=8, min=14),
                     Col("活动", "campaigns", keep=5)],
                    [[names.org(c.org), names.many(c.agencies), ", ".join(map(str, c.campaigns))] for c in found],
                    console=err_console)
    elif not quiet_if_none:
        console.print(t("无冲突", "no conflicts", lg))


# ------------------------------------------------------------------ outcomes


outcome_app = typer.Typer(help="Outcomes of recommendations: record, and show the history.", no_args_is_help=True)


@outcome_app.command("record")
def outcome_record(
    org: Annotated[str, typer.Argument(help="Organisation id, USCC or name.")],
    status: Annotated[str, typer.Argument(help="contacted, accepted, rejected or landed.")],
    region: RegionOpt = DEFAULT_REGION,
    segment: Annotated[str | None, typer.Option("--segment", "-s")] = None,
    form: Annotated[str | None, typer.Option(help="Attraction form when landed: headquarters, regional_hq, rd_centre, production_base.")] = None,
    campaign: Annotated[int | None, typer.Option(help="Campaign id.")] = None,
    note: str = "",
    actor: str = "",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Record an outcome; ``landed`` also adds the firm's site in the region to the store."""
    from matching.recommend.outcomes import record_outcome

    with _context(data_dir) as (_e, store, ws):
        oid = resolve_org(store, org)
        seg = resolve_segment(segment, store.segments(), field="--segment").id if segment else None
        rid = resolve_region(region, field="--region")
        out = record_outcome(ws, store, oid, rid, status, segment=seg, form=form, campaign=campaign,
                             note=note, actor=actor)
    if as_json:
        print_json(out.as_dict())
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        console.print(t(f"已记录结果 {out.id}：{names.org(out.org)} · {word(out.status, lg)} · {names.region(out.region)}",
                        f"outcome {out.id} recorded: {names.org(out.org)} {word(out.status, lg)} in "
                        f"{names.region(out.region)}", lg))


@outcome_app.command("history")
def outcome_history(
    org: Annotated[str | None, typer.Option(help="Only this organisation.")] = None,
    region: Annotated[str | None, typer.Option("--region", "-r", help="Only this region (sub-regions included).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Outcome history, oldest first."""
    with _context(data_dir) as (_e, store, ws):
        found = ws.outcomes(org=resolve_org(store, org) if org else None,
                            region=resolve_region(region, field="--region") if region else None,
                            status=status)
    if as_json:
        print_json([o.as_dict() for o in found])
        return
    lg = lang()
    with open_store_for(data_dir) as store:
        names = names_for(store)
        names.preload(o.org for o in found)
        print_table(t("招商结果", "Outcomes", lg),
                    [Col("编号", "id", keep=9), Col("时间", "at", keep=6), Col("机构", "organisation", keep=9, min=14),
                     Col("地区", "region", keep=7), Col("状态", "status", keep=9), Col("形式", "form", keep=4),
                     Col("备注", "note", keep=3, min=10)],
                    [[o.id, o.at, names.org(o.org), names.region(o.region), word(o.status, lg),
                      _form_key(o.form, lg), o.note] for o in found])


# ------------------------------------------------------------------ evaluation


def backtest_cmd(
    t0: Annotated[str | None, typer.Option(help="Freeze date (default: the dataset's train/test boundary, else the quantile).")] = None,
    quantile: Annotated[float, typer.Option(min=0.05, max=0.99, help="Share of dated links before t0 when no boundary applies.")] = 0.8,
    kinds: Annotated[str, typer.Option(help="Link kinds held out, comma-separated.")] = "supplies,partners,invests",
    tune: Annotated[bool, typer.Option(help="Also choose engine weights on the validation window just before t0 and report them.")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Date-split links backtest (docs/evaluation.md): Recall@10/50, MRR, nDCG@10 for the engine and every baseline."""
    from api.cli.common import progress_bar
    from matching.eval.backtest import default_t0, format_table, run_backtest, t0_rule_zh
    from matching.eval.metrics import METRICS
    kind_list = tuple(k.strip() for k in kinds.split(",") if k.strip())
    with engine_room(data_dir) as (engines, store):
        settings = engines.settings
        ix = engines.recommend(store, lambda ix: ix)
        rule = "given"
        if t0 is None:
            t0, rule = default_t0(ix, store.links(), quantile=quantile)
        tuned = None
        if tune:
            from matching.eval.tuning import tune_weights

            t_val, _ = default_t0(ix, quantile=max(0.05, 2 * quantile - 1))
            w, val = tune_weights(ix, t_val, t0, kinds=kind_list, settings=settings)
            tuned = {"t_val": t_val, "weights": w, "validation": val}
        with progress_bar(t("回测", "backtest"), as_json) as progress:
            res = run_backtest(ix, t0, kinds=kind_list, settings=settings, t0_rule=rule, progress=progress)
            if tuned:
                res.table["engine (tuned)"] = run_backtest(ix, t0, kinds=kind_list, scorers=["engine"],
                                                           weights=tuned["weights"], settings=settings).table["engine"]
    if as_json:
        print_json(res.as_dict() | {"tuned": tuned})
        return
    lg = lang()
    sep = "，" if lg == "zh" else ", "
    held = sep.join(f"{word(k, lg)} {v}" for k, v in res.held_out.items()) if isinstance(res.held_out, dict) \
        else str(res.held_out)
    skipped = sep.join(f"{word(k, lg)} {v}" for k, v in res.skipped.items()) if isinstance(res.skipped, dict) \
        else str(res.skipped)
    console.print(t(f"t0 {res.t0}（{t0_rule_zh(res.t0_rule)}） · 留出：{held} · 跳过：{skipped} · {res.queries} 个查询，"
                    f"每个查询 {res.candidates} 个候选",
                    f"t0 {res.t0} ({res.t0_rule}) · held out: {held} · skipped: {skipped} · {res.queries} queries "
                    f"over {res.candidates} candidates each", lg), markup=False)
    for k in ("all", *res.kinds):
        print_table(t(f"回测 · {'全部' if k == 'all' else word(k, lg)}", f"Backtest · {word(k, lg)}", lg),
                    [Col("评分方法", "scorer", keep=9, min=12), *[Col(m, m, keep=8, justify="right") for m in METRICS],
                     Col("n", "n", keep=7, justify="right")], [[word(r[0], lg), *r[1:]] for r in format_table(res, k)])
    if tuned:
        w = sep.join(f"{label(k, lg)} {v:g}" for k, v in tuned["weights"].items())
        console.print(t(f"在 ({tuned['t_val']}, {res.t0}] 上调出的权重：{w}",
                        f"tuned on ({tuned['t_val']}, {res.t0}]: {w}", lg), markup=False)


# ------------------------------------------------------------------ wiring


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add recommend, introducers, partners, campaign … and outcome … to ``app``, backtest and entries to
    ``eval_app``."""
    app.command("recommend")(recommend)
    app.command("introducers")(introducers_cmd)
    app.command("partners")(partners_cmd)
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(outcome_app, name="outcome")
    eval_app.command("backtest")(backtest_cmd)
    from api.cli.evaluation import entries_cmd

    eval_app.command("entries")(entries_cmd)
