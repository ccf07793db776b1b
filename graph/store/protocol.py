"""The ``GraphStore`` seam: a few methods every backend implements, and the optional capabilities.

A :class:`Batch` is what one import writes: it is applied in one transaction,
all or nothing (:mod:`graph.store.writeplan`, the one pipeline of every
store). Organisations are deduplicated by USCC, else by normalised name +
city (several stored matches: the smallest id); writing a batch whose content
is already stored changes nothing, not even the store version.

Optional capabilities are ``runtime_checkable`` protocols a store may also
satisfy; callers ask ``isinstance(store, Capability)``, never the class or
``hasattr``:

- :class:`ColumnarArrays` — the analysis columns straight from storage
  (the embedded store: SQL into numpy, no domain objects);
- :class:`AnalysisPushdown` — chain-analysis aggregates computed by the
  store itself (Neo4j: Cypher on the server);
- :class:`RecommendPushdown` — what one target ranking reads (its
  candidates, their ties, their whole-graph figures), gathered by the store
  itself (Neo4j: Cypher on the server);
- :class:`ImportMarks` — remembers, per imported file, the digest of its
  bytes and options and the change counters of the entities its import
  reads, so importing the unchanged file again while those are unchanged is
  a no-op without reading its rows (the embedded store: ``meta`` rows);
- :class:`CypherRunner` — runs statements of the ``cypher*`` modules in the
  store's database; the Neo4j vector index (:mod:`matching.neo4j_vectors`)
  lives on it.

Examples
--------
>>> from graph.store.sqlite import SqliteStore
>>> s = SqliteStore.memory()
>>> isinstance(s, GraphStore), isinstance(s, ColumnarArrays), isinstance(s, AnalysisPushdown)
(True, True, False)
>>> isinstance(s, RecommendPushdown)
False
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from graph.model import (
    Chain,
    Cluster,
    Link,
    LinkKind,
    Organisation,
    OrgKind,
    Region,
    Segment,
    SegmentEdge,
)

if TYPE_CHECKING:
    import networkx as nx

    from graph.analysis.aggregates import ChainAggregates
    from graph.analysis.arrays import GraphArrays
    from graph.analysis.leaders import LeaderInputs
    from graph.store.cypher import Query
    from graph.store.neo4j_recommend import RecommendScope

__all__ = ["Batch", "WriteResult", "GraphStore", "ColumnarArrays", "AnalysisPushdown", "RecommendPushdown", "ImportMarks",
           "CypherRunner"]


@dataclass
class Batch:
    """Records to write together. Order inside a list does not matter.

    ``ends_at`` (not a field: a copy of the batch does not carry it) is set by a
    writer that has found every link's two ends as stored organisation ids, to the
    store version it read before looking them up; the write pipeline then does not
    look them up again if the store is still at that version
    (:func:`graph.store.writeplan.known`).
    """

    ends_at = None  # int | None

    regions: list[Region] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    chains: list[Chain] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    segment_edges: list[SegmentEdge] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(
            len(x)
            for x in (
                self.regions,
                self.clusters,
                self.chains,
                self.segments,
                self.segment_edges,
                self.organisations,
                self.links,
            )
        )

    def extend(self, other: Batch) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))


@dataclass
class WriteResult:
    """What a write did, per entity: how many were inserted, updated, unchanged.

    ``merged`` maps incoming organisation ids to the stored ids they were
    deduplicated onto (same USCC, or same normalised name + city).
    """

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)
    version: int = 0

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())


@runtime_checkable
class GraphStore(Protocol):
    """The store seam. Reads return domain objects; writes take a Batch."""

    @property
    def path(self) -> str:
        """Where the store lives (a file path, a server URI), for messages."""

    def version(self) -> int:
        """A number that changes on every write that changes data."""

    def write(self, batch: Batch) -> WriteResult:
        """Validate references and write ``batch`` in one transaction.

        Raises ``InvalidInput`` listing every problem (unknown segment or
        organisation ids, ...) and then writes nothing.
        """

    def delete_organisation(self, org_id: str) -> None:
        """Delete an organisation and its links; ``NotFound`` if unknown."""

    def lookup(self, keys: Iterable[str]) -> dict[str, str]:
        """Map each key that is a stored organisation id, a USCC, or an exact
        zh/en name (only when unique) to the stored organisation id; keys
        that match nothing are left out."""

    def organisation(self, org_id: str) -> Organisation:
        """One organisation; ``NotFound`` if unknown."""

    def organisations(
        self,
        *,
        region: str | None = None,
        segment: str | None = None,
        kind: OrgKind | None = None,
        ids: Iterable[str] | None = None,
    ) -> Iterator[Organisation]:
        """Organisations, filtered: ``region`` includes its sub-regions."""

    def organisation_page(
        self,
        *,
        region: str | None = None,
        segment: str | None = None,
        kind: OrgKind | None = None,
        offset: int = 0,
        limit: int = 20,
        total: int | None = None,
    ) -> tuple[list[Organisation], int]:
        """One page (id order) of :meth:`organisations` with the same filters, and how many match in all.

        The store counts and pages itself: only the page's records are read.
        ``total``: the count the caller already has for these filters at this
        store version (the server keeps it, :class:`matching.answers.Answers`); not counted again.
        """

    def links(
        self, *, kind: LinkKind | None = None, org: str | None = None
    ) -> Iterator[Link]:
        """Links, optionally of one kind or touching one organisation."""

    def segments(self) -> list[Segment]: ...

    def segment_edges(self) -> list[SegmentEdge]: ...

    def chains(self) -> list[Chain]: ...

    def clusters(self) -> list[Cluster]: ...

    def regions(self) -> list[Region]: ...

    def counts(self) -> dict[str, int]:
        """Number of records per entity (``organisations``, ``links`` ...)."""

    def graph(self) -> nx.MultiDiGraph:
        """The networkx view for analysis (cached per version; do not mutate)."""

    def close(self) -> None: ...


@runtime_checkable
class ColumnarArrays(Protocol):
    """A store that reads the analysis columns straight from its storage."""

    def analysis_arrays(self) -> GraphArrays:
        """The :class:`~graph.analysis.arrays.GraphArrays` of the current data."""


@runtime_checkable
class AnalysisPushdown(Protocol):
    """A store that computes chain-analysis aggregates itself, never handing out the whole graph."""

    def analysis_aggregates(self, region: str, segments: Iterable[str] | None = None) -> ChainAggregates:
        """Aggregates for ``region`` over ``segments`` (``None``: every segment)."""

    def analysis_leader_inputs(self, chain: Chain) -> LeaderInputs:
        """The chain's member firms and the supplies among them."""


@runtime_checkable
class RecommendPushdown(Protocol):
    """A store that gathers what one target ranking reads itself, never handing out the whole graph."""

    def recommend_scope(self, region: str, segments: Iterable[str], extra_local: Iterable[str] = ()) -> RecommendScope:
        """The :class:`~graph.store.neo4j_recommend.RecommendScope` of a ranking in ``region`` for
        ``segments`` (``extra_local``: ids that count as local, e.g. landed firms)."""


@runtime_checkable
class ImportMarks(Protocol):
    """A store that keeps a small JSON mark per imported file (see :mod:`graph.io.importer`)."""

    def import_mark(self, name: str) -> dict[str, Any] | None:
        """The mark last set under ``name``, or ``None``."""

    def write_marked(self, batch: Batch, name: str, mark: dict[str, Any], entities: Iterable[str]) -> WriteResult:
        """Write ``batch`` and, in the same transaction, replace the mark under ``name`` with ``mark``
        plus ``"versions"``: the :meth:`entity_versions` of ``entities`` this write left.

        The mark is set only when the write changed the store and merged no
        record; a kill at any moment leaves the batch and its mark both
        stored or neither (the mark itself never bumps the store version).
        """

    def entity_versions(self, entities: Iterable[str]) -> dict[str, int]:
        """A counter per entity (``Batch`` attribute name) that every write changing that entity moves on."""


@runtime_checkable
class CypherRunner(Protocol):
    """A store that runs :class:`~graph.store.cypher.Query` statements in its own database."""

    @property
    def path(self) -> str:
        """The database's address (saved beside indexes that live in it)."""

    def run_query(self, q: Query, *, write: bool = False) -> list[dict[str, Any]]:
        """Run one statement in a managed transaction; never bumps the store version."""

