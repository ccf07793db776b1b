"""Drafts of the generated lists, from the chain analysis, the recommendation engine and the graph.

Three of the six lists can be drawn from the data:

- **key firms** (重点企业) — the region's chain leaders
  (:func:`graph.analysis.leaders.leaders`, ``scope="local"``, through
  :meth:`graph.analysis.service.Analyst.leaders`): score and its named parts,
  segments, tier tags;
- **attraction targets** (招商引资目标) — for every gap of the region's chain
  (:meth:`Analyst.gaps`), the best ``per_gap`` firms to recruit, ranked by
  the one rule the API, CLI and report use
  (:func:`matching.recommend.gaptargets.rank_gap_targets`: most severe gap
  first, a firm listed once, under the more severe gap), with attraction
  form and the best local introducer
  (:func:`matching.recommend.introducers.introducers`);
- **innovation platforms** (创新平台) — the region's incubators, parks,
  universities and labs (:class:`graph.model.OrgKind`), those serving a
  segment of the chain when a chain is given.

Key projects, the policy toolkit and advisory institutions have nothing in
the graph to be drawn from (no project, policy or advisory records): they are
curated only, typed in or imported.

The ``*_drafts`` functions are pure: they turn engine results into
:class:`~matching.worklists.store.Draft` lists. :func:`generate` wires them
to a store, an analyst and a recommendation index given as callables (the
API passes its per-version engines, the CLI builds them once).

Examples
--------
>>> from graph.analysis.leaders import Leader
>>> from graph.parts import Part
>>> a = Leader("org:a", "甲", "A", "cn/guangdong/shenzhen", True, ("seg:x",), ("链主",), 3000, 2.5,
...            (Part("centrality", 2.0, 2.0, 1.0, ""), Part("size", 0.5, 1.0, 0.5, "")), 0.1, 3, 1, ())
>>> d = key_firm_drafts([a], {"seg:x": "游戏引擎"})[0]
>>> d.subject, d.title, d.fields["segment"], d.fields["score_parts"]
('org:a', '甲', '游戏引擎', {'centrality': 2.0, 'size': 0.5})
>>> d.fields["reason"]  # the parts in words (graph.labels.leader_label), not their keys
'本地链主候选第 1 名（得分 2.50：供应链中心度 2.00，企业规模 0.50）；链主'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from graph.analysis.gaps import Gap
from graph.analysis.leaders import Leader
from graph.errors import InvalidInput
from graph.labels import gap_zh, leader_label
from graph.model import Organisation, OrgKind
from matching.recommend.gaptargets import DEFAULT_PER_GAP, flat_targets, rank_gap_targets
from matching.worklists.kinds import GENERATED_KINDS, KINDS, resolve_kind
from matching.worklists.store import Draft

__all__ = ["PLATFORM_KINDS", "PLATFORM_ZH", "key_firm_drafts", "target_drafts", "platform_drafts", "generate",
           "DEFAULT_TOP", "DEFAULT_PER_GAP"]

PLATFORM_KINDS = (OrgKind.INCUBATOR, OrgKind.PARK, OrgKind.UNIVERSITY, OrgKind.LAB)
PLATFORM_ZH = {OrgKind.INCUBATOR: "孵化器/众创空间", OrgKind.PARK: "园区/基地", OrgKind.UNIVERSITY: "高校",
               OrgKind.LAB: "重点实验室/研究院"}
DEFAULT_TOP = 20


def _names(ids: Iterable[str], names: Mapping[str, str]) -> str:
    return "、".join(names.get(i, i) for i in ids)


def _round(x: float) -> float:
    return round(float(x), 4)


def key_firm_drafts(leaders: Sequence[Leader], segment_names: Mapping[str, str]) -> list[Draft]:
    """Key-firm drafts from :meth:`Analyst.leaders` leaders (``LeadersResult.leaders``), in their order."""
    out = []
    for i, x in enumerate(leaders, 1):
        parts = {p.name: _round(p.value) for p in x.parts}
        tiers = "、".join(x.tiers)
        reason = (f"本地链主候选第 {i} 名（得分 {x.score:.2f}："
                  + "，".join(f"{leader_label(k, 'zh')} {v:.2f}" for k, v in parts.items())
                  + f"）{'；' + tiers if tiers else ''}")
        fields = {"segment": _names(x.segments, segment_names), "tiers": tiers,
                  "score": _round(x.score), "score_parts": parts, "reason": reason}
        out.append(Draft(x.id, x.name_zh or x.name_en or x.id, fields, rank=i))
    return out


def target_drafts(targets: Sequence, introducer: Mapping[str, tuple[str, str]],
                  segment_names: Mapping[str, str]) -> list[Draft]:
    """Target drafts from :class:`~matching.recommend.targets.Target` objects (already in list order).

    ``introducer`` maps a target id to its best local introducer ``(id, name)``.
    """
    out = []
    for i, t in enumerate(targets, 1):
        intro = introducer.get(t.org)
        fields = {"segment": segment_names.get(t.segment, t.segment), "gap": gap_zh(t.gap, t.gap or ""),
                  "form": t.form.form_zh if t.form else "", "score": _round(t.total),
                  "score_parts": {p.name: _round(p.value) for p in t.parts},
                  "introducer": intro[0] if intro else "", "introducer_name": intro[1] if intro else "",
                  "reason": t.reason_zh}
        out.append(Draft(t.org, t.name_zh or t.name_en or t.org, fields, rank=i))
    return out


def platform_drafts(orgs: Iterable[Organisation], chain_segments: Iterable[str] | None,
                    segment_names: Mapping[str, str]) -> list[Draft]:
    """Innovation-platform drafts: platforms of :data:`PLATFORM_KINDS`, by kind then id.

    With ``chain_segments``, only platforms that are members of one of those segments.

    >>> from graph.model import Membership, Provenance
    >>> p = Organisation("org:p1", OrgKind.INCUBATOR, "像素湾孵化器", Provenance("x"),
    ...                  segments=(Membership("seg:x"),))
    >>> [(d.subject, d.fields["platform_type"]) for d in platform_drafts([p], ["seg:x"], {})]
    [('org:p1', '孵化器/众创空间')]
    >>> platform_drafts([p], ["seg:y"], {})
    []
    """
    wanted = set(chain_segments) if chain_segments is not None else None
    order = {k: i for i, k in enumerate(PLATFORM_KINDS)}
    found = []
    for o in orgs:
        if o.kind not in order:
            continue
        segs = [m.segment for m in o.segments]
        if wanted is not None and not wanted.intersection(segs):
            continue
        found.append((order[o.kind], o.id, o, segs))
    found.sort(key=lambda x: x[:2])
    return [Draft(o.id, o.name_zh or o.name_en or o.id,
                  {"platform_type": PLATFORM_ZH[o.kind], "segment": _names(segs, segment_names)}, rank=i)
            for i, (_, _, o, segs) in enumerate(found, 1)]


def _targets(ix, gaps: Sequence[Gap], region: str, *, per_gap: int, top: int, settings,
             landed: set[str]) -> tuple[list, dict]:
    from matching.recommend.introducers import introducers

    groups = rank_gap_targets(ix, region, gaps, per_gap=per_gap, settings=settings, exclude=landed,
                              extra_local=landed)
    chosen = flat_targets(groups)[:top]
    intro = {}
    for t in chosen:
        best = introducers(ix, t.org, region, k=1, settings=settings, extra_local=landed)
        if best:
            intro[t.org] = (best[0].org, best[0].name_zh or best[0].name_en)
    return chosen, intro


def generate(kind: str, *, store, region: str, chain: str | None, analyse: Callable, recommend: Callable,
             settings=None, top: int = DEFAULT_TOP, per_gap: int = DEFAULT_PER_GAP,
             landed: set[str] | None = None) -> list[Draft]:
    """Drafts of a generated list for ``region`` (a region id) and ``chain`` (a chain id or ``None``).

    ``analyse(call)`` runs ``call`` on an :class:`~graph.analysis.service.Analyst` of the store;
    ``recommend(call)`` on a :class:`~matching.recommend.index.ChainIndex`; ``landed``: firms
    that landed in the region (local now, never targets).
    """
    kind = resolve_kind(kind)
    if kind not in GENERATED_KINDS:
        raise InvalidInput(f"the {kind} list ({KINDS[kind].zh}) is curated only: the data has nothing to "
                           "generate it from; add or import its entries",
                           f"{KINDS[kind].zh}清单只能人工维护（数据中没有可生成的来源），请手工添加或导入")
    names = {s.id: s.name_zh or s.name_en for s in store.segments()}
    if kind == "key_firms":
        return key_firm_drafts(analyse(lambda a: a.leaders(region, chain, top=top, scope="local")).leaders, names)
    if kind == "targets":
        landed = set(landed or ())
        gaps = analyse(lambda a: a.gaps(region, chain)).gaps
        chosen, intro = recommend(lambda ix: _targets(ix, gaps, region, per_gap=per_gap, top=top,
                                                      settings=settings, landed=landed))
        return target_drafts(chosen, intro, names)
    segments = None
    if chain is not None:
        segments = next((c.segments for c in store.chains() if c.id == chain), None)
        if segments is None:
            raise InvalidInput(f"unknown chain {chain!r}", f"未知产业链 {chain!r}")
    return platform_drafts(store.organisations(region=region), segments, names)
