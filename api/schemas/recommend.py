"""HTTP schemas of recommendation: targets, introducers, partners, campaigns, outcomes.

Inputs (``…Create``, ``…Request``) apart from outputs (``…Public``); the
engine's dataclasses (:mod:`matching.recommend`) never leak pydantic: outputs
are validated from their ``as_dict()``.

Examples
--------
>>> OutcomeCreate(org="org:f1561", status="landed", form="rd_centre").region
'cn/guangdong/shenzhen'
>>> CampaignCreate(name="XR 上游", owner="org:a001", targets=["org:f0140"]).partners
[]
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from api.schemas.analysis import PartPublic
from api.schemas.core import Page, _check_text

__all__ = [
    "EntriesSummary",
    "PartPublic",
    "FormPublic",
    "TargetPublic",
    "TargetPage",
    "IntroducerPublic",
    "IntroducerPage",
    "PartnersRequest",
    "PartnerPublic",
    "PartnerPage",
    "CampaignProposal",
    "CampaignPlanPublic",
    "CampaignCreate",
    "CampaignAdd",
    "CampaignClose",
    "CampaignPublic",
    "CampaignPage",
    "CampaignWritten",
    "ConflictPublic",
    "ConflictPage",
    "CampaignEvent",
    "CampaignEventPage",
    "OutcomeCreate",
    "OutcomePublic",
    "OutcomePage",
    "BacktestSummary",
    "OutcomeStatus",
    "FormName",
    "MAX_REFS",
]

#: Most organisation references in one request body (targets, partner agencies).
MAX_REFS = 50
OutcomeStatus = Literal["contacted", "accepted", "rejected", "landed"]
FormName = Literal["headquarters", "regional_hq", "rd_centre", "production_base"]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=2000)]
Profile = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
DEFAULT_REGION = "cn/guangdong/shenzhen"


# ------------------------------------------------------------------ targets


class FormPublic(BaseModel):
    """The attraction form, the rule (or score) that chose it, every rule's verdict and the evidence."""

    form: FormName
    form_zh: str = Field(examples=["研发中心"])
    form_en: str = Field("", examples=["R&D centre"], description="The form's name in English.")
    rule: str = Field(description="The rule that fired, or the best score when none did.")
    checks: dict[str, bool] = Field(description="Each form's rule: satisfied or not.")
    scores: dict[str, float] = Field(description="Each form's score in [0, 1].")
    facts: dict[str, Any] = Field(description="Size, patents, regions covered, local customers, local labs …")
    evidence: list[str] = Field(description="Organisation and link ids behind the facts.")
    rule_zh: str = Field("", description="The rule sentence in Chinese.")


class TargetPublic(BaseModel):
    """A firm to recruit: ``total`` = Σ ``parts``; every id in ``evidence`` exists in the store."""

    rank: int
    org: str = Field(examples=["org:f1561"])
    name_zh: str
    name_en: str
    region: str | None
    segment: str = Field(examples=["seg:game_engine"])
    gap: Literal["missing", "thin", "extension"] | None = Field(
        description="The gap kind when ranked for a chain's gaps (补链 missing, 强链 thin, 延链 extension).")
    total: float
    parts: list[PartPublic] = Field(description="gap_fit, chain_pull, leadership, expansion, local_site, stale.")
    evidence: list[str]
    reason_zh: str
    reason_en: str
    form: FormPublic | None
    status: OutcomeStatus | None = Field(None, description="The latest recorded outcome in the region, if any.")


class TargetPage(Page[TargetPublic]):
    region: str = Field(description="The attracting region as a region id.")
    chain: str | None = Field(description="The chain whose gaps were ranked (absent: a segment was given).")
    focus: list[str] = Field(description="Segments recruited for.")


# ------------------------------------------------------------------ introducers


class IntroducerPublic(BaseModel):
    """A local organisation that can introduce the target (以商招商), with its path and score parts."""

    rank: int
    org: str = Field(examples=["org:f1345"])
    name_zh: str
    name_en: str
    region: str | None
    kind: Literal["direct", "two_hop"]
    relations: list[str] = Field(description="What the introducer (or the path's first hop) is to the target.",
                                 examples=[["partner", "customer"]])
    via: str | None = Field(description="The intermediary of a two-hop path.")
    total: float
    parts: list[PartPublic] = Field(description="tie (strength), paths, recency, weight.")
    path: list[str] = Field(description="Link ids, target side first.")
    evidence: list[str]
    reason_zh: str
    reason_en: str


class IntroducerPage(Page[IntroducerPublic]):
    target: str
    region: str


# ------------------------------------------------------------------ partners


class PartnersRequest(BaseModel):
    """A start-up's profile: free text, with optional segments and its own stored id."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"profile": "AI三维资产生成", "region": "深圳", "segments": ["seg:aigc_models"], "startup": "org:f0480"}]})

    profile: Profile = Field(description="What the start-up does, Chinese or English.")
    region: Short = Field(DEFAULT_REGION, description="Region id or place name.")
    segments: list[Ref] = Field([], max_length=10, description="Segment ids or names; empty: the start-up's "
                                "own, else predicted from the profile (挂链).")
    startup: Ref | None = Field(None, description="The start-up's organisation id, if stored (its ties count as known).")

    _texts = field_validator("profile", "region", "segments", "startup")(_check_text)


class PartnerPublic(BaseModel):
    rank: int
    org: str
    name_zh: str
    name_en: str
    region: str | None
    role: Literal["customer", "supplier", "platform", "complementor", "peer", "other"]
    segments: list[str]
    total: float
    parts: list[PartPublic] = Field(description="semantic, adjacency, weight, known (penalty).")
    evidence: list[str]
    reason_zh: str
    reason_en: str


class PartnerPage(Page[PartnerPublic]):
    region: str
    segments: list[str] = Field(description="The start-up's segments the roles are relative to.")


# ------------------------------------------------------------------ campaigns


class CampaignProposal(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"targets": ["org:f0140", "org:f0846"], "region": "深圳"}]})

    targets: list[Ref] = Field(min_length=1, max_length=MAX_REFS, description="Target organisations (id, USCC or name).")
    region: Short = Field(DEFAULT_REGION, description="Region id or place name.")

    _texts = field_validator("targets", "region")(_check_text)


class CoPitchPublic(BaseModel):
    org: str
    name: str
    unit: str = Field(description="Its district (sub-region) in the region.")
    targets: list[str]
    demand: float = Field(description="Supplies weight it receives from the targets.")
    links: list[str]


class PlatformPublic(BaseModel):
    org: str
    name: str
    kind: str
    unit: str
    why: list[str] = Field(description="Segment or link ids that make it relevant.")


class TargetGroupPublic(BaseModel):
    kind: Literal["supply_pair", "shared_introducer", "shared_local_buyers"]
    kind_zh: str
    targets: list[str]
    evidence: list[str]


class ConflictPublic(BaseModel):
    """A target claimed by open campaigns of different agencies that do not coordinate (各自为战)."""

    org: str
    agencies: list[str]
    campaigns: list[int]


class ConflictPage(Page[ConflictPublic]):
    pass


class CampaignPlanPublic(BaseModel):
    """A proposed joint campaign (联合招商), with the conflicts stored campaigns already have on its targets."""

    region: str
    targets: list[str]
    lead_unit: str | None
    lead_agency: str | None
    unit_scores: dict[str, float]
    co_pitch: list[CoPitchPublic]
    platforms: list[PlatformPublic]
    groups: list[TargetGroupPublic]
    reason_zh: str
    reason_en: str
    conflicts: list[ConflictPublic]


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "XR 上游联合招商", "owner": "org:a001", "partners": [], "targets": ["org:f0140", "org:f0846"],
         "region": "深圳", "note": ""}]})

    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
    owner: Ref = Field(description="Owner agency (organisation id, USCC or name).")
    partners: list[Ref] = Field([], max_length=MAX_REFS, description="Partner agencies.")
    targets: list[Ref] = Field(min_length=1, max_length=MAX_REFS)
    region: Short | None = Field(None, description="Region the campaign recruits for (id or place name).")
    note: Note = ""

    _texts = field_validator("name", "owner", "partners", "targets", "region", "note")(_check_text)


class CampaignAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"targets": ["org:f1054"]}]})

    targets: list[Ref] = Field([], max_length=MAX_REFS)
    partners: list[Ref] = Field([], max_length=MAX_REFS, description="Partner agencies.")

    _texts = field_validator("targets", "partners")(_check_text)


class CampaignClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = ""

    _texts = field_validator("note")(_check_text)


class CampaignPublic(BaseModel):
    id: int
    name: str
    owner: str
    partners: list[str]
    region: str | None
    targets: list[str]
    status: Literal["open", "closed"]
    note: str
    created_at: str


class CampaignPage(Page[CampaignPublic]):
    pass


class CampaignWritten(BaseModel):
    """A stored campaign and the conflicts its targets now have."""

    campaign: CampaignPublic
    conflicts: list[ConflictPublic]


class CampaignEvent(BaseModel):
    at: str
    event: str = Field(examples=["created", "targets_added", "partners_added", "closed"])
    detail: str


class CampaignEventPage(Page[CampaignEvent]):
    campaign: int


# ------------------------------------------------------------------ outcomes


class OutcomeCreate(BaseModel):
    """What happened to a recommendation; ``landed`` adds the firm's site in the region (it becomes local)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"org": "org:f1561", "region": "深圳市南山区", "status": "landed", "segment": "seg:game_engine",
         "form": "rd_centre", "note": "签约研发中心"}]})

    org: Ref = Field(description="Organisation id, USCC or exact name.")
    region: Short = Field(DEFAULT_REGION, description="Region id or place name.")
    status: OutcomeStatus
    segment: Ref | None = None
    form: FormName | None = Field(None, description="The attraction form (sets the site kind when landed).")
    campaign: int | None = Field(None, ge=1, le=2**62)
    note: Note = ""

    _texts = field_validator("org", "region", "segment", "note")(_check_text)


class OutcomePublic(BaseModel):
    id: int
    org: str
    region: str
    status: OutcomeStatus
    segment: str | None
    form: str | None
    campaign: int | None
    note: str
    actor: str = Field(description="The API key that recorded it.")
    at: str


class OutcomePage(Page[OutcomePublic]):
    pass


# ------------------------------------------------------------------ evaluation


class BacktestSummary(BaseModel):
    """The date-split links backtest of docs/evaluation.md: held-out links after ``t0``, every candidate ranked, filtered."""

    t0: str = Field(examples=["2025-06-16"])
    t0_rule: str
    kinds: list[str]
    held_out: dict[str, int] = Field(description="Held-out links per kind.")
    skipped: dict[str, int]
    queries: int = Field(description="Queries (both directions of each held-out link).")
    candidates: int = Field(description="Organisations ranked per query.")
    table: dict[str, dict[str, dict[str, float]]] = Field(
        description="scorer → kind (and `all`) → Recall@10, Recall@50, MRR, nDCG@10, n.",
        examples=[{"engine": {"all": {"Recall@10": 0.06, "Recall@50": 0.29, "MRR": 0.035, "nDCG@10": 0.03,
                                      "n": 2208}}}])


class EntriesSummary(BaseModel):
    """The date-split entry backtest of docs/evaluation.md: does the 补链/延链 ranking predict where firms arrive?"""

    t0: str = Field(examples=["2014-12-31"])
    level: str = Field(examples=["city"])
    min_firms: int
    regions: int = Field(description="Regions scored: at least min_firms firms at t0 and at least one entry after.")
    regions_without_entries: int
    candidates: int = Field(description="(region, segment lacking at t0) pairs ranked.")
    entries: int = Field(description="Candidates the region gained a firm in after t0.")
    firms: int
    undated: int = Field(description="Firms without a founding or as-of date (left out).")
    without_region: int = Field(description="Dated firms without a region at this level (national counts only).")
    weights: dict[str, float] = Field(description="The engine's entry weights (shipped or tuned).")
    table: dict[str, dict[str, float]] = Field(
        description="scorer → MAP, Recall@10, Recall@20, AUC-PR (macro over regions).",
        examples=[{"engine": {"MAP": 0.197, "Recall@10": 0.182, "Recall@20": 0.241, "AUC-PR": 0.18}}])
    tuned: dict | None = Field(None, description="With tune: validation dates, fitted weights, rows and positives.")
