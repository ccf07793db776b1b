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
    write_summary,
)
from api.cli.text import Col, lang, print_table, print_write, t
from graph.display import pick

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
    lg = lang()
    print_table(t("产业链模板", "Chain templates", lg),
                [Col("名称", "name", keep=9), Col("产业链", "chain", keep=9, min=10),
                 Col("环节", "segments", keep=8, justify="right"), Col("上/中/下游", "up/mid/down", keep=6),
                 Col("关联", "edges", keep=7, justify="right"), Col("文件", "files", keep=2, min=14)],
                [[tp.slug, pick(tp.name_zh, tp.name_en, lg), tp.segments,
                  "/".join(str(tp.stages.get(s, 0)) for s in ("上游", "中游", "下游")), tp.edges,
                  f"{tp.segments_file.name} + {tp.edges_file.name}"] for tp in library])
    for tp in library:
        console.print(t(f"{tp.slug} 来源：", f"{tp.slug} sources: ", lg) + t("；", "; ", lg).join(tp.sources), markup=False)
    console.print(t(f"模板文件在 {HERE}：复制一对文件，编辑后用 `chainmatch import segments` 再 `import segment-edges` 导入",
                    f"files in {HERE}: copy a pair, edit it, `chainmatch import segments` then `import segment-edges`",
                    lg), markup=False)


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
    tp, lg = done.template, lang()
    for report in (done.segments, done.edges):
        console.print(t(f"{report.file}：读取 {report.rows_read} 行", f"{report.file}: {report.rows_read} rows read", lg),
                      markup=False)
    # both files went in with one write (one transaction): one summary
    if done.segments.imported is None:
        console.print(t("试运行：未写入", "dry run: nothing written", lg))
    else:
        print_write(done.segments.imported, t("一次写入", "one write", lg))
    state = (t("已安装", "installed", lg) if done.written else
             t("已检查", "checked", lg) if dry_run else t("已是最新", "already installed", lg))
    console.print(t(f"{tp.name_zh}：{tp.segments} 个环节，{tp.edges} 条关联 · {state}",
                    f"{pick(tp.name_zh, tp.name_en, 'en')}: {tp.segments} segments, {tp.edges} edges · {state}", lg))


def register(app: typer.Typer) -> None:
    """Add the ``chains`` command group to ``app``."""
    app.add_typer(chains_app, name="chains")
