"""The project pipeline (招商项目台账) in the workspace: create, move, note, read, history, statistics.

One project per firm × region × segment: a second ``create`` is refused
with :class:`~graph.errors.Conflict` naming the first (``project 3``), also
when one region lies inside the other (南山区 in 深圳市: the district's project
is the city's, counted once). Every
change is one workspace transaction that bumps the project's ``version``
and appends one history row (who, when, each field ``[before, after]``); a
write given ``expect_version`` that is no longer current is refused
(someone else changed the project first). The introducer credited is the
first registered: a different one later is refused, naming the first; its
tie path to the firm comes from :mod:`matching.recommend.introducers`
(``tie``, given by the engine room), and an organisation with no tie is
refused. Moves into and out of 投产 write the firm's site into the graph
crash-consistently (:mod:`matching.projects.landing`). Ids are resolved by
the callers (:mod:`graph.resolve`); investment figures are in 万元.

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.store.sqlite import SqliteStore
>>> from matching.workspace import Workspace
>>> store, ws = SqliteStore.memory(), Workspace.memory()
>>> _ = store.write(load_world()[0])
>>> book = ProjectBook(ws, store, today="2026-06-01")
>>> p = book.create("org:f1561", "cn/guangdong/shenzhen/nanshan", "seg:game_engine", owner="org:a001",
...                 form="rd_centre", due="2026-05-31", next_step="拜访", actor="key:1")
>>> p.stage_zh, p.overdue, p.version
('线索', True, 1)
>>> book.create("org:f1561", "cn/guangdong/shenzhen/nanshan", "seg:game_engine", owner="org:a002")
Traceback (most recent call last):
...
graph.errors.Conflict: project 1 already exists for Lumen Kindred Technology Co., Ltd. × Nanshan, Shenzhen × Game engines: see project 1 (/projects/1)
>>> p = book.move(p.id, "签约", planned=5000.0, actor="key:1")
>>> p.stage, p.signed_at[:4] > "2000", p.version, [e.action for e in book.history(p.id)]
('signed', True, 2, ['created', 'moved'])
>>> p = book.move(p.id, "投产", actual=1200.0)
>>> store.organisation("org:f1561").sites[-1].landed, ws.landed("cn/guangdong/shenzhen")
(True, {'org:f1561'})
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from graph.errors import Conflict, InvalidInput, NotFound
from matching.projects import landing
from matching.projects.model import Credit, Event, MonthRow, Note, Project, ProjectStats
from matching.projects.stages import (
    LANDING,
    OUTCOME_STAGE,
    STAGES,
    is_overdue,
    is_signed,
    rank,
    resolve_stage,
)
from matching.workspace import Workspace

__all__ = ["ProjectBook", "chain_segments", "FORMS", "MAX_NOTE", "MAX_STEP", "MAX_INVESTMENT"]

FORMS = ("headquarters", "regional_hq", "rd_centre", "production_base")
MAX_NOTE = 2000
MAX_STEP = 500
#: the largest investment figure accepted, in 万元 (a hundred trillion yuan)
MAX_INVESTMENT = 1e10

_COLUMNS = ("id, org_id, region, segment, form, owner, stage, next_step, due, planned, actual, signed_at, "
            "created_at, updated_at, version")
#: a changeable field and its column: the only names ever put into SQL here
_SETTABLE = {"stage": "stage", "next_step": "next_step", "due": "due", "planned": "planned", "actual": "actual",
             "owner": "owner", "signed_at": "signed_at"}

Tie = Callable[[str, str, str], Credit | None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _bad(field: str, en: str, zh: str) -> InvalidInput:
    err = InvalidInput(f"{field}: {en}", f"{field}：{zh}")
    err.field = field
    return err


def _due(value: str | None, field: str = "due") -> str | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _bad(field, f"not a calendar date (YYYY-MM-DD): {value!r}",
                   f"不是有效日期（YYYY-MM-DD）：{value!r}") from None


def _money(value, field: str) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise _bad(field, f"not a number: {value!r}", f"不是数字：{value!r}") from None
    if not math.isfinite(x) or x < 0 or x > MAX_INVESTMENT:
        raise _bad(field, f"an investment in 万元 between 0 and {MAX_INVESTMENT:g}: {value!r}",
                   f"投资额（万元）应在 0 到 {MAX_INVESTMENT:g} 之间：{value!r}")
    return x


def _text(value: str, field: str, limit: int) -> str:
    value = "" if value is None else str(value)
    if len(value) > limit:
        raise _bad(field, f"longer than {limit} characters", f"超过 {limit} 个字符")
    return value


class ProjectBook:
    """The projects of one workspace, with the graph store their landings write to (module docstring).

    ``tie(firm, region, introducer)`` gives the introducer's tie to the firm
    (None: no tie); ``today`` (``YYYY-MM-DD``, default the UTC date) is what
    ``overdue`` is judged against.
    """

    def __init__(self, ws: Workspace, store, *, tie: Tie | None = None, today: str | None = None):
        self.ws, self.store, self._tie, self._today = ws, store, tie, today

    @property
    def today(self) -> str:
        return self._today or datetime.now(UTC).date().isoformat()

    # ------------------------------------------------------------ reads
    def get(self, project_id: int) -> Project:
        found = self._load("WHERE id = ?", (project_id,))
        if not found:
            raise NotFound("project", str(project_id))
        return found[0]

    def find(self, org: str, region: str, segment: str | None) -> Project | None:
        """The project of this firm × region × segment, if any."""
        found = self._load("WHERE org_id = ? AND region = ? AND segment = ?", (org, region, segment or ""))
        return found[0] if found else None

    def projects(self, *, region: str | None = None, owner: str | None = None, stage: str | None = None,
                 org: str | None = None, segments: Iterable[str] | None = None,
                 overdue: bool | None = None) -> list[Project]:
        """Projects, oldest first; ``region`` includes its sub-regions, ``segments`` keeps those of a chain."""
        where, params = [], []
        if region is not None:
            where.append("(region = ? OR (region >= ? AND region < ?))")
            params += [region, region + "/", region + "0"]
        for column, value in (("owner", owner), ("org_id", org),
                              ("stage", resolve_stage(stage) if stage is not None else None)):
            if value is not None:
                where.append(f"{column} = ?")  # column from the tuple above, never from input
                params.append(value)
        found = self._load(("WHERE " + " AND ".join(where)) if where else "", params)
        if segments is not None:
            wanted = set(segments)
            found = [p for p in found if p.segment in wanted]
        if overdue is not None:
            found = [p for p in found if p.overdue == overdue]
        return found

    def history(self, project_id: int) -> list[Event]:
        """Every change of a project, oldest first."""
        self.get(project_id)
        return [Event(v, a, json.loads(c), who, at) for v, a, c, who, at in self.ws.read(
            "SELECT version, action, changes, actor, at FROM project_events WHERE project_id = ? ORDER BY id",
            (project_id,))]

    def stats(self, *, region: str | None = None, owner: str | None = None,
              segments: Iterable[str] | None = None) -> ProjectStats:
        """Projects per stage, overdue, and per month: created, signed with their planned investment, landed."""
        found = self.projects(region=region, owner=owner, segments=segments)
        by_stage = {s: 0 for s in STAGES}
        months: dict[str, list] = {}

        def month(m: str) -> list:
            return months.setdefault(m, [0, 0, 0.0, 0])

        ids = {p.id for p in found}
        for p in found:
            by_stage[p.stage] += 1
            month(p.created_at[:7])[0] += 1
            if p.signed_at:
                row = month(p.signed_at[:7])
                row[1] += 1
                row[2] += p.planned or 0.0
        landed_at: dict[int, str] = {}
        for pid, changes, at in self.ws.read("SELECT project_id, changes, at FROM project_events ORDER BY id"):
            stage = json.loads(changes).get("stage")
            if pid in ids and pid not in landed_at and stage and stage[1] == LANDING:
                landed_at[pid] = at
        for at in landed_at.values():
            month(at[:7])[3] += 1
        rows = tuple(MonthRow(m, c, s, round(inv, 4), la) for m, (c, s, inv, la) in sorted(months.items()))
        return ProjectStats(len(found), by_stage, sum(p.overdue for p in found), rows)

    # ------------------------------------------------------------ writes
    def create(self, org: str, region: str, segment: str | None, *, owner: str, form: str | None = None,
               stage: str = "lead", next_step: str = "", due: str | None = None, planned: float | None = None,
               actual: float | None = None, introducer: str | None = None, note: str = "",
               actor: str = "") -> Project:
        """A new project; refused (:class:`Conflict`, naming it) when the firm × region × segment has one.

        A project starts before 投产 (move it there to land it, so its site is written).
        """
        self.recover()
        self.store.organisation(org)  # NotFound for an unknown firm
        stage = resolve_stage(stage)
        if stage == LANDING:
            raise _bad("stage", "a project starts before 投产: create it, then move it to 投产 (which writes "
                       "its site)", "项目须在投产之前创建：先创建，再推进到投产（写入落地站点）")
        if form is not None and form not in FORMS:
            raise _bad("form", f"unknown attraction form {form!r}; expected one of {', '.join(FORMS)}",
                       f"未知的招商形式 {form!r}")
        if not (owner or "").strip():
            raise _bad("owner", "a project needs an owner agency", "项目需要牵头机构")
        fields = {"next_step": _text(next_step, "next_step", MAX_STEP), "due": _due(due),
                  "planned": _money(planned, "planned"), "actual": _money(actual, "actual")}
        note = _text(note, "note", MAX_NOTE)
        self._refuse_duplicate(org, region, segment)
        credit = self._credit(org, region, introducer, actor) if introducer else None
        at = _now()
        signed_at = at if is_signed(stage) else None
        with self.ws.transaction() as c:
            self._refuse_duplicate(org, region, segment, c)
            pid = int(c.execute(
                "INSERT INTO projects(org_id, region, segment, form, owner, stage, next_step, due, planned, actual, "
                "signed_at, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (org, region, segment or "", form, owner, stage, fields["next_step"], fields["due"],
                 fields["planned"], fields["actual"], signed_at, at, at)).lastrowid)
            changes = {"org": [None, org], "region": [None, region], "segment": [None, segment], "form": [None, form],
                       "owner": [None, owner], "stage": [None, stage]} | {
                k: [None, v] for k, v in fields.items() if v not in (None, "")}
            if credit:
                self._insert_credit(c, pid, credit)
                changes["introducer"] = [None, credit.org]
            if note:
                c.execute("INSERT INTO project_notes(project_id, text, actor, at) VALUES (?, ?, ?, ?)",
                          (pid, note, actor, at))
                changes["note"] = [None, note]
            self._event(c, pid, 1, "created", changes, actor, at)
        return self.get(pid)

    def move(self, project_id: int, stage: str | None = None, *, next_step: str | None = None,
             due: str | None = None, planned: float | None = None, actual: float | None = None,
             introducer: str | None = None, expect_version: int | None = None, actor: str = "") -> Project:
        """Move a project to ``stage`` and/or change its next step, due date (``""`` clears it), investment or
        credited introducer; nothing given that differs: the project unchanged (no new version).

        Entering or leaving 投产 writes or removes the site in the graph (:mod:`matching.projects.landing`).
        """
        self.recover()
        cur = self.get(project_id)
        self._check_version(cur, expect_version)
        change: dict[str, list] = {}
        if stage is not None and (new := resolve_stage(stage)) != cur.stage:
            change["stage"] = [cur.stage, new]
            if is_signed(new) and not cur.signed_at:
                change["signed_at"] = [None, "now"]
        if next_step is not None and (v := _text(next_step, "next_step", MAX_STEP)) != cur.next_step:
            change["next_step"] = [cur.next_step, v]
        if due is not None and (v := _due(due)) != cur.due:
            change["due"] = [cur.due, v]
        for name, value in (("planned", planned), ("actual", actual)):
            if value is not None and (v := _money(value, name)) != getattr(cur, name):
                change[name] = [getattr(cur, name), v]
        credit = None
        if introducer is not None and (cur.introducer is None or cur.introducer.org != introducer):
            self._refuse_second_credit(cur, introducer)
            credit = self._credit(cur.org, cur.region, introducer, actor)
            change["introducer"] = [None, credit.org]
        if not change:
            return cur
        at = _now()
        if "signed_at" in change:
            change["signed_at"][1] = at
        op = None
        if "stage" in change and LANDING in change["stage"]:
            op = "land" if change["stage"][1] == LANDING else "unland"
        with self.ws.transaction() as c:
            self._check_version(cur, cur.version, now := self._row_version(c, project_id))  # changed meanwhile?
            self._refuse_pending(c, project_id)
            if credit is not None:
                self._refuse_second_credit(cur, introducer, c)
            payload = {"change": change, "credit": _credit_dict(credit) if credit else None}
            if op is None:
                self._apply(c, project_id, payload, actor, at)
                return self.get(project_id)
            intent = int(c.execute("INSERT INTO project_intents(project_id, op, base_version, change, actor, at) "
                                   "VALUES (?, ?, ?, ?, ?, ?)",
                                   (project_id, op, now, json.dumps(payload, ensure_ascii=False), actor, at)).lastrowid)
        self._replay(intent)  # steps 2 and 3 (matching.projects.landing)
        return self.get(project_id)

    def note(self, project_id: int, text: str, *, expect_version: int | None = None, actor: str = "") -> Project:
        """Add a note (a new version, a history row)."""
        self.recover()
        text = _text(text, "text", MAX_NOTE)
        if not text.strip():
            raise _bad("text", "an empty note", "备注为空")
        cur = self.get(project_id)
        self._check_version(cur, expect_version)
        at = _now()
        with self.ws.transaction() as c:
            self._check_version(cur, cur.version, now := self._row_version(c, project_id))  # changed meanwhile?
            self._refuse_pending(c, project_id)
            c.execute("INSERT INTO project_notes(project_id, text, actor, at) VALUES (?, ?, ?, ?)",
                      (project_id, text, actor, at))
            c.execute("UPDATE projects SET version = version + 1, updated_at = ? WHERE id = ?", (at, project_id))
            self._event(c, project_id, now + 1, "noted", {"note": [None, text]}, actor, at)
        return self.get(project_id)

    # ------------------------------------------------------------ landing: replay on open
    def recover(self) -> int:
        """Finish (or roll back) every landing a crash interrupted; how many intents were settled.

        Cheap when there is nothing to do (one read); called by every write
        and by the engine room when it opens the book.
        """
        pending = self.ws.read("SELECT id FROM project_intents ORDER BY id")
        for (intent,) in pending:
            self._replay(intent)
        return len(pending)

    def _replay(self, intent: int) -> None:
        rows = self.ws.read("SELECT project_id, op, change, actor, at FROM project_intents WHERE id = ?", (intent,))
        if not rows:
            return  # settled by another process meanwhile
        pid, op, payload, actor, at = rows[0]
        p = self.get(pid)
        try:
            landing.write_site(self.store, p.org, p.region, p.form, op, pid, at[:10])  # step 2, idempotent
        except NotFound:  # the firm left the graph: nothing to land; roll the intent back
            with self.ws.transaction() as c:
                if c.execute("DELETE FROM project_intents WHERE id = ?", (intent,)).rowcount:
                    v = self._row_version(c, pid) + 1
                    c.execute("UPDATE projects SET version = ?, updated_at = ? WHERE id = ?", (v, _now(), pid))
                    self._event(c, pid, v, "rolled_back", {"stage": json.loads(payload)["change"]["stage"]},
                                actor, _now())
            return
        with self.ws.transaction() as c:  # step 3, once
            if c.execute("DELETE FROM project_intents WHERE id = ?", (intent,)).rowcount:
                self._apply(c, pid, json.loads(payload), actor, at)

    # ------------------------------------------------------------ migration of outcomes
    def migrate(self) -> int:
        """Fold outcomes not yet migrated into projects (one per firm × region × segment); how many.

        An outcome's status becomes a stage (:data:`~matching.projects.stages.OUTCOME_STAGE`: landed → 投产,
        whose site the outcome already wrote). A later outcome moves its project forward only (or to 终止
        when rejected, never out of 投产); it is always a history row (``migrated``, naming the outcome).
        The owner agency is the outcome's campaign's owner when it names one.
        """
        done = self.ws.read("SELECT MAX(outcome_id) FROM project_sources")[0][0] or 0
        rows = self.ws.read("SELECT o.id, o.org_id, o.region, o.status, o.segment, o.form, o.note, o.actor, o.at, "
                            "c.owner FROM outcomes o LEFT JOIN campaigns c ON c.id = o.campaign_id WHERE o.id > ? "
                            "ORDER BY o.id", (done,))
        for oid, org, region, status, segment, form, note, actor, at, owner in rows:
            stage = OUTCOME_STAGE[status]
            with self.ws.transaction() as c:
                if c.execute("SELECT 1 FROM project_sources WHERE outcome_id = ?", (oid,)).fetchone():
                    continue  # migrated by another process meanwhile
                found = c.execute("SELECT id, stage, version, form, signed_at FROM projects WHERE org_id = ? AND "
                                  "region = ? AND segment = ?", (org, region, segment or "")).fetchone()
                changes: dict = {"outcome": [None, oid]}
                if found is None:
                    pid = int(c.execute(
                        "INSERT INTO projects(org_id, region, segment, form, owner, stage, signed_at, created_at, "
                        "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                        (org, region, segment or "", form, owner or "", stage, at if is_signed(stage) else None,
                         at, at)).lastrowid)
                    version = 1
                    changes |= {"org": [None, org], "region": [None, region], "segment": [None, segment],
                                "form": [None, form], "owner": [None, owner or ""], "stage": [None, stage]}
                else:
                    pid, cur, version, cur_form, signed_at = found
                    version += 1
                    forward = cur != LANDING and (stage in (LANDING, "terminated") or rank(stage) > rank(cur))
                    new = stage if forward else cur
                    if new != cur:
                        changes["stage"] = [cur, new]
                    c.execute("UPDATE projects SET stage = ?, form = COALESCE(form, ?), signed_at = ?, updated_at = ?, "
                              "version = ? WHERE id = ?",
                              (new, form, signed_at or (at if is_signed(new) else None), at, version, pid))
                if note:
                    c.execute("INSERT INTO project_notes(project_id, text, actor, at) VALUES (?, ?, ?, ?)",
                              (pid, note, actor, at))
                    changes["note"] = [None, note]
                c.execute("INSERT INTO project_sources(outcome_id, project_id) VALUES (?, ?)", (oid, pid))
                self._event(c, pid, version, "migrated", changes, actor, at)
        return len(rows)

    # ------------------------------------------------------------ internals
    def _apply(self, c, pid: int, payload: dict, actor: str, at: str) -> None:
        """Apply a change (field → [before, after]) and its history row, inside the caller's transaction."""
        change = payload["change"]
        fields = [k for k in change if k in _SETTABLE]
        sets = [f"{_SETTABLE[k]} = ?" for k in fields]  # column names from _SETTABLE only
        version = self._row_version(c, pid) + 1
        c.execute(f"UPDATE projects SET {', '.join(sets + ['version = ?', 'updated_at = ?'])} WHERE id = ?",  # noqa: S608 - columns from _SETTABLE, values are parameters
                  [change[k][1] for k in fields] + [version, at, pid])
        if payload.get("credit"):
            self._insert_credit(c, pid, _credit_of(payload["credit"]))
        action = "moved" if "stage" in change else "credited" if set(change) == {"introducer"} else "updated"
        self._event(c, pid, version, action, change, actor, at)

    @staticmethod
    def _event(c, pid: int, version: int, action: str, changes: dict, actor: str, at: str) -> None:
        c.execute("INSERT INTO project_events(project_id, version, action, changes, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
                  (pid, version, action, json.dumps(changes, ensure_ascii=False), actor, at))

    @staticmethod
    def _row_version(c, pid: int) -> int:
        row = c.execute("SELECT version FROM projects WHERE id = ?", (pid,)).fetchone()
        if row is None:
            raise NotFound("project", str(pid))
        return int(row[0])

    @staticmethod
    def _check_version(cur: Project, expected: int | None, now: int | None = None) -> None:
        now = cur.version if now is None else now
        if expected is not None and expected != now:
            raise Conflict(f"project {cur.id} is at version {now}, not {expected}: it changed meanwhile; read it "
                           f"again", f"项目 {cur.id} 当前为第 {now} 版而非第 {expected} 版：已被他人修改，请重新读取")

    @staticmethod
    def _refuse_pending(c, pid: int) -> None:
        if c.execute("SELECT 1 FROM project_intents WHERE project_id = ?", (pid,)).fetchone():
            raise Conflict(f"project {pid} is being landed by another request; try again",
                           f"项目 {pid} 正在由另一请求办理落地，请稍后重试")

    def _refuse_duplicate(self, org: str, region: str, segment: str | None, c=None) -> None:
        """Refuse a second project of the firm and segment in the region, a region inside it or one around it
        (a district's project and its city's are one project: counted once)."""
        sql, params = "SELECT id, region FROM projects WHERE org_id = ? AND segment = ? ORDER BY id", (org, segment or "")
        rows = c.execute(sql, params).fetchall() if c is not None else self.ws.read(sql, params)
        for pid, other in rows:
            if other == region or other.startswith(region + "/") or region.startswith(other + "/"):
                from graph.display import Names

                zh, en = Names(self.store, "zh"), Names(self.store, "en")
                seg_zh, seg_en = (zh.of(segment), en.of(segment)) if segment else ("-", "-")
                # the firm by name (no ids shown to people); the pointer is the first project's number and path
                err = Conflict(f"project {pid} already exists for {en.org(org)} × {en.region(other)} × "
                               f"{seg_en}: see project {pid} (/projects/{pid})",
                               f"{zh.org(org)}在{zh.region(other)}的{seg_zh}环节已有项目 {pid}：见项目 "
                               f"{pid}（/projects/{pid}）")
                err.field, err.existing = "org", pid  # the firm already has a project here
                raise err

    def _refuse_second_credit(self, cur: Project, introducer: str, c=None) -> None:
        if c is not None:
            row = c.execute("SELECT introducer FROM project_credits WHERE project_id = ?", (cur.id,)).fetchone()
            first = row[0] if row else None
        else:
            first = cur.introducer.org if cur.introducer else None
        if first is not None and first != introducer:
            err = Conflict(f"project {cur.id} already credits {first}, registered first; {introducer} is not "
                           f"credited (first registered wins)",
                           f"项目 {cur.id} 已登记引荐方 {first}（先登记者得）；{introducer} 不予登记")
            err.field = "introducer"
            raise err

    def _credit(self, org: str, region: str, introducer: str, actor: str) -> Credit:
        if introducer == org:
            raise _bad("introducer", "a firm cannot introduce itself", "企业不能引荐自己")
        self.store.organisation(introducer)  # NotFound for an unknown organisation
        found = self._tie(org, region, introducer) if self._tie else None
        if found is None:
            raise _bad("introducer", f"{introducer} has no tie (direct or two-hop) to {org} among the local "
                       f"organisations of {region}; record the tie first",
                       f"{introducer} 与 {org} 在 {region} 无直接或二度关联，请先登记关联关系")
        return Credit(introducer, found.kind, tuple(found.relations), found.via, tuple(found.path), actor, _now())

    @staticmethod
    def _insert_credit(c, pid: int, credit: Credit) -> None:
        c.execute("INSERT INTO project_credits(project_id, introducer, kind, relations, via, path, actor, at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (pid, credit.org, credit.kind, json.dumps(list(credit.relations)), credit.via,
                   json.dumps(list(credit.path)), credit.actor, credit.at))

    def _load(self, where: str, params) -> list[Project]:
        rows = self.ws.read(f"SELECT {_COLUMNS} FROM projects {where} ORDER BY id", params)  # noqa: S608 - where: constant clauses, values are parameters
        if not rows:
            return []
        credits: dict[int, Credit] = {}
        notes: dict[int, list] = {}
        ids = [r[0] for r in rows]
        for i in range(0, len(ids), 500):  # bounded parameter lists
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.ws.read("SELECT project_id, introducer, kind, relations, via, path, actor, at FROM "  # noqa: S608 - placeholders only
                                  f"project_credits WHERE project_id IN ({marks})", chunk):
                credits[r[0]] = Credit(r[1], r[2], tuple(json.loads(r[3])), r[4], tuple(json.loads(r[5])), r[6], r[7])
            for pid, nid, text, actor, at in self.ws.read("SELECT project_id, id, text, actor, at FROM project_notes "  # noqa: S608 - placeholders only
                                                          f"WHERE project_id IN ({marks}) ORDER BY id", chunk):
                notes.setdefault(pid, []).append(Note(nid, text, actor, at))
        pending = {r[0] for r in self.ws.read("SELECT project_id FROM project_intents")}
        today = self.today
        return [Project(pid, org, region, segment or None, form, owner, stage, step, due, planned, actual, signed,
                        credits.get(pid), tuple(notes.get(pid, ())), is_overdue(stage, due, today), pid in pending,
                        c_at, u_at, version)
                for pid, org, region, segment, form, owner, stage, step, due, planned, actual, signed, c_at, u_at,
                version in rows]


def _credit_dict(credit: Credit) -> dict:
    return {"org": credit.org, "kind": credit.kind, "relations": list(credit.relations), "via": credit.via,
            "path": list(credit.path), "actor": credit.actor, "at": credit.at}


def _credit_of(d: dict) -> Credit:
    return Credit(d["org"], d["kind"], tuple(d["relations"]), d["via"], tuple(d["path"]), d["actor"], d["at"])


def chain_segments(store, chain: str | None, *, field: str = "chain") -> tuple[str, ...] | None:
    """The segment ids of a chain named by id or name (None: every chain), for the ``chain`` filters.

    >>> from graph.store.sqlite import SqliteStore
    >>> chain_segments(SqliteStore.memory(), "全部") is None
    True
    """
    from graph.resolve import chain_filter

    chains = store.chains()
    cid = chain_filter(chain, chains, field=field)
    return None if cid is None else next(c.segments for c in chains if c.id == cid)
