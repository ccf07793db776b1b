"""The recommendation engine as a link predictor, for the backtest.

For a query ``(q, kind, direction)`` every organisation gets the named parts
of the target score, read off a :class:`~matching.eval.snapshot.Snapshot`
(weights: setting ``linkpred_weights``; each figure in [0, 1], "relative"
meaning divided by the best candidate's value):

- ``supply_pattern`` — segment-level patterns, the mean of three relative
  figures: the *flow* from ``q``'s segments to the candidate's segments in
  past ``kind`` links (row-normalised segment × segment matrix, plus half as
  much along the chain's own ``upstream_of`` edges), the fit of the
  candidate's segments to those of ``q``'s past counterparts (any kind), and
  to ``q``'s own segments (cosine of binary membership rows);
- ``common_neighbours`` — network proximity: relative Adamic–Adar plus twice
  the relative ``log(1 + number of paths of length 3)``, rescaled to [0, 1];
- ``past_tie`` — past links between ``q`` and the candidate,
  ``saturate(memorise score, 2)``;
- ``chain_pull`` — how established the candidate is as the answer end of a
  ``kind`` link: ``(4 log(1 + count) / log(1 + max) + log(1 + degree) / log(1 + max)) / 5``;
- ``leadership`` — ``½ saturate(degree, 10) + ½ saturate(patents, 5)``.

The default weights were chosen on a validation window that ends where the
test window begins (see ``api/cli/recommend.py`` → ``eval backtest --tune``),
never on the test links.

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> from matching.eval.snapshot import Snapshot
>>> b, _ = load_world()
>>> snap = Snapshot.at(ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links), "2024-12-31")
>>> eng = Engine().fit(snap)
>>> q = snap.ix.row("org:f1561")
>>> s = eng.scores(q, "supplies", "tail")
>>> parts = eng.parts(q, "supplies", "tail", snap.ix.row("org:f1345"))
>>> [p.name for p in parts]
['supply_pattern', 'common_neighbours', 'past_tie', 'chain_pull', 'leadership']
>>> bool(abs(sum(p.value for p in parts) - s[snap.ix.row("org:f1345")]) < 1e-9)
True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from matching.eval.baselines import AdamicAdar, Memorise
from matching.eval.snapshot import Snapshot
from matching.recommend.explain import Part, part, saturate, weights_from

__all__ = ["Engine", "NOTES"]

CHAIN_SHARE = 0.5  # weight of the chain's own segment edges beside the learned flow
NOTES = {
    "supply_pattern": "segment-level flow, counterparts' segments, own segments",
    "common_neighbours": "Adamic–Adar and paths of length 3",
    "past_tie": "past links between the two",
    "chain_pull": "established at this end of such links",
    "leadership": "degree and patents",
}


def _row_normalise(m: sp.csr_matrix) -> sp.csr_matrix:
    s = np.asarray(m.sum(axis=1)).ravel()
    s[s == 0] = 1.0
    return (sp.diags(1.0 / s) @ m).tocsr()


def _rel(x: np.ndarray) -> np.ndarray:
    top = x.max() if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def _log_rel(x: np.ndarray) -> np.ndarray:
    top = np.log1p(x.max()) if len(x) and x.max() > 0 else 0.0
    return np.log1p(x) / top if top > 0 else np.zeros_like(x, dtype=np.float64)


class Engine:
    """The engine's link-prediction scorer (see the module docstring)."""

    name = "engine"

    def __init__(self, settings=None, weights: Mapping[str, float] | None = None):
        self.w = {**weights_from(settings, "linkpred_weights"), **(weights or {})}

    def fit(self, snap: Snapshot) -> Engine:
        self.snap = snap
        self._aa = AdamicAdar().fit(snap)
        self._mem = Memorise().fit(snap)
        mt = snap.members.T.tocsr()
        self._flow = {}
        for kind, a in snap.by_kind.items():
            if a.nnz:
                c = (mt @ a @ snap.members).tocsr()
                self._flow[(kind, "tail")] = _row_normalise(c)
                self._flow[(kind, "head")] = _row_normalise(c.T.tocsr())
        chain = {"down": _row_normalise(snap.chain), "up": _row_normalise(snap.chain.T.tocsr()),
                 "both": _row_normalise((snap.chain + snap.chain.T).tocsr())}
        # transposes: a row vector times M is Mᵀ times the vector
        self._flow_t = {k: m.T.tocsr() for k, m in self._flow.items()}
        self._chain_t = {k: m.T.tocsr() for k, m in chain.items()}
        binary = (snap.members > 0).astype(np.float64).tocsr()
        norms = np.sqrt(np.asarray(binary.sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self._unit = (sp.diags(1.0 / norms) @ binary).tocsr()
        self._unit_t = self._unit.T.tocsr()
        self._deg = _log_rel(snap.degree)
        self._lead = 0.5 * saturate(snap.degree, 10.0) + 0.5 * saturate(snap.ix.patents.astype(np.float64), 5.0)
        self._pull: dict[tuple[str, str], np.ndarray] = {}
        return self

    def figures(self, q: int, kind: str, direction: str) -> dict[str, np.ndarray]:
        """Each part's figure for every candidate (sparse matrix × dense vector products only)."""
        snap, unit = self.snap, self._unit
        mq = snap.row_of(snap.members, q)
        flow = np.zeros(snap.n)
        learned = self._flow_t.get((kind, direction))
        if learned is not None:
            flow += snap.members @ (learned @ mq)
        chain = self._chain_t["both" if kind != "supplies" else ("down" if direction == "tail" else "up")]
        flow += CHAIN_SHARE * (snap.members @ (chain @ mq))
        hop1 = snap.row_of(snap.undirected, q)
        counterparts = self._unit_t @ hop1
        own = snap.row_of(unit, q)
        pattern = _rel(flow) + _rel(unit @ counterparts) + _rel(unit @ own)
        paths3 = snap.undirected @ (snap.undirected @ hop1)
        proximity = _rel(self._aa.scores(q, kind, direction)) + 2.0 * _rel(np.log1p(paths3))
        key = (kind, direction)
        if key not in self._pull:
            self._pull[key] = (4.0 * _log_rel(snap.popularity(kind, direction)) + self._deg) / 5.0
        return {
            "supply_pattern": _rel(pattern),
            "common_neighbours": _rel(proximity),
            "past_tie": saturate(self._mem.scores(q, kind, direction), 2.0),
            "chain_pull": self._pull[key],
            "leadership": self._lead,
        }

    def scores(self, q: int, kind: str, direction: str) -> np.ndarray:
        f = self.figures(q, kind, direction)
        return sum(self.w[name] * fig for name, fig in f.items())

    def parts(self, q: int, kind: str, direction: str, candidate: int) -> list[Part]:
        """The named parts of one candidate's score."""
        f = self.figures(q, kind, direction)
        return [part(name, self.w, float(fig[candidate]), NOTES[name]) for name, fig in f.items()]
