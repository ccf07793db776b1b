"""``chainmatch chains list | add NAME``: the chain template library (产业链图谱).

``add`` is ``chainmatch import segments`` then ``import segment-edges`` on the
template's two files (:func:`graph.templates.install`), what ``POST
/chain-templates/{name}`` runs; the files themselves (``chains list`` names
them) are starting points a team copies, edits and imports again. Wire with
``register(app)``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import (
    DataDir,
    JsonOut,
    console,
    open_store_for,
    print_json,
    table,
    write_summary,
)

__all__ = ["register", "chains_app", "installed_json"]

chains_app = typer.Typer(help="Chain templates (产业链图谱): list the library, install one.", no_args_is_help=True)


def installed_json(done) -> dict:
    """What ``chains add --json`` prints: the HTTP route's fields (merged organisations counted)."""
    out = done.as_dict()
    for part in ("segments", "edges"):
        report = getattr(done, part)
        if report is not None and report.imported is not None:
            out[part]["imported"] = write_summary(report.imported)
    return out


@chains_app.command("list")
def list_cmd(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """The ready chain templates: names, segments per stage, edges, the sources they were drawn from."""
    del data_dir  # taken like every command's; the library ships with the package, not in the store
    from graph.templates import HERE, templates

    library = templates()
    if as_json:
        print_json({"items": [t.as_dict() for t in library]})
        return
    console.print(table("Chain templates 产业链模板", ["name", "产业链", "chain", "segments 环节", "上/中/下游",
                                                    "edges 关联", "files 文件"],
                        [[t.slug, t.name_zh, t.name_en, t.segments,
                          "/".join(str(t.stages.get(s, 0)) for s in ("上游", "中游", "下游")), t.edges,
                          f"{t.segments_file.name} + {t.edges_file.name}"] for t in library]))
    for t in library:
        console.print(f"{t.slug} 来源: {'；'.join(t.sources)}")
    console.print(f"files in {HERE}: copy a pair, edit it, `chainmatch import segments` then `import segment-edges`")


@chains_app.command("add")
def add_cmd(
    name: Annotated[str, typer.Argument(help="Template slug, Chinese or English name, or a fragment: nev, 新能源汽车.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check both files; write nothing.")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Install a chain template: its segments (with stage, zh/en names, keywords) and segment edges."""
    from graph.templates import install

    with open_store_for(data_dir) as store:
        done = install(store, name, dry_run=dry_run)
    if as_json:
        print_json(installed_json(done))
        return
    t = done.template
    for report in (done.segments, done.edges):
        console.print(f"{report.file}: {report.rows_read} rows read")
    # both files went in with one write (one transaction): one summary
    what = write_summary(done.segments.imported) if done.segments.imported else "dry run: nothing written"
    console.print(f"one write 一次写入: {what}")
    state = "installed 已安装" if done.written else ("checked 已检查" if dry_run else "already installed 已是最新")
    console.print(f"{t.name_zh} ({t.name_en}): {t.segments} segments, {t.edges} edges — {state}")


def register(app: typer.Typer) -> None:
    """Add the ``chains`` command group to ``app``."""
    app.add_typer(chains_app, name="chains")
