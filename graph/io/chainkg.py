"""Import ChainKnowledgeGraph (``liuhuanyong/ChainKnowledgeGraph``, 2021): A-share firms.

JSON-lines files: ``company.json`` (listed firms), ``industry.json`` (Shenwan
2021 industries, three levels), ``industry_industry.json`` (child → parent),
``company_industry.json`` (firm → level-3 industry) and ``industry_up.json``
(per industry, upstream industries with text co-occurrence counts).

Mapping
-------
- industry → :class:`Segment` ``sw:<code>`` (stage midstream, format other,
  parent from ``industry_industry``); a :class:`Cluster` ``sw`` (申万行业) with
  one :class:`Chain` ``sw:chain:<code>`` per level-1 industry (codes ending
  0000) holding all its descendants.
- company → :class:`Organisation` ``a:<6-digit code>`` (firm, tier 上市公司),
  ``name_zh`` = full name, short name in ``keywords``, provenance ``as_of`` =
  listing date, ``region`` inferred from the full-name prefix (marked
  estimated: ``location`` is the stock exchange, not the city).
- company_industry → confirmed :class:`Membership` (codes lose their
  ``.SH``/``.SZ``/``.BJ`` suffix; an industry code missing from
  ``industry.json`` is resolved by the industry's name, as Shenwan renumbered
  some codes); ``industry`` / ``industry_code`` are set from it.
- industry_up → :class:`SegmentEdge` upstream → industry, weight = count,
  source ``chainkg:industry_up``; industries are named, so names are resolved
  to codes (exactly, else ignoring a trailing Ⅱ/Ⅲ when that is unique).

Stock codes that repeat in ``company.json``
-------------------------------------------
``company.json`` has 4,654 lines but 4,586 distinct codes. A repeated code
with the *same* listing date is a renamed firm (鼎龙文化/骅威文化, 海尔智家/
青岛海尔): the first line is the current name and later lines become former
names in ``keywords`` (one organisation). A repeated code with a *different*
listing date is a scraping error (688078 "龙软科技" carries 中国银行, 中国建设银行,
...): the line whose full name contains its short name keeps the code; the
others are imported as separate firms ``a:<code>~<n>`` without the short name,
industry or membership (none owns the code if no line qualifies).
``stats`` reports every case.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from graph.errors import InvalidInput, Problem
from graph.model import (
    Chain,
    Cluster,
    Format,
    Membership,
    Organisation,
    OrgKind,
    Provenance,
    Segment,
    SegmentEdge,
    Stage,
)
from graph.store.protocol import Batch

__all__ = ["load_chainkg", "read_jsonl", "stock_code", "FILES", "SHENZHEN"]

SOURCE = "chainkg"
FILES = (
    "company.json",
    "industry.json",
    "industry_industry.json",
    "company_industry.json",
    "industry_up.json",
)
SHENZHEN = "cn/guangdong/shenzhen"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ST_PREFIX = re.compile(r"^(?:\*?S?\*?ST|退市)")
_LEVEL_MARK = "ⅡⅢ"


def read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON-lines file; blank lines are skipped.

    Raises
    ------
    InvalidInput
        Listing every line that is not a JSON object.
    """
    rows: list[dict] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(Problem(path.name, n, None, f"not JSON: {e.msg}"))
                continue
            if not isinstance(obj, dict):
                problems.append(Problem(path.name, n, None, "expected a JSON object"))
            else:
                rows.append(obj)
    if problems:
        raise InvalidInput(f"{len(problems)} bad line(s) in {path.name}", None, problems)
    return rows


def stock_code(raw: str) -> str:
    """A 6-digit A-share code without exchange suffix.

    Examples
    --------
    >>> stock_code("300957.sz"), stock_code("688096"), stock_code(" 600373.SH ")
    ('300957', '688096', '600373')
    """
    return raw.strip().split(".")[0]


def _level(code: str) -> int:
    return 1 if code.endswith("0000") else 2 if code.endswith("00") else 3


def _owners(recs: list[dict]) -> tuple[dict | None, list[dict], list[dict]]:
    """Split records sharing a code into (owner, former names, conflicts)."""
    if len({r.get("time") for r in recs}) == 1:
        return recs[0], recs[1:], []
    fits = [r for r in recs if _ST_PREFIX.sub("", r.get("name", "")) in r["fullname"]]
    owner = fits[0] if len(fits) == 1 else None
    if owner is None:
        return None, [], recs
    former = [r for r in recs if r is not owner and r.get("time") == owner.get("time")]
    return owner, former, [r for r in recs if r is not owner and r not in former]


class _Names:
    """Resolve Shenwan industry names to codes (exact, else without Ⅱ/Ⅲ if unique)."""

    def __init__(self, industries: dict[str, str]):
        self.exact = {name: code for code, name in industries.items()}
        loose: dict[str, set[str]] = defaultdict(set)
        for code, name in industries.items():
            loose[name.rstrip(_LEVEL_MARK)].add(code)
        self.loose = {k: next(iter(v)) for k, v in loose.items() if len(v) == 1}

    def __call__(self, name: str) -> str | None:
        return self.exact.get(name) or self.loose.get(name.rstrip(_LEVEL_MARK))


def load_chainkg(
    directory: Path | str, *, infer_region: Callable[[str], str | None] | None = None
) -> tuple[Batch, dict]:
    """Read a ChainKnowledgeGraph ``data/`` directory into a :class:`Batch`.

    Parameters
    ----------
    directory
        Holds the five JSON-lines files of :data:`FILES`.
    infer_region
        Company full name → region id or ``None``; defaults to
        :func:`graph.regions.infer_region_from_name`.

    Returns
    -------
    batch, stats
        ``stats`` counts companies read/imported, former names merged, code
        conflicts, regions (Shenzhen), memberships, unmatched codes, segment
        edges and unresolved industry names (see the module docstring).

    Raises
    ------
    InvalidInput
        A file is missing or a line is not a JSON object.
    """
    if infer_region is None:
        from graph.regions import infer_region_from_name as infer_region
    directory = Path(directory)
    missing = [f for f in FILES if not (directory / f).is_file()]
    if missing:
        raise InvalidInput(
            f"not a ChainKnowledgeGraph directory: {directory} lacks {', '.join(missing)}",
            f"不是 ChainKnowledgeGraph 数据目录：{directory} 缺少 {', '.join(missing)}",
            [Problem(f, None, None, "file not found") for f in missing],
        )
    companies, industries, hierarchy, company_industry, ups = (
        read_jsonl(directory / f) for f in FILES
    )
    _require(
        zip(FILES, (companies, industries, hierarchy, company_industry, ups), strict=True),
        (
            ("code", "fullname"),
            ("code", "name"),
            ("from_code", "to_code"),
            ("company_code", "industry_code"),
            ("industry",),
        ),
    )
    names = {r["code"]: r["name"] for r in industries}
    parent = {r["from_code"]: r["to_code"] for r in hierarchy if r.get("to_code") in names}
    resolve = _Names(names)
    segments = [
        Segment(
            id=f"sw:{code}",
            name_zh=name,
            name_en="",
            stage=Stage.MIDSTREAM,
            format=Format.OTHER,
            parent=f"sw:{parent[code]}" if code in parent else None,
            keywords=(name.rstrip(_LEVEL_MARK),) if name.rstrip(_LEVEL_MARK) != name else (),
            source=SOURCE,
        )
        for code, name in names.items()
    ]
    chains, cluster = _chains(names, parent)

    # company → industry code (resolved), per stripped stock code
    industry_of: dict[str, str] = {}
    by_name = unknown_industry = 0
    for r in company_industry:
        code = r.get("industry_code", "")
        if code not in names:
            code = resolve(r.get("industry_name", "")) or ""
            by_name += bool(code)
            unknown_industry += not code
        if code:
            industry_of[stock_code(r["company_code"])] = code

    groups: dict[str, list[dict]] = defaultdict(list)
    for r in companies:
        groups[stock_code(r["code"])].append(r)
    orgs: list[Organisation] = []
    former_n, conflicts, ambiguous = 0, [], []
    for code, recs in groups.items():
        owner, former, others = _owners(recs)
        if owner is not None:
            ind = industry_of.get(code)
            orgs.append(_org(f"a:{code}", owner, former, ind, names.get(ind, ""), infer_region))
            former_n += len(former)
        else:
            ambiguous.append(code)
        for n, r in enumerate(others, 1):
            orgs.append(_org(f"a:{code}~{n}", r, [], None, "", infer_region, short=False))
            conflicts.append({"id": f"a:{code}~{n}", "fullname": r["fullname"], "code": code})

    edges, unresolved = _edges(ups, resolve)
    owned = {o.id[2:] for o in orgs if "~" not in o.id}
    ci_codes = {stock_code(r["company_code"]) for r in company_industry}
    stats = {
        "companies_read": len(companies),
        "companies_imported": len(orgs),
        "distinct_codes": len(groups),
        "former_names_merged": former_n,
        "code_conflicts": conflicts,
        "ambiguous_codes": sorted(ambiguous),
        "with_region": sum(o.region is not None for o in orgs),
        "in_shenzhen": sum((o.region or "").startswith(SHENZHEN) for o in orgs),
        "industries": len(segments),
        "chains": len(chains),
        "memberships": sum(len(o.segments) for o in orgs),
        "industry_codes_resolved_by_name": by_name,
        "unknown_industries": unknown_industry,
        "unmatched_codes": sorted(ci_codes - owned),
        "segment_edges": len(edges),
        "unresolved_names": sorted(unresolved),
    }
    batch = Batch(
        clusters=[cluster],
        chains=chains,
        segments=segments,
        segment_edges=edges,
        organisations=orgs,
    )
    return batch, stats


def _require(files, fields) -> None:
    """Raise ``InvalidInput`` naming every row that lacks a needed field."""
    problems = [
        Problem(name, n, f, "missing or empty")
        for (name, rows), need in zip(files, fields, strict=True)
        for n, row in enumerate(rows, 1)
        for f in need
        if not row.get(f)
    ]
    if problems:
        raise InvalidInput(f"{len(problems)} row(s) lack needed fields", None, problems)


def _org(oid, rec, former, industry_code, industry, infer_region, short=True) -> Organisation:
    fullname = rec["fullname"].strip()
    region = infer_region(fullname)
    keywords = [rec.get("name", "").strip()] if short else []
    formers = [r["fullname"].strip() for r in former]
    for r in former:
        keywords.append(r.get("name", "").strip())
    keywords = list(dict.fromkeys(k for k in keywords if k and k != fullname and k not in formers))
    listed = rec.get("time", "")
    exchange = rec.get("location", "")
    return Organisation(
        id=oid,
        kind=OrgKind.FIRM,
        name_zh=fullname,
        provenance=Provenance(
            SOURCE, listed if _DATE.match(listed) else None, ("region",) if region else ()
        ),
        region=region,
        segments=(Membership(f"sw:{industry_code}"),) if industry_code else (),
        description_zh=f"{exchange}上市" if exchange.endswith("交易所") else "",
        industry=industry,
        industry_code=industry_code or "",
        keywords=tuple(keywords),
        tiers=("上市公司",),
        former_names=tuple(dict.fromkeys(f for f in formers if f and f != fullname)),
        region_source="name" if region else "",
    )


def _chains(names: dict[str, str], parent: dict[str, str]) -> tuple[list[Chain], Cluster]:
    children: dict[str, list[str]] = defaultdict(list)
    for child, p in parent.items():
        children[p].append(child)
    chains = []
    for code in sorted(c for c in names if _level(c) == 1):
        seen, todo = [], list(children[code])
        while todo:
            c = todo.pop()
            seen.append(c)
            todo.extend(children[c])
        chains.append(
            Chain(
                id=f"sw:chain:{code}",
                name_zh=names[code],
                name_en="",
                segments=tuple(f"sw:{c}" for c in sorted(seen)),
                cluster="sw",
                source=SOURCE,
            )
        )
    cluster = Cluster("sw", "申万行业", "Shenwan industries", tuple(c.id for c in chains), SOURCE)
    return chains, cluster


def _edges(ups: list[dict], resolve: _Names) -> tuple[list[SegmentEdge], set[str]]:
    weights: Counter[tuple[str, str]] = Counter()
    unresolved: set[str] = set()
    for r in ups:
        down = resolve(r.get("industry", ""))
        if down is None:
            unresolved.add(r.get("industry", ""))
        for name, count in (r.get("ups") or {}).items():
            up = resolve(name)
            if up is None:
                unresolved.add(name)
            elif down is not None and up != down:
                weights[(up, down)] += count
    edges = [
        SegmentEdge(f"sw:{u}", f"sw:{d}", float(w), f"{SOURCE}:industry_up")
        for (u, d), w in sorted(weights.items())
    ]
    return edges, unresolved
