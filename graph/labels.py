"""The Chinese and English labels of the analysis vocabulary, in one place.

Gap kinds (:class:`GapKind`: 补链 missing, 强链 thin, 延链 extension),
segment statuses and named score parts. The report
(:mod:`matching.reports.labels`), the CLI and the lists read them from here;
a key without a label shows as itself, so a new score part needs no entry to
work (it only reads better with one).

Examples
--------
>>> GapKind("missing").zh, GapKind.THIN.en, GapKind.EXTENSION == "extension"
('补链', 'thin', True)
>>> [k.zh for k in GapKind]
['补链', '强链', '延链']
>>> label("thin", "zh"), label("local_dependence", "en"), label("some_new_part", "zh")
('薄弱（强链）', 'local dependence', 'some_new_part')
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["GapKind", "gap_zh", "STATUS_LABELS", "STAGE_LABELS", "PART_LABELS", "FLAG_LABELS", "CRITERIA_LABELS", "LEADER_PART_LABELS",
           "label", "leader_label"]


class GapKind(StrEnum):
    """The class of a chain gap, with its zh/en label (a ``str``: ``GapKind.MISSING == "missing"``)."""

    MISSING = "missing"
    THIN = "thin"
    EXTENSION = "extension"

    @property
    def zh(self) -> str:
        """补链, 强链 or 延链."""
        return _GAP_ZH[self.value]

    @property
    def en(self) -> str:
        return self.value


_GAP_ZH = {"missing": "补链", "thin": "强链", "extension": "延链"}


def gap_zh(kind: str | None, default: str = "") -> str:
    """补链/强链/延链 for a gap kind (a :class:`GapKind` or its value); ``default`` otherwise.

    >>> gap_zh("thin"), gap_zh(GapKind.MISSING), gap_zh(None), gap_zh("other", "other")
    ('强链', '补链', '', 'other')
    """
    return _GAP_ZH.get(str(kind) if kind is not None else "", default)

#: segment statuses (:func:`graph.analysis.gaps.segment_statuses`): key → (zh, en)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "strong": ("强", "strong"), "present": ("一般", "present"), "thin": ("薄弱（强链）", "thin"),
    "missing": ("缺失（补链）", "missing"), "extension": ("延伸（延链）", "extension"), "absent": ("无", "absent"),
}

#: chain stages: key → (zh, en)
STAGE_LABELS: dict[str, tuple[str, str]] = {
    "upstream": ("上游", "upstream"), "midstream": ("中游", "midstream"), "downstream": ("下游", "downstream"),
}

#: named score parts of gaps, leaders, targets, introducers and partners: name → (zh, en)
PART_LABELS: dict[str, tuple[str, str]] = {
    "local_dependence": ("本地依赖", "local dependence"), "downstream_pull": ("下游拉动", "downstream pull"),
    "single_supplier": ("单一供应商", "single supplier"), "relatedness": ("关联密度", "relatedness"),
    "few_firms": ("企业过少", "few firms"), "concentration": ("集中度", "concentration"),
    "adjacent_strength": ("相邻强环节", "adjacent strength"),
    "gap_fit": ("缺口匹配", "gap fit"), "chain_pull": ("链上拉力", "chain pull"), "leadership": ("龙头实力", "leadership"),
    "expansion": ("扩张信号", "expansion"), "local_site": ("已在本地设点（扣分）", "local site (penalty)"),
    "stale": ("数据陈旧（扣分）", "stale (penalty)"),
    "presence_cap": ("已有本地企业（不高于补链）", "local presence (never above a missing segment)"),
    "semantic": ("业务相近", "semantic"), "adjacency": ("上下游相邻", "adjacency"), "known": ("已有关系（扣分）", "known (penalty)"),
    "tie": ("直接关系", "direct ties"), "paths": ("间接路径", "indirect paths"), "recency": ("时效", "recency"),
    "weight": ("分量", "tie weight"),
    # entry parts of 补链/延链 severity (graph.analysis.entryfeatures)
    "popularity": ("全国规模", "national size"), "momentum": ("全国增长势头", "national momentum"),
    "spread": ("同类地区普及度", "share of peer regions that have it"),
    "density": ("关联密度（可行性）", "relatedness density (feasibility)"),
    "relatives": ("相关环节本地占比", "presence in related segments"), "demand": ("本地下游需求", "local downstream demand"),
    "size": ("地区规模", "region size"), "immovability": ("资源/设施依赖（扣分）", "resource-bound (penalty)"),
    "wave1": ("近一年全国新增", "national new firms, last year"),
    "wave2": ("前第二年全国新增", "national new firms, year 2 before"),
    "wave3": ("前第三年全国新增", "national new firms, year 3 before"),
    "growth4": ("近四年全国新增", "national new firms, last 4 years"),
    "sector_growth": ("所属行业增长", "growth of its sector"),
    "sector_presence": ("本地同大类企业", "local firms in its sector"),
}

#: parts of the chain-leader (链主) and key-firm score, where ``size`` is the firm's size, not the region's
LEADER_PART_LABELS: dict[str, tuple[str, str]] = {
    "centrality": ("供应链中心度", "supply centrality"), "size": ("企业规模", "firm size"), "tier": ("梯队标签", "tier tags"),
}

#: why a gap ranks low (:attr:`graph.analysis.gaps.Gap.flags`): key → (zh, en)
FLAG_LABELS: dict[str, tuple[str, str]] = {
    "low_feasibility": ("可行性低：本地缺少相关环节", "low feasibility: few related segments locally"),
    "resource_bound": ("资源/设施依赖：难以引进", "resource-bound: hard to recruit"),
}

#: which rule gave a segment its status (:attr:`graph.analysis.gaps.SegmentStatus.criteria`) beyond the part names
CRITERIA_LABELS: dict[str, tuple[str, str]] = {
    "local_buyers": ("本地有采购方", "local buyers"), "local_downstream": ("本地有下游企业", "local downstream firms"),
    "adjacent_strong": ("相邻本地强环节", "next to a strong local segment"),
}

_ALL = {**{k: (v, k) for k, v in _GAP_ZH.items()}, **STAGE_LABELS, **PART_LABELS, **FLAG_LABELS, **STATUS_LABELS,
        **CRITERIA_LABELS}


def leader_label(key: str, lang: str = "zh") -> str:
    """A chain-leader score part's label (``size`` is the firm's size there); other keys as :func:`label`.

    >>> leader_label("size"), label("size"), leader_label("centrality", "en")
    ('企业规模', '地区规模', 'supply centrality')
    """
    pair = LEADER_PART_LABELS.get(key)
    return label(key, lang) if pair is None else pair[1 if lang == "en" else 0]


def label(key: str, lang: str = "zh") -> str:
    """The ``zh`` or ``en`` label of a status, stage or part name; the key itself when there is none.

    Status labels win over gap-kind labels for the shared keys (``thin`` → 薄弱（强链）);
    ask :class:`GapKind` for 补链/强链/延链.
    """
    pair = _ALL.get(key)
    return key if pair is None else pair[1 if lang == "en" else 0]
