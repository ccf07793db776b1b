"""HTTP schemas: what clients send (``…Create``/``…Update``) apart from what they get (``…Public``).

The domain dataclasses (:mod:`graph.model`) never leak pydantic: these
models are built from them with ``model_validate(to_dict(obj))`` and turned
into them by the routes.

Examples
--------
>>> body = OrganisationCreate(name_zh="深圳市光影互动科技有限公司")
>>> body.kind.value, body.segments
('firm', [])
>>> OrganisationUpdate(employees=12).model_dump(exclude_unset=True)
{'employees': 12}
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from api.errors import CODES
from graph.io.cells import cell_problem
from graph.model import (
    EvidenceGrade,
    Format,
    LinkKind,
    MembershipStatus,
    OrgKind,
    RegionLevel,
    RegStatus,
    SiteKind,
    Stage,
)

__all__ = [
    "ErrorDetail",
    "ErrorInfo",
    "ErrorResponse",
    "Page",
    "ProvenanceModel",
    "MembershipModel",
    "SiteModel",
    "FinancingModel",
    "OrganisationCreate",
    "OrganisationUpdate",
    "OrganisationPublic",
    "OrganisationPage",
    "LinkPublic",
    "SegmentPublic",
    "SegmentEdgePublic",
    "ChainPublic",
    "ChainDetail",
    "ChainTemplatePublic",
    "ChainTemplates",
    "TemplateInstalled",
    "ClusterPublic",
    "RegionPublic",
    "RegionResolved",
    "WriteSummary",
    "ProblemPublic",
    "ImportReportPublic",
    "StatsPublic",
    "Health",
    "Readiness",
    "SearchHit",
    "SearchResults",
    "IndexStatus",
    "PredictionPublic",
    "ClassifyResult",
    "KeyCreate",
    "KeyPublic",
    "KeyCreated",
    "MAX_TEXT",
]

T = TypeVar("T")

#: Longest free-text field accepted over HTTP (the importer's default limit).
MAX_TEXT = 100_000
_ID = r"^[A-Za-z0-9][A-Za-z0-9_:.~\-]{0,199}$"
OrgId = Annotated[str, StringConstraints(pattern=_ID)]
Name = Annotated[str, StringConstraints(max_length=500)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Short = Annotated[str, StringConstraints(max_length=200)]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]


# ------------------------------------------------------------------ errors

class ErrorDetail(BaseModel):
    """Where and why: ``{"field", "reason"}``, or ``{"file", "row", "field", "reason"}`` for a file.

    An unknown name (region, chain, segment, organisation) adds ``suggestions``: the near misses.
    """

    file: str | None = None
    row: int | None = None
    field: str | None = None
    reason: str
    suggestions: list[str] | None = Field(None, description="Names the unknown one may have meant "
                                          "(did you mean …), closest first.", examples=[["深圳市"]])


class ErrorInfo(BaseModel):
    code: Literal[tuple(CODES)]  # type: ignore[valid-type]
    message: str
    message_zh: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorInfo

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {
        "code": "not_found", "message": "unknown organisation: org:x",
        "message_zh": "未找到机构：org:x", "details": []}}]})


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


# ------------------------------------------------------------------ organisations

class ProvenanceModel(BaseModel):
    source: Short = "api"
    as_of: IsoDate | None = None
    estimated: list[Short] = []


class MembershipModel(BaseModel):
    segment: Short = Field(examples=["seg:game_engine"])
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    evidence: EvidenceGrade = EvidenceGrade.CONFIRMED
    status: MembershipStatus = MembershipStatus.CONFIRMED


class SiteModel(BaseModel):
    region: Short = Field(examples=["cn/guangdong/shenzhen/nanshan"])
    kind: SiteKind
    since: IsoDate | None = None


class FinancingModel(BaseModel):
    date: IsoDate
    round: Short
    amount_cny_m: float | None = Field(None, ge=0)


_TEXT_FIELDS = ("name_zh", "name_en", "address", "description_zh", "description_en", "business_scope",
                "industry", "industry_code", "revenue_band", "parent_group")
_NOT_NULL = ("kind", "name_zh", "name_en", "address", "description_zh", "description_en", "business_scope",
             "industry", "industry_code", "segments", "products", "keywords", "tiers", "sites",
             "financing", "provenance", "status", "status_detail", "former_names", "legal_rep")


def _check_text(value, info):
    """Refuse what the importer refuses: control characters, spreadsheet formulas."""
    if isinstance(value, str) and (why := cell_problem(value, MAX_TEXT)):
        raise ValueError(why)
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str) and (why := cell_problem(v, MAX_TEXT)):
                raise ValueError(why)
    return value


class _OrganisationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: OrgKind = OrgKind.FIRM
    name_zh: Name = Field("", examples=["深圳市光影互动科技有限公司"])
    name_en: Name = Field("", examples=["Guangying Interactive Technology (Shenzhen) Co., Ltd."])
    uscc: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{18}$")] | None = Field(
        None, description="Unified social credit code (18 characters, GB 32100-2015 check digit).",
        examples=["91440300708461136T"])
    region: Short | None = Field(
        None, description="Region id (cn/guangdong/shenzhen/nanshan) or a place name (深圳市南山区, Shenzhen); "
        "when absent, parsed from the address.", examples=["深圳市南山区"])
    address: Text = ""
    segments: list[MembershipModel] = []
    products: list[Short] = []
    description_zh: Text = ""
    description_en: Text = ""
    business_scope: Text = ""
    industry: Short = ""
    industry_code: Short = ""
    keywords: list[Short] = []
    employees: int | None = Field(None, ge=0, le=10_000_000)
    revenue_band: Short | None = None
    registered_capital_cny_m: float | None = Field(None, ge=0, le=1e9)
    founded: IsoDate | None = None
    tiers: list[Short] = Field([], examples=[["专精特新"]])
    sites: list[SiteModel] = []
    patents: int | None = Field(None, ge=0, le=10_000_000, description="Patent count; null when unknown (not 0).")
    financing: list[FinancingModel] = []
    parent_group: Short | None = None
    provenance: ProvenanceModel = ProvenanceModel()
    status: RegStatus = Field(RegStatus.UNKNOWN, description="Registration status (登记状态); closed firms are "
                              "never targets, local capacity, introducers or partners.")
    status_detail: Short = Field("", description="The 登记状态 as the source wrote it (注销, 吊销，未注销).",
                                 examples=["注销"])
    status_date: IsoDate | None = Field(None, description="When the status took effect (注销日期/吊销日期).")
    former_names: list[Name] = Field([], description="Former names (曾用名): searched and matched like the name.")
    legal_rep: Short = Field("", description="Legal representative (法定代表人).")

    _texts = field_validator(*_TEXT_FIELDS, "products", "keywords", "tiers", "former_names", "legal_rep",
                             "status_detail")(_check_text)


class OrganisationCreate(_OrganisationFields):
    """A new organisation. ``id`` is derived from the USCC (or name + city) when absent."""

    id: OrgId | None = Field(None, examples=["org:guangying"])

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name_zh": "深圳市光影互动科技有限公司", "region": "深圳市南山区",
        "segments": [{"segment": "seg:game_engine"}], "tiers": ["专精特新"], "employees": 120}]})

    @model_validator(mode="after")
    def _named(self):
        if not (self.name_zh.strip() or self.name_en.strip()):
            raise ValueError("an organisation needs a name: name_zh or name_en")
        return self


class OrganisationUpdate(_OrganisationFields):
    """A partial update (PATCH): only the fields sent change; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"employees": 150, "tiers": ["专精特新", "瞪羚"]}]})

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any):
        if isinstance(data, dict):
            nulls = [k for k in _NOT_NULL if k in data and data[k] is None]
            if nulls:
                raise ValueError(f"{', '.join(nulls)} cannot be null; leave the field out to keep it")
        return data


class OrganisationPublic(BaseModel):
    id: str
    kind: OrgKind
    name_zh: str
    name_en: str
    uscc: str | None
    region: str | None
    address: str
    segments: list[MembershipModel]
    products: list[str]
    description_zh: str
    description_en: str
    business_scope: str
    industry: str
    industry_code: str
    keywords: list[str]
    employees: int | None
    revenue_band: str | None
    registered_capital_cny_m: float | None
    founded: str | None
    tiers: list[str]
    sites: list[SiteModel]
    patents: int | None
    financing: list[FinancingModel]
    parent_group: str | None
    provenance: ProvenanceModel
    status: RegStatus = RegStatus.UNKNOWN
    status_detail: str = ""
    status_date: str | None = None
    status_note_zh: str = Field("", description="Why a closed or moved-out organisation counts nowhere, in "
                                "Chinese (已注销（2021-03-01）); empty when it is active or unknown.")
    status_note_en: str = Field("", description="The same in English (deregistered 2021-03-01).")
    former_names: list[str] = []
    legal_rep: str = ""
    region_source: str = Field("", description="How the region was inferred: address, uscc or name; empty when reported.")


class OrganisationPage(Page[OrganisationPublic]):
    region: str | None = Field(None, description="The region filter as a region id, after parsing a name.")


class LinkPublic(BaseModel):
    id: str
    kind: LinkKind
    src: str
    dst: str
    provenance: ProvenanceModel
    since: str | None
    weight: float
    confidence: float


# ------------------------------------------------------------------ catalogue

class SegmentPublic(BaseModel):
    id: str
    name_zh: str
    name_en: str
    stage: Stage
    format: Format
    parent: str | None
    description: str
    keywords: list[str]
    manufacturing: bool
    source: str


class SegmentEdgePublic(BaseModel):
    upstream: str
    downstream: str
    weight: float
    source: str


class ChainPublic(BaseModel):
    id: str
    name_zh: str
    name_en: str
    segments: list[str]
    cluster: str | None
    source: str


class ChainDetail(ChainPublic):
    """A chain with its segments and the supply edges between them."""

    segment_records: list[SegmentPublic]
    edges: list[SegmentEdgePublic]


class ClusterPublic(BaseModel):
    id: str
    name_zh: str
    name_en: str
    chains: list[str]
    source: str


class RegionPublic(BaseModel):
    id: str
    name_zh: str
    name_en: str
    level: RegionLevel


class RegionResolved(BaseModel):
    """A place name parsed into a region."""

    text: str
    region: RegionPublic | None
    lineage: list[str]
    display_zh: str | None
    display_en: str | None


# ------------------------------------------------------------------ imports, stats, health

class WriteSummary(BaseModel):
    inserted: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    merged: int = Field(description="Incoming organisations deduplicated onto stored ones.")
    version: int


class ProblemPublic(BaseModel):
    file: str
    row: int | None
    field: str | None
    reason: str


class ImportReportPublic(BaseModel):
    file: str
    entity: Literal["organisations", "links", "segments", "segment-edges", "branches"]
    encoding: str | None
    rows_read: int
    imported: WriteSummary | None = Field(description="What was written; null on a dry run.")
    rejected: int
    problems: list[ProblemPublic]
    warnings: list[str] = Field(description="What was read, but not quite as written (the row is kept), in English.")
    warnings_zh: list[str] = Field([], description="The same warnings, in the same order, in Chinese.")
    dry_run: bool
    columns: dict[str, str] = Field({}, description="Canonical field -> the file's header that fed it.")
    ignored: list[str] = Field([], description="The file's headers no field took.")
    planned: dict[str, dict[str, int]] | None = Field(
        None, description="A dry run's plan: records per entity that are new (`new`) and already stored "
        "(`existing`: to be updated, or unchanged when nothing differs); null when the import ran.")


class ChainTemplatePublic(BaseModel):
    slug: str = Field(description="What `chainmatch chains add` and `POST /chain-templates/{name}` take "
                      "(or the Chinese or English name, or a fragment of one).", examples=["nev"])
    name_zh: str
    name_en: str
    segments_file: str
    edges_file: str
    segments: int
    edges: int
    stages: dict[str, int] = Field(description="Segments per stage (上游/中游/下游).")
    sources: list[str] = Field(description="Public chain maps and plans the template was drawn from.")


class ChainTemplates(BaseModel):
    items: list[ChainTemplatePublic]


class TemplateInstalled(BaseModel):
    template: ChainTemplatePublic
    segments: ImportReportPublic
    edges: ImportReportPublic | None = Field(description="null on a dry run (edge ends must be stored segments).")
    written: bool = Field(description="Whether anything changed (false on a dry run or a re-install).")


class ChainStats(BaseModel):
    id: str
    name_zh: str
    name_en: str
    segments: int
    organisations: int


class StatsPublic(BaseModel):
    version: int
    counts: dict[str, int]
    by_kind: dict[str, int]
    top_cities: list[tuple[str, int]]
    chains: list[ChainStats]
    as_of_min: str | None
    as_of_max: str | None
    estimated_records: int
    region_sources: dict[str, int] = {}  # reported / address / uscc / name / none -> organisations
    by_status: dict[str, int] = {}  # registration status (登记状态) -> organisations


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ComponentState(BaseModel):
    state: str = Field(examples=["ready", "not_built", "not_loaded"])
    detail: str = ""


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    backend: Literal["embedded", "neo4j"]
    store_version: int
    auth: Literal["on", "off"]
    components: dict[str, ComponentState] = Field(
        {}, description="store, model (embedding model: loaded / not_loaded) and index (search index: "
        "ready / on_disk / stale / not_built); model and index load on first use.")


# ------------------------------------------------------------------ matching

class SearchHit(BaseModel):
    """One hit with the parts of its score (ranks 1-based; null: not in that list)."""

    id: str
    name: str
    name_zh: str = Field("", description="The name in Chinese (name: whichever the record has).")
    name_en: str = Field("", description="The name in English, \"\" when the record has none.")
    region: str | None
    rank: int
    score: float
    dense_score: float | None
    dense_rank: int | None
    lexical_score: float | None
    lexical_rank: int | None
    status: RegStatus = Field(RegStatus.UNKNOWN, description="Registration status (登记状态): a closed firm is "
                              "found, and shown as closed, but is never a target or local capacity.")
    status_note_zh: str = Field("", description="Why a closed or moved-out firm counts nowhere (已注销（2021-03-01）); "
                                "empty when active or unknown.")
    status_note_en: str = Field("", description="The same in English (deregistered 2021-03-01).")


class SearchResults(BaseModel):
    query: str
    mode: Literal["hybrid", "dense", "lexical"]
    weights: dict[str, float] = Field(description="Weight of each ranked list in the fusion.")
    region: str | None = Field(None, description="The region filter as a region id.")
    segment: str | None = Field(None, description="The segment filter as a segment id.")
    items: list[SearchHit]
    limit: int
    offset: int


class IndexStatus(BaseModel):
    store_version: int
    model: ComponentState
    index: ComponentState
    manifest: dict[str, Any] | None = Field(None, description="What the saved index was built from.")


class PredictionPublic(BaseModel):
    org_id: str
    segment: str
    rank: int
    confidence: float
    evidence: EvidenceGrade
    fields: list[str] = Field(description="Fields that point to the segment on their own.")
    parts: dict[str, float] = Field(description="Named score parts.")


class ClassifyResult(BaseModel):
    """挂链 predictions for organisations without confirmed segments (one page of them)."""

    organisations: int = Field(description="Organisations classified.")
    written: int | None = Field(description="Organisations updated with PREDICTED memberships; null on a dry run.")
    items: list[PredictionPublic]
    total: int
    limit: int
    offset: int


class ReviewCreate(BaseModel):
    """Confirm or reject a 挂链 membership: the organisation and segment by id or name."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"org": "org:f0001", "segment": "游戏引擎"}]})

    org: str = Field(min_length=1, max_length=200, description="Organisation id, USCC or exact name.")
    segment: str = Field(min_length=1, max_length=200, description="Segment id or name.")


class ReviewPublic(BaseModel):
    """What a review did; a confirmed membership counts with weight 1 everywhere and is classifier evidence,
    a rejected one counts nowhere and is never predicted again."""

    org: str
    segment: str
    decision: Literal["confirm", "reject"]
    previous: str | None = Field(description="The membership's status before (null: it had none).")
    status: Literal["confirmed", "rejected"]
    confidence: float
    changed: bool = Field(description="False when it already had that status (nothing written).")
    version: int = Field(description="The store version after the review.")


# ------------------------------------------------------------------ keys

class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(examples=["招商局-分析员"])
    role: Literal["viewer", "editor", "admin"] = "viewer"

    _texts = field_validator("name")(_check_text)


class KeyPublic(BaseModel):
    id: str
    name: str
    role: Literal["viewer", "editor", "admin"]
    created: str
    revoked: str | None


class Caller(BaseModel):
    """The key a request came with: its id, name and role (the workbench greys out what the role may not do)."""

    id: str = Field(examples=["3f9a0c21"])
    name: str
    role: Literal["viewer", "editor", "admin"]
    writes: bool = Field(description="Whether this key may change data (editor or admin).")


class KeyCreated(KeyPublic):
    key: str = Field(description="The secret: shown this once, stored only as a salted hash.")
