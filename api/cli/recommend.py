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
    print_json,
    table,
)
from graph.errors import InvalidInput
from graph.resolve import resolve_org, resolve_region, resolve_segment
from matching.recommend.gaptargets import DEFAULT_PER_GAP

__all__ = ["register"]

DEFAULT_REGION = "cn/guangdong/shenzhen"
RegionOpt = Annotated[str, typer.Option("--region", "-r", help="Region id or name: 深圳, 南山区, cn/guangdong/shenzhen.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Rows to show.")]


def _context(data_dir):
    """The engines, the store and the workspace of one command (:func:`api.cli.common.engine_room`)."""
    return engine_room(data_dir, workspace=True)


def _parts(parts) -> str:
    return " · ".join(f"{p.name} {p.value:+.2f}" for p in parts if p.value)


# ------------------------------------------------------------------ recommend


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
    rows = [[t.rank, f"{t.name_zh or t.name_en}\n{t.org}", f"{t.segment}\n{t.gap or ''}", f"{t.total:.2f}",
             f"{t.form.form_zh}\n{t.form.form}" if t.form else "", page.status.get(t.org) or ""] for t in top]
    console.print(table(f"Targets 招商目标 · {rid}", ["#", "target 目标", "segment 环节 / gap 缺口", "score 得分",
                                                   "form 引进形式", "status 状态"], rows))
    for t in top:
        console.print(f"{t.rank}. {_parts(t.parts)}\n   {t.reason_zh}\n   {t.reason_en}")


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
    rows = [[x.rank, f"{x.name_zh or x.name_en}\n{x.org}", f"{x.kind}\n" + "、".join(RELATION_ZH[r] for r in x.relations),
             f"{x.total:.2f}", " ".join(x.path)] for x in found]
    console.print(table(f"Introducers 引荐企业 · {tid} → {rid}",
                        ["#", "introducer 引荐方", "tie 关系", "score 得分", "links 关系编号"], rows))
    for x in found:
        console.print(f"{x.rank}. {_parts(x.parts)}\n   {x.reason_zh}")


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
    rows = [[p.rank, f"{p.name_zh or p.name_en}\n{p.org}", p.role, ",".join(p.segments), f"{p.total:.2f}"]
            for p in found]
    console.print(table(f"Partners 合作伙伴 · segments {', '.join(segs)}",
                        ["#", "partner 伙伴", "role 角色", "segments 环节", "score 得分"], rows))
    for p in found:
        console.print(f"{p.rank}. {_parts(p.parts)}\n   {p.reason_zh}")


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
    console.print(plan.reason_zh + "\n" + plan.reason_en)
    console.print(table("Co-pitch 联合推介企业", ["id", "name 名称", "unit 区", "targets 目标", "demand 需求"],
                        [[c.org, c.name, c.unit, ",".join(c.targets), c.demand] for c in plan.co_pitch]))
    console.print(table("Platforms 支撑平台", ["id", "name 名称", "kind 类型", "unit 区", "why 依据"],
                        [[p.org, p.name, p.kind, p.unit, " ".join(p.why[:3])] for p in plan.platforms]))
    console.print(table("Pitch together 组合推介", ["kind 类型", "targets 目标", "evidence 依据"],
                        [[f"{g.kind_zh} {g.kind}", ",".join(g.targets), " ".join(g.evidence)] for g in plan.groups]))
    _print_conflicts(conflicts)


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
    console.print(f"campaign {c.id} created 已创建: {c.name} · owner {c.owner} · {len(c.targets)} targets")
    _print_conflicts(conflicts)


@campaign_app.command("list")
def campaign_list(status: Annotated[str | None, typer.Option(help="open or closed.")] = None,
                  data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Stored campaigns."""
    with _context(data_dir) as (_e, _store, ws):
        cs = ws.campaigns(status=status)
    if as_json:
        print_json([c.as_dict() for c in cs])
        return
    console.print(table("Campaigns 联合招商", ["id", "name 名称", "owner 牵头", "partners 协同", "targets 目标", "status 状态"],
                        [[c.id, c.name, c.owner, ",".join(c.partners), ",".join(c.targets), c.status] for c in cs]))


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
        _print_conflicts(ws.conflicts())


@campaign_app.command("close")
def campaign_close(campaign_id: int, note: str = "", data_dir: DataDir = None) -> None:
    """Close a campaign (its targets no longer count for conflicts)."""
    with _context(data_dir) as (_e, _store, ws):
        ws.close_campaign(campaign_id, note)
    console.print(f"campaign {campaign_id} closed 已关闭")


@campaign_app.command("conflicts")
def campaign_conflicts(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Targets claimed by open campaigns of different agencies that do not coordinate (各自为战)."""
    with _context(data_dir) as (_e, _store, ws):
        found = ws.conflicts()
    if as_json:
        print_json([c.as_dict() for c in found])
        return
    _print_conflicts(found, quiet_if_none=False)


@campaign_app.command("history")
def campaign_history(campaign_id: int, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Every change of a campaign."""
    with _context(data_dir) as (_e, _store, ws):
        ws.campaign(campaign_id)
        events = ws.history(campaign_id)
    if as_json:
        print_json([{"at": a, "event": e, "detail": d} for a, e, d in events])
        return
    console.print(table(f"Campaign {campaign_id} history 历史", ["at 时间", "event 事件", "detail 详情"],
                        [list(e) for e in events]))


def _print_conflicts(found, quiet_if_none: bool = True) -> None:
    if found:
        err_console.print(table("Conflicts 冲突（多个机构争抢同一目标）", ["target 目标", "agencies 机构", "campaigns 活动"],
                                [[c.org, ",".join(c.agencies), ",".join(map(str, c.campaigns))] for c in found]))
    elif not quiet_if_none:
        console.print("no conflicts 无冲突")


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
    console.print(f"outcome {out.id} recorded 已记录: {out.org} {out.status} in {out.region}")


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
    console.print(table("Outcomes 结果", ["id", "at 时间", "org 机构", "region 地区", "status 状态", "form 形式", "note 备注"],
                        [[o.id, o.at, o.org, o.region, o.status, o.form or "", o.note] for o in found]))


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
    from matching.eval.backtest import default_t0, format_table, run_backtest
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
        with progress_bar("backtest 回测", as_json) as progress:
            res = run_backtest(ix, t0, kinds=kind_list, settings=settings, t0_rule=rule, progress=progress)
            if tuned:
                res.table["engine (tuned)"] = run_backtest(ix, t0, kinds=kind_list, scorers=["engine"],
                                                           weights=tuned["weights"], settings=settings).table["engine"]
    if as_json:
        print_json(res.as_dict() | {"tuned": tuned})
        return
    console.print(f"t0 {res.t0} ({res.t0_rule}) · held out {res.held_out} · skipped {res.skipped} · "
                  f"{res.queries} queries over {res.candidates} candidates each")
    for k in ("all", *res.kinds):
        console.print(table(f"Backtest 回测 · {k}", ["scorer", *METRICS, "n"], format_table(res, k)))
    if tuned:
        console.print(f"tuned on ({tuned['t_val']}, {res.t0}]: {tuned['weights']}")


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
