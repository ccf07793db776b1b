"""``chainmatch projects create | list | show | move | note | stats``: the project pipeline (招商项目).

Thin, as ``/projects…`` is: resolve names to ids (:mod:`graph.resolve`),
call the project book the engine room opens
(:meth:`matching.engines.Engines.projects`), print tables in one language
(``--lang``) or ``--json`` (what the HTTP route answers). Stages are given as
a key, 中文 or English label (``签约``, ``signed``); investment in 万元.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, engine_room, print_json
from api.cli.text import Col, lang, names_for, print_table, t
from graph.resolve import resolve_org, resolve_region, resolve_segment
from matching.projects.book import chain_segments
from matching.projects.stages import STAGES, label

__all__ = ["projects_app"]

projects_app = typer.Typer(help="The project pipeline (招商项目): create, list, show, move, note, stats.",
                           no_args_is_help=True)

DEFAULT_REGION = "cn/guangdong/shenzhen"
Actor = Annotated[str, typer.Option(help="Who makes the change (the history's actor).")]
Money = Annotated[float | None, typer.Option(min=0, help="万元.")]


def _room(data_dir):
    return engine_room(data_dir, workspace=True)


def _filters(store, region, owner, chain) -> dict:
    return {"region": resolve_region(region, field="--region") if region else None,
            "owner": resolve_org(store, owner, field="--owner") if owner else None,
            "segments": chain_segments(store, chain, field="--chain") if chain else None}


def _said(p, names, lg: str, what_zh: str, what_en: str) -> None:
    console.print(t(f"项目 {p.id} {what_zh}：{names.org(p.org)} · {names.region(p.region)} · {label(p.stage, 'zh')}",
                    f"project {p.id} {what_en}: {names.org(p.org)} · {names.region(p.region)} · "
                    f"{label(p.stage, 'en')}", lg), soft_wrap=True)


@projects_app.command("create")
def create(
    org: Annotated[str, typer.Argument(help="The target firm (id, USCC or exact name).")],
    segment: Annotated[str, typer.Option("--segment", "-s", help="The chain segment (id or name).")],
    owner: Annotated[str, typer.Option(help="Owner agency (organisation id, USCC or name).")],
    region: Annotated[str, typer.Option("--region", "-r", help="The attracting region.")] = DEFAULT_REGION,
    form: Annotated[str | None, typer.Option(help="headquarters, regional_hq, rd_centre or production_base.")] = None,
    stage: Annotated[str, typer.Option(help="Starting stage (not 投产).")] = "lead",
    next_step: Annotated[str, typer.Option(help="The next step.")] = "",
    due: Annotated[str | None, typer.Option(help="Due date of the next step (YYYY-MM-DD).")] = None,
    planned: Money = None,
    actual: Money = None,
    introducer: Annotated[str | None, typer.Option(help="The introducer to credit (以商招商).")] = None,
    note: str = "",
    actor: Actor = "cli",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Create a project (firm × region × segment); a second one is refused, naming the first."""
    with _room(data_dir) as (engines, store, ws):
        oid = resolve_org(store, org)
        rid = resolve_region(region, field="--region")
        sid = resolve_segment(segment, store.segments(), field="--segment").id
        own = resolve_org(store, owner, field="--owner")
        intro = resolve_org(store, introducer, field="--introducer") if introducer else None
        p = engines.projects(store, ws).create(oid, rid, sid, owner=own, form=form, stage=stage, next_step=next_step,
                                               due=due, planned=planned, actual=actual, introducer=intro, note=note,
                                               actor=actor)
        if as_json:
            print_json(p.as_dict())
            return
        _said(p, names_for(store), lang(), "已创建", "created")


@projects_app.command("list")
def list_cmd(
    region: Annotated[str | None, typer.Option("--region", "-r", help="Only this region (sub-regions too).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner agency.")] = None,
    chain: Annotated[str | None, typer.Option(help="Only segments of this chain.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only this stage (key, 中文 or English).")] = None,
    overdue: Annotated[bool | None, typer.Option("--overdue/--not-overdue", help="Only overdue / only not.")] = None,
    org: Annotated[str | None, typer.Option(help="Only this firm.")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Projects, oldest first, with filters."""
    with _room(data_dir) as (engines, store, ws):
        where = _filters(store, region, owner, chain)
        firm = resolve_org(store, org, field="--org") if org else None
        found = engines.projects(store, ws).projects(stage=stage, overdue=overdue, org=firm, **where)
        if as_json:
            print_json([p.as_dict() for p in found])
            return
        lg, names = lang(), names_for(store)
        names.preload([i for p in found for i in (p.org, p.owner) if i])
        late = t("（逾期）", " (overdue)", lg)
        print_table(t("招商项目", "Projects", lg),
                    [Col("编号", "id", keep=9), Col("企业", "firm", keep=9, min=12), Col("地区", "region", keep=6),
                     Col("环节", "segment", keep=5), Col("阶段", "stage", keep=8), Col("牵头", "owner", keep=4),
                     Col("下一步", "next step", keep=3), Col("截止", "due", keep=7),
                     Col("计划投资(万元)", "planned (10k CNY)", keep=4, justify="right")],
                    [[p.id, names.org(p.org), names.region(p.region), names.segment(p.segment) if p.segment else "",
                      label(p.stage, lg), names.org(p.owner) if p.owner else "", p.next_step,
                      (p.due or "") + (late if p.overdue else ""), "" if p.planned is None else f"{p.planned:g}"]
                     for p in found])


@projects_app.command("show")
def show(project_id: int, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """One project with its notes and full history."""
    with _room(data_dir) as (engines, store, ws):
        book = engines.projects(store, ws)
        p, events = book.get(project_id), book.history(project_id)
        if as_json:
            print_json(p.as_dict() | {"history": [asdict(e) for e in events]})
            return
        lg, names = lang(), names_for(store)
        credit = p.introducer
        tie = ""
        if credit:
            hop = t(f"经 {names.org(credit.via)}", f"via {names.org(credit.via)}", lg) if credit.via else ""
            tie = f"{names.org(credit.org)} · {_relations(credit.relations, lg)} {hop}".strip()
        rows = [(t("企业", "firm", lg), names.org(p.org)), (t("地区", "region", lg), names.region(p.region)),
                (t("环节", "segment", lg), names.segment(p.segment) if p.segment else ""),
                (t("形式", "form", lg), _value("form", p.form, names, lg) if p.form else ""), (t("牵头", "owner", lg), names.org(p.owner) if p.owner else ""),
                (t("阶段", "stage", lg), label(p.stage, lg)), (t("下一步", "next step", lg), p.next_step),
                (t("截止", "due", lg), (p.due or "") + (t("（逾期）", " (overdue)", lg) if p.overdue else "")),
                (t("计划投资(万元)", "planned (10k CNY)", lg), "" if p.planned is None else f"{p.planned:g}"),
                (t("实际到资(万元)", "arrived (10k CNY)", lg), "" if p.actual is None else f"{p.actual:g}"),
                (t("引荐方", "introducer", lg), tie), (t("版本", "version", lg), p.version)]
        print_table(t(f"项目 {p.id}", f"Project {p.id}", lg), [Col("项", "field", keep=9), Col("值", "value", keep=9)],
                    [list(r) for r in rows])
        if p.notes:
            print_table(t("备注", "Notes", lg), [Col("时间", "at", keep=6), Col("人", "by", keep=4),
                                                  Col("内容", "text", keep=9)],
                        [[_when(n.at), t(*_ACTORS.get(n.actor, (n.actor, n.actor)), lg), n.text] for n in p.notes])
        print_table(t("历史", "History", lg), [Col("版本", "version", keep=5), Col("时间", "at", keep=7),
                                               Col("人", "by", keep=5), Col("动作", "action", keep=8),
                                               Col("变更", "changes", keep=9)],
                    [[e.version, _when(e.at), t(*_ACTORS.get(e.actor, (e.actor, e.actor)), lg), t(*_ACTIONS.get(e.action, (e.action, e.action)), lg),
                      ("；" if lg == "zh" else "; ").join(_change(k, a, b, names, lg) for k, (a, b) in e.changes.items())]
                     for e in events])


#: a project event's action and a changed field, for people: key → (zh, en)
_ACTIONS = {"created": ("新建", "created"), "moved": ("推进", "moved"), "noted": ("备注", "noted"),
            "credited": ("记引荐方", "credited"), "updated": ("更新", "updated"),
            "migrated": ("由招商结果迁入", "migrated from an outcome")}
#: who did it, when it was the system rather than a person's name
_ACTORS = {"cli": ("命令行", "cli"), "outcome": ("招商结果", "outcome"), "api": ("接口", "api")}
_FIELDS = {"org": ("企业", "firm"), "region": ("地区", "region"), "segment": ("环节", "segment"),
           "form": ("形式", "form"), "owner": ("牵头", "owner"), "stage": ("阶段", "stage"),
           "signed_at": ("签约时间", "signed"), "landed_at": ("投产时间", "landed"), "planned": ("计划投资", "planned"),
           "actual": ("实际到资", "arrived"), "note": ("备注", "note"), "introducer": ("引荐方", "introducer"),
           "next_step": ("下一步", "next step"), "due": ("截止", "due"), "outcome": ("招商结果", "outcome")}


def _relations(relations, lg: str) -> str:
    from matching.recommend.introducers import RELATION_ZH

    if lg == "zh":
        return "、".join(RELATION_ZH.get(r, r) for r in relations)
    return ", ".join(r.replace("_", " ") for r in relations)


def _value(key: str, value, names, lg: str) -> str:
    """A changed field's value as a person reads it: names for ids, labels for stages and forms."""
    from matching.recommend.form import FORMS, FORMS_EN

    if value is None or value == "":
        return t("无", "none", lg)
    if key == "stage" and value in STAGES:
        return label(value, lg)
    if key == "form" and value in FORMS:
        return FORMS[value] if lg == "zh" else FORMS_EN[value]
    if isinstance(value, dict):  # an introducer credit: the introducer's name
        return names.org(value["org"]) if value.get("org") else t("无", "none", lg)
    if isinstance(value, float):
        return f"{value:g}"
    return _when(names.text(str(value)))


def _when(at: str) -> str:
    """An ISO timestamp to the minute (2026-12-02 20:18), other text as it is."""
    return at[:16].replace("T", " ") if len(at) > 16 and at[10:11] == "T" and at[:4].isdigit() else at


def _change(key: str, before, after, names, lg: str) -> str:
    what = t(*_FIELDS.get(key, (key, key)), lg)
    return f"{what}{'：' if lg == 'zh' else ': '}{_value(key, before, names, lg)} → {_value(key, after, names, lg)}"


@projects_app.command("move")
def move(
    project_id: int,
    stage: Annotated[str | None, typer.Argument(help="The new stage (key, 中文 or English).")] = None,
    next_step: Annotated[str | None, typer.Option(help="The next step.")] = None,
    due: Annotated[str | None, typer.Option(help="Due date (YYYY-MM-DD; '' clears it).")] = None,
    planned: Money = None,
    actual: Money = None,
    introducer: Annotated[str | None, typer.Option(help="Credit an introducer (the first registered wins).")] = None,
    expect_version: Annotated[int | None, typer.Option("--version", help="Refuse if the project is no longer "
                                                       "at this version.")] = None,
    actor: Actor = "cli",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Move a project and/or change its next step, due date, investment, introducer; 投产 writes its site."""
    with _room(data_dir) as (engines, store, ws):
        intro = resolve_org(store, introducer, field="--introducer") if introducer else None
        p = engines.projects(store, ws).move(project_id, stage, next_step=next_step, due=due, planned=planned,
                                             actual=actual, introducer=intro, expect_version=expect_version,
                                             actor=actor)
        if as_json:
            print_json(p.as_dict())
            return
        _said(p, names_for(store), lang(), "已更新", "updated")


@projects_app.command("note")
def note(project_id: int, text: Annotated[str, typer.Argument(help="The note (a leader's instruction, a visit).")],
         expect_version: Annotated[int | None, typer.Option("--version", help="Refuse if the project is no longer "
                                                            "at this version.")] = None,
         actor: Actor = "cli", data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Add a note to a project."""
    with _room(data_dir) as (engines, store, ws):
        p = engines.projects(store, ws).note(project_id, text, expect_version=expect_version, actor=actor)
        if as_json:
            print_json(p.as_dict())
            return
        _said(p, names_for(store), lang(), "已添加备注", "noted")


@projects_app.command("stats")
def stats(
    region: Annotated[str | None, typer.Option("--region", "-r", help="Only this region (sub-regions too).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner agency.")] = None,
    chain: Annotated[str | None, typer.Option(help="Only segments of this chain.")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Monthly statistics: projects per stage, overdue, and per month created, signed (planned investment), landed."""
    with _room(data_dir) as (engines, store, ws):
        s = engines.projects(store, ws).stats(**_filters(store, region, owner, chain))
    if as_json:
        print_json(s.as_dict())
        return
    lg = lang()
    print_table(t(f"各阶段项目（共 {s.total}，逾期 {s.overdue}）", f"Projects by stage ({s.total}, {s.overdue} overdue)",
                  lg), [Col("阶段", "stage", keep=9), Col("项目数", "projects", keep=9, justify="right")],
                [[label(k, lg), s.by_stage[k]] for k in STAGES])
    print_table(t("月度统计", "By month", lg),
                [Col("月份", "month", keep=9), Col("新建", "created", keep=5, justify="right"),
                 Col("签约", "signed", keep=8, justify="right"),
                 Col("签约投资(万元)", "signed investment (10k CNY)", keep=8, justify="right"),
                 Col("投产", "in operation", keep=6, justify="right")],
                [[m.month, m.created, m.signed, f"{m.signed_investment:g}", m.landed] for m in s.months])
