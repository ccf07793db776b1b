"""Column helpers of the recommendation index: kind codes, dates as days, CSR rows.

Examples
--------
>>> to_days(["1970-01-02", None]).tolist()
[1, -2147483648]
>>> LINK_KINDS[0], ORG_KINDS[0]
('supplies', 'firm')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graph.model import LinkKind, OrgKind

__all__ = ["ORG_KINDS", "LINK_KINDS", "REVENUE_RANK", "TIER_VALUE", "NO_DATE", "to_days", "from_days", "gather",
           "csr"]

ORG_KINDS = tuple(k.value for k in OrgKind)
LINK_KINDS = tuple(k.value for k in LinkKind)
#: revenue bands of the sample world, smallest first (0 = unknown)
REVENUE_RANK = {"<10M": 1, "10-100M": 2, "100M-1B": 3, ">1B": 4}
#: value of a tier tag (the best tag counts)
TIER_VALUE = {"链主": 1.0, "上市公司": 0.6, "独角兽": 0.6, "隐形冠军": 0.6, "专精特新": 0.5, "瞪羚": 0.5}
NO_DATE = np.iinfo(np.int32).min

def to_days(dates: Sequence[str | None]) -> np.ndarray:
    """ISO dates (or years) as int32 days since 1970; :data:`NO_DATE` where unknown.

    >>> to_days(["1970-01-02", None, "2020", "garbage"]).tolist()[:3]
    [1, -2147483648, 18262]
    """
    clean = [d[:10] if d else "NaT" for d in dates]
    try:
        arr = np.array(clean, dtype="datetime64[D]")
    except ValueError:
        arr = np.array([_one_day(d) for d in clean], dtype="datetime64[D]")
    out = arr.astype("int64")
    out[np.isnat(arr)] = NO_DATE
    return out.astype(np.int32)


def _one_day(d: str):
    try:
        return np.datetime64(d, "D")
    except ValueError:
        return np.datetime64("NaT")


def from_days(day: int) -> str | None:
    """Inverse of :func:`to_days` for one value.

    >>> from_days(18262), from_days(NO_DATE)
    ('2020-01-01', None)
    """
    return None if day == NO_DATE else str(np.datetime64(int(day), "D"))


def gather(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten CSR rows: ``(owner, position)`` of every entry of ``rows``.

    ``owner[i]`` is the index into ``rows`` that entry ``i`` belongs to.

    >>> ptr = np.array([0, 2, 2, 5])
    >>> owner, pos = gather(ptr, np.array([2, 0]))
    >>> owner.tolist(), pos.tolist()
    ([0, 0, 0, 1, 1], [2, 3, 4, 0, 1])
    """
    rows = np.asarray(rows, dtype=np.int64)
    starts, ends = ptr[rows], ptr[rows + 1]
    lens = ends - starts
    total = int(lens.sum())
    owner = np.repeat(np.arange(len(rows)), lens)
    offsets = np.repeat(np.cumsum(lens) - lens, lens)
    pos = np.arange(total) - offsets + np.repeat(starts, lens)
    return owner, pos


def csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Order of entries grouped by ``keys`` and the row pointer over ``n`` rows."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return order, ptr
