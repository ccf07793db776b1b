"""``chainmatch profile FIRM``: a firm profile (企业画像), the CLI twin of ``GET /organisations/{id}/profile``.

Both call :func:`matching.profile.profile`: the firm's registration, size and tiers, its segments, suppliers,
customers and other ties by name, sites, financing, the sources and dates of its data, and with ``--region``
why it is a target there (its rank and score parts in each of its gap segments), or that it is local or closed.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, engine_room, print_json
from api.cli.text import Col, lang, print_table, t
from graph.display import pick, word
from graph.labels import gap_zh, label
from graph.resolve import resolve_org, resolve_region

__all__ = ["register", "profile_cmd"]

_ROLE_ZH = {"supplier": "供应商", "customer": "客户", "investor": "投资方", "investee": "被投企业", "parent": "母公司", "subsidiary": "子公司", "acquirer": "收购方",
            "acquired": "被收购方", "partner": "合作伙伴", "joint_venture": "合资方", "competitor": "竞争对手",
            "park": "入驻园区", "tenant": "入驻企业", "incubator": "孵化器", "incubatee": "在孵企业"}


def profile_cmd(
    firm: Annotated[str, typer.Argument(help="Organisation: id, USCC or exact name.")],
    region: Annotated[str | None, typer.Option("--region", "-r", help="Region the firm would be recruited to "
                                               "(深圳, 南山区 …): says why it is a target there.")] = None,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="Chain id or name whose gaps count "
                                              "(default: every chain).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=200, help="Ties shown per table.")] = 10,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Firm profile (企业画像): segments, suppliers and customers, sites, financing, sources, why a target."""
    from matching.profile import profile

    rid = resolve_region(region, field="--region") if region else None
    with engine_room(data_dir, workspace=True) as (engines, store, ws):
        p = profile(engines, store, ws, resolve_org(store, firm), region=rid, chain=chain)
    if as_json:
        print_json(p)
        return
    lg = lang()
    o = p["organisation"]
    status = o[f"status_note_{lg}"] or t("存续" if o["status"] == "active" else "登记状态未知",
                                        "active" if o["status"] == "active" else "status unknown", lg)
    tiers = "、".join(word(x, lg) for x in o["tiers"]) if lg == "zh" else ", ".join(word(x, lg) for x in o["tiers"])
    console.print(f"[bold]{pick(o['name_zh'], o['name_en'], lg)}[/bold] · {p['region_' + lg]} · {status}"
                  + (f" · {tiers}" if tiers else ""))
    facts = [(t("成立", "founded", lg), o["founded"]), (t("员工", "employees", lg), o["employees"]),
             (t("营收", "revenue", lg), o["revenue_band"]), (t("专利", "patents", lg), o["patents"])]
    console.print("  ".join(f"{k} {v}" for k, v in facts if v not in (None, "")))
    print_table(t("环节", "Segments", lg), [Col("环节", "segment", keep=9), Col("挂链", "membership", keep=5),
                                          Col("置信度", "confidence", keep=4, justify="right")],
                [[pick(s["name_zh"], s["name_en"], lg), word(s["status"], lg), f"{s['confidence']:.2f}"] for s in p["segments"]])
    target = p["target"]
    if target is not None:
        where = target[f"region_{lg}"]
        if target["closed"] or target["local"] or not target["items"]:
            why = (t("已注销、吊销或迁出，不作为招商目标。", "closed or moved away: never a target.", lg) if target["closed"]
                   else t("本地企业，不作为招商目标。", "a local firm: not a target.", lg) if target["local"]
                   else t("所在环节在本地区不是缺口，或未进入排名。", "not a gap segment here, or not ranked.", lg))
            console.print(f"{t('招商目标', 'Target', lg)} · {where}: {why}")
        for x in target["items"]:
            gap = (label(x["gap"], lg) if lg == "en" else gap_zh(x["gap"])) if x["gap"] else ""
            parts = " · ".join(f"{label(q['name'], lg)} {q['value']:+.2f}" for q in x["parts"] if q["value"])
            console.print(f"{t('招商目标', 'Target', lg)} · {where} · {gap} #{x['rank']} {x['total']:.2f}: {parts}\n"
                          f"   {x['reason_' + lg] or x['reason_zh']}")
    for key, zh, en in (("suppliers", "供应商", "Suppliers"), ("customers", "客户", "Customers"),
                        ("ties", "其他关系", "Other ties")):
        rows = [[pick(x["name_zh"], x["name_en"], lg), x[f"region_{lg}"], x["since"] or "",
                 (_ROLE_ZH.get(x["role"], x["role"]) if lg == "zh" else x["role"].replace("_", " "))]
                for x in p[key][:limit]]
        if not rows:
            console.print(f"{t(zh, en, lg)} (0): {t('无', 'none', lg)}")
            continue
        print_table(f"{t(zh, en, lg)} ({len(p[key])})", [Col("名称", "name", keep=9, min=14), Col("所在地", "region", keep=6),
                                                        Col("起始", "since", keep=3), Col("关系", "tie", keep=4)], rows)
    for s in p["sources"]:
        dates = s["first"] if s["first"] == s["last"] else f"{s['first']} – {s['last']}"
        what = t("企业信息", "record", lg) if s["what"] == "organisation" else t("企业关系", "ties", lg)
        # the source by name (a data set, an import's file); a source the user's file named stays as written
        name = s["name_zh"] if lg == "zh" else s["name_en"]
        console.print(f"{t('数据', 'data', lg)}: {what} {s['records']} {t('条', 'records', lg)} · {name} · {dates or ''}")


def register(app: typer.Typer) -> None:
    app.command("profile")(profile_cmd)
