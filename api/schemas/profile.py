"""HTTP schema of a firm profile (企业画像): one organisation with everything a person reads about it in one call.

Names beside every id (segments, regions, the other end of each tie), so the
workbench never shows an id; ``target`` says why the firm is (or is not) a
target for the region asked about, with the score parts of the targets table.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.core import OrganisationPublic
from api.schemas.recommend import TargetPublic

__all__ = ["ProfileSegment", "ProfileSite", "ProfileTie", "ProfileTarget", "ProfileSource", "ProfilePublic"]


class ProfileSegment(BaseModel):
    segment: str
    name_zh: str
    name_en: str
    chains_zh: list[str] = Field(description="The chains the segment belongs to, by name.")
    chains_en: list[str]
    status: str = Field(description="confirmed or predicted (挂链预测).")
    confidence: float
    evidence: str


class ProfileSite(BaseModel):
    region: str
    region_zh: str
    region_en: str
    kind: str
    since: str | None


class ProfileTie(BaseModel):
    """A link seen from the profiled firm: the other organisation by name, the link's kind, date and source."""

    link: str
    kind: str = Field(description="The link kind (supplies, partners, invests …).")
    role: str = Field(description="What the other organisation is to this one: supplier, customer, investor, "
                      "investee, partner, parent, subsidiary …")
    org: str
    name_zh: str
    name_en: str
    region_zh: str
    region_en: str
    since: str | None
    source: str
    as_of: str | None
    weight: float
    confidence: float


class ProfileTarget(BaseModel):
    """Why the firm is a target for ``region``: its ranking in each of its segments that the region lacks."""

    region: str
    region_zh: str
    region_en: str
    local: bool = Field(description="The firm is in the region or has a site there: local capacity, not a target.")
    closed: bool = Field(description="Closed or moved away (注销/吊销/迁出): never a target.")
    items: list[TargetPublic] = Field(description="One ranking per gap segment the firm is in, best first.")
    gaps: list[str] = Field(description="The firm's segments that are gaps (补链/强链/延链) in the region.")


class ProfileSource(BaseModel):
    """Where the firm's record (``what`` = organisation) or its links come from, how many, and their dates."""

    what: str = Field(description="organisation or links.")
    source: str = Field(description="The source's key, as its importer recorded it (fixture:…, chainkg, ickg, "
                        "file:NAME, project:N, or the source a file named).")
    name_zh: str = Field("", description="The source as a person reads it, in Chinese (示例数据（虚构）, 导入文件 NAME, …).")
    name_en: str = Field("", description="The same in English.")
    records: int
    first: str | None = Field(description="The earliest as-of date (null: undated).")
    last: str | None


class ProfilePublic(BaseModel):
    organisation: OrganisationPublic
    region_zh: str
    region_en: str
    segments: list[ProfileSegment]
    sites: list[ProfileSite]
    suppliers: list[ProfileTie]
    customers: list[ProfileTie]
    ties: list[ProfileTie] = Field(description="Every other link (partners, investors, parent, park …).")
    ties_total: int = Field(description="Links touching the firm in all (the lists above hold at most 200 each).")
    target: ProfileTarget | None = Field(description="Null when no region was asked about.")
    sources: list[ProfileSource] = Field(description="Where the firm's record and its links come from, with "
                                         "their dates: the record first, then the links per source.")
