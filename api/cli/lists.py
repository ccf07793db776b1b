"""``chainmatch lists generate | show | add | edit | remove | export | import``: the six 六个一 lists.

Lists live in ``<data dir>/workspace.sqlite`` (:mod:`matching.worklists`), one
per list kind, region and optional chain. Generating replaces only the
generated entries: whatever was added, edited or hidden by hand stays.
Region and chain take ids or Chinese/English names (深圳, 南山区, 动漫游戏, 动漫),
resolved by :mod:`graph.resolve`.

**Scopes.** ``--chain all`` (全部) and no ``--chain`` write to the same list,
the region's list of every chain. Reading without ``--chain`` (``show``,
``export``, ``import``) is the *region view*: every list of the region, the
every-chain list and each chain-scoped one, each entry naming its chain — so
``generate 重点企业 --region 深圳 --chain 动漫游戏`` then ``show --region 深圳``
shows those entries, and the view's export imports back. ``--chain X`` reads
that chain's list only; ``--chain all`` the every-chain list only.
Wire with ``register(app)``.
"""

from __future__ import annotations

from contextlib import contextmanager
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
    settings_for,
)
from api.cli.text import Col, lang, names_for, print_table, t
from graph.errors import InvalidInput

__all__ = ["register", "lists_app"]

DEFAULT_REGION = "cn/guangdong/shenzhen"
KindArg = Annotated[str, typer.Argument(help="key_firms 重点企业 | targets 招商引资目标 | projects 重点项目 | "
                                        "platforms 创新平台 | policies 政策工具包 | advisors 战略咨询支撑机构")]
RegionOpt = Annotated[str, typer.Option("--region", "-r", help="Region id or name: 深圳, 南山区, cn/guangdong/shenzhen.")]
ChainOpt = Annotated[str | None, typer.Option("--chain", "-c", help="Chain id or name; all: the list of every "
                                              "chain. Absent: writes go to the list of every chain, reads show "
                                              "every list of the region (the region view).")]
FieldOpt = Annotated[list[str] | None, typer.Option("--field", "-f", help="NAME=VALUE of a list field; repeat. "
                                                    "An empty VALUE clears the field (edit).")]
Actor = "cli"

lists_app = typer.Typer(help="The six 六个一 lists: key firms, targets, projects, platforms, policies, advisors.",
                        no_args_is_help=True)


@contextmanager
def _context(data_dir, region: str, chain: str | None):
    """The store, the list store, the region id, the chain id (``None``: every chain) and whether the read is
    the region view (no ``--chain``)."""
    from graph.resolve import chain_filter, resolve_region
    from matching.worklists.store import ListStore
    from matching.workspace import Workspace, workspace_path

    settings = settings_for(data_dir)
    with open_store_for(data_dir) as store, Workspace.open(workspace_path(settings)) as ws:
        yield (settings, store, ListStore(ws), resolve_region(region, field="--region"),
               chain_filter(chain, store.chains(), field="--chain"), chain is None)


def _fields(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise InvalidInput(f"--field: want NAME=VALUE, got {item!r}", f"--field 格式应为 名称=值：{item!r}")
        out[name.strip()] = value
    return out


def _scope_name(cid: str | None, view: bool, names=None) -> str:
    if view:
        return t("该地区全部清单", "every list of the region")
    if cid is None:
        return t("全部产业链", "all chains")
    return names.chain(cid) if names is not None else cid


def _kind_name(kind: str) -> str:
    from matching.worklists.kinds import KINDS

    spec = KINDS[kind]
    return t(spec.zh, spec.en)


def _origin(origin: str, hidden: bool = False) -> str:
    from matching.worklists.io import ORIGIN_ZH

    text = t(ORIGIN_ZH.get(origin, origin), origin)
    return text + (t(" · 已隐藏", " · hidden") if hidden else "")


def _values(names, lg: str):
    """``value(field, text)``: a list field's stored words (Chinese, as exported) in the run's language."""
    if lg == "zh":
        return lambda name, v: v
    from graph.display import pick, word
    from graph.labels import GapKind
    from matching.recommend.form import FORMS, FORMS_EN

    segments = {s.name_zh: pick(s.name_zh, s.name_en, lg) for s in names.store.segments()}
    forms = {zh: FORMS_EN.get(k, k) for k, zh in FORMS.items()}
    gaps = {g.zh: g.en for g in GapKind}
    from matching.worklists.generate import PLATFORM_ZH

    platforms = {zh: word(kind.value, lg) for kind, zh in PLATFORM_ZH.items()}

    def value(name: str, v):
        if not isinstance(v, str) or not v:
            return v
        if name == "segment":
            return ", ".join(segments.get(x.strip(), x) for x in v.replace("、", ",").split(","))
        if name == "tiers":
            return ", ".join(word(x.strip(), lg) for x in v.replace("、", ",").split(","))
        if name == "form":
            return forms.get(v, v)
        if name == "gap":
            return gaps.get(v, v)
        if name == "platform_type":
            return platforms.get(v, v)
        return v

    return value


def _show(kind: str, entries, title: str, names) -> None:
    from matching.worklists.kinds import KINDS, format_parts

    lg = lang()
    shown = [f for f in KINDS[kind].fields if f.name not in ("reason", "score_parts", "introducer")][:4]
    names.preload(e.subject for e in entries if e.subject)
    rows = []
    value = _values(names, lg)
    for e in entries:
        cells = [format_parts(v) if isinstance(v := e.fields.get(f.name), dict) else value(f.name, v) for f in shown]
        title_text = (names.org(e.subject) if e.subject and lg == "en" else e.title) or e.title or e.subject or ""
        rows.append([e.id, title_text, names.chain(e.chain) if e.chain else t("全部", "all", lg), *cells,
                     _origin(e.origin, e.hidden), e.note])
    print_table(title, [Col("编号", "id", keep=9), Col("名称", "title", keep=9, min=14),
                        Col("产业链", "chain", keep=6, min=8),
                        *[Col(f.zh, f.name.replace("_", " "), keep=5 - i, min=8) for i, f in enumerate(shown)],
                        Col("来源", "origin", keep=4), Col("备注", "note", keep=3)], rows)


@lists_app.command("generate")
def generate_cmd(kind: KindArg, region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None,
                 top: Annotated[int, typer.Option("--top", "-n", min=1, max=500, help="Entries to generate.")] = 20,
                 data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """(Re)generate a list from the data: key firms, targets or platforms. Hand-curated entries stay."""
    from matching.engines import Engines
    from matching.worklists.kinds import resolve_kind

    kind = resolve_kind(kind)
    with _context(data_dir, region, chain) as (settings, store, ls, rid, cid, _view):
        drafts = Engines(settings).list_drafts(store, ls.ws, kind, rid, cid, top=top)
        result = ls.regenerate(kind, rid, cid, drafts, actor=Actor)
    if as_json:
        print_json(result.as_dict())
        return
    with open_store_for(data_dir) as store:
        names = names_for(store)
        where = f"{_kind_name(kind)} · {names.region(rid)} · {_scope_name(cid, False, names)}"
    r = result
    console.print(t(f"{where}：新增 {r.added}，更新 {r.updated}，移除 {r.removed}，未变 {r.unchanged}，保留人工条目 "
                    f"{r.kept_curated}（已隐藏 {r.skipped_hidden}） · 版本 {r.version}",
                    f"{where}: added {r.added}, updated {r.updated}, removed {r.removed}, unchanged {r.unchanged}, "
                    f"curated kept {r.kept_curated} (hidden {r.skipped_hidden}) · version {r.version}"), markup=False)


@lists_app.command("show")
def show_cmd(kind: Annotated[str | None, typer.Argument(help="A list kind; absent: all six lists, counted.")] = None,
             region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None,
             hidden: Annotated[bool, typer.Option("--hidden", help="Include hidden entries.")] = False,
             data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """One list's entries, or a count of all six lists."""
    from matching.worklists.kinds import resolve_kind

    with _context(data_dir, region, chain) as (_s, store, ls, rid, cid, view):
        names = names_for(store)
        if kind is None:
            out = ls.summary(rid, cid, every_chain=view)
            if as_json:
                print_json(out)
                return
            num = {"justify": "right"}
            print_table(t(f"六个一清单 · {names.region(rid)} · {_scope_name(cid, view, names)}",
                          f"The six lists · {names.region(rid)} · {_scope_name(cid, view, names)}"),
                        [Col("清单", "list", keep=9, min=8), Col("显示", "shown", keep=9, **num),
                         Col("隐藏", "hidden", keep=5, **num), Col("生成", "generated", keep=6, **num),
                         Col("人工", "curated", keep=6, **num), Col("版本", "version", keep=3, **num),
                         Col("产业链", "chains", keep=7, min=10)],
                        [[_kind_name(x["kind"]), x["shown"], x["hidden"], x["generated"], x["curated"], x["version"],
                          ("、" if lang() == "zh" else ", ").join(names.chain(c) if c else t("全部", "all")
                                                                 for c in x["chains"])] for x in out])
            return
        kind = resolve_kind(kind)
        entries = ls.entries(kind, rid, cid, hidden=None if hidden else False, every_chain=view)
        if as_json:
            print_json({"kind": kind, "region": rid, "chain": cid, "every_chain": view,
                        "entries": [e.as_dict() for e in entries]})
            return
        _show(kind, entries, f"{_kind_name(kind)} · {names.region(rid)} · {_scope_name(cid, view, names)}", names)


@lists_app.command("add")
def add_cmd(kind: KindArg, region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None,
            subject: Annotated[str | None, typer.Option("--subject", "-s", help="Organisation id, USCC or name.")] = None,
            title: Annotated[str, typer.Option("--title", "-t", help="Title (projects, policies …).")] = "",
            field: FieldOpt = None, note: str = "", data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Add an entry by hand (curated: regeneration never touches it)."""
    from matching.worklists.io import org_resolver, resolve_subject
    from matching.worklists.store import Draft

    with _context(data_dir, region, chain) as (_s, store, ls, rid, cid, _view):
        draft = resolve_subject(Draft(subject, title, _fields(field), note), org_resolver(store), "--subject")
        e = ls.add(kind, rid, cid, draft, actor=Actor)
        _written(e, as_json, ("已添加", "added"), store)


def _written(e, as_json: bool, what: tuple[str, str], store=None) -> None:
    """What was written, one line; an organisation's entry named in the CLI's language (``store`` given)."""
    if as_json:
        print_json(e.as_dict())
        return
    title = e.title or e.subject
    if store is not None and lang() == "en" and e.subject and e.subject.startswith("org:"):
        title = names_for(store).org(e.subject)  # the title is the Chinese name it was given
    console.print(t(f"条目 {e.id} {what[0]}：{title} · {_origin(e.origin, e.hidden)} · 版本 {e.version}",
                    f"entry {e.id} {what[1]}: {title} · {_origin(e.origin, e.hidden)} · "
                    f"version {e.version}"), markup=False)


@lists_app.command("edit")
def edit_cmd(entry_id: Annotated[int, typer.Argument(help="Entry id (编号).")],
             subject: Annotated[str | None, typer.Option("--subject", "-s")] = None,
             title: Annotated[str | None, typer.Option("--title", "-t")] = None,
             field: FieldOpt = None, note: Annotated[str | None, typer.Option()] = None,
             show: Annotated[bool, typer.Option("--show", help="Show a hidden entry again.")] = False,
             data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Edit an entry; an edited generated entry becomes curated and is kept by regeneration."""
    from matching.worklists.io import org_resolver, resolve_subject
    from matching.worklists.store import Draft

    with _context(data_dir, DEFAULT_REGION, None) as (_s, store, ls, _r, _c, _v):
        if subject:  # another organisation: its name is the title unless --title is given
            found = resolve_subject(Draft(subject, title or ""), org_resolver(store), "--subject")
            subject, title = found.subject, found.title
        e = ls.edit(entry_id, subject=subject, title=title, fields=_fields(field) or None, note=note,
                    hidden=False if show else None, actor=Actor)
        _written(e, as_json, ("已保存", "saved"), store)


@lists_app.command("remove")
def remove_cmd(entry_id: Annotated[int, typer.Argument(help="Entry id (编号).")], data_dir: DataDir = None,
               as_json: JsonOut = False) -> None:
    """Hide an entry: kept (curated), left out of the list and never re-added by regeneration."""
    with _context(data_dir, DEFAULT_REGION, None) as (_s, store, ls, _r, _c, _v):
        e = ls.hide(entry_id, actor=Actor)
        _written(e, as_json, ("已隐藏", "hidden"), store)


@lists_app.command("export")
def export_cmd(kind: KindArg, output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
               region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None,
               fmt: Annotated[str | None, typer.Option("--format", help="csv or xlsx (default: from --output).")] = None,
               hidden: Annotated[bool, typer.Option("--hidden", help="Include hidden entries.")] = False,
               data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Write a list to CSV (UTF-8 with BOM) or xlsx with Chinese headers."""
    from matching.worklists.io import to_csv, to_xlsx
    from matching.worklists.kinds import resolve_kind

    kind = resolve_kind(kind)
    fmt = (fmt or output.suffix.lstrip(".") or "csv").lower()
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput(f"--format: csv or xlsx, not {fmt!r}", f"--format 只能是 csv 或 xlsx：{fmt!r}")
    with _context(data_dir, region, chain) as (_s, _store, ls, rid, cid, view):
        entries = ls.entries(kind, rid, cid, hidden=None if hidden else False, every_chain=view)
        others = [] if entries or view else [x for x in ls.summary(rid, every_chain=True)
                                             if x["kind"] == kind and x["shown"]]
    output.write_bytes(to_csv(kind, entries) if fmt == "csv" else to_xlsx(kind, entries))
    warning = None
    if not entries:  # never an empty file without a word: say so, and where the region's entries are
        where = ", ".join(c or "all" for c in others[0]["chains"]) if others else None
        warning = (f"the {kind} list of {rid} ({'every list of the region' if view else cid or 'all chains'}) has "
                   f"no entries: the file holds the header only" + (
                       f"; this region's entries are under --chain {where}" if where else
                       f"; generate or add entries first (lists generate {kind} --region ...)"))
        with open_store_for(data_dir) as store:
            names = names_for(store)
            place = f"{_kind_name(kind)} · {names.region(rid)} · {_scope_name(cid, view, names)}"
            chains = "、".join(names.chain(c) if c else "全部" for c in others[0]["chains"]) if others else ""
            chains_en = ", ".join(names.chain(c) if c else "all" for c in others[0]["chains"]) if others else ""
        shown = t(f"{place} 没有条目：文件只有表头" + (f"；该地区的条目在 --chain {chains} 下" if others else
                                                  f"；请先生成或添加条目（lists generate {kind} --region 地区）"),
                  f"{place} has no entries: the file holds the header only" + (
                      f"; this region's entries are under --chain {chains_en}" if others else
                      f"; generate or add entries first (lists generate {kind} --region REGION)"))
        err_console.print(f"[yellow]{t('提示', 'warning')}[/yellow]: {escape(shown)}")
    if as_json:
        print_json({"kind": kind, "region": rid, "chain": cid, "every_chain": view, "format": fmt,
                    "path": str(output), "entries": len(entries), "warning": warning})
        return
    console.print(t(f"{len(entries)} 条 → {output}", f"{len(entries)} entries → {output}"), markup=False, soft_wrap=True)


@lists_app.command("import")
def import_cmd(kind: KindArg, path: Annotated[Path, typer.Argument(help="A .csv or .xlsx file.")],
               region: RegionOpt = DEFAULT_REGION, chain: ChainOpt = None,
               sheet: Annotated[str | None, typer.Option(help="Worksheet of an .xlsx file.")] = None,
               data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Import entries (all or nothing): rows with 编号 edit those entries, others are added or matched by
    organisation or title. Every bad row is named by row and column and nothing is written."""
    from matching.worklists.io import org_resolver, read_import
    from matching.worklists.kinds import resolve_kind

    kind = resolve_kind(kind)
    with _context(data_dir, region, chain) as (settings, store, ls, rid, cid, view):
        rows = read_import(path, kind, org_resolver(store), sheet=sheet, settings=settings)
        result = ls.import_rows(kind, rid, cid, rows, file=path.name, actor=Actor, every_chain=view)
    if as_json:
        print_json(result.as_dict())
        return
    r = result
    console.print(t(f"{path.name}：{r.rows} 行 · 新增 {r.added} · 更新 {r.updated} · 未变 {r.unchanged} · 版本 {r.version}",
                    f"{path.name}: {r.rows} rows · added {r.added} · updated {r.updated} · unchanged {r.unchanged} · "
                    f"version {r.version}"), markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``lists`` command group to ``app``."""
    app.add_typer(lists_app, name="lists")
