"""What :class:`~graph.analysis.service.Analyst` returns: one dataclass per analysis, and their JSON form.

Each result carries the analysed region (id and zh/en display name), the
chain (:class:`ChainRef`) and :class:`ResultMeta` (store version, function,
whether it came from the cache), plus the analysis's own records — the
dataclasses of :mod:`graph.analysis.gaps`, :mod:`~graph.analysis.chainmap`,
:mod:`~graph.analysis.leaders`, :mod:`~graph.analysis.dependence` and
:mod:`~graph.analysis.compare` — and the organisations they cite
(``orgs``: id → :class:`~graph.analysis.aggregates.FirmInfo`).

:func:`to_json` turns a result into plain JSON data (the shape the API serves
and the cache stores: field names as keys, tuples as lists, enums as their
values); :func:`from_json` reads it back, typed, so a cache hit and a fresh
result are equal.

Examples
--------
>>> from graph.analysis.gaps import Gap
>>> from graph.labels import GapKind
>>> from graph.parts import Part
>>> g = Gap("seg:a", "甲", "A", GapKind.MISSING, "补链", 0.4, (Part("relatedness", 0.4, 0.5, 0.8, "d"),),
...         ("local_buyers",), ("org:x",), (), ("seg:b",))
>>> data = to_json(g)
>>> data["kind"], data["parts"][0]["name"], data["firms"]
('missing', 'relatedness', ['org:x'])
>>> from_json(Gap, data) == g
True
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from graph.analysis.aggregates import FirmInfo
from graph.analysis.chainmap import MapEdge, MapSegment
from graph.analysis.compare import CompareRow, RegionSummary
from graph.analysis.dependence import SegmentDependence
from graph.analysis.gaps import Gap
from graph.analysis.leaders import Leader

__all__ = [
    "ChainRef",
    "RegionRef",
    "ResultMeta",
    "ChainMapResult",
    "GapsResult",
    "LeadersResult",
    "DependenceResult",
    "CompareResult",
    "RESULTS",
    "to_json",
    "from_json",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ChainRef:
    """The analysed chain; ``id`` ``*`` is the pseudo chain of every segment."""

    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class RegionRef:
    """A region id with its display names (the id itself when the gazetteer does not know it)."""

    region: str
    region_zh: str
    region_en: str


@dataclass(frozen=True, slots=True)
class ResultMeta:
    """Where a result comes from: ``version`` is the store backend and version it was computed for."""

    version: str
    function: str
    cached: bool


@dataclass(frozen=True, slots=True)
class _Head:
    """What every single-region result opens with: the region (id, zh/en names) and the chain."""

    region: str
    region_zh: str
    region_en: str
    chain: ChainRef


@dataclass(frozen=True, slots=True)
class ChainMapResult(_Head):
    """The 群-链-企 map of a chain in a region (:func:`graph.analysis.chainmap.chain_map`).

    ``segments`` in chain order; ``edges`` the chain's segment edges with the
    supply local firms get over them; ``status_counts`` segments per status.
    """

    level: str
    status_counts: dict[str, int]
    segments: tuple[MapSegment, ...]
    edges: tuple[MapEdge, ...]
    orgs: dict[str, FirmInfo]
    meta: ResultMeta


@dataclass(frozen=True, slots=True)
class GapsResult(_Head):
    """The 补链/强链/延链 gaps of a chain in a region, most severe first (:func:`graph.analysis.gaps.gaps`).

    ``gaps_total`` counts every gap, ``gaps`` holds the ``top`` shown;
    ``supply_observed`` is false when the data has no firm-to-firm supply
    (补链 is then inferred from local downstream segments); ``orgs`` are the
    organisations the shown gaps cite.
    """

    level: str
    status_counts: dict[str, int]
    supply_observed: bool
    gaps_total: int
    gaps: tuple[Gap, ...]
    orgs: dict[str, FirmInfo]
    meta: ResultMeta


@dataclass(frozen=True, slots=True)
class LeadersResult(_Head):
    """The chain's leaders (链主), best first, among firms ``all``, ``local`` or ``external`` to the region."""

    scope: str
    leaders: tuple[Leader, ...]
    meta: ResultMeta


@dataclass(frozen=True, slots=True)
class DependenceResult(_Head):
    """The region's external dependence on the chain (:func:`graph.analysis.dependence.dependence`).

    ``received`` is the supplies weight local organisations receive from the
    chain's member firms, ``received_external`` the part from outside;
    ``external_share`` their ratio (``None`` without supply).
    """

    received: float
    received_external: float
    external_share: float | None
    segments: tuple[SegmentDependence, ...]
    orgs: dict[str, FirmInfo]
    meta: ResultMeta


@dataclass(frozen=True, slots=True)
class CompareResult:
    """One chain's coverage in two or more regions side by side (:func:`graph.analysis.compare.compare`)."""

    regions: tuple[RegionRef, ...]
    chain: ChainRef
    rows: tuple[CompareRow, ...]
    summaries: tuple[RegionSummary, ...]
    meta: ResultMeta


#: result class of each Analyst function
RESULTS: dict[str, type] = {"chain_map": ChainMapResult, "gaps": GapsResult, "leaders": LeadersResult,
                            "dependence": DependenceResult, "compare": CompareResult}


def to_json(obj: Any) -> Any:
    """Plain JSON data of a result or any of its parts (dataclasses → dicts in field order).

    Dataclasses are written by a per-type writer built once from their field
    types (what a warm API request pays); anything else by :func:`_plain`.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _writer(type(obj))(obj)
    return _plain(obj)


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _writer(type(obj))(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, float) and type(obj) is not float:
        return float(obj)  # numpy.float64 from the array path
    return obj


def _text(v: Any) -> Any:
    return v if type(v) is str else _plain(v)  # a str enum (Stage …) as its value


def _number(v: Any) -> Any:
    return v if type(v) is float or type(v) is int or v is None else _plain(v)


@cache
def _writer(tp: Any) -> Callable[[Any], Any]:
    """A function writing a value of type ``tp`` as JSON data (:func:`_plain` where the type says little)."""
    origin = typing.get_origin(tp)
    if tp is str:
        return _text
    if tp is bool or tp is int:
        return _plain
    if tp is float:
        return _number
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _writer(args[0]) if len(args) == 1 else _plain
        return lambda v: None if v is None else inner(v)
    if origin is tuple or origin is list:
        args = typing.get_args(tp)
        if (origin is list or (len(args) == 2 and args[1] is Ellipsis)) and args:
            if args[0] is str:
                return lambda v: [x if type(x) is str else _plain(x) for x in v]
            one = _writer(args[0])
            return lambda v: [one(x) for x in v]
        return _plain
    if origin is dict:
        key, val = typing.get_args(tp)
        if key is str and val is int:
            return dict
        one = _writer(val)
        return lambda v: {str(k): one(x) for k, x in v.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        fields = tuple((f.name, _writer(h)) for f, h in zip(dataclasses.fields(tp), _hints(tp), strict=True))

        def write(v, fields=fields):
            return {name: f(getattr(v, name)) for name, f in fields}

        return write
    return _plain


def _identity(value: Any) -> Any:
    return value


@cache
def _reader(tp: Any) -> Callable[[Any], Any]:
    """A function reading JSON data of type ``tp`` (built once per type: cache hits from disk are hot)."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _reader(args[0]) if len(args) == 1 else _identity
        return lambda v: None if v is None else inner(v)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            one = _reader(args[0])
            return (lambda v: tuple(v)) if one is _identity else (lambda v: tuple(one(x) for x in v))
        each = [_reader(a) for a in args]
        return lambda v: tuple(f(x) for f, x in zip(each, v, strict=True))
    if origin is list:
        one = _reader(typing.get_args(tp)[0])
        return lambda v: [one(x) for x in v]
    if origin is dict:
        one = _reader(typing.get_args(tp)[1])
        return (lambda v: dict(v)) if one is _identity else (lambda v: {k: one(x) for k, x in v.items()})
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        fields = tuple((f.name, _reader(h)) for f, h in zip(dataclasses.fields(tp), _hints(tp), strict=True))

        def read(v, cls=tp, fields=fields):
            return cls(**{name: f(v[name]) for name, f in fields if name in v})

        return read
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    return _identity


@cache
def _hints(cls: type) -> tuple[Any, ...]:
    hints = typing.get_type_hints(cls)
    return tuple(hints[f.name] for f in dataclasses.fields(cls))


def from_json(cls: type[T], data: dict) -> T:
    """A ``cls`` instance from :func:`to_json` data (fields missing from ``data`` take their defaults)."""
    return _reader(cls)(data)
