"""Read temporal (head, relation, tail, time) facts and fold repeats into triples.

Temporal knowledge graphs such as ICKG ship as id maps (``name<TAB>id``) plus
fact files of ``head<TAB>relation<TAB>tail<TAB>time`` ids, one file per split.
The same triple may be observed at several times; :func:`observe` folds the
observations into one :class:`Observed` per distinct (head, relation, tail),
keeping the first and last date and the split of the first observation (what
a date-split backtest needs).

Examples
--------
>>> facts = [Fact(1, 0, 2, "2020-01-08", "train"), Fact(1, 0, 2, "2019-05-01", "valid"),
...          Fact(2, 0, 3, "2021-02-03", "test")]
>>> seen = observe(facts)
>>> seen[(1, 0, 2)]
Observed(first='2019-05-01', last='2020-01-08', first_split='valid', count=2)
>>> len(seen)
2
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from graph.errors import InvalidInput, Problem

__all__ = ["Fact", "Observed", "read_id_map", "read_time_map", "read_facts", "observe"]


class Fact(NamedTuple):
    """One observation: entity and relation ids, ISO date, split file stem."""

    head: int
    relation: int
    tail: int
    date: str
    split: str


@dataclass(frozen=True, slots=True)
class Observed:
    """All observations of one (head, relation, tail) triple."""

    first: str
    last: str
    first_split: str
    count: int


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    if not path.is_file():
        raise InvalidInput(
            f"missing file {path}",
            f"缺少文件 {path}",
            [Problem(path.name, None, None, "file not found")],
        )
    with path.open(encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if line.strip():
                yield n, line


def read_id_map(path: Path, sep: str = "\t") -> dict[int, str]:
    """``name<sep>id`` lines as ``{id: name}``; every bad line is reported.

    The name is everything before the *last* separator, so names may contain it.
    """
    out: dict[int, str] = {}
    problems: list[Problem] = []
    for n, line in _lines(path):
        name, _, ident = line.rpartition(sep)
        if not name or not ident.strip().isdigit():
            problems.append(Problem(path.name, n, None, f"expected 'name{sep!r}id', got {line!r}"))
        elif int(ident) in out:
            problems.append(Problem(path.name, n, "id", f"id {ident.strip()} used twice"))
        else:
            out[int(ident)] = name.strip()
    if problems:
        raise InvalidInput(f"{len(problems)} bad line(s) in {path.name}", None, problems)
    return out


def read_time_map(path: Path, sep: str = ",") -> dict[int, str]:
    """``id<sep>ISO date`` lines as ``{id: date}``."""
    out: dict[int, str] = {}
    problems: list[Problem] = []
    for n, line in _lines(path):
        ident, _, date = line.partition(sep)
        date = date.strip()
        if not ident.strip().isdigit() or len(date) != 10 or date[4] != "-" or date[7] != "-":
            problems.append(
                Problem(path.name, n, None, f"expected 'id{sep}YYYY-MM-DD', got {line!r}")
            )
        else:
            out[int(ident)] = date
    if problems:
        raise InvalidInput(f"{len(problems)} bad line(s) in {path.name}", None, problems)
    return out


def read_facts(
    path: Path, entities: dict[int, str], relations: dict[int, str], times: dict[int, str]
) -> list[Fact]:
    """The facts of one split file; unknown ids are reported, not skipped."""
    facts: list[Fact] = []
    problems: list[Problem] = []
    split = path.stem
    for n, line in _lines(path):
        parts = line.split()
        if len(parts) != 4 or not all(p.isdigit() for p in parts):
            problems.append(Problem(path.name, n, None, f"expected 4 integer ids, got {line!r}"))
            continue
        h, r, t, ti = map(int, parts)
        for field, ident, known in (
            ("head", h, entities),
            ("relation", r, relations),
            ("tail", t, entities),
            ("time", ti, times),
        ):
            if ident not in known:
                problems.append(Problem(path.name, n, field, f"unknown {field} id {ident}"))
        if h in entities and t in entities and r in relations and ti in times:
            facts.append(Fact(h, r, t, times[ti], split))
    if problems:
        raise InvalidInput(f"{len(problems)} bad fact(s) in {path.name}", None, problems)
    return facts


def observe(facts: Iterable[Fact]) -> dict[tuple[int, int, int], Observed]:
    """Fold facts into one :class:`Observed` per distinct (head, relation, tail).

    Ties on the first date go to the split seen first in ``facts``.
    """
    out: dict[tuple[int, int, int], Observed] = {}
    for f in facts:
        key = (f.head, f.relation, f.tail)
        o = out.get(key)
        if o is None:
            out[key] = Observed(f.date, f.date, f.split, 1)
            continue
        first, split = (f.date, f.split) if f.date < o.first else (o.first, o.first_split)
        out[key] = Observed(first, max(o.last, f.date), split, o.count + 1)
    return out
