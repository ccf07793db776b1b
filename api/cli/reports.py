"""``chainmatch report``: the gap-and-target report (缺链补链与招商目标报告) as an xlsx or HTML file.

Thin: ask the engine room the API uses for the report
(:meth:`matching.engines.Engines.report`, what ``GET /reports`` calls), render
with :func:`matching.reports.render.render`, write the file (atomically,
through :func:`graph.atomic.atomic_file`). Landed
firms from the workspace count as local and leave the target lists, as in
``chainmatch recommend``. Wire with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import DataDir, console, engine_room
from api.cli.text import lang as cli_lang
from api.cli.text import t
from graph.display import pick
from matching.recommend.gaptargets import DEFAULT_PER_GAP

__all__ = ["register", "report_cmd", "write_atomic"]

DEFAULT_REGION = "cn/guangdong/shenzhen"



def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (:func:`graph.atomic.atomic_file`: flushed to disk,
    then renamed), so no half-written report is left behind."""
    from graph.atomic import atomic_file

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)


def report_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (.xlsx or .html).")],
    region: Annotated[str, typer.Option("--region", "-r", help="Region id or name: 深圳, 南山区, cn/guangdong/shenzhen.")]
    = DEFAULT_REGION,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="Chain id or zh/en name (default: every segment).")]
    = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="xlsx or html (default: from the output suffix).")]
    = None,
    lang: Annotated[str, typer.Option("--lang", help="Header language: zh or en.")] = "zh",
    per_gap: Annotated[int, typer.Option("--targets-per-gap", min=1, max=20, help="Targets listed per gap.")]
    = DEFAULT_PER_GAP,
    data_dir: DataDir = None,
) -> None:
    """Gap-and-target report 缺链补链与招商目标报告: chain map, gaps, targets, introducers, campaign, dependence."""
    from graph.resolve import resolve_region
    from matching.reports.render import check_lang, format_for, render

    fmt, lang = format_for(output, fmt), check_lang(lang)
    rid = resolve_region(region)
    with engine_room(data_dir, workspace=True) as (engines, store, ws):
        report = engines.report(store, ws, rid, chain, targets_per_gap=per_gap)
    data = render(report, fmt, lang)
    write_atomic(output, data)
    p, lg = report["provenance"], cli_lang()
    region = report["region"]["name_zh"] if lg == "zh" else (report["region"].get("name_en") or report["region"]["name_zh"])
    chain = pick(report["chain"].get("name_zh"), report["chain"].get("name_en"), lg)
    console.print(t(f"已写入 {output}（{fmt}，{len(data):,} 字节） · {region} · {chain} · 缺口 {len(report['gaps'])} · "
                    f"目标 {len(report['targets'])} · 数据日期 {p['as_of_min']} 至 {p['as_of_max']} · 估算字段 "
                    f"{p['estimated_fields']} 个，涉及 {p['estimated_records']}/{p['records']} 条记录",
                    f"wrote {output} ({fmt}, {len(data):,} bytes) · {region} · {chain} · gaps {len(report['gaps'])} · "
                    f"targets {len(report['targets'])} · as of {p['as_of_min']} to {p['as_of_max']} · estimated "
                    f"fields {p['estimated_fields']} in {p['estimated_records']}/{p['records']} records", lg),
                  markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command("report")(report_cmd)
