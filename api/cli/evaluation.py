"""``chainmatch eval entries``: the date-split entry backtest (docs/evaluation.md → Entries)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, open_store_for, print_json, table

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
    with progress_bar("entries 进入回测", as_json) as progress:
        res = run_entries(data, t0, min_firms=min_firms, tune=tune, progress=progress)
    if as_json:
        print_json(res.as_dict())
        return
    console.print(f"t0 {res.t0} · level {res.level} · {res.regions} regions with ≥ {res.min_firms} firms and entries "
                  f"({res.regions_without_entries} without entries) · {res.candidates} candidates · "
                  f"{res.entries} entries · firms {res.firms} ({res.undated} undated, "
                  f"{res.without_region} without a {res.level})")
    console.print(table(f"Entries 进入回测 · {res.t0} · {res.level}", ["scorer", *SET_METRICS], format_entries(res)))
    if res.tuned:
        console.print(f"tuned on {res.tuned['validation_from']} → {res.tuned['until']} "
                      f"({res.tuned['rows']} rows, {res.tuned['positives']} entries): {res.tuned['weights']}")
    else:
        console.print(f"weights 权重: {res.weights}")
