"""Import one tabular file into a store: all or nothing, or the good rows plus a reject file.

:func:`import_file` reads the file (:mod:`graph.io.tables`), turns rows into
records (:mod:`graph.io.rows`), checks references against the file and the
store (segment ids or names; link endpoints via ``store.lookup`` of ids,
USCCs and unique names), then:

- any problem, ``skip_invalid=False``: raise :class:`~graph.errors.InvalidInput`
  listing *every* problem; nothing is written;
- ``skip_invalid=True``: the good rows are written in one ``store.write`` and
  the bad ones go to a reject CSV (UTF-8 with BOM for Excel; the original
  columns plus ``_row``, ``_field``, ``_reason``, ``_reason_zh``; formula-looking cells
  escaped with a leading apostrophe).

Records carry no clock time, so importing the same file again changes
nothing (the store keeps its version).

Examples
--------
>>> import tempfile
>>> from graph.store.sqlite import SqliteStore
>>> store = SqliteStore.memory()
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d) / "firms.csv"
...     _ = p.write_text("企业名称,注册地址\\n光影互动科技有限公司,深圳市南山区科技园\\n", encoding="utf-8")
...     report = import_file(store, p, "organisations")
...     again = import_file(store, p, "organisations")
>>> report.imported.inserted, again.imported.changed, again.imported.version == report.imported.version
({'organisations': 1}, 0, True)
>>> next(store.organisations()).region
'cn/guangdong/shenzhen/nanshan'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import gc
import operator
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from graph.errors import InvalidInput, Notice, Problem, bounded
from graph.io.cells import link_id
from graph.io.columns import column_batches
from graph.io.headers import ENTITIES, HeaderMatch, match_headers
from graph.io.reimport import file_digest, mark_name, unchanged_mark
from graph.io.rows import (
    branches_from_table,
    links_from_table,
    organisations_from_table,
    segment_edges_from_table,
    segments_from_table,
)
from graph.io.sheets import write_csv
from graph.io.tables import read_rows
from graph.model import Chain, Link, Organisation, Segment, SegmentEdge, Site, SiteKind
from graph.settings import Settings
from graph.store.protocol import Batch, GraphStore, ImportMarks, WriteResult

__all__ = ["ImportReport", "import_file", "plan_import", "write_rejects", "reject_path_for"]

Entity = Literal["organisations", "links", "segments", "segment-edges", "branches"]
Progress = Callable[[int, int | None], None]
PROGRESS_EVERY = 1000


@dataclass
class ImportReport:
    """What an import did. ``imported`` is ``None`` on a dry run."""

    file: str
    entity: str
    encoding: str | None
    rows_read: int
    imported: WriteResult | None
    rejected: int
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    reject_path: Path | None = None
    dry_run: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> the file's header
    ignored: list[str] = field(default_factory=list)  # the file's headers no field took
    planned: dict | None = None  # a dry run's graph.io.preview.preview: {"new": {...}, "existing": {...}}

    def as_dict(self) -> dict:
        """A JSON-ready summary (for ``--json`` and the HTTP API)."""
        out = dataclasses.asdict(dataclasses.replace(self, problems=[], warnings=[]))
        out["problems"] = [p.as_dict() for p in bounded(self.problems)]
        out.update(_warning_lists(self.warnings))
        out["reject_path"] = str(self.reject_path) if self.reject_path else None
        return out


def bounded_warnings(warnings: list[str], limit: int = 100) -> list[Notice]:
    """The first ``limit`` warnings and a count of the rest (1 M unknown columns gave 8.9 MB of warnings).

    >>> shown = bounded_warnings(["a", "b", "c"], 2)
    >>> shown, shown[-1].text("zh")
    (['a', 'b', '… and 1 more warning'], '…另有 1 条提示')
    """
    out = [Notice.of(w) for w in warnings[:limit]]
    if len(warnings) > limit:
        n = len(warnings) - limit
        out.append(Notice(f"… and {n} more warning{'s' if n != 1 else ''}", f"…另有 {n} 条提示"))
    return out


def reject_path_for(path: Path) -> Path:
    """Where rejects go by default: beside the input, ``<stem>.rejects.csv``.

    >>> reject_path_for(Path("data/firms.xlsx")).as_posix()
    'data/firms.rejects.csv'
    """
    return path.with_name(f"{path.stem}.rejects.csv")


class _Counter:
    def __init__(self, rows: Iterator, progress: Progress | None, total: int | None):
        self.rows, self.progress, self.total, self.n = rows, progress, total, 0

    def __iter__(self):
        for item in self.rows:
            self.n += 1
            if self.progress is not None and self.n % PROGRESS_EVERY == 0:
                self.progress(self.n, self.total)
            yield item
        if self.progress is not None:
            self.progress(self.n, self.n)

    def batches(self, batches: Iterator) -> Iterator:
        """Count the rows of column batches (:class:`~graph.io.columns.ColumnBatch`) as they are taken."""
        for batch in batches:
            yield batch
            done = self.n // PROGRESS_EVERY
            self.n += batch.n - len(batch.skip)
            if self.progress is not None and self.n // PROGRESS_EVERY != done:
                self.progress(self.n, self.total)
        if self.progress is not None:
            self.progress(self.n, self.n)


class _Checker:
    """Reference problems found by the importer, keyed by row."""

    def __init__(self, file: str, match: HeaderMatch):
        self.file, self.match = file, match
        self.problems: list[Problem] = []
        self.bad: set[int] = set()

    def add(self, row: int, fieldname: str, reason: str) -> None:
        self.problems.append(Problem(self.file, row, self.match.header(fieldname) or fieldname, reason))
        self.bad.add(row)


def _suggest(token: str, choices) -> str:
    close = difflib.get_close_matches(token, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _segment_resolver(segments: list[Segment]) -> Callable[[str], str | None]:
    ids = {s.id for s in segments}
    names: dict[str, set[str]] = {}
    for s in segments:
        for n in {s.name_zh, s.name_en} - {""}:
            names.setdefault(n, set()).add(s.id)

    def resolve(token: str) -> str | None:
        if token in ids:
            return token
        found = names.get(token, set())
        return next(iter(found)) if len(found) == 1 else None

    resolve.choices = sorted(ids | set(names))  # type: ignore[attr-defined]
    return resolve


def _check_orgs(store: GraphStore, orgs: list[tuple[int, Organisation]], chk: _Checker):
    if not any(o.segments for _, o in orgs):
        return orgs
    resolve = _segment_resolver(store.segments())
    out = []
    for row, org in orgs:
        members = {}
        for m in org.segments:
            sid = resolve(m.segment)
            if sid is None:
                chk.add(row, "segments", f"unknown segment {m.segment!r}; import segments first"
                        + _suggest(m.segment, resolve.choices))
            else:
                members.setdefault(sid, m if sid == m.segment else dataclasses.replace(m, segment=sid))
        if (kept := tuple(members.values())) != org.segments:
            org = dataclasses.replace(org, segments=kept)
        out.append((row, org))
    return out


_record, _src, _dst = operator.itemgetter(1), operator.attrgetter("src"), operator.attrgetter("dst")


def _kept(pairs: list[tuple[int, object]], bad: set[int]) -> list:
    """The records of ``(row, record)`` pairs whose row is not ``bad``.

    >>> _kept([(2, "a"), (3, "b")], {3}), _kept([(2, "a")], set())
    (['a'], ['a'])
    """
    if not bad:
        return list(map(_record, pairs))
    return [rec for row, rec in pairs if row not in bad]


def _check_links(store: GraphStore, links: list[tuple[int, Link]], chk: _Checker):
    """The links whose ends are stored organisations, re-pointed at their ids; ``links`` are the good
    rows of :func:`~graph.io.rows.links_from_table` (no two with one id, none joining a party to itself)."""
    records = list(map(_record, links))
    keys = set(map(_src, records))
    keys.update(map(_dst, records))
    del records
    found = store.lookup(keys)
    if len(found) == len(keys) and all(k == v for k, v in found.items()):
        return links  # every end is a stored id as written: nothing to re-point, so no new repeat
    # the upper-cased spelling (a USCC typed in lower case) only matters for keys not found as written
    found |= store.lookup({k.upper() for k in keys if k not in found} - keys)
    out, ids = [], {}
    get = found.get
    for row, x in links:
        src, dst = x.src, x.dst
        s, d = get(src) or get(src.upper()), get(dst) or get(dst.upper())
        if s is None or d is None:
            for name, key, end in (("src", src, s), ("dst", dst, d)):
                if end is None:
                    chk.add(row, name, f"unknown organisation {key!r}: not an id, USCC or unique name "
                            "in the store (import organisations first)")
            continue
        if s == d:
            chk.add(row, "dst", "a link cannot join an organisation to itself")
            continue
        lid = x.id
        same_ends = s == src and d == dst
        if not same_ends and lid.startswith("link:") and lid == link_id(x.kind.value, src, dst, x.since):
            lid = link_id(x.kind.value, s, d, x.since)  # derived: use the resolved ends
        if (first := ids.setdefault(lid, row)) != row:
            chk.add(row, "id", f"duplicate link: same as row {first}")
            continue
        out.append((row, x if same_ends else dataclasses.replace(x, id=lid, src=s, dst=d)))
    return out


def _check_segments(store: GraphStore, segs, edges, chains: list[Chain], chk: _Checker):
    stored = store.segments()
    row_of = {s.id: row for row, s in segs}
    out_edges: dict[tuple[str, str], tuple[int, SegmentEdge]] = {}
    while True:  # a rejected segment rejects the rows that refer to it
        good = [(row, s) for row, s in segs if row not in chk.bad]
        resolve = _segment_resolver(stored + [s for _, s in good])
        before = len(chk.bad)
        out_edges.clear()
        for row, s in good:
            if s.parent and resolve(s.parent) is None:
                chk.add(row, "parent", f"unknown parent segment {s.parent!r}" + _suggest(s.parent, resolve.choices))
            elif s.parent and resolve(s.parent) == s.id:
                chk.add(row, "parent", "a segment cannot be its own parent")
        for row, e in edges:
            if row in chk.bad:
                continue
            up = resolve(e.upstream)
            if up is None and row_of.get(e.upstream) in chk.bad:
                chk.add(row, "upstream", f"upstream segment {e.upstream!r} is rejected "
                        f"(row {row_of[e.upstream]})")
            elif up is None:
                chk.add(row, "upstream", f"unknown upstream segment {e.upstream!r}"
                        + _suggest(e.upstream, resolve.choices))
            elif up == e.downstream:
                chk.add(row, "upstream", "a segment cannot be upstream of itself")
            else:
                out_edges.setdefault((up, e.downstream), (row, dataclasses.replace(e, upstream=up)))
        if len(chk.bad) == before:
            break
    good = [(row, dataclasses.replace(s, parent=resolve(s.parent) if s.parent else None))
            for row, s in segs if row not in chk.bad]
    kept = {s.id for _, s in good}
    by_key = {c.id: c for c in store.chains()}
    by_key.update({n: c for c in store.chains() for n in (c.name_zh, c.name_en) if n})
    out_chains = []
    for c in chains:
        members = tuple(s for s in c.segments if s in kept and row_of.get(s) not in chk.bad)
        if not members:
            continue
        old = by_key.get(c.id) or by_key.get(c.name_zh or c.name_en)
        if old is not None:
            c = dataclasses.replace(old, segments=tuple(dict.fromkeys(old.segments + members)))
        else:
            c = dataclasses.replace(c, segments=members)
        out_chains.append(c)
    return good, [v for v in out_edges.values() if v[0] not in chk.bad], out_chains


def _check_branches(store: GraphStore, branches, chk: _Checker) -> list[Organisation]:
    """Each open branch becomes a ``branch`` site of its parent (found by id, USCC or unique name);
    closed branches (注销/吊销) are no presence and are skipped."""
    keys = {b.parent for _, b in branches}
    found = store.lookup(keys)
    sites: dict[str, list[Site]] = {}
    for row, b in branches:
        oid = found.get(b.parent) or found.get(b.parent.upper())
        if oid is None:
            chk.add(row, "parent", f"unknown head office {b.parent!r}: not an id, USCC or unique name in the store "
                    "(import organisations first)")
        elif not b.closed:
            sites.setdefault(oid, []).append(Site(b.region, SiteKind.BRANCH, b.since))
    out = []
    for org in store.organisations(ids=sorted(sites)):
        have = {(s.region, s.kind) for s in org.sites}
        new = tuple(dict.fromkeys(s for s in sites[org.id] if (s.region, s.kind) not in have))
        if new:
            out.append(dataclasses.replace(org, sites=org.sites + new))
    return out


def _named_then_counted(headers: list[str], keep: int = 50) -> list[str]:
    """The first ``keep`` headers, then how many more: a file with 100k columns gives a short report.

    >>> _named_then_counted(["a", "b", "c"], keep=2)
    ['a', 'b', '… and 1 more']
    """
    return headers if len(headers) <= keep else headers[:keep] + [f"… and {len(headers) - keep} more"]


def _check_edges(segments: list[Segment], edges: list[tuple[int, SegmentEdge]], chk: _Checker):
    """Resolve edge ends (ids or unique names) against the known segments; unknown ones are row errors."""
    resolve = _segment_resolver(segments)
    out: dict[tuple[str, str], tuple[int, SegmentEdge]] = {}
    for row, e in edges:
        ends = {}
        for name in ("upstream", "downstream"):
            token = getattr(e, name)
            ends[name] = resolve(token)
            if ends[name] is None:
                chk.add(row, name, f"unknown segment {token!r}; import segments first"
                        + _suggest(token, resolve.choices))
        if None in ends.values():
            continue
        if ends["upstream"] == ends["downstream"]:
            chk.add(row, "downstream", "a segment cannot be upstream of itself")
            continue
        if (first := out.get((ends["upstream"], ends["downstream"]))) is not None:
            chk.add(row, "downstream", f"duplicate edge: same as row {first[0]}")
            continue
        out[(ends["upstream"], ends["downstream"])] = (row, dataclasses.replace(e, **ends))
    return list(out.values())


@contextmanager
def _gc_paused():
    """Pause the cycle collector (if on) while a file is read and written.

    Rows become millions of small objects (records, tuples, dicts) and none
    form cycles; without this, each full collection walks all of them again.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


#: Entities whose CSV files are read column-wise (:mod:`graph.io.columns`): the bulk ones.
_COLUMNAR = frozenset({"organisations", "links"})


#: Entities whose record builder takes whole columns (``Table.batches``) instead of rows.
_BATCHED = frozenset({"organisations", "links"})


def _read_columns(table, match: HeaderMatch, settings: Settings, entity: str) -> None:
    """Swap ``table``'s row reader for the columnar one when the file allows it (else leave it)."""
    batches = column_batches(table, list(match.fields.items()), settings.max_field_chars)
    if batches is not None:
        table.close()  # the csv reader: not read from
        if entity in _BATCHED:
            table.batches, table.rows = batches, iter(())
        else:
            table.rows = (row for batch in batches for row in batch.rows())


#: Entities whose import is answered from the store's mark when the file and what its import reads
#: are unchanged (their records are the file's rows; branches and segments merge into stored records):
#: the entities (Batch names) that import reads, its own first.
_MARKED = {"organisations": ("organisations", "segments"), "links": ("links", "organisations")}


def _unchanged_report(file: str, entity: str, mark: dict, version: int, progress: Progress | None) -> ImportReport:
    """The report of re-importing a file the store's mark says is imported and unchanged (:mod:`graph.io.reimport`)."""
    rows = mark["rows_read"]
    if progress is not None:
        progress(rows, rows)
    unchanged = {_MARKED[entity][0]: mark["records"]} if mark["records"] else {}
    return ImportReport(file, entity, mark["encoding"], rows, WriteResult(unchanged=unchanged, version=version),
                        0, [], _marked_warnings(mark), columns=dict(mark["columns"]), ignored=list(mark["ignored"]))


def _warning_lists(warnings: list[Notice]) -> dict[str, list[str]]:
    """``warnings`` (English) and ``warnings_zh``, bounded, as a mark and the JSON report keep them."""
    shown = bounded_warnings(warnings)
    return {"warnings": [str(w) for w in shown], "warnings_zh": [w.text("zh") for w in shown]}


def _marked_warnings(mark: dict) -> list[Notice]:
    """The warnings a file mark keeps, in both languages (a mark from before ``warnings_zh``: English only)."""
    zh = mark.get("warnings_zh") or []
    return [Notice(en, zh[i] if i < len(zh) else "") for i, en in enumerate(mark["warnings"])]


def write_rejects(path: Path, out: Path, problems: list[Problem], *, encoding: str | None = None,
                  sheet: str | None = None, settings: Settings | None = None) -> int:
    """Write the rows named in ``problems`` to ``out`` as CSV; return how many.

    The file is read again (rows stream; only rejected rows are kept), so the
    reject file holds the original cells. Columns: the file's headers, then
    ``_row``, ``_field``, ``_reason`` (all problems of a row, joined) and
    ``_reason_zh`` (the same in Chinese, where a reason has its Chinese).
    """
    by_row: dict[int, list[Problem]] = {}
    for p in problems:
        if p.row is not None:
            by_row.setdefault(p.row, []).append(p)
    lines: dict[int, list[str]] = {}
    with read_rows(path, encoding=encoding, sheet=sheet, settings=settings) as table:
        headers = [h for h in table.headers if h]
        for row, cells in table.rows:
            if row in by_row:
                lines[row] = [cells.get(h) or "" for h in headers]
    tmp = out.with_name(out.name + ".tmp")

    def rejected():
        for row in sorted(by_row):
            ps = by_row[row]
            fields = "; ".join(dict.fromkeys(p.field for p in ps if p.field))
            reasons = "; ".join(f"{p.field}: {p.reason}" if p.field else p.reason for p in ps)
            zh = "；".join(f"{p.field}：{p.reason_in('zh')}" if p.field else p.reason_in("zh") for p in ps)
            yield [*lines.get(row, [""] * len(headers)), str(row), fields, reasons, zh]

    with open(tmp, "w", encoding="utf-8-sig", errors="backslashreplace", newline="") as f:
        write_csv(f, [*headers, "_row", "_field", "_reason", "_reason_zh"], rejected())
    os.replace(tmp, out)
    return len(by_row)


def import_file(
    store: GraphStore,
    path: Path | str,
    entity: Entity,
    *,
    column_map: dict[str, str | None] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    skip_invalid: bool = False,
    reject_path: Path | str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    settings: Settings | None = None,
    import_date: str | None = None,
) -> ImportReport:
    """Import organisations, links or segments from a CSV/TSV/JSON/JSONL/XLSX file.

    Parameters
    ----------
    store : GraphStore
        Where to write (one ``write`` call, one transaction).
    path : Path
        The file; the format comes from its extension.
    entity : {"organisations", "links", "segments", "segment-edges"}
        ``segment-edges`` is a chain template's edge list (上游环节 → 下游环节);
        ``branches`` a 分支机构 list whose open branches become sites of their parent.
    column_map : dict, optional
        File header → canonical field (``None`` ignores the column).
    encoding : str, optional
        Text encoding to use strictly (default: UTF-8, else GBK/GB18030).
    sheet : str, optional
        Worksheet of an ``.xlsx`` file (default the first).
    skip_invalid : bool
        Write the good rows and put the bad ones in a reject file instead of
        refusing the whole file.
    reject_path : Path, optional
        Where the reject CSV goes (default ``<stem>.rejects.csv`` beside the file).
    dry_run : bool
        Read and check everything, write nothing (no reject file either).
    progress : callable, optional
        ``progress(rows_done, rows_total_or_None)``, called every 1000 rows
        (a CSV file read column-wise: after each batch of up to 65,536 rows)
        and once at the end.
    settings : Settings, optional
        For ``max_file_bytes`` and ``max_field_chars``.
    import_date : str, optional
        The as-of date of records whose file has no date column (default
        today); such records name ``as_of`` among their estimated fields.

    Returns
    -------
    ImportReport

    Raises
    ------
    InvalidInput
        ``"N problems in FILE; nothing imported"`` with every problem (unless
        ``skip_invalid``), or a problem with the whole file (unreadable,
        unknown format, no name column ...). Nothing is written.
    """
    if entity not in ENTITIES:
        raise InvalidInput(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}",
                           f"未知的导入类型 {entity!r}")
    path = Path(path)
    settings = settings or Settings()
    rejects = Path(reject_path) if reject_path else reject_path_for(path)
    if skip_invalid and rejects.resolve() == path.resolve():
        raise InvalidInput(f"the reject file {rejects} would overwrite the input file",
                           f"拒收文件 {rejects} 会覆盖输入文件")
    with _gc_paused():  # a bulk load allocates millions of objects: no cycle collection meanwhile
        table = read_rows(path, encoding=encoding, sheet=sheet, settings=settings)
        match = match_headers(table.headers, entity, column_map, file=table.file)
        today = import_date or dt.date.today().isoformat()
        marks = store if isinstance(store, ImportMarks) and not dry_run and entity in _MARKED else None
        if marks is not None:
            digest = file_digest(path, {"entity": entity, "column_map": column_map, "encoding": encoding,
                                        "sheet": sheet, "skip_invalid": skip_invalid, "import_date": today,
                                        "max_field_chars": settings.max_field_chars})
            mark = marks.import_mark(mark_name(entity, table.file))
            if unchanged_mark(mark, digest, marks.entity_versions(_MARKED[entity])):
                table.close()
                return _unchanged_report(table.file, entity, mark, store.version(), progress)
        report, batch, problems = _checked(store, table, match, entity, column_map=column_map,
                                           settings=settings, today=today, progress=progress,
                                           skip_invalid=skip_invalid, dry_run=dry_run)
        if dry_run:
            from graph.io.preview import preview

            report.planned = preview(store, batch)
            return report
        before = store.version()
        if not len(batch):
            report.imported = WriteResult(version=before)
        elif marks is not None and not problems:
            # the mark goes in with the records, in one transaction, and only when the write changed
            # the store without merging (every record went in as the file gives it): an import that
            # changed nothing, or was refused, leaves the stored data, meta rows included, as it was
            report.imported = marks.write_marked(batch, mark_name(entity, table.file), {
                "digest": digest, "rows_read": report.rows_read, "records": len(batch),
                "encoding": report.encoding, **_warning_lists(report.warnings),
                "columns": report.columns, "ignored": report.ignored}, _MARKED[entity])
        else:
            report.imported = store.write(batch)
        if problems:
            report.reject_path = rejects
            write_rejects(path, report.reject_path, problems, encoding=encoding, sheet=sheet, settings=settings)
        return report


def _checked(store: GraphStore, table, match: HeaderMatch, entity: str, *, column_map, settings: Settings,
             today: str, progress: Progress | None, skip_invalid: bool, dry_run: bool,
             pending: Batch | None = None) -> tuple[ImportReport, Batch, list[Problem]]:
    """Read ``table``'s rows into records, check them against ``store`` (and the not yet written
    ``pending`` batch's segments), and return the report, the batch to write and the problems.

    Raises :class:`~graph.errors.InvalidInput` with every problem unless ``skip_invalid``.
    Nothing is written.
    """
    chk = _Checker(table.file, match)
    batch = Batch()
    if entity in _COLUMNAR:
        _read_columns(table, match, settings, entity)
    inner, batches = table.rows, table.batches
    counter = _Counter(inner, progress, table.total)
    table.rows = iter(counter)
    if batches is not None:
        table.batches = counter.batches(batches)
    try:
        if entity == "organisations":
            orgs, problems = organisations_from_table(table, column_map=column_map, settings=settings,
                                                      import_date=today)
            orgs = _check_orgs(store, orgs, chk)
            batch.organisations = _kept(orgs, chk.bad)
            del orgs  # the (row, record) pairs: not needed while the store writes
        elif entity == "links":
            links, problems = links_from_table(table, column_map=column_map, settings=settings,
                                               import_date=today)
            version = store.version()  # read before the ends are looked up: see Batch.ends_at
            links = _check_links(store, links, chk)
            batch.links = _kept(links, chk.bad)
            batch.ends_at = version  # every link kept has both ends found as stored ids
            del links
        elif entity == "branches":
            branches, problems = branches_from_table(table, column_map=column_map, settings=settings)
            batch.organisations = _check_branches(store, [(row, b) for row, b in branches], chk)
        elif entity == "segment-edges":
            edges, problems = segment_edges_from_table(table, column_map=column_map, settings=settings)
            known = {s.id: s for s in store.segments()} | {s.id: s for s in (pending.segments if pending else ())}
            batch.segment_edges = [e for row, e in _check_edges(list(known.values()), edges, chk)
                                   if row not in chk.bad]
        else:
            segs, edges, chains, problems = segments_from_table(table, column_map=column_map, settings=settings)
            segs, edges, chains = _check_segments(store, segs, edges, chains, chk)
            batch.segments = [s for _, s in segs]
            batch.segment_edges = [e for _, e in edges]
            batch.chains = chains
    finally:
        table.close()
        getattr(inner, "close", lambda: None)()
        getattr(batches, "close", lambda: None)()
    problems = sorted(problems + chk.problems, key=lambda p: p.row or 0)
    n, file = len(problems), table.file
    if problems and not skip_invalid:
        raise InvalidInput(f"{n} problem{'s' if n != 1 else ''} in {file}; nothing imported",
                           f"{file} 中有 {n} 处问题；未导入任何数据", problems)
    report = ImportReport(file, entity, table.encoding, counter.n, None,
                          len({p.row for p in problems}), problems,
                          list(dict.fromkeys(table.warnings + match.warnings)), dry_run=dry_run,
                          columns=dict(match.fields),
                          ignored=_named_then_counted([h for h in table.headers
                                                       if h and h not in match.fields.values()]))
    return report, batch, problems


def plan_import(store: GraphStore, path: Path | str, entity: Entity, *, pending: Batch | None = None,
                settings: Settings | None = None, import_date: str | None = None) -> tuple[ImportReport, Batch]:
    """Read and check ``path`` as :func:`import_file` does (no column map, all or nothing) and return the
    dry-run report and the batch it would write; nothing is written.

    ``pending``: a batch not written yet whose segments the file's edges may name, so that several
    files can go into the store in one ``write`` (one transaction: :func:`graph.templates.install`).

    Examples
    --------
    >>> import tempfile
    >>> from graph.store.sqlite import SqliteStore
    >>> store = SqliteStore.memory()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     s, e = Path(d) / "s.csv", Path(d) / "e.csv"
    ...     _ = s.write_text("环节名称,产业链位置\\n电机,上游\\n整机,中游\\n", encoding="utf-8")
    ...     _ = e.write_text("上游环节,下游环节\\n电机,整机\\n", encoding="utf-8")
    ...     _, segs = plan_import(store, s, "segments")
    ...     _, edges = plan_import(store, e, "segment-edges", pending=segs)
    >>> len(segs.segments), len(edges.segment_edges), store.counts()["segments"]
    (2, 1, 0)
    """
    path = Path(path)
    settings = settings or Settings()
    with _gc_paused():
        table = read_rows(path, settings=settings)
        match = match_headers(table.headers, entity, None, file=table.file)
        report, batch, _ = _checked(store, table, match, entity, column_map=None, settings=settings,
                                    today=import_date or dt.date.today().isoformat(), progress=None,
                                    skip_invalid=False, dry_run=True, pending=pending)
    return report, batch
