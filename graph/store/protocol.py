"""The ``GraphStore`` seam: a few methods every backend implements.

A :class:`Batch` is what one import writes: it is applied in one transaction,
all or nothing. Organisations are deduplicated by USCC, else by normalised
name + city; writing a batch whose content is already stored changes nothing,
not even the store version.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import networkx as nx

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

__all__ = ["Batch", "WriteResult", "GraphStore"]


@dataclass
class Batch:
    """Records to write together. Order inside a list does not matter."""

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
    ) -> tuple[list[Organisation], int]:
        """One page (id order) of :meth:`organisations` with the same filters, and how many match in all.

        The store counts and pages itself: only the page's records are read.
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
