"""``chainmatch store …``: move records between the embedded store and Neo4j.

``export`` writes a JSONL dump of any store, ``import`` writes one into any
store (one transaction: all or nothing; re-importing changes nothing),
``copy`` goes straight from one backend to the other.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, print_json, write_summary
from api.cli.text import Col, lang, print_table, print_write, t

__all__ = ["store_app"]

store_app = typer.Typer(help="Export, import and copy a whole store (embedded ⇄ Neo4j).",
                        no_args_is_help=True)


class Backend(StrEnum):
    EMBEDDED = "embedded"
    NEO4J = "neo4j"


BackendOpt = Annotated[
    Backend | None,
    typer.Option("--backend", help="Store to use (default: CHAINMATCH_BACKEND or embedded)."),
]
DumpPath = Annotated[Path, typer.Argument(help="JSONL dump file.")]


def _open(data_dir: Path | None, backend: Backend | None):
    from graph.settings import Settings
    from graph.store import open_store

    kwargs: dict = {}
    if data_dir:
        kwargs["data_dir"] = data_dir
    if backend:
        kwargs["backend"] = backend.value
    return open_store(Settings(**kwargs))


@store_app.command("export")
def export_(path: DumpPath, data_dir: DataDir = None, backend: BackendOpt = None,
            as_json: JsonOut = False) -> None:
    """Write every record of the store to a JSONL dump."""
    from graph.store.transfer import dump

    with _open(data_dir, backend) as store, path.open("w", encoding="utf-8") as fh:
        counts = dump(store, fh)
        where = store.path
    if as_json:
        print_json({"file": str(path), "counts": counts})
        return
    from graph.display import word

    console.print(t(f"已导出 {sum(counts.values())} 条记录：", f"exported {sum(counts.values())} records: "),
                  f"{where} → {path}", markup=False, soft_wrap=True)
    print_table(t("导出的记录", "Records exported"),
                [Col("实体", "entity", keep=9), Col("数量", "count", keep=9, justify="right")],
                [[word(k, lang()), v] for k, v in counts.items()])


@store_app.command("import")
def import_(path: DumpPath, data_dir: DataDir = None, backend: BackendOpt = None,
            as_json: JsonOut = False) -> None:
    """Write a JSONL dump into the store (one transaction)."""
    from graph.store.transfer import load

    with path.open(encoding="utf-8") as fh:
        batch = load(fh, path.name)
    with _open(data_dir, backend) as store:
        result = store.write(batch)
        where = store.path
    if as_json:
        print_json(write_summary(result))
        return
    print_write(result, t(f"已将 {path} 导入 {where}", f"imported {path} into {where}"))


@store_app.command("copy")
def copy_(
    to: Annotated[Backend, typer.Option("--to", help="Destination backend.")],
    source: Annotated[Backend, typer.Option("--from", help="Source backend.")] = Backend.EMBEDDED,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Copy every record from one backend to the other (one transaction)."""
    from graph.store.transfer import copy

    if to == source:
        raise typer.BadParameter("--from and --to name the same backend")
    with _open(data_dir, source) as src, _open(data_dir, to) as dst:
        result = copy(src, dst)
        where = (getattr(src, "path", ""), getattr(dst, "path", ""))
    if as_json:
        print_json(write_summary(result))
        return
    print_write(result, t(f"已复制 {where[0]} → {where[1]}", f"copied {where[0]} → {where[1]}"))
