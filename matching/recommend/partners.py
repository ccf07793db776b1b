"""Partners for incubated start-ups: local customers, suppliers, complementors, platforms.

For a start-up's free-text profile and its segment(s), every local
organisation is scored by named parts (setting ``partner_weights``), each
figure in [0, 1]:

- ``semantic`` — fit of its text to the profile, from a similarity provider
  (:func:`search_similarity`: the hybrid search of :mod:`matching.search`,
  each list's scores rescaled to [0, 1], averaged with the share of the
  profile's distinctive phrases the organisation's text contains);
- ``adjacency`` — its place in the chain relative to the start-up's
  segments: ``customer`` (a downstream segment) 1.0, ``supplier`` (upstream)
  0.8, ``platform`` (incubator, park, lab, university, fund or association
  in or next to the segment) 0.7, ``complementor`` (a segment that feeds the
  same downstream segment) 0.5, ``peer`` (same segment) 0.2;
- ``weight`` — its standing: ``0.6 saturate(employees, 300) + 0.4 tier``;
- ``known`` (penalty) — it already has a tie with the start-up.

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> sim = {"org:f1415": 1.0, "org:f0480": 1.0}
>>> top = partners(ix, "cn/guangdong/shenzhen", ["seg:aigc_models"], similarity=sim, startup="org:f0480", k=3)
>>> top[0].org, top[0].role
('org:f1415', 'customer')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from graph.display import pick
from matching.recommend.explain import Part, part, penalty, saturate, total, weights_from
from matching.recommend.index import ORG_KINDS, ChainIndex
from matching.recommend.ties import BUSINESS_TIES

__all__ = ["Partner", "partners", "ROLES", "search_similarity", "phrase_fit", "shingles", "startup_segments",
           "profile_segments"]

ROLES = {"customer": 1.0, "supplier": 0.8, "platform": 0.7, "complementor": 0.5, "peer": 0.2}
ROLE_ZH = {"customer": "下游客户", "supplier": "上游供应商", "platform": "平台", "complementor": "互补伙伴",
           "peer": "同环节企业", "other": "其他"}
_PLATFORMS = tuple(ORG_KINDS.index(k) for k in ("incubator", "park", "lab", "university", "fund", "association"))


@dataclass(frozen=True)
class Partner:
    rank: int
    org: str
    name_zh: str
    name_en: str
    region: str | None
    role: str
    segments: tuple[str, ...]
    total: float
    parts: tuple[Part, ...]
    evidence: tuple[str, ...]
    reason_zh: str
    reason_en: str

    def as_dict(self) -> dict:
        return asdict(self)


def shingles(text: str, n: int = 6) -> set[str]:
    """Phrases of ``text``: ``n``-character runs of CJK text, three-word runs of Latin text.

    CJK runs shorter than ``n`` (but at least 4 characters) count whole.

    >>> sorted(shingles("AI三维资产生成 for game art studios", n=6))
    ['ai for game', 'for game art', 'game art studios', '三维资产生成']
    """
    out: set[str] = set()
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        if len(run) >= n:
            out.update(run[i:i + n] for i in range(len(run) - n + 1))
        elif len(run) >= 4:
            out.add(run)
    words = re.findall(r"[a-z0-9]+", text.casefold())
    out.update(" ".join(words[i:i + 3]) for i in range(len(words) - 2))
    return out


def phrase_fit(profile: str, texts: Mapping[str, str], *, rare: int = 2) -> dict[str, float]:
    """Share of the profile's *distinctive* phrases each text contains, relative to the best text.

    A phrase of the profile (:func:`shingles`) is distinctive when at most
    ``rare`` of ``texts`` contain it: template wording and segment vocabulary
    are everywhere, a niche both sides name is not.

    >>> phrase_fit("AI三维资产生成", {"a": "寻找AI三维资产生成伙伴", "b": "三维建模外包", "c": "资产管理"})
    {'a': 1.0, 'b': 0.0, 'c': 0.0}
    """
    mine = shingles(profile)
    have = {k: mine & shingles(t) for k, t in texts.items()}
    df: dict[str, int] = {}
    for hs in have.values():
        for x in hs:
            df[x] = df.get(x, 0) + 1
    keep = {x for x, n in df.items() if n <= rare}
    score = {k: len(hs & keep) for k, hs in have.items()}
    top = max(score.values(), default=0)
    return {k: (v / top if top else 0.0) for k, v in score.items()}


def search_similarity(engine, profile: str, region: str, *, depth: int = 200, exclude: Iterable[str] = (),
                      texts=None) -> dict[str, float]:
    """Fit of local organisations to ``profile`` in [0, 1], from the hybrid search of :mod:`matching.search`.

    Rank fusion keeps the order but not the margin, and the margin matters
    here. So each list's own scores are rescaled to [0, 1] (BM25 ÷ its best;
    dense cosine min–max over the hits) and averaged with the list weights the
    search used for this query. With ``texts`` (ids → searchable text, e.g.
    through :meth:`ChainIndex.details`) the fit is the mean of that and
    :func:`phrase_fit` over the hits. ``exclude`` (the start-up itself) is
    left out.
    """
    from matching.search import Filters

    res = engine.search(profile, k=depth, filters=Filters(region=region))
    skip = set(exclude)
    hits = [h for h in res if h.id not in skip]
    if not hits:
        return {}
    wl, wd = res.weights.get("lexical", 0.0), res.weights.get("dense", 0.0)
    lex = [h.lexical_score or 0.0 for h in hits]
    dense = [h.dense_score for h in hits if h.dense_score is not None]
    top_l = max(lex) or 1.0
    lo_d, hi_d = (min(dense), max(dense)) if dense else (0.0, 0.0)
    out = {}
    for h, lx in zip(hits, lex, strict=True):
        d = (h.dense_score - lo_d) / (hi_d - lo_d) if h.dense_score is not None and hi_d > lo_d else 0.0
        out[h.id] = (wl * lx / top_l + wd * d) / (wl + wd) if wl + wd > 0 else 0.0
    if texts is not None:
        phrases = phrase_fit(profile, texts([h.id for h in hits]))
        out = {k: 0.5 * v + 0.5 * phrases.get(k, 0.0) for k, v in out.items()}
    return out


def startup_segments(ix: ChainIndex, startup: str | None, similarity: Mapping[str, float], *,
                     top: int = 20) -> list[str]:
    """The start-up's own segments, else the most common segment among its ``top`` nearest texts."""
    if startup is not None and startup in ix.pos:
        own = ix.segments_of(ix.row(startup), confirmed_only=True) or ix.segments_of(ix.row(startup))
        if own:
            return own
    votes: dict[str, float] = {}
    for oid, s in sorted(similarity.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        if oid in ix.pos:
            for seg in ix.segments_of(ix.row(oid), confirmed_only=True):
                votes[seg] = votes.get(seg, 0.0) + s
    return [max(sorted(votes), key=votes.get)] if votes else []


def profile_segments(ix: ChainIndex, profile: str, startup: str | None, similarity: Mapping[str, float],
                     classifier=None) -> list[str]:
    """Segments for a start-up: its own, else the 挂链 classifier's best guess for the profile text.

    ``classifier``: a fitted :class:`~matching.classify.SegmentClassifier`, a zero-argument callable
    giving one (called only when the start-up has no segments of its own, e.g.
    :meth:`matching.engines.Engines.classifier`), or ``None``; without one, the segments of the firms
    most similar to the profile (``similarity``).
    """
    from graph.model import Organisation, OrgKind, Provenance

    own = startup_segments(ix, startup, {}) if startup else []
    if own:
        return own
    clf = classifier() if callable(classifier) else classifier
    if clf is None:
        return startup_segments(ix, None, similarity)
    probe = Organisation("startup:profile", OrgKind.FIRM, profile[:40], Provenance("profile"),
                         description_zh=profile, description_en=profile)
    return [p.segment for p in clf.predict([probe], top=1)[0]]


def _roles(ix: ChainIndex, segs: Sequence[str]) -> dict[int, tuple[str, str]]:
    """Segment code -> (role, via segment) relative to the start-up's segments; best role wins."""
    out: dict[int, tuple[str, str]] = {}

    def put(s: int, role: str, via: str):
        if s not in out or ROLES[role] > ROLES[out[s][0]]:
            out[s] = (role, via)

    for sid in segs:
        s = ix.segment(sid)
        put(s, "peer", sid)
        for d in ix.seg_down[s]:
            put(d, "customer", sid)
            for c in ix.seg_up[d]:
                if c != s:
                    put(c, "complementor", ix.seg_ids[d])
        for u in ix.seg_up[s]:
            put(u, "supplier", sid)
    return out


def partners(
    ix: ChainIndex,
    region: str,
    segments: Sequence[str],
    *,
    similarity: Mapping[str, float],
    startup: str | None = None,
    k: int = 10,
    settings=None,
    weights: Mapping[str, float] | None = None,
    exclude: Iterable[str] = (),
) -> list[Partner]:
    """Rank local partners for a start-up in ``segments`` whose profile fits ``similarity``."""
    w = {**weights_from(settings, "partner_weights"), **(weights or {})}
    local = ix.local_mask(region)
    roles = _roles(ix, segments)
    near = set(roles)
    skip = {ix.pos[e] for e in exclude if e in ix.pos}
    me = ix.pos.get(startup) if startup else None
    if me is not None:
        skip.add(me)
    known: dict[int, list[str]] = {}
    if me is not None:
        r = np.array([me])
        for i in np.concatenate([ix.out_links(r)[1], ix.in_links(r)[1]]):
            if int(ix.lkind[i]) in BUSINESS_TIES:
                other = int(ix.dst[i]) if int(ix.src[i]) == me else int(ix.src[i])
                known.setdefault(other, []).append(ix.link_ids[i])
    cands: dict[int, tuple[str, str | None]] = {}
    for s in near:
        a, b = ix.seg_ptr[s], ix.seg_ptr[s + 1]
        for o in ix.seg_owner[a:b]:
            o = int(o)
            if not local[o] or o in skip:
                continue
            role = "platform" if int(ix.kind[o]) in _PLATFORMS else roles[s][0]
            if o not in cands or ROLES[role] > ROLES.get(cands[o][0], 0.0):
                cands[o] = (role, ix.seg_ids[s])
    for oid in similarity:
        o = ix.pos.get(oid)
        if o is not None and local[o] and o not in skip and o not in cands:
            cands[o] = ("other", None)
    scored = []
    for o, (role, seg) in cands.items():
        sem = float(similarity.get(ix.org_ids[o], 0.0))
        adj = ROLES.get(role, 0.0)
        standing = float(0.6 * saturate(float(ix.employees[o]), 300.0) + 0.4 * float(ix.tier[o]))
        parts = (
            part("semantic", w, sem, f"text fit {sem:.2f} relative to the best match",
                 note_zh=f"文本匹配度 {sem:.2f}（相对最佳匹配）"),
            part("adjacency", w, adj, f"{role} via {seg}" if seg else "not adjacent in the chain",
                 note_zh=f"经 {seg} 为{ROLE_ZH.get(role, role)}" if seg else "在产业链上不相邻"),
            part("weight", w, standing, f"{ix.employees[o]:.0f} employees, tier value {ix.tier[o]:.1f}",
                 note_zh=f"从业 {ix.employees[o]:.0f} 人，梯队值 {ix.tier[o]:.1f}"),
            penalty("known", w, 1.0 if o in known else 0.0,
                    f"already tied: {', '.join(known[o])}" if o in known else "no tie yet",
                    note_zh=f"已有关系：{'、'.join(known[o])}" if o in known else "尚无关系"),
        )
        scored.append((total(parts), o, role, seg, parts))
    scored.sort(key=lambda x: (-x[0], ix.org_ids[x[1]]))
    out = []
    for rank, (score, o, role, seg, parts) in enumerate(scored[:k], 1):
        segs = tuple(ix.segments_of(o))
        name = ix.label(o)
        zh = f"{name}：{ROLE_ZH[role]}" + (f"（{ix.seg_name_zh[ix.segment(seg)]}环节）" if seg else "") + \
            f"，文本契合度{parts[0].figure:.2f}。"
        seg_en = pick(ix.seg_name_zh[ix.segment(seg)], ix.seg_name_en[ix.segment(seg)], "en") if seg else ""
        en = f"{pick(ix.name_zh[o], ix.name_en[o], 'en') or name}: {role}" + (f" ({seg_en})" if seg else "") + \
            f", text fit {parts[0].figure:.2f}."
        evidence = (ix.org_ids[o], *((seg,) if seg else ()), *known.get(o, ()))
        out.append(Partner(rank, ix.org_ids[o], ix.name_zh[o], ix.name_en[o], ix.regions[ix.region[o]] or None,
                           role, segs, score, parts, evidence, zh, en))
    return out
