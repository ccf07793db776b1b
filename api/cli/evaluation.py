"""``chainmatch eval entries``: the date-split entry backtest (docs/evaluation.md → Entries)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, open_store_for, print_json
from api.cli.text import Col, lang, print_table, t
from graph.display import word

__all__ = ["entries_cmd"]


def entries_cmd(
    t0: Annotated[str, typer.Option(help="Freeze date: firms dated on or before it are known.")] = "2014-12-31",
    level: Annotated[str, typer.Option(help="Region level compared: city or province.")] = "city",
    min_firms: Annotated[int, typer.Option(min=1, help="Only regions with at least this many firms at t0.")] = 8,
    tune: Annotated[bool, typer.Option(help="Fit the engine's weights on the validation windows ending at t0 "
                                       "(shipped defaults shown beside them).")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Entry backtest: MAP, Recall@10/20, AUC-PR of the 补链/延链 ranking vs random, popularity, density, demand."""
    from api.cli.common import progress_bar
    from graph.errors import InvalidInput
    from matching.eval.entries import EntryData, format_entries, run_entries
    from matching.eval.metrics import SET_METRICS

    if level not in ("city", "province"):
        raise InvalidInput(f"--level must be city or province, not {level!r}", f"--level 只能是 city 或 province：{level!r}")
    with open_store_for(data_dir) as store:
        data = EntryData.from_store(store, level=level)
    with progress_bar(t("进入回测", "entries"), as_json) as progress:
        res = run_entries(data, t0, min_firms=min_firms, tune=tune, progress=progress)
    if as_json:
        print_json(res.as_dict())
        return
    lg = lang()
    level = {"city": t("城市", "city", lg), "province": t("省份", "province", lg)}[res.level]
    console.print(t(f"t0 {res.t0} · 按{level} · {res.regions} 个地区（t0 时至少 {res.min_firms} 家企业且有进入；另有 "
                    f"{res.regions_without_entries} 个地区无进入） · {res.candidates} 个候选 · {res.entries} 次进入 · "
                    f"企业 {res.firms} 家（{res.undated} 家无日期，{res.without_region} 家无{level}）",
                    f"t0 {res.t0} · level {level} · {res.regions} regions with ≥ {res.min_firms} firms and entries "
                    f"({res.regions_without_entries} without entries) · {res.candidates} candidates · "
                    f"{res.entries} entries · firms {res.firms} ({res.undated} undated, "
                    f"{res.without_region} without a {level})", lg), markup=False)
    rows = [[word(r[0], lg), *r[1:]] for r in format_entries(res)]  # scorers named in words
    print_table(t(f"进入回测 · {res.t0} · 按{level}", f"Entries · {res.t0} · {level}", lg),
                [Col("评分方法", "scorer", keep=9, min=12), *[Col(m, m, keep=8, justify="right") for m in SET_METRICS]],
                rows)
    sep = "，" if lg == "zh" else ", "
    if res.tuned:
        w = sep.join(f"{k} {v:g}" for k, v in res.tuned["weights"].items())
        console.print(t(f"在 {res.tuned['validation_from']} 至 {res.tuned['until']} 上调参（{res.tuned['rows']} 行，"
                        f"{res.tuned['positives']} 次进入）：{w}",
                        f"tuned on {res.tuned['validation_from']} → {res.tuned['until']} ({res.tuned['rows']} rows, "
                        f"{res.tuned['positives']} entries): {w}", lg), markup=False)
    else:
        w = sep.join(f"{k} {v:g}" for k, v in res.weights.items())
        console.print(t(f"权重：{w}", f"weights: {w}", lg), markup=False)
