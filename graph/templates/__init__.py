"""Chain templates (产业链图谱): ready chains a team installs, edits and re-imports.

Each template is the two files a team writes for its own chain, side by side
in this directory: ``<slug>.segments.csv`` (环节编号, 环节名称, 英文名称,
产业链位置, 产业链, 产业链英文名, 制造业, 关键词, 描述, 来源) and
``<slug>.edges.csv`` (上游环节编号 → 下游环节编号, 权重, 依据). The 来源 column
names the public chain maps and plans the template was drawn from. They are
starting points: copy a pair, edit it and import it with ``chainmatch import
segments`` / ``import segment-edges``, which is exactly what :func:`install`
does — the one importer (:func:`graph.io.importer.import_file`) and the one
write pipeline, no second writer. Templates are named by the one resolver
(:func:`graph.resolve.resolve_chain`: slug, Chinese or English name, or a
fragment of one name).

Examples
--------
>>> from graph.store.sqlite import SqliteStore
>>> [t.slug for t in templates()][:3]
['ai', 'biomed', 'ess']
>>> t = find_template("新能源")
>>> t.name_en, t.segments >= 15, t.stages["上游"] > 0
('New energy vehicles', True, True)
>>> store = SqliteStore.memory()
>>> done = install(store, "nev")
>>> done.template.slug, done.segments.imported.inserted["segments"] == t.segments, done.written
('nev', True, True)
>>> install(store, "New energy vehicles").written  # re-installing changes nothing
False
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.model import Chain, Stage

__all__ = ["HERE", "ChainTemplate", "Installed", "templates", "find_template", "install"]

#: where the template files live (inside the package: installed with it)
HERE = Path(__file__).resolve().parent

_STAGE_ZH = {Stage.UPSTREAM: "上游", Stage.MIDSTREAM: "中游", Stage.DOWNSTREAM: "下游"}


@dataclass(frozen=True)
class ChainTemplate:
    """One chain template: its files, names, size and sources.

    ``stages`` counts segments per stage (上游/中游/下游); ``sources`` are the
    public chain maps and plans named in the segments file's 来源 column.
    """

    slug: str
    name_zh: str
    name_en: str
    segments_file: Path
    edges_file: Path
    segments: int
    edges: int
    stages: dict[str, int]
    sources: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON-ready (file names relative to the template directory)."""
        return {"slug": self.slug, "name_zh": self.name_zh, "name_en": self.name_en,
                "segments_file": self.segments_file.name, "edges_file": self.edges_file.name,
                "segments": self.segments, "edges": self.edges, "stages": dict(self.stages),
                "sources": list(self.sources)}


@dataclass
class Installed:
    """What :func:`install` did: the two import reports (segments, then edges), which share the
    result of the one write both files went in (``imported`` is ``None`` on a dry run)."""

    template: ChainTemplate
    segments: object  # graph.io.importer.ImportReport
    edges: object  # graph.io.importer.ImportReport

    @property
    def written(self) -> bool:
        """Whether anything changed in the store (``False`` on a dry run or a re-install)."""
        return any(r is not None and r.imported is not None and r.imported.changed
                   for r in (self.segments, self.edges))

    def as_dict(self) -> dict:
        return {"template": self.template.as_dict(), "segments": self.segments.as_dict(),
                "edges": self.edges.as_dict(), "written": self.written}


def _split_sources(text: str) -> tuple[str, ...]:
    """``"A；B"`` → ``("A", "B")`` (the 来源 cell lists sources separated by ；).

    >>> _split_sources("国务院《规划》(2020)；头豹研究院《概览》")
    ('国务院《规划》(2020)', '头豹研究院《概览》')
    """
    return tuple(s.strip() for s in text.replace(";", "；").split("；") if s.strip())


def _read(segments_file: Path, edges_file: Path) -> ChainTemplate:
    """Read a template through the importer's own row readers (no second parser)."""
    from graph.errors import InvalidInput
    from graph.io.rows import segment_edges_from_table, segments_from_table
    from graph.io.tables import read_rows

    with read_rows(segments_file) as table:
        segs, _, chains, problems = segments_from_table(table)
    with read_rows(edges_file) as table:
        edges, edge_problems = segment_edges_from_table(table)
    if problems or edge_problems or len(chains) != 1:
        raise InvalidInput(f"chain template {segments_file.name} is broken: one chain and no bad rows expected",
                           f"产业链模板 {segments_file.name} 有误", problems + edge_problems)
    (chain,) = chains
    stages: dict[str, int] = {}
    for _, s in segs:
        stages[_STAGE_ZH.get(s.stage, s.stage.value)] = stages.get(_STAGE_ZH.get(s.stage, s.stage.value), 0) + 1
    sources = tuple(dict.fromkeys(x for _, s in segs for x in _split_sources(s.source)))
    slug = segments_file.name.removesuffix(".segments.csv")
    return ChainTemplate(slug, chain.name_zh, chain.name_en, segments_file, edges_file, len(segs), len(edges),
                         stages, sources)


def templates(directory: Path | None = None) -> list[ChainTemplate]:
    """Every template in ``directory`` (default the bundled library), by slug.

    A ``<slug>.segments.csv`` without its ``<slug>.edges.csv`` is no template.
    """
    root = Path(directory) if directory else HERE
    out = []
    for seg in sorted(root.glob("*.segments.csv")):
        edges = seg.with_name(seg.name.removesuffix(".segments.csv") + ".edges.csv")
        if edges.exists():
            out.append(_read(seg, edges))
    return out


def find_template(name: str, *, field: str = "name", directory: Path | None = None) -> ChainTemplate:
    """The template named by ``name``: slug, Chinese or English name, or a fragment of exactly one.

    Unknown or ambiguous: :class:`~graph.errors.InvalidInput` naming ``field``, with suggestions.

    >>> find_template("all")
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInput: name: name one chain template; templates: ai (人工智能), biomed (生物医药), ess (新型储能), ic (集成电路), lae (低空经济), nev (新能源汽车), robot (工业机器人)
    >>> find_template("chips")
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInput: name: unknown chain 'chips'; chains: ai (人工智能), biomed (生物医药), ess (新型储能), ic (集成电路), lae (低空经济), nev (新能源汽车), robot (工业机器人)
    """
    from graph.errors import InvalidInput
    from graph.resolve import is_all, resolve_chain

    library = {t.slug: t for t in templates(directory)}
    if is_all(name) or not (name or "").strip():  # "all" means every stored chain, no template
        names = ", ".join(f"{t.slug} ({t.name_zh})" for t in library.values())
        e = InvalidInput(f"{field}: name one chain template; templates: {names}",
                         f"{field}：请指定一个产业链模板：{names}")
        e.field, e.suggestions = field, tuple(library)
        raise e
    found = resolve_chain(name, [Chain(t.slug, t.name_zh, t.name_en, ()) for t in library.values()], field=field)
    return library[found.id]


def install(store, name: str, *, dry_run: bool = False, settings=None, field: str = "name",
            directory: Path | None = None) -> Installed:
    """Import template ``name`` into ``store`` as ``chainmatch import segments`` then ``import segment-edges``.

    Both files are read and checked first (the edges against the stored segments and the template's
    own) and go into the store in one ``write``, one transaction: a problem in either file, or a
    failed write, leaves the store exactly as it was. Both reports then carry that one write's result.
    Installing again changes nothing (the store keeps its version); an edited copy imported the same
    way updates the chain. ``dry_run`` checks both files and writes nothing.
    """
    from graph.io.importer import plan_import
    from graph.store.protocol import Batch, WriteResult

    t = find_template(name, field=field, directory=directory)
    segments, seg_batch = plan_import(store, t.segments_file, "segments", settings=settings)
    edges, edge_batch = plan_import(store, t.edges_file, "segment-edges", pending=seg_batch, settings=settings)
    if dry_run:
        return Installed(t, segments, edges)
    # an edge in both files is one edge: the edge list's row wins, as its later import would
    both = {(e.upstream, e.downstream): e for e in (*seg_batch.segment_edges, *edge_batch.segment_edges)}
    batch = Batch(segments=seg_batch.segments, segment_edges=list(both.values()), chains=seg_batch.chains)
    result = store.write(batch) if len(batch) else WriteResult(version=store.version())
    for report in (segments, edges):
        report.imported, report.dry_run = result, False
    return Installed(t, segments, edges)
