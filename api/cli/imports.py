"""``chainmatch import …``: tabular files, world directories, real datasets.

Imports are all or nothing: any bad row is listed (file, row, field, reason)
and nothing is written, unless ``--skip-invalid`` writes the good rows and a
reject file. What a person reads is a short summary in the run's language:
inserted / updated / unchanged per entity, problems counted by reason, where
the reject file went; a dataset's own accounting only with ``--verbose``
(``--json`` prints everything, unchanged).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import (
    DataDir,
    JsonOut,
    console,
    err_console,
    open_store_for,
    print_json,
    progress_bar,
    say_err,
    settings_for,
    write_summary,
)
from api.cli.text import Col, lang, print_pairs, print_table, print_write, t
from graph.io.headers import ENTITIES

__all__ = ["import_app", "parse_column_map"]

import_app = typer.Typer(help="Import organisations, links, segments, worlds and real datasets.",
                         no_args_is_help=True)

ColumnMap = Annotated[
    list[str] | None,
    typer.Option("--map", help="Column mapping HEADER=FIELD (repeatable), e.g. --map 公司=name_zh."),
]
Encoding = Annotated[str | None, typer.Option("--encoding", help="Force an encoding (default: UTF-8, GBK/GB18030 detected).")]
SkipInvalid = Annotated[bool, typer.Option("--skip-invalid", help="Import the good rows; write the bad ones to a reject file.")]
RejectFile = Annotated[Path | None, typer.Option("--reject-file", help="Where to write rejected rows (default: FILE.rejects.csv).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")]
Sheet = Annotated[str | None, typer.Option("--sheet", help="Worksheet of an .xlsx file (default: the first).")]


def parse_column_map(items: list[str] | None) -> dict[str, str] | None:
    """``["公司=name_zh"]`` → ``{"公司": "name_zh"}``.

    >>> parse_column_map(["公司=name_zh", "地址 = address"])
    {'公司': 'name_zh', '地址': 'address'}
    """
    if not items:
        return None
    out = {}
    for item in items:
        if "=" not in item:
            from graph.errors import InvalidInput, Problem

            raise InvalidInput(f"--map wants HEADER=FIELD, got {item!r}", f"--map 的格式应为 表头=字段（HEADER=FIELD）：{item!r}",
                               [Problem("options", None, "--map", f"expected HEADER=FIELD, got {item!r}")])
        header, field = item.split("=", 1)
        out[header.strip()] = field.strip()
    return out


def _tabular(entity: str):
    def command(
        file: Annotated[Path, typer.Argument(help="CSV/TSV, JSON, JSONL or .xlsx file.")],
        column_map: ColumnMap = None,
        encoding: Encoding = None,
        sheet: Sheet = None,
        skip_invalid: SkipInvalid = False,
        reject_file: RejectFile = None,
        dry_run: DryRun = False,
        data_dir: DataDir = None,
        as_json: JsonOut = False,
    ) -> None:
        from graph.io.importer import import_file

        mapping = parse_column_map(column_map)
        with open_store_for(data_dir) as store, progress_bar(t(f"导入 {file.name}", f"importing {file.name}"), as_json) as progress:
            report = import_file(store, file, entity, column_map=mapping, encoding=encoding, sheet=sheet,
                                 skip_invalid=skip_invalid, reject_path=reject_file, dry_run=dry_run,
                                 progress=progress)
            if report.imported is not None and not dry_run:
                prepare_analysis(store, data_dir, as_json)
        if as_json:
            print_json(report.as_dict())
            return
        print_report(report)

    command.__doc__ = f"Import {entity} from a tabular file (Chinese platform headers recognised)."
    return command


for _entity in ENTITIES:  # the importer's entities, as POST /imports/{entity} takes them
    import_app.command(_entity)(_tabular(_entity))


def print_report(report) -> None:
    """An import's summary for people: rows read, what was written per entity, problems by reason, rejects."""
    from graph.display import word
    from graph.errors import by_reason
    from graph.io.importer import bounded_warnings

    lg = lang()
    if report.dry_run:  # which column fed which field, and what was ignored, before anything is written
        print_table(t(f"{report.file}：列映射", f"{report.file}: columns", lg),
                    [Col("表头", "header", keep=9, min=10), Col("字段", "field", keep=9, min=10)],
                    [[header, fieldname] for fieldname, header in report.columns.items()],
                    note=t(f"忽略的列：{'、'.join(report.ignored)}", f"ignored: {', '.join(report.ignored)}", lg)
                    if report.ignored else "")
    for w in bounded_warnings(report.warnings, 10):
        err_console.print(t("[yellow]提示[/yellow]：", "[yellow]warning[/yellow]: ", lg) + escape(w.text(lg)))
    console.print(t(f"{report.file}：读取 {report.rows_read} 行（{report.encoding or '-'}）",
                    f"{report.file}: {report.rows_read} rows read ({report.encoding or '-'})", lg), markup=False)
    if report.imported is None:
        console.print(t("试运行：未写入任何内容", "dry run: nothing written", lg))
    else:
        print_write(report.imported, t(f"导入{word(report.entity.replace('-', '_'), lg)}",
                                       f"Imported {word(report.entity.replace('-', '_'), lg)}", lg))
    if report.problems:
        print_table(t("问题（按原因）", "Problems by reason", lg),
                    [Col("字段", "field", keep=7, min=8), Col("原因（示例）", "reason (example)", keep=9, min=20),
                     Col("行数", "rows", keep=9, justify="right")],
                    [[f or "-", example, n] for f, example, n in by_reason(report.problems, lg)])
    if report.rejected and report.reject_path:
        console.print(t(f"已拒绝 {report.rejected} 行 → {report.reject_path}",
                        f"{report.rejected} row{'s' if report.rejected != 1 else ''} rejected → {report.reject_path}",
                        lg), markup=False, soft_wrap=True)  # a path is copied whole: never wrapped


def _flat(stats: dict, prefix: str = "") -> list[tuple[str, object]]:
    """A dataset's nested accounting as ``(key.path, value)`` rows (long lists counted)."""
    rows: list[tuple[str, object]] = []
    for k, v in stats.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            rows += _flat(v, key + ".") if v else [(key, "-")]
        elif isinstance(v, list | tuple | set):
            v = list(v)
            rows.append((key, ", ".join(map(str, v)) if len(v) <= 6 else f"{len(v)} items"))
        else:
            rows.append((key, v))
    return rows


Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Also print the dataset's import statistics.")]


def prepare_analysis(store, data_dir, quiet: bool) -> None:
    """After an import: the analysis view of the store's new version built now, with a line on stderr saying so
    and how long it took (large stores only: :meth:`matching.engines.Engines.prepare_analysis`)."""
    import time

    from matching.engines import Engines

    started = time.perf_counter()

    def announce() -> None:
        if not quiet:
            say_err(t("正在准备分析视图（之后的首次查询无需再等）…",
                      "preparing the analysis view (so the first query after this import does not wait)…"))

    if Engines(settings_for(data_dir)).prepare_analysis(store, announce) and not quiet:
        s = round(time.perf_counter() - started)
        say_err(t(f"分析视图已就绪，用时 {s} 秒", f"analysis view ready in {s} s"))


def _write_batch(batch, stats: dict, data_dir, as_json: bool, title: str, verbose: bool = False) -> None:
    with open_store_for(data_dir) as store:
        result = store.write(batch)
        where = store.path
        prepare_analysis(store, data_dir, as_json)
    out = {"write": write_summary(result), "stats": stats}
    if as_json:
        print_json(out)
        return
    lg = lang()
    console.print(t(f"[bold]{title}[/bold] → {escape(str(where))}", f"[bold]{title}[/bold] → {escape(str(where))}", lg),
                  soft_wrap=True)
    print_write(result)
    if verbose:
        print_pairs(t("数据集统计", "Dataset statistics", lg), _flat(stats))
    elif stats:
        console.print(t("（加 --verbose 查看数据集统计）", "(--verbose shows the dataset's statistics)", lg))


@import_app.command("headers")
def import_headers(
    entity: Annotated[str | None, typer.Argument(help="One entity (organisations, links, segments, segment-edges, "
                                                 "branches); default: all.")] = None,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/import-formats.md (Markdown).")] = False,
    as_json: JsonOut = False,
) -> None:
    """Every recognised header of every import, each field's type, and the values fields take."""
    from graph.errors import InvalidInput
    from graph.io.formats import markdown, reference, vocabularies

    ref = reference()
    if entity is not None and entity not in ref:
        raise InvalidInput(f"unknown entity {entity!r}; expected one of {', '.join(ref)}",
                           f"未知实体 {entity!r}；应为 {'、'.join(ref)} 之一")
    if as_markdown:
        sys.stdout.write(markdown() + "\n")
        return
    if as_json:
        print_json({"entities": ref if entity is None else {entity: ref[entity]}, "values": vocabularies()})
        return
    lg = lang()
    for name in [entity] if entity else list(ref):
        print_table(t(f"chainmatch import {name} 可识别的表头", f"chainmatch import {name}: recognised headers", lg),
                    [Col("字段", "field", keep=9), Col("类型", "type", keep=6, min=10),
                     Col("表头", "headers", keep=9, min=20)],
                    [[f, spec["type"], ", ".join(spec["headers"])] for f, spec in ref[name].items()])
    console.print(t("取值见 docs/import-formats.md（或 --json）", "values: docs/import-formats.md (or --json)", lg),
                  markup=False)


@import_app.command("world")
def import_world(
    directory: Annotated[Path | None, typer.Argument(help="World directory (default: the bundled sample world).")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
    verbose: Verbose = False,
) -> None:
    """Import a world directory (clusters/chains/segments/segment_edges/organisations/links .jsonl)."""
    from fixtures.world import load_world

    batch, answers = load_world(directory)
    title = t(f"世界数据 {directory}", f"world {directory}") if directory else t("示例世界（虚构）", "sample world (fictional)")
    _write_batch(batch, {"planted": sorted(answers)}, data_dir, as_json, title, verbose)


@import_app.command("chainkg")
def import_chainkg(
    directory: Annotated[Path, typer.Argument(help="Directory with company.json, industry.json, … (ChainKnowledgeGraph).")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
    verbose: Verbose = False,
) -> None:
    """Import A-share listed firms and Shenwan industries (ChainKnowledgeGraph JSON lines)."""
    from graph.io.chainkg import load_chainkg
    from graph.regions import regions_for

    batch, stats = load_chainkg(directory)
    batch.regions = regions_for({o.region for o in batch.organisations})
    _write_batch(batch, stats, data_dir, as_json, f"ChainKnowledgeGraph {directory}", verbose)


@import_app.command("ickg")
def import_ickg(
    directory: Annotated[Path, typer.Argument(help="Directory with entity2id.txt, relation2id.txt, train/valid/test.txt.")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
    verbose: Verbose = False,
) -> None:
    """Import ICKG (head, relation, tail, time) facts as segments, memberships and dated links."""
    from graph.io.ickg import load_ickg
    from graph.regions import regions_for

    batch, stats = load_ickg(directory)
    batch.regions = regions_for({o.region for o in batch.organisations})
    _write_batch(batch, stats, data_dir, as_json, f"ICKG {directory}", verbose)
