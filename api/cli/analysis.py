"""``chainmatch chain | gaps | leaders | dependence | compare``: chain analysis in the terminal.

Each command opens the store, asks the chain analyst of the engine room the
API uses (:meth:`matching.engines.Engines.analyse`; results cached per store
version under ``<data dir>/cache``) and prints rich
tables with Chinese + English headers, or ``--json``. Wire with
``register(app)``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, engine_room, print_json, table
from graph.analysis.results import to_json
from graph.labels import STATUS_LABELS

__all__ = ["register", "STATUS_LABEL"]

RegionOpt = Annotated[str, typer.Option("--region", "-r", help="Region id or name: cn/guangdong/shenzhen, 深圳, 南山区, Shenzhen.")]
ChainOpt = Annotated[str | None, typer.Option("--chain", "-c", help="Chain id or zh/en name (default: every segment).")]
TopOpt = Annotated[int, typer.Option("--top", "-n", min=0, help="Rows to show (0: all).")]
DEFAULT_REGION = "cn/guangdong/shenzhen"

#: "thin 薄弱（强链）" …: English key and Chinese label (graph.labels)
STATUS_LABEL = {k: f"{k} {zh}" for k, (zh, _) in STATUS_LABELS.items()}


def _run(data_dir, call):
    """``call(analyst)`` on the engine room's chain analyst (the API's, results cached per store version)."""
    with engine_room(data_dir) as (engines, store):
        return engines.analyse(store, call)


def _name(orgs: dict, oid: str) -> str:
    o = orgs.get(oid)
    return (o.name_zh or o.name_en or oid) if o else oid


def _names(orgs: dict, ids, k: int = 3) -> str:
    ids = list(ids)
    more = f" …(+{len(ids) - k})" if len(ids) > k else ""
    return "、".join(_name(orgs, i) for i in ids[:k]) + more


def _pct(x) -> str:
    return "-" if x is None else f"{x:.0%}"


def _title(kind: str, out) -> str:
    c = out.chain
    return (f"{kind} · {c.name_zh} {c.name_en} · {out.region_zh} ({out.region_en})"
            f"{' · cached 缓存' if out.meta.cached else ''}")


def _parts(parts) -> str:
    """Positive parts joined by +, penalties (immovability …) by −, each in words (zh, then its name); zero parts
    left out.

    Examples
    --------
    >>> from graph.parts import Part
    >>> _parts([Part("momentum", 0.16, 0.2, 0.8, ""), Part("immovability", -0.05, -0.1, 0.5, ""),
    ...         Part("spread", 0.001, 0.1, 0.01, "")])
    '全国增长势头 momentum 0.16 − 资源/设施依赖（扣分） immovability 0.05'
    """
    from graph.labels import label

    out = ""
    for p in parts:
        if abs(p.value) >= 0.005:
            words = label(p.name, "zh")
            name = p.name if words == p.name else f"{words} {p.name}"
            out += f"{' − ' if p.value < 0 else ' + ' if out else ''}{name} {abs(p.value):.2f}"
    return out or "0"


def _flags(flags) -> str:
    """Why a gap ranks low, zh and en (low feasibility, resource-bound)."""
    from graph.labels import label

    return "; ".join(f"{label(f, 'zh')} {label(f, 'en')}" for f in flags)


def chain_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, data_dir: DataDir = None,
              as_json: JsonOut = False) -> None:
    """Chain map (群-链-企): per segment local firms, capacity, tiers, platforms, status; supply shares on edges."""
    out = _run(data_dir, lambda a: a.chain_map(region, chain))
    if as_json:
        print_json(to_json(out))
        return
    orgs = out.orgs
    rows = [[s.name_zh + " " + s.name_en, s.stage, STATUS_LABEL[s.status], s.local_firms,
             s.employees or "-", ", ".join(f"{k}:{v}" for k, v in s.revenue_bands.items()) or "-",
             _names(orgs, s.tier_firm_ids, 2) or "-", _names(orgs, s.platforms, 2) or "-",
             _pct(s.received_local_share), f"{s.density:.2f}"] for s in out.segments]
    console.print(table(_title("Chain map 产业链图谱", out),
                        ["segment 环节", "stage 位置", "status 状态", "local firms 本地企业", "employees 从业人数",
                         "revenue 营收分布", "tier firms 梯队企业", "platforms 平台", "local supply 本地供给",
                         "density 关联密度"], rows))
    names = {s.segment: s.name_zh for s in out.segments}
    edges = [[names.get(e.upstream, e.upstream), names.get(e.downstream, e.downstream),
              _pct(e.local_share), _pct(e.external_share), e.links] for e in out.edges]
    if edges:
        console.print(table("Segment edges 环节供给 (local firms' supply 本地企业采购)",
                            ["upstream 上游", "downstream 下游", "local 本地供给", "external 外地供给", "links 链接数"],
                            edges))
    console.print("status 状态: " + ", ".join(f"{STATUS_LABEL[k]} {v}" for k, v in out.status_counts.items()))


def gaps_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, top: TopOpt = 20,
             data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Gaps: 补链 missing, 强链 thin, 延链 extension, by severity (a sum of named parts) with evidence."""
    out = _run(data_dir, lambda a: a.gaps(region, chain, top=top or None))
    if as_json:
        print_json(to_json(out))
        return
    orgs = out.orgs
    rows = [[k, f"{g.kind_zh} {g.kind}", f"{g.name_zh} {g.name_en}".strip(), f"{g.severity:.3f}",
             _parts(g.parts), ", ".join(g.criteria), _flags(g.flags),
             f"{_names(orgs, g.firms)} · {len(g.links)} links"] for k, g in enumerate(out.gaps, 1)]
    console.print(table(_title("Gaps 缺口", out),
                        ["#", "class 类别", "segment 环节", "severity 严重度", "parts 构成", "rule 规则",
                         "ranks low 偏低原因", "evidence 证据"], rows))
    note = "" if out.supply_observed else " · no supply links: 补链 inferred from local downstream segments"
    console.print(f"{out.gaps_total} gaps 个缺口 · status 状态: "
                  + ", ".join(f"{STATUS_LABEL[k]} {v}" for k, v in out.status_counts.items()) + note)


def leaders_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, top: TopOpt = 20,
                scope: Annotated[str, typer.Option("--scope", help="all, local or external.")] = "all",
                data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Chain leaders 链主: firms ranked by supply centrality, size and tier (named parts)."""
    out = _run(data_dir, lambda a: a.leaders(region, chain, top=top or 10**9, scope=scope))
    if as_json:
        print_json(to_json(out))
        return
    rows = [[k, x.name_zh or x.name_en or x.id, x.region or "-", "✓" if x.local else "",
             "、".join(x.tiers) or "-", x.employees if x.employees is not None else "-",
             f"{x.score:.3f}", _parts(x.parts), f"{x.customers}/{x.suppliers}"]
            for k, x in enumerate(out.leaders, 1)]
    console.print(table(_title(f"Chain leaders 链主 ({scope})", out),
                        ["#", "firm 企业", "region 地区", "local 本地", "tiers 梯队", "employees 人数", "score 得分",
                         "parts 构成", "customers/suppliers 客户/供应商"], rows))


def dependence_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, data_dir: DataDir = None,
                   as_json: JsonOut = False) -> None:
    """External dependence 外部依赖: share of local firms' supply from outside, top suppliers, single points of failure."""
    out = _run(data_dir, lambda a: a.dependence(region, chain))
    if as_json:
        print_json(to_json(out))
        return
    orgs = out.orgs
    rows = [[s.name_zh + " " + s.name_en, s.local_firms, f"{s.received:.2f}", _pct(s.external_share),
             "; ".join(f"{_name(orgs, x.supplier)} {x.share:.0%}" for x in s.top_suppliers[:3]) or "-",
             "; ".join(f"{_name(orgs, x.supplier)} ({', '.join(x.reasons)})" for x in s.spofs) or "-"]
            for s in out.segments if s.received > 0]
    console.print(table(_title("External dependence 外部依赖", out),
                        ["segment 环节", "local firms 本地企业", "received 本地采购", "external 外部占比",
                         "top external suppliers 主要外部供应商", "single points of failure 单点风险"], rows))
    console.print(f"overall external share 总体外部依赖度: {_pct(out.external_share)}")


def compare_cmd(region: Annotated[list[str], typer.Option("--region", "-r", help="Two or more regions (repeat).")],
                chain: ChainOpt = None, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Compare one chain's coverage in two or more regions side by side 区域对比."""
    out = _run(data_dir, lambda a: a.compare(region, chain))
    if as_json:
        print_json(to_json(out))
        return
    heads = [f"{r.region_zh} {r.region_en}" for r in out.regions]
    rows = [[f"{r.name_zh} {r.name_en}"] + [f"{c.local_firms} · {STATUS_LABEL[c.status]}" for c in r.cells]
            for r in out.rows]
    c = out.chain
    console.print(table(f"Compare 区域对比 · {c.name_zh} {c.name_en}", ["segment 环节", *heads], rows))
    summ = [[f"{s.covered}/{s.segments} ({s.coverage:.0%})" for s in out.summaries],
            [s.local_firms for s in out.summaries],
            [_pct(s.external_share) for s in out.summaries],
            [", ".join(f"{k} {v}" for k, v in s.status_counts.items()) for s in out.summaries]]
    labels = ["coverage 覆盖", "member firms 企业", "external supply 外部依赖", "status 状态"]
    console.print(table("Summary 汇总", ["", *heads], [[lab, *row] for lab, row in zip(labels, summ, strict=True)]))


def register(app: typer.Typer) -> None:
    """Add the ``chain``, ``gaps``, ``leaders``, ``dependence`` and ``compare`` commands to ``app``."""
    app.command("chain")(chain_cmd)
    app.command("gaps")(gaps_cmd)
    app.command("leaders")(leaders_cmd)
    app.command("dependence")(dependence_cmd)
    app.command("compare")(compare_cmd)
