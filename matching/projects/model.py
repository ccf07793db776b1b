"""The typed results of the project pipeline: a project, its credit, notes, history and statistics.

>>> p = Project(1, "org:t", "cn/guangdong/shenzhen", "seg:x", None, "org:a", "lead", "", None, None, None, None,
...             None, (), False, False, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", 1)
>>> p.stage_zh, p.stage_en, p.as_dict()["introducer"]
('线索', 'lead', None)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from matching.projects.stages import label

__all__ = ["Credit", "Note", "Event", "Project", "MonthRow", "ProjectStats"]


@dataclass(frozen=True, slots=True)
class Credit:
    """The introducer credited with a project (以商招商; the first registered wins) and its tie to the firm:
    ``kind`` ``direct`` or ``two_hop``, what it is to the firm (``relations``), the intermediary (``via``)
    and the link ids of the path, firm side first (:mod:`matching.recommend.introducers`)."""

    org: str
    kind: str
    relations: tuple[str, ...]
    via: str | None
    path: tuple[str, ...]
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    text: str
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class Event:
    """One change of a project: who, when, what (``changes``: field → ``[before, after]``), at which version.

    ``action`` is ``created``, ``moved``, ``updated``, ``noted``, ``credited`` or ``migrated`` (from an outcome).
    """

    version: int
    action: str
    changes: dict
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class Project:
    """A 招商 project: firm × region × segment (``segment`` None only for a migrated outcome that named
    none), with its form, owner agency, stage, next step and due date, investment (万元), introducer credit,
    notes, ``overdue`` (as of the read) and ``pending`` (a landing written to one store but not yet the other;
    finished on the next open). ``version`` moves with every change."""

    id: int
    org: str
    region: str
    segment: str | None
    form: str | None
    owner: str
    stage: str
    next_step: str
    due: str | None
    planned: float | None
    actual: float | None
    signed_at: str | None
    introducer: Credit | None
    notes: tuple[Note, ...]
    overdue: bool
    pending: bool
    created_at: str
    updated_at: str
    version: int

    @property
    def stage_zh(self) -> str:
        return label(self.stage, "zh")

    @property
    def stage_en(self) -> str:
        return label(self.stage, "en")

    def as_dict(self) -> dict:
        return asdict(self) | {"stage_zh": self.stage_zh, "stage_en": self.stage_en}


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One month (``YYYY-MM``): projects created, signed (first reaching 签约 or beyond), their planned
    investment (万元), and projects landed (reaching 投产)."""

    month: str
    created: int
    signed: int
    signed_investment: float
    landed: int


@dataclass(frozen=True, slots=True)
class ProjectStats:
    """Projects per stage now, overdue now, and per month, oldest first."""

    total: int
    by_stage: dict[str, int]
    overdue: int
    months: tuple[MonthRow, ...]

    def as_dict(self) -> dict:
        return asdict(self)
