"""Review 挂链 predictions: a user confirms or rejects an organisation's membership of a segment.

:func:`review` rewrites the organisation through the store's one write
pipeline (:meth:`GraphStore.write <graph.store.protocol.GraphStore.write>`,
:mod:`graph.store.writeplan`), so the store version moves and every cached
analysis and index is rebuilt on its next use:

- **confirm** — the membership becomes ``confirmed`` (confidence 1, evidence
  ``confirmed``): it counts with weight 1 everywhere
  (:mod:`graph.analysis.membership`), is no longer shown as predicted, and is
  evidence the 挂链 classifier is fitted on (a firm with a confirmed segment
  is labelled: it is never predicted again);
- **reject** — the membership becomes ``rejected``: it counts nowhere, and
  ``classify`` never writes that prediction again (other predictions stay).

A segment the organisation has no membership of can be confirmed (a user
states it) or rejected (so that it is never predicted). Reviewing to the
status it already has changes nothing (the version stays).

Examples
--------
>>> from graph.model import Format, Membership, Organisation, OrgKind, Provenance, Segment, Stage
>>> from graph.store.protocol import Batch
>>> from graph.store.sqlite import SqliteStore
>>> store = SqliteStore.memory()
>>> m = Membership("seg:a", 0.8, EvidenceGrade.MEDIUM, MembershipStatus.PREDICTED)
>>> _ = store.write(Batch(segments=[Segment("seg:a", "甲", "A", Stage.UPSTREAM, Format.OTHER)],
...                       organisations=[Organisation("o", OrgKind.FIRM, "丙", Provenance("t"), segments=(m,))]))
>>> r = review(store, "o", "seg:a", "reject")
>>> r.previous, r.status, r.changed
('predicted', 'rejected', True)
>>> review(store, "o", "seg:a", "confirm").status, store.organisation("o").segments[0].confidence
('confirmed', 1.0)
>>> review(store, "o", "seg:a", "confirm").changed
False
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from graph.errors import InvalidInput, NotFound
from graph.model import EvidenceGrade, Membership, MembershipStatus
from graph.store.protocol import Batch

__all__ = ["Decision", "DECISIONS", "Review", "review"]

Decision = Literal["confirm", "reject"]
DECISIONS: dict[str, MembershipStatus] = {"confirm": MembershipStatus.CONFIRMED, "reject": MembershipStatus.REJECTED}


@dataclass(frozen=True, slots=True)
class Review:
    """What a review did: the membership's ``previous`` status (``None``: there was none) and its new one."""

    org: str
    segment: str
    decision: str
    previous: str | None
    status: str
    confidence: float
    changed: bool
    version: int


def review(store, org: str, segment: str, decision: str) -> Review:
    """Confirm or reject ``org``'s membership of ``segment`` (both ids); see the module docstring.

    Raises ``NotFound`` for an unknown organisation or segment and
    ``InvalidInput`` for a decision other than ``confirm`` / ``reject``.
    """
    status = DECISIONS.get(decision)
    if status is None:
        raise InvalidInput(f"unknown decision {decision!r}; expected confirm or reject",
                           f"未知操作 {decision!r}：应为 confirm（确认）或 reject（否决）")
    if segment not in {s.id for s in store.segments()}:
        raise NotFound("segment", segment, field="segment")
    rec = store.organisation(org)
    old = next((m for m in rec.segments if m.segment == segment), None)
    if status is MembershipStatus.CONFIRMED:
        new = Membership(segment, 1.0, EvidenceGrade.CONFIRMED, status)
    else:  # what was predicted stays on record beside the rejection
        new = (dataclasses.replace(old, status=status) if old is not None
               else Membership(segment, 0.0, EvidenceGrade.WEAK, status))
    if old == new or (old is not None and old.status is status):
        return Review(rec.id, segment, decision, old.status.value if old else None, status.value,
                      old.confidence if old else new.confidence, False, store.version())
    segs = tuple(new if m.segment == segment else m for m in rec.segments) if old else (*rec.segments, new)
    result = store.write(Batch(organisations=[dataclasses.replace(rec, segments=segs)]))
    return Review(rec.id, segment, decision, old.status.value if old else None, status.value, new.confidence,
                  result.changed > 0, result.version or store.version())
