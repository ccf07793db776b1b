"""The one membership rule: which segment memberships (挂链) count, and how much.

Every analysis reads memberships through this rule — the gap analysis and
chain map (:mod:`graph.analysis.aggregates`, :mod:`graph.analysis.fast` over
:mod:`graph.analysis.arrays`, the embedded store's
:mod:`graph.store.sqlite_aggregates`, Neo4j's
:mod:`graph.store.cypher_analysis`), dependence, and the recommendation index
(:mod:`matching.recommend.index`, :mod:`graph.store.cypher_recommend`):

- **confirmed** (imported, curated or confirmed by a user): counts, weight 1;
- **predicted** (挂链 by ``chainmatch classify``): counts when its confidence
  is at least :data:`MIN_PREDICTED_CONFIDENCE`, weight = its confidence, and
  is shown as predicted (``local_predicted``, ``predicted_only``);
- **rejected** (a user said no): never counts.

Only open organisations count at all (a closed one, 注销/吊销/撤销, is
nowhere): that rule lives with the organisation
(:attr:`graph.model.Organisation.closed`) and every store's view applies it
beside this one.

A firm is *local* to a region when it is registered there or has a landed
site there (:attr:`graph.model.Site.landed`, written by ``outcome record …
landed``): :func:`landed_regions`.

Examples
--------
>>> weight("confirmed", 0.3), weight("predicted", 0.8), weight("predicted", 0.49), weight("rejected", 1.0)
(1.0, 0.8, 0.0, 0.0)
>>> counts("predicted", 0.5), counts("rejected", 1.0), is_predicted("predicted", 0.9), is_predicted("confirmed", 1)
(True, False, True, False)
>>> cypher_counted("m")
"(m.status = 'confirmed' OR (m.status = 'predicted' AND coalesce(m.confidence, 0.0) >= 0.5))"
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = [
    "MIN_PREDICTED_CONFIDENCE",
    "CONFIRMED",
    "PREDICTED",
    "REJECTED",
    "weight",
    "counts",
    "is_predicted",
    "weights",
    "landed_regions",
    "cypher_counted",
    "cypher_weight",
    "cypher_predicted",
]

#: a prediction counts from this confidence on (below it, it is shown to be reviewed but counts nowhere)
MIN_PREDICTED_CONFIDENCE = 0.5
CONFIRMED, PREDICTED, REJECTED = "confirmed", "predicted", "rejected"


def _status(status) -> str:
    return getattr(status, "value", status) or CONFIRMED


def weight(status, confidence: float | None) -> float:
    """How much one membership counts: 1 confirmed, its confidence predicted (≥ threshold), else 0."""
    s = _status(status)
    if s == CONFIRMED:
        return 1.0
    if s == PREDICTED:
        c = 0.0 if confidence is None else float(confidence)
        return c if c >= MIN_PREDICTED_CONFIDENCE else 0.0
    return 0.0


def counts(status, confidence: float | None) -> bool:
    """Whether the membership counts at all (its :func:`weight` is positive)."""
    return weight(status, confidence) > 0.0


def is_predicted(status, confidence: float | None) -> bool:
    """Whether it counts only as a prediction (shown as predicted)."""
    return _status(status) == PREDICTED and counts(status, confidence)


def weights(status: Iterable, confidence: Iterable) -> np.ndarray:
    """:func:`weight` over columns (status strings, confidences), vectorised.

    >>> weights(["confirmed", "predicted", "predicted", "rejected"], [0.2, 0.7, 0.1, 1.0]).tolist()
    [1.0, 0.7, 0.0, 0.0]
    """
    st = np.asarray(list(status), dtype=object)
    c = np.asarray([0.0 if x is None else float(x) for x in confidence], dtype=float)
    if st.size == 0:
        return np.zeros(0)
    st = np.array([_status(x) for x in st], dtype=str)
    return np.where(st == CONFIRMED, 1.0,
                    np.where((st == PREDICTED) & (c >= MIN_PREDICTED_CONFIDENCE), c, 0.0))


def landed_regions(sites: Iterable) -> tuple[str, ...]:
    """The regions of an organisation's landed sites (:attr:`~graph.model.Site.landed`), sorted, distinct.

    >>> from graph.model import Site, SiteKind
    >>> landed_regions([Site("cn/a", SiteKind.BRANCH), Site("cn/b", SiteKind.RD_CENTRE, landed=True)])
    ('cn/b',)
    """
    return tuple(sorted({s.region for s in sites if getattr(s, "landed", False) and s.region}))


def _var(var: str) -> str:
    if not var.isidentifier():  # pragma: no cover - only called with constants
        raise ValueError(f"not a variable name: {var!r}")
    return var


def cypher_counted(var: str) -> str:
    """The Cypher of :func:`counts` for a ``MEMBER_OF`` relationship variable (no user input in it)."""
    m = _var(var)
    return (f"({m}.status = '{CONFIRMED}' OR ({m}.status = '{PREDICTED}'"
            f" AND coalesce({m}.confidence, 0.0) >= {MIN_PREDICTED_CONFIDENCE!r}))")


def cypher_weight(var: str) -> str:
    """The Cypher of :func:`weight` for a counted ``MEMBER_OF`` relationship variable."""
    m = _var(var)
    return f"(CASE WHEN {m}.status = '{CONFIRMED}' THEN 1.0 ELSE coalesce({m}.confidence, 0.0) END)"


def cypher_predicted(var: str) -> str:
    """The Cypher of :func:`is_predicted` for a counted ``MEMBER_OF`` relationship variable."""
    return f"{_var(var)}.status = '{PREDICTED}'"
