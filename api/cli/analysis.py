"""``chainmatch chain | gaps | leaders | dependence | compare``: chain analysis in the terminal.

Each command opens the store, asks the chain analyst of the engine room the
API uses (:meth:`matching.engines.Engines.analyse`; results cached per store
version under ``<data dir>/cache``) and prints tables in the run's language
that fit the terminal (:mod:`api.cli.text`; names, not ids), or ``--json``.
Wire with ``register(app)``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, engine_room, print_json
from api.cli.text import Col, lang, print_table, t
from graph.analysis.results import to_json
from graph.display import pick, region_name, word
from graph.labels import STATUS_LABELS, label, leader_label

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


def _name(orgs: dict, oid: str, language: str) -> str:
    o = orgs.get(oid)
    return pick(o.name_zh, o.name_en, language) or oid if o else oid


def _names(orgs: dict, ids, language: str, k: int = 3) -> str:
    ids = list(ids)
    more = (f"等{len(ids)}家" if language == "zh" else f" +{len(ids) - k}") if len(ids) > k else ""
    return ("、" if language == "zh" else ", ").join(_name(orgs, i, language) for i in ids[:k]) + more


def _pct(x) -> str:
    return "-" if x is None else f"{x:.0%}"


def _title(kind_zh: str, kind_en: str, out, language: str) -> str:
    chain = pick(out.chain.name_zh, out.chain.name_en, language)
    cached = t("（缓存）", " (cached)", language) if out.meta.cached else ""
    return f"{t(kind_zh, kind_en, language)} · {chain} · {region_name(out.region, language, full=True)}{cached}"


def _parts(parts, language: str, name=label, top: int = 5) -> str:
    """The largest positive parts joined by +, then every penalty (immovability …) by −, each in words of
    one language; zero parts left out. Past ``top`` the smaller positive parts are summed into one
    "其余 N 项" / "N more" term, so the sum still reads whole (every part is in ``--json``).

    Examples
    --------
    >>> from graph.parts import Part
    >>> _parts([Part("momentum", 0.16, 0.2, 0.8, ""), Part("immovability", -0.05, -0.1, 0.5, ""),
    ...         Part("spread", 0.001, 0.1, 0.01, "")], "zh")
    '全国增长势头 0.16 − 资源/设施依赖（扣分） 0.05'
    >>> _parts([Part("momentum", 0.10, 0.2, 0.5, ""), Part("density", 0.30, 0.3, 1.0, ""),
    ...         Part("demand", 0.02, 0.1, 0.2, ""), Part("spread", 0.01, 0.1, 0.1, "")], "en", top=2)
    'relatedness density (feasibility) 0.30 + national momentum 0.10 + 2 more 0.03'

    A penalty is shown whatever ``top`` says (it is why a segment ranks low):

    >>> _parts([Part("density", 0.30, 0.3, 1.0, ""), Part("momentum", 0.10, 0.2, 0.5, ""),
    ...         Part("demand", 0.02, 0.1, 0.2, ""), Part("immovability", -0.05, -0.1, 0.5, "")], "en", top=2)
    'relatedness density (feasibility) 0.30 + national momentum 0.10 + 1 more 0.02 − resource-bound (penalty) 0.05'
    """
    shown = [p for p in parts if abs(p.value) >= 0.005]
    minus = [p for p in shown if p.value < 0]
    plus = sorted((p for p in shown if p.value > 0), key=lambda p: -p.value)
    keep, rest = plus[:max(top - len(minus), 2)], plus[max(top - len(minus), 2):]
    terms = [f"{name(p.name, language)} {p.value:.2f}" for p in keep]
    if rest:
        terms.append(t(f"其余 {len(rest)} 项", f"{len(rest)} more", language) + f" {sum(p.value for p in rest):.2f}")
    out = " + ".join(terms)
    for p in minus:
        out += f"{' − ' if out else '−'}{name(p.name, language)} {abs(p.value):.2f}"
    return out or "0"


def _status(key: str, language: str) -> str:
    return label(key, language)


def _counts(counts: dict, language: str) -> str:
    return ("，" if language == "zh" else ", ").join(f"{_status(k, language)} {v}" for k, v in counts.items())


def chain_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, data_dir: DataDir = None,
              as_json: JsonOut = False) -> None:
    """Chain map (群-链-企): per segment local firms, capacity, tiers, platforms, status; supply shares on edges."""
    out = _run(data_dir, lambda a: a.chain_map(region, chain))
    if as_json:
        print_json(to_json(out))
        return
    lg, orgs = lang(), out.orgs
    rows = [[pick(s.name_zh, s.name_en, lg), label(s.stage, lg), _status(s.status, lg), s.local_firms,
             s.employees or "-", ", ".join(f"{k}:{v}" for k, v in s.revenue_bands.items()) or "-",
             _names(orgs, s.tier_firm_ids, lg, 2) or "-", _names(orgs, s.platforms, lg, 2) or "-",
             _pct(s.received_local_share), f"{s.density:.2f}"] for s in out.segments]
    print_table(_title("产业链图谱", "Chain map", out, lg),
                [Col("环节", "segment", keep=9, min=10), Col("位置", "stage", keep=4), Col("状态", "status", keep=8),
                 Col("本地企业", "local firms", keep=7, justify="right"),
                 Col("从业人数", "employees", keep=3, justify="right"), Col("营收分布", "revenue", keep=1),
                 Col("梯队企业", "tier firms", keep=5, min=12), Col("平台", "platforms", keep=2, min=12),
                 Col("本地供给", "local supply", keep=6, justify="right"),
                 Col("关联密度", "density", keep=3, justify="right")], rows)
    names = {s.segment: pick(s.name_zh, s.name_en, lg) for s in out.segments}
    edges = [[names.get(e.upstream, e.upstream), names.get(e.downstream, e.downstream),
              _pct(e.local_share), _pct(e.external_share), e.links] for e in out.edges]
    if edges:
        print_table(t("环节供给（本地企业采购）", "Segment edges (what local firms buy)", lg),
                    [Col("上游", "upstream", keep=9, min=10), Col("下游", "downstream", keep=9, min=10),
                     Col("本地供给", "local", keep=7, justify="right"),
                     Col("外地供给", "external", keep=7, justify="right"),
                     Col("链接数", "links", keep=5, justify="right")], edges)
    console.print(t("状态：", "status: ", lg) + _counts(out.status_counts, lg))


def gaps_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, top: TopOpt = 20,
             data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Gaps: 补链 missing, 强链 thin, 延链 extension, by severity (a sum of named parts) with evidence."""
    out = _run(data_dir, lambda a: a.gaps(region, chain, top=top or None))
    if as_json:
        print_json(to_json(out))
        return
    lg, orgs = lang(), out.orgs
    rows = [[k, g.kind_zh if lg == "zh" else g.kind, pick(g.name_zh, g.name_en, lg), f"{g.severity:.3f}",
             _parts(g.parts, lg), ", ".join(label(c, lg) for c in g.criteria),
             "; ".join(label(f, lg) for f in g.flags),
             _names(orgs, g.firms, lg) + t(f" · {len(g.links)} 条链接", f" · {len(g.links)} links", lg)]
            for k, g in enumerate(out.gaps, 1)]
    print_table(_title("缺口", "Gaps", out, lg),
                [Col("#", "#", keep=9), Col("类别", "class", keep=9), Col("环节", "segment", keep=9, min=10),
                 Col("严重度", "severity", keep=9, justify="right"), Col("构成", "parts", keep=5, min=16),
                 Col("规则", "rule", keep=3, min=10), Col("偏低原因", "ranks low", keep=2, min=10),
                 Col("证据", "evidence", keep=4, min=14)], rows)
    note = "" if out.supply_observed else t("；无供货链接：补链由本地下游环节推断",
                                            "; no supply links: missing segments inferred from local downstream segments", lg)
    console.print(t(f"共 {out.gaps_total} 个缺口 · 状态：", f"{out.gaps_total} gaps · status: ", lg)
                  + _counts(out.status_counts, lg) + note)


def leaders_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, top: TopOpt = 20,
                scope: Annotated[str, typer.Option("--scope", help="all, local or external.")] = "all",
                data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Chain leaders 链主: firms ranked by supply centrality, size and tier (named parts)."""
    out = _run(data_dir, lambda a: a.leaders(region, chain, top=top or 10**9, scope=scope))
    if as_json:
        print_json(to_json(out))
        return
    lg = lang()
    rows = [[k, pick(x.name_zh, x.name_en, lg) or x.id, region_name(x.region, lg) or "-", "✓" if x.local else "",
             "、".join(word(tier, lg) for tier in x.tiers) or "-", x.employees if x.employees is not None else "-",
             f"{x.score:.3f}", _parts(x.parts, lg, leader_label), f"{x.customers}/{x.suppliers}"]
            for k, x in enumerate(out.leaders, 1)]
    scope_text = {"all": t("全部", "all", lg), "local": t("本地", "local", lg), "external": t("外地", "external", lg)}
    print_table(_title(f"链主（{scope_text.get(scope, scope)}）", f"Chain leaders ({scope_text.get(scope, scope)})",
                       out, lg),
                [Col("#", "#", keep=9), Col("企业", "firm", keep=9, min=14), Col("地区", "region", keep=8, min=8),
                 Col("本地", "local", keep=7), Col("梯队", "tiers", keep=4, min=8),
                 Col("人数", "employees", keep=3, justify="right"), Col("得分", "score", keep=9, justify="right"),
                 Col("构成", "parts", keep=2, min=16), Col("客户/供应商", "customers/suppliers", keep=5)], rows)


def dependence_cmd(region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None, data_dir: DataDir = None,
                   as_json: JsonOut = False) -> None:
    """External dependence 外部依赖: share of local firms' supply from outside, top suppliers, single points of failure."""
    out = _run(data_dir, lambda a: a.dependence(region, chain))
    if as_json:
        print_json(to_json(out))
        return
    lg, orgs = lang(), out.orgs
    sep = "；" if lg == "zh" else "; "
    rows = [[pick(s.name_zh, s.name_en, lg), s.local_firms, f"{s.received:.2f}", _pct(s.external_share),
             sep.join(f"{_name(orgs, x.supplier, lg)} {x.share:.0%}" for x in s.top_suppliers[:3]) or "-",
             sep.join(f"{_name(orgs, x.supplier, lg)}（{'、'.join(word(r, lg) for r in x.reasons)}）" if lg == "zh"
                      else f"{_name(orgs, x.supplier, lg)} ({', '.join(word(r, lg) for r in x.reasons)})"
                      for x in s.spofs) or "-"]
            for s in out.segments if s.received > 0]
    print_table(_title("外部依赖", "External dependence", out, lg),
                [Col("环节", "segment", keep=9, min=10), Col("本地企业", "local firms", keep=4, justify="right"),
                 Col("本地采购", "received", keep=3, justify="right"),
                 Col("外部占比", "external", keep=9, justify="right"),
                 Col("主要外部供应商", "top external suppliers", keep=6, min=18),
                 Col("单点风险", "single points of failure", keep=7, min=16)], rows)
    console.print(t("总体外部依赖度：", "overall external share: ", lg) + _pct(out.external_share))


def compare_cmd(region: Annotated[list[str], typer.Option("--region", "-r", help="Two or more regions (repeat).")],
                chain: ChainOpt = None, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Compare one chain's coverage in two or more regions side by side 区域对比."""
    out = _run(data_dir, lambda a: a.compare(region, chain))
    if as_json:
        print_json(to_json(out))
        return
    lg = lang()
    heads = [region_name(r.region, lg) for r in out.regions]
    rows = [[pick(r.name_zh, r.name_en, lg)] + [f"{c.local_firms} · {_status(c.status, lg)}" for c in r.cells]
            for r in out.rows]
    chain_name = pick(out.chain.name_zh, out.chain.name_en, lg)
    region_cols = [Col(h, h, keep=9, min=10) for h in heads]
    print_table(t(f"区域对比 · {chain_name}", f"Compare · {chain_name}", lg),
                [Col("环节", "segment", keep=9, min=10), *region_cols], rows)
    summ = [[f"{s.covered}/{s.segments} ({s.coverage:.0%})" for s in out.summaries],
            [s.local_firms for s in out.summaries],
            [_pct(s.external_share) for s in out.summaries],
            [_counts(s.status_counts, lg) for s in out.summaries]]
    labels = [t("覆盖", "coverage", lg), t("企业", "member firms", lg), t("外部依赖", "external supply", lg),
              t("状态", "status", lg)]
    print_table(t("汇总", "Summary", lg), [Col("", "", keep=9), *region_cols],
                [[lab, *row] for lab, row in zip(labels, summ, strict=True)])


def register(app: typer.Typer) -> None:
    """Add the ``chain``, ``gaps``, ``leaders``, ``dependence`` and ``compare`` commands to ``app``."""
    app.command("chain")(chain_cmd)
    app.command("gaps")(gaps_cmd)
    app.command("leaders")(leaders_cmd)
    app.command("dependence")(dependence_cmd)
    app.command("compare")(compare_cmd)
