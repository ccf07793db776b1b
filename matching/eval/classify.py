"""挂链 evaluation: hide a seeded share of labels, predict them back, compare with a keyword baseline.

Examples
--------
>>> topk_accuracy([["a", "b"], ["c"]], [{"b"}, {"a"}], k=1), topk_accuracy([["a", "b"], ["c"]], [{"b"}, {"a"}], k=2)
(0.0, 0.5)
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

import numpy as np

from graph.model import Organisation, OrgKind, Segment
from matching.classify import ClassifierWeights, SegmentClassifier, field_texts
from matching.embcache import EmbeddingCache
from matching.embedder import Embedder

__all__ = ["hide_labels", "keyword_baseline", "topk_accuracy", "evaluate_classification", "SCENARIOS",
           "strip_fields"]

# What a hidden firm still shows, per scenario: field groups blanked out (see strip_fields).
SCENARIOS: dict[str, tuple[str, ...]] = {
    # the record as stored: only the membership is hidden
    "as_is": (),
    # what an enterprise-data export gives for a new firm (企业名称, 经营范围, 所属行业, 主营产品):
    # no curated description or keyword tags
    "import": ("description", "keywords"),
    # no products either: name, business scope and industry code only
    "scope_only": ("description", "keywords", "products"),
    # the name alone
    "name_only": ("description", "keywords", "products", "scope", "industry"),
}

_BLANK = {
    "description": {"description_zh": "", "description_en": ""},
    "keywords": {"keywords": ()},
    "products": {"products": (), "patents": 0},
    "scope": {"business_scope": ""},
    "industry": {"industry": "", "industry_code": ""},
}


def strip_fields(org: Organisation, groups: Sequence[str]) -> Organisation:
    """``org`` with the named field groups blanked (see :data:`SCENARIOS`).

    >>> from graph.model import Provenance
    >>> o = Organisation("o", OrgKind.FIRM, "x", Provenance("t"), keywords=("k",), description_en="d")
    >>> strip_fields(o, ("keywords",)).keywords, strip_fields(o, ("description",)).description_en
    ((), '')
    """
    changes: dict = {}
    for g in groups:
        changes.update(_BLANK[g])
    return dataclasses.replace(org, **changes) if changes else org


def hide_labels(
    orgs: Sequence[Organisation],
    fraction: float = 0.3,
    *,
    seed: int = 0,
    kinds: Sequence[OrgKind] = (OrgKind.FIRM,),
    strip: Sequence[str] = (),
) -> tuple[list[Organisation], dict[str, set[str]]]:
    """Strip the memberships of a seeded ``fraction`` of the labelled organisations of ``kinds``.

    Returns the organisations (hidden ones without segments, and without the
    field groups in ``strip``) and the hidden truth: ``{org id: confirmed
    segment ids}``.

    >>> from graph.model import Membership, Provenance
    >>> orgs = [Organisation(f"o{i}", OrgKind.FIRM, "x", Provenance("t"), segments=(Membership("s"),)) for i in range(10)]
    >>> visible, hidden = hide_labels(orgs, 0.3, seed=1)
    >>> len(hidden), sum(1 for o in visible if not o.segments)
    (3, 3)
    """
    eligible = sorted(o.id for o in orgs if o.kind in kinds and o.confirmed_segments())
    n = round(len(eligible) * fraction)
    chosen = set(random.Random(seed).sample(eligible, n))
    hidden: dict[str, set[str]] = {}
    visible = []
    for o in orgs:
        if o.id in chosen:
            hidden[o.id] = set(o.confirmed_segments())
            visible.append(strip_fields(dataclasses.replace(o, segments=()), strip))
        else:
            visible.append(o)
    return visible, hidden


def keyword_baseline(segments: Sequence[Segment], orgs: Sequence[Organisation], *, top: int = 3) -> list[list[str]]:
    """Rank segments by how many of their names/keywords occur in an organisation's text.

    Ties go to the segment with the lower id; organisations matching no term
    get no prediction.

    >>> from graph.model import Stage, Format, Provenance
    >>> segs = [Segment("seg:a", "游戏引擎", "Game engines", Stage.UPSTREAM, Format.OTHER, keywords=("渲染",)),
    ...         Segment("seg:b", "动作捕捉", "Mocap", Stage.UPSTREAM, Format.OTHER)]
    >>> keyword_baseline(segs, [Organisation("o", OrgKind.FIRM, "x", Provenance("t"), products=("实时渲染器",))])
    [['seg:a']]
    """
    segments = sorted(segments, key=lambda s: s.id)
    terms = [
        [t.lower() for t in dict.fromkeys((s.name_zh, s.name_en, *s.keywords)) if t and t.strip()]
        for s in segments
    ]
    out = []
    for o in orgs:
        text = "\n".join(field_texts(o).values()).lower()
        counts = np.array([sum(text.count(t) for t in ts) for ts in terms])
        order = [j for j in np.lexsort((np.arange(len(segments)), -counts)) if counts[j] > 0][:top]
        out.append([segments[j].id for j in order])
    return out


def topk_accuracy(predicted: Sequence[Sequence[str]], truth: Sequence[set[str]], k: int) -> float:
    """Share of cases where one of the first ``k`` predictions is a true segment."""
    if not truth:
        return 0.0
    hits = sum(1 for p, t in zip(predicted, truth, strict=True) if set(p[:k]) & t)
    return hits / len(truth)


def evaluate_classification(
    segments: Sequence[Segment],
    orgs: Sequence[Organisation],
    *,
    fraction: float = 0.3,
    seed: int = 0,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
    weights: ClassifierWeights | None = None,
    scenario: str = "import",
) -> dict:
    """Hide ``fraction`` of the firm labels, predict them, report top-1/top-3 for the model and the baseline.

    ``scenario`` names what else the hidden firms lose (:data:`SCENARIOS`).
    Also reports the evidence-grade mix and the top-1 accuracy per grade.
    """
    visible, hidden = hide_labels(orgs, fraction, seed=seed, strip=SCENARIOS[scenario])
    targets = [o for o in visible if o.id in hidden]
    labelled = [o for o in visible if o.confirmed_segments()]
    clf = SegmentClassifier.fit(segments, labelled, embedder=embedder, cache=cache, weights=weights, corpus=targets)
    preds = clf.predict(targets, top=3)
    truth = [hidden[o.id] for o in targets]
    model_ranked = [[p.segment for p in ps] for ps in preds]
    base_ranked = keyword_baseline(segments, targets, top=3)
    grades: dict[str, list[int]] = {}
    for ps, t in zip(preds, truth, strict=True):
        if ps:
            grades.setdefault(ps[0].evidence.value, []).append(int(ps[0].segment in t))
    return {
        "hidden": len(targets),
        "labelled": len(labelled),
        "model": {"top1": topk_accuracy(model_ranked, truth, 1), "top3": topk_accuracy(model_ranked, truth, 3)},
        "baseline": {"top1": topk_accuracy(base_ranked, truth, 1), "top3": topk_accuracy(base_ranked, truth, 3)},
        "by_evidence": {g: {"n": len(v), "top1": sum(v) / len(v)} for g, v in sorted(grades.items())},
        "dense": embedder is not None,
        "scenario": scenario,
    }
