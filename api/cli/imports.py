"""``chainmatch import …``: tabular files, world directories, real datasets.

Imports are all or nothing: any bad row is listed (file, row, field, reason)
and nothing is written, unless ``--skip-invalid`` writes the good rows and a
reject file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import (
    DataDir,
    JsonOut,
    console,
    err_console,
    open_store_for,
    print_json,
    progress_bar,
    write_summary,
)
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
            raise typer.BadParameter(f"--map wants HEADER=FIELD, got {item!r}")
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
        with open_store_for(data_dir) as store, progress_bar(f"importing {file.name}", as_json) as progress:
            report = import_file(store, file, entity, column_map=mapping, encoding=encoding, sheet=sheet,
                                 skip_invalid=skip_invalid, reject_path=reject_file, dry_run=dry_run,
                                 progress=progress)
        if as_json:
            print_json(report.as_dict())
            return
        if dry_run:  # which column fed which field, and what was ignored, before anything is written
            console.print(f"{report.file}: columns 列映射")
            for fieldname, header in report.columns.items():
                console.print(f"  {header} → {fieldname}")
            if report.ignored:
                console.print(f"  ignored 忽略: {', '.join(report.ignored)}")
        for w in report.warnings:
            err_console.print(f"[yellow]warning[/yellow]: {w}")
        done = write_summary(report.imported) if report.imported else "dry run: nothing written"
        console.print(f"{report.file}: {report.rows_read} rows read ({report.encoding}); {done}")
        if report.rejected:
            console.print(f"{report.rejected} row(s) rejected → {report.reject_path}")
            for p in report.problems[:20]:
                console.print(f"  {p}")

    command.__doc__ = f"Import {entity} from a tabular file (Chinese platform headers recognised)."
    return command


for _entity in ENTITIES:  # the importer's entities, as POST /imports/{entity} takes them
    import_app.command(_entity)(_tabular(_entity))


def _write_batch(batch, stats: dict, data_dir, as_json: bool, title: str) -> None:
    with open_store_for(data_dir) as store:
        result = store.write(batch)
    out = {"write": write_summary(result), "stats": stats}
    if as_json:
        print_json(out)
        return
    console.print(f"[bold]{title}[/bold]")
    console.print(out)


@import_app.command("world")
def import_world(
    directory: Annotated[Path | None, typer.Argument(help="World directory (default: the bundled sample world).")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Import a world directory (clusters/chains/segments/segment_edges/organisations/links .jsonl)."""
    from fixtures.world import load_world

    batch, answers = load_world(directory)
    _write_batch(batch, {"planted": sorted(answers)}, data_dir, as_json, f"world {directory or 'sample'}")


@import_app.command("chainkg")
def import_chainkg(
    directory: Annotated[Path, typer.Argument(help="Directory with company.json, industry.json, … (ChainKnowledgeGraph).")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Import A-share listed firms and Shenwan industries (ChainKnowledgeGraph JSON lines)."""
    from graph.io.chainkg import load_chainkg
    from graph.regions import regions_for

    batch, stats = load_chainkg(directory)
    batch.regions = regions_for({o.region for o in batch.organisations})
    _write_batch(batch, stats, data_dir, as_json, f"chainkg {directory}")


@import_app.command("ickg")
def import_ickg(
    directory: Annotated[Path, typer.Argument(help="Directory with entity2id.txt, relation2id.txt, train/valid/test.txt.")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Import ICKG (head, relation, tail, time) facts as segments, memberships and dated links."""
    from graph.io.ickg import load_ickg
    from graph.regions import regions_for

    batch, stats = load_ickg(directory)
    batch.regions = regions_for({o.region for o in batch.organisations})
    _write_batch(batch, stats, data_dir, as_json, f"ickg {directory}")
