"""The baselines every links backtest shows (docs/evaluation.md → Links).

A scorer is fitted on a :class:`~matching.eval.snapshot.Snapshot` and
then scores every organisation as the answer of a query ``(q, kind,
direction)``: ``direction="tail"`` asks "whom does ``q`` ⟨kind⟩?" and
``"head"`` asks "who ⟨kind⟩ ``q``?".

- :class:`Popularity` — how often the candidate already sits at the answer
  end of a ``kind`` link (ties broken by total degree);
- :class:`Memorise` — past links between ``q`` and the candidate: same kind
  and direction 3, same kind reversed 2, any other kind 1;
- :class:`AdamicAdar` — Σ over common neighbours ``z`` of ``1 / log deg(z)``
  on the undirected snapshot;
- :class:`TextOnly` — TF-IDF cosine of the texts (names, and descriptions
  where the records have them; jieba words and CJK character bigrams);
- :class:`RelatednessDensity` — economic-complexity density of the
  candidate's segments for ``q``'s unit: its city where known, otherwise the
  organisation itself (firm-level product space), from co-location of
  segments across units (:func:`graph.analysis.relatedness.relatedness`).

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> from matching.eval.snapshot import Snapshot
>>> b, _ = load_world()
>>> snap = Snapshot.at(ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links), "2026-06-30")
>>> q = snap.ix.row("org:f1561")
>>> s = Memorise().fit(snap).scores(q, "supplies", "tail")
>>> float(s[snap.ix.row("org:f1345")])
4.0
>>> p = Popularity().fit(snap).scores(q, "supplies", "tail")
>>> bool(p.max() > 0)
True
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

from matching.eval.snapshot import Snapshot
from matching.recommend.index import LINK_KINDS

__all__ = ["Popularity", "Memorise", "AdamicAdar", "TextOnly", "RelatednessDensity", "BASELINES",
           "adamic_adar_weights"]


class Popularity:
    name = "popularity"

    def fit(self, snap: Snapshot) -> Popularity:
        self.snap = snap
        self._pop: dict[tuple[str, str], np.ndarray] = {}
        return self

    def scores(self, q: int, kind: str, direction: str) -> np.ndarray:
        key = (kind, direction)
        if key not in self._pop:
            self._pop[key] = self.snap.popularity(kind, direction) + 1e-3 * self.snap.degree
        return self._pop[key]


class Memorise:
    name = "memorise"

    def fit(self, snap: Snapshot) -> Memorise:
        self.snap = snap
        return self

    def scores(self, q: int, kind: str, direction: str) -> np.ndarray:
        s = self.snap
        out = np.zeros(s.n)
        other = "head" if direction == "tail" else "tail"
        for k in LINK_KINDS:
            fwd, back = s.directed(k, q, direction), s.directed(k, q, other)
            if k == kind:
                out += 3 * fwd + 2 * back
            else:
                out += fwd + back
        return out


def adamic_adar_weights(degree: np.ndarray) -> np.ndarray:
    """``1 / log(deg)`` where ``deg ≥ 2``, else 0."""
    w = np.zeros(len(degree))
    m = degree >= 2
    w[m] = 1.0 / np.log(degree[m])
    return w


class AdamicAdar:
    name = "adamic_adar"

    def fit(self, snap: Snapshot) -> AdamicAdar:
        self.snap = snap
        self._w = sp.diags(adamic_adar_weights(snap.degree))
        self._m = (snap.undirected @ self._w).tocsr()
        return self

    def scores(self, q: int, kind: str, direction: str) -> np.ndarray:
        return self._m @ self.snap.row_of(self.snap.undirected, q)


def _text_tokens(tok):
    memo: dict[str, list[str]] = {}  # fit and transform see the same texts: tokenise once

    def tokens(text: str) -> list[str]:
        if text not in memo:
            out = tok(text)
            for run in re.findall(r"[\u3400-\u9fff]+", text):
                out += [run[i:i + 2] for i in range(len(run) - 1)]
            memo[text] = out
        return memo[text]

    return tokens


class TextOnly:
    name = "text"

    def fit(self, snap: Snapshot) -> TextOnly:
        from matching.documents import lexical_text
        from matching.lexical import Tokenizer
        from matching.tfidf import TfidfModel

        ix = snap.ix
        recs = ix.details(ix.org_ids)
        texts = [lexical_text(recs[o]) if o in recs else f"{ix.name_zh[i]} {ix.name_en[i]}"
                 for i, o in enumerate(ix.org_ids)]
        model = TfidfModel.fit(texts, tokenizer=_text_tokens(Tokenizer()))
        self._x = model.transform(texts).tocsr()
        self.snap = snap
        return self

    def scores(self, q: int, kind: str, direction: str) -> np.ndarray:
        return self._x @ self.snap.row_of(self._x, q)


class RelatednessDensity:
    name = "relatedness"

    def fit(self, snap: Snapshot) -> RelatednessDensity:
        from graph.analysis.relatedness import relatedness
        from graph.model import city_key

        ix = snap.ix
        self.snap = snap
        units = []
        counts: dict[str, dict[str, int]] = {}
        for i, o in enumerate(ix.org_ids):
            unit = city_key(ix.regions[ix.region[i]]) or f"org:{o}"
            units.append(unit)
            c = counts.setdefault(unit, {})
            for s in ix.mem_seg[ix.mem_ptr[i]:ix.mem_ptr[i + 1]]:
                sid = ix.seg_ids[s]
                c[sid] = c.get(sid, 0) + 1
        self._rel = relatedness(counts, ix.seg_ids)
        self._units = units
        self._pos = {u: i for i, u in enumerate(self._rel.regions)}
        self._phi_sum = self._rel.phi.sum(axis=1)
        self._cache: dict[str, np.ndarray] = {}
        return self

    def density(self, q: int) -> np.ndarray:
        """Density of every segment for ``q``'s unit."""
        unit = self._units[q]
        if unit not in self._cache:
            r = self._pos.get(unit)
            mr = self._rel.m[r] if r is not None else np.zeros(len(self._rel.segments))
            num = self._rel.phi @ mr
            self._cache[unit] = np.divide(num, self._phi_sum, out=np.zeros_like(num), where=self._phi_sum > 0)
        return self._cache[unit]

    def scores(self, q: int, kind: str, direction: str) -> np.ndarray:
        ix = self.snap.ix
        d = self.density(q)
        # best segment of each candidate: max over its memberships
        out = np.zeros(ix.n_orgs)
        has = np.diff(ix.mem_ptr) > 0
        if has.any():
            out[has] = np.maximum.reduceat(d[ix.mem_seg], ix.mem_ptr[:-1][has])
        return out


#: name -> class, in the order the table shows them
BASELINES = {c.name: c for c in (Popularity, Memorise, AdamicAdar, TextOnly, RelatednessDensity)}
