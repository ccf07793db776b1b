"""The user's workspace: outcomes of recommendations and joint campaigns, in SQLite.

Workflow data is not graph data: it lives in its own small file
(``<data_dir>/workspace.sqlite``). Every write is one transaction with
parameterised SQL only; nothing is ever deleted, so history is queryable.
The tables of the project pipeline (``projects``, ``project_*``) are created
here too; :mod:`matching.projects` reads and writes them (its landing
intents are the one thing deleted: once settled).

- **outcomes** — ``contacted`` / ``accepted`` / ``rejected`` / ``landed`` per
  organisation and region, append-only; the latest row is the current status;
- **campaigns** (联合招商) — a name, an owner agency, partner agencies, a
  region and target organisations; every change is an event.

A target in two open campaigns of different owner agencies is a
:class:`Conflict` (districts competing blind, 各自为战) unless one owner is
a partner agency of the other campaign (a coordinated pitch).

Examples
--------
>>> ws = Workspace.memory()
>>> ws.record_outcome("org:a", "cn/guangdong/shenzhen", "contacted").status
'contacted'
>>> _ = ws.record_outcome("org:a", "cn/guangdong/shenzhen/nanshan", "landed", form="rd_centre")
>>> ws.landed("cn/guangdong/shenzhen"), ws.landed("cn/guangdong/shenzhen/futian")
({'org:a'}, set())
>>> [o.status for o in ws.outcomes(org="org:a")]
['contacted', 'landed']
>>> c1 = ws.create_campaign("XR upstream", "agency:nanshan", ["org:t"])
>>> c2 = ws.create_campaign("Optics", "agency:longgang", ["org:t", "org:u"])
>>> [(c.org, c.agencies) for c in ws.conflicts()]
[('org:t', ('agency:longgang', 'agency:nanshan'))]
>>> ws.add_partners(c2.id, ["agency:nanshan"])
>>> ws.conflicts()
[]
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph import sqlitedb
from graph.errors import InvalidInput, NotFound

__all__ = ["Workspace", "Outcome", "Campaign", "Conflict", "STATUSES", "STATUS_ZH", "workspace_path", "find_conflicts",
           "in_region", "campaigns_in"]

STATUSES = ("contacted", "accepted", "rejected", "landed")
STATUS_ZH = {"contacted": "已接洽", "accepted": "已采纳", "rejected": "已否决", "landed": "已落地"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    region TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('contacted', 'accepted', 'rejected', 'landed')),
    segment TEXT,
    form TEXT,
    campaign_id INTEGER,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_org ON outcomes(org_id, region);
CREATE INDEX IF NOT EXISTS outcomes_region ON outcomes(region, status);
CREATE TABLE IF NOT EXISTS campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    region TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS campaign_partners (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    agency TEXT NOT NULL,
    PRIMARY KEY (campaign_id, agency)
);
CREATE TABLE IF NOT EXISTS campaign_targets (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    org_id TEXT NOT NULL,
    PRIMARY KEY (campaign_id, org_id)
);
CREATE INDEX IF NOT EXISTS campaign_targets_org ON campaign_targets(org_id);
CREATE TABLE IF NOT EXISTS campaign_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    region TEXT NOT NULL,
    segment TEXT NOT NULL DEFAULT '',
    form TEXT,
    owner TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL,
    next_step TEXT NOT NULL DEFAULT '',
    due TEXT,
    planned REAL,
    actual REAL,
    signed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, region, segment)
);
CREATE INDEX IF NOT EXISTS projects_region ON projects(region, stage);
CREATE TABLE IF NOT EXISTS project_credits (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id),
    introducer TEXT NOT NULL,
    kind TEXT NOT NULL,
    relations TEXT NOT NULL DEFAULT '[]',
    via TEXT,
    path TEXT NOT NULL DEFAULT '[]',
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS project_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    text TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS project_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}',
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS project_events_project ON project_events(project_id, id);
CREATE TABLE IF NOT EXISTS project_intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    op TEXT NOT NULL CHECK (op IN ('land', 'unland')),
    base_version INTEGER NOT NULL,
    change TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS project_sources (
    outcome_id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id)
);
"""


def workspace_path(settings) -> Path:
    """Where the workspace of ``settings.data_dir`` lives."""
    return Path(settings.data_dir) / "workspace.sqlite"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Outcome:
    id: int
    org: str
    region: str
    status: str
    segment: str | None
    form: str | None
    campaign: int | None
    note: str
    actor: str
    at: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    name: str
    owner: str
    partners: tuple[str, ...]
    region: str | None
    targets: tuple[str, ...]
    status: str
    note: str
    created_at: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Conflict:
    """One target claimed by open campaigns of different, uncoordinated owner agencies."""

    org: str
    agencies: tuple[str, ...]
    campaigns: tuple[int, ...]

    def as_dict(self) -> dict:
        return asdict(self)


class Workspace:
    """Outcomes and campaigns in one SQLite file (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path | str) -> Workspace:
        return cls._init(sqlitedb.connect(path, "the workspace", "工作区数据库"), str(path))

    @classmethod
    def memory(cls) -> Workspace:
        return cls._init(sqlitedb.memory(), ":memory:")

    @classmethod
    def _init(cls, conn: sqlite3.Connection, path: str) -> Workspace:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(_SCHEMA)
        return cls(conn, path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self):
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def read(self, sql: str, params=()) -> list[tuple]:
        """Rows of one parameterised query, for modules keeping their own tables here (e.g. the 六个一 lists)."""
        return self._rows(sql, params)

    # ------------------------------------------------------------ outcomes
    def record_outcome(self, org: str, region: str, status: str, *, segment: str | None = None,
                       form: str | None = None, campaign: int | None = None, note: str = "",
                       actor: str = "", at: str | None = None, conn: sqlite3.Connection | None = None) -> Outcome:
        """Append an outcome; ``conn`` joins an open :meth:`transaction`."""
        if status not in STATUSES:
            raise InvalidInput(f"unknown outcome status {status!r}; expected one of {', '.join(STATUSES)}",
                               f"未知的结果状态 {status!r}；可选：{'、'.join(STATUSES)}")
        if not org or not region:
            raise InvalidInput("an outcome needs an organisation and a region", "结果记录需要机构和地区")
        at = at or _now()
        params = (org, region, status, segment, form, campaign, note, actor, at)
        sql = ("INSERT INTO outcomes(org_id, region, status, segment, form, campaign_id, note, actor, at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        if conn is not None:
            oid = conn.execute(sql, params).lastrowid
        else:
            with self.transaction() as c:
                oid = c.execute(sql, params).lastrowid
        return Outcome(int(oid), org, region, status, segment, form, campaign, note, actor, at)

    def outcomes(self, *, org: str | None = None, region: str | None = None,
                 status: str | None = None) -> list[Outcome]:
        """Outcome history, oldest first; ``region`` includes its sub-regions."""
        where, params = [], []
        if org is not None:
            where.append("org_id = ?")
            params.append(org)
        if region is not None:
            where.append("(region = ? OR (region >= ? AND region < ?))")
            params += [region, region + "/", region + "0"]
        if status is not None:
            where.append("status = ?")
            params.append(status)
        sql = "SELECT id, org_id, region, status, segment, form, campaign_id, note, actor, at FROM outcomes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [Outcome(*r) for r in self._rows(sql + " ORDER BY id", params)]

    def current(self, region: str) -> dict[str, Outcome]:
        """The latest outcome per organisation in ``region`` (sub-regions included)."""
        out: dict[str, Outcome] = {}
        for o in self.outcomes(region=region):
            out[o.org] = o
        return out

    def landed(self, region: str) -> set[str]:
        """Organisations that landed in ``region`` or one of its sub-regions: a ``landed`` outcome, or a
        project in 投产 (:mod:`matching.projects`)."""
        rows = self._rows("SELECT org_id FROM projects WHERE stage = 'operating' AND "
                          "(region = ? OR (region >= ? AND region < ?))", (region, region + "/", region + "0"))
        return {o.org for o in self.outcomes(region=region, status="landed")} | {r[0] for r in rows}

    # ------------------------------------------------------------ campaigns
    def create_campaign(self, name: str, owner: str, targets: Iterable[str], *, partners: Iterable[str] = (),
                        region: str | None = None, note: str = "") -> Campaign:
        targets, partners = list(dict.fromkeys(targets)), list(dict.fromkeys(p for p in partners if p != owner))
        if not name.strip() or not owner.strip():
            raise InvalidInput("a campaign needs a name and an owner agency", "联合招商活动需要名称和牵头机构")
        at = _now()
        with self.transaction() as c:
            cid = c.execute("INSERT INTO campaigns(name, owner, region, note, created_at) VALUES (?, ?, ?, ?, ?)",
                            (name, owner, region, note, at)).lastrowid
            c.executemany("INSERT INTO campaign_targets(campaign_id, org_id) VALUES (?, ?)",
                          [(cid, t) for t in targets])
            c.executemany("INSERT INTO campaign_partners(campaign_id, agency) VALUES (?, ?)",
                          [(cid, p) for p in partners])
            c.execute("INSERT INTO campaign_events(campaign_id, event, detail, at) VALUES (?, 'created', ?, ?)",
                      (cid, f"owner={owner}; targets={','.join(targets)}; partners={','.join(partners)}", at))
        return self.campaign(int(cid))

    def add_targets(self, campaign_id: int, targets: Iterable[str]) -> None:
        self._add(campaign_id, "campaign_targets", "org_id", "targets_added", targets)

    def add_partners(self, campaign_id: int, agencies: Iterable[str]) -> None:
        self._add(campaign_id, "campaign_partners", "agency", "partners_added", agencies)

    def _add(self, campaign_id: int, table: str, column: str, event: str, values: Iterable[str]) -> None:
        values = list(dict.fromkeys(values))
        sql = {("campaign_targets", "org_id"): "INSERT OR IGNORE INTO campaign_targets(campaign_id, org_id) VALUES (?, ?)",
               ("campaign_partners", "agency"): "INSERT OR IGNORE INTO campaign_partners(campaign_id, agency) VALUES (?, ?)"}[
            (table, column)]
        with self.transaction() as c:
            self._require(c, campaign_id)
            c.executemany(sql, [(campaign_id, v) for v in values])
            c.execute("INSERT INTO campaign_events(campaign_id, event, detail, at) VALUES (?, ?, ?, ?)",
                      (campaign_id, event, ",".join(values), _now()))

    def close_campaign(self, campaign_id: int, note: str = "") -> None:
        with self.transaction() as c:
            self._require(c, campaign_id)
            c.execute("UPDATE campaigns SET status = 'closed' WHERE id = ?", (campaign_id,))
            c.execute("INSERT INTO campaign_events(campaign_id, event, detail, at) VALUES (?, 'closed', ?, ?)",
                      (campaign_id, note, _now()))

    @staticmethod
    def _require(conn, campaign_id: int) -> None:
        if conn.execute("SELECT 1 FROM campaigns WHERE id = ?", (campaign_id,)).fetchone() is None:
            raise NotFound("campaign", str(campaign_id))

    def campaign(self, campaign_id: int) -> Campaign:
        found = self.campaigns(ids=[campaign_id])
        if not found:
            raise NotFound("campaign", str(campaign_id))
        return found[0]

    def campaigns(self, *, status: str | None = None, ids: Iterable[int] | None = None) -> list[Campaign]:
        """Stored campaigns by id (a region's: :func:`campaigns_in`, which knows where the agencies are)."""
        where, params = [], []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if ids is not None:
            ids = list(ids)
            where.append(f"id IN ({','.join('?' * len(ids))})")
            params += ids
        sql = "SELECT id, name, owner, region, status, note, created_at FROM campaigns"
        if where:
            sql += " WHERE " + " AND ".join(where)
        out = []
        for cid, name, owner, region, st, note, at in self._rows(sql + " ORDER BY id", params):
            targets = tuple(r[0] for r in self._rows(
                "SELECT org_id FROM campaign_targets WHERE campaign_id = ? ORDER BY org_id", (cid,)))
            partners = tuple(r[0] for r in self._rows(
                "SELECT agency FROM campaign_partners WHERE campaign_id = ? ORDER BY agency", (cid,)))
            out.append(Campaign(cid, name, owner, partners, region, targets, st, note, at))
        return out

    def history(self, campaign_id: int) -> list[tuple[str, str, str]]:
        """``(at, event, detail)`` of a campaign, oldest first."""
        return [tuple(r) for r in self._rows(
            "SELECT at, event, detail FROM campaign_events WHERE campaign_id = ? ORDER BY id", (campaign_id,))]

    def conflicts(self, targets: Iterable[str] | None = None) -> list[Conflict]:
        """Targets claimed by open campaigns of different owners that do not coordinate."""
        return find_conflicts(self.campaigns(status="open"), targets)


def in_region(campaign: Campaign, region: str, agency_region) -> bool:
    """Whether ``campaign`` belongs to ``region`` (an id): it recruits for the region or a place inside it, or
    its owner or one of its partner agencies sits there (``agency_region``: agency id → region id). A campaign
    stored without a region (``campaign create`` without ``--region``) thus belongs where its agencies work,
    and adding a partner agency brings the campaign into that agency's region too.

    >>> c = Campaign(1, "XR", "agency:nanshan", ("agency:futian",), None, ("org:t",), "open", "", "")
    >>> where = {"agency:nanshan": "cn/gd/sz/nanshan", "agency:futian": "cn/gd/sz/futian"}
    >>> [in_region(c, r, where) for r in ("cn/gd/sz", "cn/gd/sz/nanshan", "cn/gd/sz/futian", "cn/gd/sz/luohu")]
    [True, True, True, False]
    >>> in_region(Campaign(2, "x", "agency:x", (), "cn/gd/sz", (), "open", "", ""), "cn/gd/sz/luohu", where)
    False
    """
    from graph.analysis.common import is_local

    return is_local(campaign.region, region) or any(
        is_local(agency_region.get(a), region) for a in (campaign.owner, *campaign.partners))


def campaigns_in(ws: Workspace, store, *, status: str | None = None, region: str | None = None) -> list[Campaign]:
    """The stored campaigns (``status``: open or closed) that belong to ``region`` (see :func:`in_region`; the
    agencies' regions read from ``store``); all of them without a region. ``GET /campaigns`` and ``chainmatch
    campaign list`` both answer with this."""
    found = ws.campaigns(status=status)
    if region is None:
        return found
    agencies = {a for c in found for a in (c.owner, *c.partners)}
    where = {o.id: o.region for o in store.organisations(ids=agencies)} if agencies else {}
    return [c for c in found if in_region(c, region, where)]


def find_conflicts(campaigns: Iterable[Campaign], targets: Iterable[str] | None = None) -> list[Conflict]:
    """Pure conflict detection over campaigns (see :class:`Conflict`)."""
    wanted = set(targets) if targets is not None else None
    by_org: dict[str, list[Campaign]] = {}
    for c in campaigns:
        if c.status != "open":
            continue
        for t in c.targets:
            if wanted is None or t in wanted:
                by_org.setdefault(t, []).append(c)
    out = []
    for org, cs in sorted(by_org.items()):
        clash = set()
        for i, a in enumerate(cs):
            for b in cs[i + 1:]:
                if a.owner != b.owner and a.owner not in b.partners and b.owner not in a.partners:
                    clash |= {a.id, b.id}
        if clash:
            chosen = [c for c in cs if c.id in clash]
            out.append(Conflict(org, tuple(sorted({c.owner for c in chosen})), tuple(sorted(clash))))
    return out
