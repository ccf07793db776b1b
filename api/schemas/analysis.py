"""HTTP schemas of the chain analyses: chain map, gaps (补链/强链/延链), leaders, dependence, compare.

One response model per :mod:`graph.analysis.results` dataclass, field for
field (a test keeps them equal), so the OpenAPI document describes what the
analysis routes return. The routes validate them from
:func:`graph.analysis.results.to_json`; the dataclasses never see pydantic.
:class:`PartPublic` is the one score-part model, shared with the
recommendation schemas.

Examples
--------
>>> p = PartPublic(name="local_dependence", value=0.3, weight=0.4, figure=0.75, note="3 local buyers")
>>> p.model_dump()["label_zh"], p.evidence
('本地依赖', [])
>>> GapPublic.model_fields["kind"].annotation.__name__
'GapKind'
>>> GapPublic(segment="s", name_zh="铜", name_en="copper", kind="missing", kind_zh="补链", severity=0.1, parts=[],
...           criteria=[], firms=[], links=[], segments=[], flags=["resource_bound"]).model_dump()["flags_en"]
['resource-bound: hard to recruit']
"""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

from graph.labels import GapKind, label

__all__ = [
    "PartPublic",
    "ChainRefPublic",
    "RegionRefPublic",
    "AnalysisMeta",
    "FirmInfoPublic",
    "MapSegmentPublic",
    "MapEdgePublic",
    "ChainMapPublic",
    "GapPublic",
    "GapsPublic",
    "LeaderPublic",
    "LeadersPublic",
    "SupplierSharePublic",
    "SegmentDependencePublic",
    "DependencePublic",
    "CellPublic",
    "CompareRowPublic",
    "RegionSummaryPublic",
    "ComparisonPublic",
]

_STATUS = "strong, present, thin (强链), missing (补链), extension (延链) or absent."


class PartPublic(BaseModel):
    """One named part of a score: ``value = weight × figure`` (negative for a penalty).

    The set of names is open (a scorer may add a part); ``label_zh`` /
    ``label_en`` fall back to the name.
    """

    name: str = Field(examples=["local_dependence"])
    value: float
    weight: float
    figure: float = Field(description="The part's figure in [0, 1] before weighting.")
    note: str = Field(description="What the figure is, in data (English).")
    evidence: list[str] = Field([], description="Ids the figure rests on, when the scorer cites them.")
    note_zh: str = Field("", description="The note in Chinese; empty when the scorer gives none (show ``note``).")

    @computed_field
    @property
    def label_zh(self) -> str:
        return label(self.name, "zh")

    @computed_field
    @property
    def label_en(self) -> str:
        return label(self.name, "en")


class ChainRefPublic(BaseModel):
    id: str = Field(description="Chain id; ``*`` is every segment.", examples=["chain:animation_games"])
    name_zh: str
    name_en: str


class RegionRefPublic(BaseModel):
    region: str = Field(examples=["cn/guangdong/shenzhen"])
    region_zh: str
    region_en: str


class AnalysisMeta(BaseModel):
    version: str = Field(description="Store backend and version the result was computed for.")
    function: str
    cached: bool


class FirmInfoPublic(BaseModel):
    """What an analysis shows of an organisation it cites."""

    id: str
    kind: str
    region: str | None
    name_zh: str
    name_en: str
    employees: int | None
    revenue_band: str | None
    tiers: list[str]


class _Head(BaseModel):
    region: str = Field(description="The analysed region as a region id.", examples=["cn/guangdong/shenzhen"])
    region_zh: str
    region_en: str
    chain: ChainRefPublic


# ------------------------------------------------------------------ chain map

class MapSegmentPublic(BaseModel):
    """One segment of the chain in the region: local firms, capacity, tiers, platforms, status."""

    segment: str
    name_zh: str
    name_en: str
    stage: str
    format: str
    status: str = Field(description=_STATUS)
    criteria: list[str] = Field(description="The rules that decided the status.")
    local_firms: int
    firm_ids: list[str] = Field(description="Local member firms, largest first (capped).")
    employees: int = Field(description="Local head count (known values).")
    revenue_bands: dict[str, int]
    tier_firms: int
    tier_firm_ids: list[str]
    platforms: list[str]
    members_elsewhere: int
    received_local_share: float | None = Field(
        description="Of what local organisations receive from the segment, the share from local firms.")
    density: float = Field(description="Relatedness density of the segment for the region.")
    local_predicted: int = Field(0, description="Of local_firms, how many count only by a 挂链 prediction "
                                 "(confidence ≥ 0.5; confirm or reject it with POST /classify/confirm|reject).")
    local_weight: float = Field(0.0, description="Σ membership weight of the local firms: 1 each confirmed, "
                                "its confidence each predicted.")
    predicted_only: bool = Field(False, description="Present only through predictions.")


class MapEdgePublic(BaseModel):
    """A segment edge with the supply local members of ``downstream`` get from ``upstream`` members."""

    upstream: str
    downstream: str
    local_weight: float
    external_weight: float
    local_share: float | None = Field(description="Null when no supply was observed on the edge.")
    external_share: float | None
    links: int


class ChainMapPublic(_Head):
    """The 群-链-企 map of a chain in a region."""

    level: str = Field(description="country, province, city or district.")
    status_counts: dict[str, int]
    segments: list[MapSegmentPublic] = Field(description="In chain order.")
    edges: list[MapEdgePublic]
    orgs: dict[str, FirmInfoPublic] = Field(description="Every organisation the segments cite, by id.")
    meta: AnalysisMeta


# ------------------------------------------------------------------ gaps

class GapPublic(BaseModel):
    """A 补链 / 强链 / 延链 gap: ``severity`` = Σ ``parts``, with the ids behind it."""

    segment: str = Field(examples=["seg:game_engine"])
    name_zh: str
    name_en: str
    kind: GapKind = Field(description="missing (补链), thin (强链) or extension (延链).")
    kind_zh: str = Field(examples=["补链"])
    severity: float
    parts: list[PartPublic]
    criteria: list[str] = Field(description="The rules that classed the segment.")
    firms: list[str] = Field(description="Firm ids cited as evidence.")
    links: list[str] = Field(description="Link ids cited as evidence.")
    segments: list[str] = Field(description="Related segment ids (downstream, adjacent).")
    flags: list[str] = Field([], description="Why it ranks low: low_feasibility, resource_bound "
                             "(in words: ``flags_zh`` / ``flags_en``).")
    local_firms: int = Field(0, description="Local member firms (confirmed, predicted ≥ 0.5, landed).")
    local_predicted: int = Field(0, description="Of local_firms, how many count only by a 挂链 prediction.")
    local_weight: float = Field(0.0, description="Σ membership weight of the local firms: 1 each confirmed, "
                                "its confidence each predicted.")
    predicted_only: bool = Field(False, description="Present only through predictions.")

    @computed_field
    @property
    def flags_zh(self) -> list[str]:
        """The flags in words (graph.labels.FLAG_LABELS), e.g. 可行性低：本地缺少相关环节."""
        return [label(f, "zh") for f in self.flags]

    @computed_field
    @property
    def flags_en(self) -> list[str]:
        return [label(f, "en") for f in self.flags]


class GapsPublic(_Head):
    """A chain's gaps in a region, most severe first."""

    level: str
    status_counts: dict[str, int]
    supply_observed: bool = Field(description="False when the data has no firm-to-firm supply: 补链 is then "
                                  "inferred from local downstream segments.")
    gaps_total: int = Field(description="Every gap, whatever ``top`` cut.")
    gaps: list[GapPublic]
    orgs: dict[str, FirmInfoPublic] = Field(description="Every organisation the gaps shown cite, by id.")
    meta: AnalysisMeta


# ------------------------------------------------------------------ leaders

class LeaderPublic(BaseModel):
    """A chain leader (链主) candidate: ``score`` = Σ ``parts`` (centrality, size, tier)."""

    id: str
    name_zh: str
    name_en: str
    region: str | None
    local: bool
    segments: list[str]
    tiers: list[str]
    employees: int | None
    score: float
    parts: list[PartPublic]
    pagerank: float
    customers: int = Field(description="Chain firms it supplies.")
    suppliers: int = Field(description="Chain firms supplying it.")
    links: list[str] = Field(description="Its heaviest chain supply links.")


class LeadersPublic(_Head):
    """A chain's leaders, best first."""

    scope: str = Field(description="all, local or external firms.")
    leaders: list[LeaderPublic]
    meta: AnalysisMeta


# ------------------------------------------------------------------ dependence

class SupplierSharePublic(BaseModel):
    supplier: str
    weight: float
    share: float = Field(description="Of what local organisations receive from the segment.")
    links: int
    buyers: int
    sole_buyers: int
    link_ids: list[str]
    reasons: list[str] = Field(description="Why it is a single point of failure (dominant_share, sole_supplier).")


class SegmentDependencePublic(BaseModel):
    segment: str
    name_zh: str
    name_en: str
    local_firms: int
    received: float
    received_external: float
    external_share: float | None
    external_suppliers: int
    top_suppliers: list[SupplierSharePublic]
    spofs: list[SupplierSharePublic] = Field(description="Single points of failure.")


class DependencePublic(_Head):
    """The region's external dependence on a chain's segments."""

    received: float = Field(description="Supplies weight local organisations receive from the chain's firms.")
    received_external: float
    external_share: float | None
    segments: list[SegmentDependencePublic] = Field(description="Most external weight first.")
    orgs: dict[str, FirmInfoPublic]
    meta: AnalysisMeta


# ------------------------------------------------------------------ compare

class CellPublic(BaseModel):
    region: str
    local_firms: int
    status: str = Field(description=_STATUS)
    external_share: float | None


class CompareRowPublic(BaseModel):
    segment: str
    name_zh: str
    name_en: str
    cells: list[CellPublic] = Field(description="One per region, in the order asked.")


class RegionSummaryPublic(BaseModel):
    region: str
    level: str
    segments: int
    covered: int = Field(description="Segments with at least one local firm.")
    coverage: float
    local_firms: int = Field(description="Member firms counted per segment.")
    status_counts: dict[str, int]
    external_share: float | None


class ComparisonPublic(BaseModel):
    """One chain's coverage for two or more regions side by side."""

    regions: list[RegionRefPublic]
    chain: ChainRefPublic
    rows: list[CompareRowPublic]
    summaries: list[RegionSummaryPublic]
    meta: AnalysisMeta
