"""HTTP schemas of the project pipeline (招商项目): what clients send apart from what they get.

Outputs are validated from the engine's ``as_dict()`` (:mod:`matching.projects.model`).
A stage is given as its key, Chinese or English label (``signed``, ``签约``);
investment figures are in 万元.

Examples
--------
>>> ProjectCreate(org="org:f1561", segment="seg:game_engine", owner="org:a001").stage
'lead'
>>> ProjectMove(stage="签约", planned=5000).model_dump(exclude_none=True)
{'stage': '签约', 'planned': 5000.0}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from api.schemas.core import Page, _check_text
from api.schemas.recommend import DEFAULT_REGION, FormName
from matching.projects.book import MAX_INVESTMENT, MAX_NOTE, MAX_STEP
from matching.projects.stages import STAGES

__all__ = ["ProjectCreate", "ProjectMove", "ProjectNoteCreate", "CreditPublic", "NotePublic", "ProjectPublic",
           "ProjectPage", "ProjectEvent", "ProjectEventPage", "MonthPublic", "ProjectStatsPublic", "StageKey"]

StageKey = Literal[tuple(STAGES)]  # type: ignore[valid-type]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(max_length=200)]
StageWord = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Step = Annotated[str, StringConstraints(max_length=MAX_STEP)]
NoteText = Annotated[str, StringConstraints(max_length=MAX_NOTE)]
Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Money = Annotated[float, Field(ge=0, le=MAX_INVESTMENT, description="万元 (10,000 yuan).")]
Version = Annotated[int, Field(ge=1, le=2**62, description="The version the change is based on: refused (409) "
                               "when the project has moved on since.")]


class ProjectCreate(BaseModel):
    """A new project: firm × region × segment, one only (a second is refused with 409 naming the first)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"org": "org:f1561", "region": "深圳市南山区", "segment": "游戏引擎", "form": "rd_centre", "owner": "org:a001",
         "stage": "线索", "next_step": "拜访总部", "due": "2026-07-01", "planned": 5000, "introducer": "org:f1345",
         "note": ""}]})

    org: Ref = Field(description="The target firm (id, USCC or exact name).")
    region: Short = Field(DEFAULT_REGION, description="The attracting region (id or place name).")
    segment: Ref = Field(description="The chain segment (id or name).")
    form: FormName | None = Field(None, description="The attraction form (the site kind when it lands).")
    owner: Ref = Field(description="Owner agency (organisation id, USCC or name).")
    stage: StageWord = Field("lead", description="Starting stage (not 投产: move there to land).")
    next_step: Step = ""
    due: Day | None = Field(None, description="Due date of the next step.")
    planned: Money | None = None
    actual: Money | None = None
    introducer: Ref | None = Field(None, description="The introducer to credit (以商招商); needs a tie to the firm.")
    note: NoteText = ""

    _texts = field_validator("org", "region", "segment", "owner", "stage", "next_step", "introducer",
                             "note")(_check_text)


class ProjectMove(BaseModel):
    """A move and/or changes; absent fields stay, ``due: ""`` clears the due date."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"stage": "签约", "planned": 5000, "next_step": "办理注册", "due": "2026-08-01", "version": 1}]})

    stage: StageWord | None = None
    next_step: Step | None = None
    due: Annotated[str, StringConstraints(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] | None = None
    planned: Money | None = None
    actual: Money | None = None
    introducer: Ref | None = Field(None, description="Credit an introducer (refused when another was first).")
    version: Version | None = None

    _texts = field_validator("stage", "next_step", "introducer")(_check_text)


class ProjectNoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text": "领导批示：加快推进"}]})

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NOTE, pattern=r"\S")]
    version: Version | None = None

    _texts = field_validator("text")(_check_text)


class CreditPublic(BaseModel):
    """The introducer credited (the first registered) and its tie to the firm."""

    org: str = Field(examples=["org:f1345"])
    kind: Literal["direct", "two_hop"]
    relations: list[str] = Field(description="What the introducer (or its path's first hop) is to the firm.")
    via: str | None = Field(description="The intermediary of a two-hop tie.")
    path: list[str] = Field(description="Link ids of the tie, firm side first.")
    actor: str
    at: str


class NotePublic(BaseModel):
    id: int
    text: str
    actor: str
    at: str


class ProjectPublic(BaseModel):
    id: int
    org: str
    region: str
    segment: str | None = Field(description="None only for a migrated outcome that named no segment.")
    form: str | None = Field(description="The attraction form (a migrated outcome keeps the form it recorded).")
    owner: str
    stage: StageKey
    stage_zh: str = Field(examples=["签约"])
    stage_en: str = Field(examples=["signed"])
    next_step: str
    due: str | None
    planned: float | None = Field(description="Planned investment, 万元.")
    actual: float | None = Field(description="Investment arrived, 万元.")
    signed_at: str | None = Field(description="When it first reached 签约 or beyond.")
    introducer: CreditPublic | None
    notes: list[NotePublic]
    overdue: bool = Field(description="Due date passed and neither 投产 nor 终止.")
    pending: bool = Field(description="A landing interrupted by a crash, finished on the next open.")
    created_at: str
    updated_at: str
    version: int


class ProjectPage(Page[ProjectPublic]):
    pass


class ProjectEvent(BaseModel):
    version: int
    action: Literal["created", "moved", "updated", "noted", "credited", "migrated", "rolled_back"]
    changes: dict[str, list] = Field(description="Field → [before, after].")
    actor: str
    at: str


class ProjectEventPage(Page[ProjectEvent]):
    project: int


class MonthPublic(BaseModel):
    month: str = Field(examples=["2026-06"])
    created: int
    signed: int
    signed_investment: float = Field(description="Planned investment of the projects signed that month, 万元.")
    landed: int


class ProjectStatsPublic(BaseModel):
    total: int
    by_stage: dict[str, int]
    overdue: int
    months: list[MonthPublic]
