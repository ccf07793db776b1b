"""Segment classification (挂链): place organisations without confirmed labels in chain segments.

A :class:`SegmentClassifier` is fitted on the segments (names, keywords,
descriptions) and the organisations whose memberships are confirmed. It scores
an organisation against every segment with a weighted sum of named features:

- ``centroid``: TF-IDF cosine to the centroid of the segment's labelled members;
- ``profile``: TF-IDF cosine to the segment's own text (names, keywords, description);
- ``dense_centroid`` / ``dense_profile``: the same with sentence embeddings
  (when an embedder is given);
- ``knn``: similarity-weighted vote of the nearest labelled organisations;
- ``industry``: share of labelled organisations with the same industry code
  in the segment.

The confidence is the softmax of the scores. The evidence grade says which
fields point to the segment *on their own*: ``strong`` when the products do,
``medium`` when the business scope, industry code, description or keywords
do, ``weak`` when only the name does (or no single field does).
:func:`apply_predictions` writes predictions back as
``Membership(status=PREDICTED)``, never touching confirmed memberships.

Examples
--------
>>> from graph.model import Stage, Format, Organisation, OrgKind, Provenance, Membership
>>> segs = [Segment("seg:engine", "游戏引擎", "Game engines", Stage.UPSTREAM, Format.TECHNOLOGY_EQUIPMENT,
...                 keywords=("游戏引擎", "实时渲染", "game engine")),
...         Segment("seg:mocap", "动作捕捉设备", "Motion capture", Stage.UPSTREAM, Format.TECHNOLOGY_EQUIPMENT,
...                 keywords=("动作捕捉", "光学动捕", "motion capture"))]
>>> p = Provenance("t")
>>> known = [Organisation("org:1", OrgKind.FIRM, "甲", p, products=("三维游戏引擎",), segments=(Membership("seg:engine"),)),
...          Organisation("org:2", OrgKind.FIRM, "乙", p, products=("惯性动捕服",), segments=(Membership("seg:mocap"),))]
>>> new = Organisation("org:3", OrgKind.FIRM, "丙", p, products=("光学动作捕捉系统",))
>>> clf = SegmentClassifier.fit(segs, known)
>>> best = clf.predict([new], top=1)[0][0]
>>> best.segment, best.evidence.value, best.fields
('seg:mocap', 'strong', ('products',))
>>> best.membership().status.value
'predicted'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from graph.model import (
    EvidenceGrade,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    Segment,
)
from graph.store.protocol import Batch, WriteResult
from matching.documents import english_part, has_cjk, segment_vocabulary
from matching.embcache import EmbeddingCache, encode_cached, org_vectors
from matching.embedder import Embedder, Progress, normalise_rows
from matching.lexical import Tokenizer
from matching.tfidf import TfidfModel, normalise_sparse_rows

__all__ = [
    "FIELDS",
    "ClassifierWeights",
    "Prediction",
    "SegmentClassifier",
    "field_texts",
    "segment_text",
    "segment_english",
    "unlabelled",
    "apply_predictions",
    "classify_store",
    "fit_store_classifier",
]

# field group -> the grade it gives when it alone points to the segment
FIELDS: dict[str, EvidenceGrade] = {
    "products": EvidenceGrade.STRONG,
    "scope": EvidenceGrade.MEDIUM,
    "industry": EvidenceGrade.MEDIUM,
    "description": EvidenceGrade.MEDIUM,
    "keywords": EvidenceGrade.MEDIUM,
    "name": EvidenceGrade.WEAK,
}
_RANK = {EvidenceGrade.STRONG: 3, EvidenceGrade.MEDIUM: 2, EvidenceGrade.WEAK: 1}


def field_texts(org: Organisation) -> dict[str, str]:
    """The text of each field group of an organisation (empty groups left out).

    >>> from graph.model import OrgKind, Provenance
    >>> field_texts(Organisation("o", OrgKind.FIRM, "甲科技", Provenance("t"), industry_code="6511"))
    {'industry': 'code6511', 'name': '甲科技'}
    """
    groups = {
        "products": " ; ".join(org.products),
        "scope": org.business_scope,
        "industry": " ".join(x for x in (org.industry, f"code{org.industry_code}" if org.industry_code else "") if x),
        "description": " ".join(x for x in (org.description_zh, org.description_en) if x),
        "keywords": " ; ".join(org.keywords),
        "name": " ".join(x for x in (org.name_zh, org.name_en) if x),
    }
    return {k: v for k, v in groups.items() if v.strip()}


def segment_text(seg: Segment) -> str:
    """A segment's own words: names, keywords and description."""
    return " ; ".join(x for x in (seg.name_zh, seg.name_en, " ; ".join(seg.keywords), seg.description) if x)


def segment_english(seg: Segment) -> str:
    """A segment's English words (name, Latin keywords, description without Chinese) for the model.

    >>> from graph.model import Stage, Format
    >>> segment_english(Segment("s", "游戏引擎", "Game engines", Stage.UPSTREAM, Format.OTHER,
    ...                         description="底层引擎软件。 Engine software.", keywords=("渲染", "rendering")))
    'Game engines. rendering. Engine software.'
    """
    desc = " ".join(_CJK_SPAN.sub(" ", seg.description).split())
    kws = ", ".join(k for k in seg.keywords if not has_cjk(k))
    return ". ".join(x for x in (seg.name_en, kws, desc.strip(" .") + "." if desc.strip(" .") else "") if x)


_CJK_SPAN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\uff60]+")


def _full_text(org: Organisation) -> str:
    return "\n".join(field_texts(org).values())


def _has_dense_content(org: Organisation) -> bool:
    """Whether the embedding would see more than the name (names alone are noise to it)."""
    return bool(org.description_en or any(english_part(p) for p in org.products)
                or any(not has_cjk(k) for k in org.keywords))


@dataclass(frozen=True)
class ClassifierWeights:
    """Weights of the named score parts (see the module docstring)."""

    centroid: float = 1.0
    profile: float = 0.5
    dense_centroid: float = 1.0
    dense_profile: float = 0.5
    knn: float = 1.0
    industry: float = 0.3
    knn_k: int = 10
    temperature: float = 0.15  # fitted on the sample world: lowest held-out log-loss between 0.1 and 0.2


@dataclass(frozen=True, slots=True)
class Prediction:
    """One predicted segment of one organisation, with why."""

    org_id: str
    segment: str
    rank: int
    confidence: float
    evidence: EvidenceGrade
    fields: tuple[str, ...]
    parts: dict = field(default_factory=dict, compare=False)

    def membership(self) -> Membership:
        return Membership(
            segment=self.segment,
            confidence=round(float(self.confidence), 4),
            evidence=self.evidence,
            status=MembershipStatus.PREDICTED,
        )

    def as_dict(self) -> dict:
        return {
            "org_id": self.org_id,
            "segment": self.segment,
            "rank": self.rank,
            "confidence": round(float(self.confidence), 4),
            "evidence": self.evidence.value,
            "fields": list(self.fields),
            "parts": {k: round(float(v), 4) for k, v in self.parts.items()},
        }


def unlabelled(orgs: Iterable[Organisation], kinds: Sequence[OrgKind] | None = (OrgKind.FIRM,)) -> list[Organisation]:
    """Organisations (of ``kinds``) without any confirmed membership."""
    return [
        o for o in orgs if (kinds is None or o.kind in kinds) and not o.confirmed_segments()
    ]


class SegmentClassifier:
    """Nearest-centroid + kNN + segment-profile scorer over TF-IDF and (optional) dense features."""

    def __init__(self, segment_ids, tfidf, centroids, profiles, knn_x, knn_y, industry, dense, weights):
        self.segment_ids: list[str] = segment_ids
        self.tfidf: TfidfModel = tfidf
        self._centroids = centroids  # (S, V) sparse, unit rows
        self._profiles = profiles  # (S, V) sparse, unit rows
        self._knn_x = knn_x  # (L, V) sparse, unit rows
        self._knn_y = knn_y  # (L, S) dense 0/1
        self._industry = industry  # code -> (S,) shares
        self._dense = dense  # None or dict with embedder, cache, centroids, profiles, knn
        self.weights: ClassifierWeights = weights

    # ------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        segments: Sequence[Segment],
        labelled: Iterable[Organisation],
        *,
        embedder: Embedder | None = None,
        cache: EmbeddingCache | None = None,
        weights: ClassifierWeights | None = None,
        corpus: Iterable[Organisation] = (),
        progress: Progress | None = None,
    ) -> SegmentClassifier:
        """Fit on ``segments`` and the confirmed memberships of ``labelled``.

        ``corpus`` (e.g. the organisations to classify) only widens the
        vocabulary and document frequencies; its labels are never read.
        ``progress(done, total)`` follows the encoding of ``labelled``.
        """
        weights = weights or ClassifierWeights()
        segments = sorted(segments, key=lambda s: s.id)
        seg_ids = [s.id for s in segments]
        index = {s: i for i, s in enumerate(seg_ids)}
        labelled = [o for o in labelled if any(s in index for s in o.confirmed_segments())]
        tokenizer = Tokenizer(segment_vocabulary(list(segments)))
        seg_texts = [segment_text(s) for s in segments]
        lab_texts = [_full_text(o) for o in labelled]
        extra = [_full_text(o) for o in corpus]
        tfidf = TfidfModel.fit(seg_texts + lab_texts + extra, tokenizer=tokenizer)
        profiles = tfidf.transform(seg_texts)
        x_lab = tfidf.transform(lab_texts)
        y = np.zeros((len(labelled), len(seg_ids)), dtype=np.float32)
        for r, o in enumerate(labelled):
            for s in o.confirmed_segments():
                if s in index:
                    y[r, index[s]] = 1.0
        centroids = normalise_sparse_rows(sp.csr_matrix(y.T) @ x_lab)
        industry: dict[str, np.ndarray] = {}
        for r, o in enumerate(labelled):
            if o.industry_code:
                industry.setdefault(o.industry_code, np.zeros(len(seg_ids), np.float32))
                industry[o.industry_code] += y[r]
        industry = {c: v / v.sum() for c, v in industry.items() if v.sum() > 0}
        dense = None
        if embedder is not None:
            vec_lab, _ = org_vectors(embedder, labelled, cache, progress=progress)
            vec_seg, _ = encode_cached(embedder, [segment_english(s) for s in segments], cache)
            dense = {
                "embedder": embedder,
                "cache": cache,
                "centroids": normalise_rows(y.T @ vec_lab),
                "profiles": vec_seg,
                "knn": vec_lab,
            }
        return cls(seg_ids, tfidf, centroids, profiles, x_lab, y, industry, dense, weights)

    # ------------------------------------------------------------ scoring
    def parts(self, orgs: Sequence[Organisation], *, chunk: int = 2048,
              progress: Progress | None = None) -> dict[str, np.ndarray]:
        """Each named score part as an ``(len(orgs), n_segments)`` array (``progress`` after each chunk)."""
        w = self.weights
        n, s = len(orgs), len(self.segment_ids)
        out = {k: np.zeros((n, s), np.float32) for k in ("centroid", "profile", "knn", "industry")}
        if self._dense is not None:
            out["dense_centroid"] = np.zeros((n, s), np.float32)
            out["dense_profile"] = np.zeros((n, s), np.float32)
        for start in range(0, n, chunk):
            part = orgs[start : start + chunk]
            sl = slice(start, start + len(part))
            x = self.tfidf.transform([_full_text(o) for o in part])
            out["centroid"][sl] = (x @ self._centroids.T).toarray()
            out["profile"][sl] = (x @ self._profiles.T).toarray()
            sims = (x @ self._knn_x.T).toarray()
            if self._dense is not None:
                d = self._dense
                v, _ = org_vectors(d["embedder"], part, d["cache"])
                # organisations with nothing but a name get no dense evidence
                has = np.array([_has_dense_content(o) for o in part], dtype=np.float32)[:, None]
                out["dense_centroid"][sl] = has * (v @ d["centroids"].T)
                out["dense_profile"][sl] = has * (v @ d["profiles"].T)
                sims = np.where(has > 0, (sims + v @ d["knn"].T) / 2.0, sims)
            out["knn"][sl] = _knn_vote(sims, self._knn_y, w.knn_k)
            for i, o in enumerate(part):
                shares = self._industry.get(o.industry_code)
                if shares is not None:
                    out["industry"][start + i] = shares
            if progress is not None:
                progress(start + len(part), n)
        return out

    def scores(self, orgs: Sequence[Organisation]) -> np.ndarray:
        """The weighted sum of the parts, ``(len(orgs), n_segments)``."""
        return _combine(self.parts(orgs), self.weights)

    def predict(
        self, orgs: Sequence[Organisation], *, top: int = 3, min_confidence: float = 0.0,
        progress: Progress | None = None,
    ) -> list[list[Prediction]]:
        """The ``top`` segments per organisation (confidence ≥ ``min_confidence``), best first."""
        orgs = list(orgs)
        if not orgs or not self.segment_ids:
            return [[] for _ in orgs]
        parts = self.parts(orgs, progress=progress)
        total = _combine(parts, self.weights)
        conf = _softmax(total / self.weights.temperature)
        field_votes = self._field_votes(orgs)
        out = []
        for i, o in enumerate(orgs):
            order = np.lexsort((np.arange(total.shape[1]), -total[i]))[:top]
            preds = []
            for rank, j in enumerate(order, start=1):
                if conf[i, j] < min_confidence:
                    break
                seg = self.segment_ids[j]
                fields = tuple(f for f in FIELDS if seg in field_votes[i].get(f, ()))
                if o.patents and "products" in fields:
                    fields = (*fields, "patents")
                preds.append(
                    Prediction(
                        org_id=o.id,
                        segment=seg,
                        rank=rank,
                        confidence=float(conf[i, j]),
                        evidence=_grade(fields),
                        fields=fields,
                        parts={k: float(v[i, j]) for k, v in parts.items()},
                    )
                )
            out.append(preds)
        return out

    def _field_votes(self, orgs: Sequence[Organisation]) -> list[dict[str, set[str]]]:
        """For each org and field group, the segment(s) that field alone scores best."""
        votes: list[dict[str, set[str]]] = [{} for _ in orgs]
        texts, owners = [], []
        for i, o in enumerate(orgs):
            for f, t in field_texts(o).items():
                if f == "industry":
                    shares = self._industry.get(o.industry_code)
                    if shares is not None and shares.max() >= 0.5:
                        votes[i]["industry"] = {self.segment_ids[int(shares.argmax())]}
                    continue
                texts.append(t)
                owners.append((i, f))
        if not texts:
            return votes
        x = self.tfidf.transform(texts)
        sc = (x @ self._centroids.T).toarray() + 0.5 * (x @ self._profiles.T).toarray()
        for (i, f), row in zip(owners, sc, strict=True):
            if row.max() > 0.05:
                votes[i][f] = {self.segment_ids[int(row.argmax())]}
        return votes


def _grade(fields: Sequence[str]) -> EvidenceGrade:
    grades = [FIELDS[f] for f in fields if f in FIELDS]
    return max(grades, key=_RANK.__getitem__) if grades else EvidenceGrade.WEAK


def _combine(parts: dict[str, np.ndarray], w: ClassifierWeights) -> np.ndarray:
    total = None
    for name, arr in parts.items():
        term = getattr(w, name) * arr
        total = term if total is None else total + term
    return total


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def _knn_vote(sims: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Similarity-weighted segment votes of the ``k`` most similar labelled rows, normalised."""
    if sims.shape[1] == 0:
        return np.zeros((sims.shape[0], y.shape[1]), np.float32)
    k = min(k, sims.shape[1])
    idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    w = np.clip(np.take_along_axis(sims, idx, axis=1), 0, None)
    votes = np.einsum("nk,nks->ns", w, y[idx])
    norm = w.sum(axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    return (votes / norm).astype(np.float32)


# ------------------------------------------------------------------ store helpers


def fit_store_classifier(store) -> SegmentClassifier | None:
    """The classifier fitted on the store's confirmed members (lexical features), or None without any."""
    labelled = [o for o in store.organisations() if o.confirmed_segments()]
    return SegmentClassifier.fit(store.segments(), labelled) if labelled else None


def classify_store(
    store,
    *,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
    kinds: Sequence[OrgKind] | None = (OrgKind.FIRM,),
    top: int = 3,
    min_confidence: float = 0.0,
    weights: ClassifierWeights | None = None,
    progress: Progress | None = None,
) -> list[list[Prediction]]:
    """Fit on the store's confirmed memberships and predict for its unlabelled organisations.

    ``progress(done, total)`` counts organisations: the labelled ones as they
    are encoded (with an ``embedder``), then those predicted, chunk by chunk.
    """
    orgs = list(store.organisations())
    targets = unlabelled(orgs, kinds)
    labelled = [o for o in orgs if o.confirmed_segments()]
    n_fit = len(labelled) if embedder is not None else 0
    total = n_fit + len(targets)
    fit_progress = predict_progress = None
    if progress is not None:
        def fit_progress(done: int, todo: int) -> None:
            progress(round(n_fit * done / todo) if todo else n_fit, total)

        def predict_progress(done: int, _n: int) -> None:
            progress(n_fit + done, total)

    clf = SegmentClassifier.fit(
        store.segments(), labelled, embedder=embedder, cache=cache, weights=weights, corpus=targets,
        progress=fit_progress,
    )
    out = clf.predict(targets, top=top, min_confidence=min_confidence, progress=predict_progress)
    if progress is not None:
        progress(total, total)
    return out


def apply_predictions(
    store, predictions: Iterable[Sequence[Prediction]], *, max_per_org: int = 1, min_confidence: float = 0.0
) -> WriteResult:
    """Write predictions as ``PREDICTED`` memberships; confirmed and rejected memberships are kept untouched.

    For each organisation, earlier predicted memberships are replaced by the
    new ones (at most ``max_per_org``, confidence ≥ ``min_confidence``);
    predictions for segments it is already confirmed in, or whose prediction a
    user rejected (:mod:`matching.review`), are dropped.

    >>> from graph.store.sqlite import SqliteStore
    >>> from graph.model import Stage, Format, Provenance
    >>> store = SqliteStore.memory()
    >>> seg = Segment("seg:a", "甲", "A", Stage.UPSTREAM, Format.OTHER)
    >>> seg_b = Segment("seg:b", "乙", "B", Stage.UPSTREAM, Format.OTHER)
    >>> org = Organisation("o", OrgKind.FIRM, "丙", Provenance("t"), segments=(Membership("seg:a"),))
    >>> _ = store.write(Batch(segments=[seg, seg_b], organisations=[org]))
    >>> preds = [[Prediction("o", "seg:a", 1, 0.9, EvidenceGrade.STRONG, ("products",)),
    ...           Prediction("o", "seg:b", 2, 0.6, EvidenceGrade.MEDIUM, ("scope",))]]
    >>> _ = apply_predictions(store, preds, max_per_org=2)
    >>> [(m.segment, m.status.value) for m in store.organisation("o").segments]
    [('seg:a', 'confirmed'), ('seg:b', 'predicted')]
    """
    by_org: dict[str, list[Prediction]] = {}
    for preds in predictions:
        for p in preds:
            by_org.setdefault(p.org_id, []).append(p)
    if not by_org:
        return WriteResult(version=store.version())
    updated = []
    for org in store.organisations(ids=by_org):
        confirmed = [m for m in org.segments if m.status is not MembershipStatus.PREDICTED]  # and rejected
        have = {m.segment for m in confirmed}
        chosen = [
            p.membership()
            for p in sorted(by_org[org.id], key=lambda p: p.rank)
            if p.segment not in have and p.confidence >= min_confidence
        ][:max_per_org]
        new = tuple(confirmed) + tuple(chosen)
        if new != org.segments:
            updated.append(dataclasses.replace(org, segments=new))
    if not updated:
        return WriteResult(version=store.version())
    return store.write(Batch(organisations=updated))
