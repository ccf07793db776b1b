"""The six 六个一 lists as editable data, kept in the workspace's SQLite file.

A list is ``(kind, region, chain)``; ``chain`` is ``None`` (stored ``""``) for
the list of every chain — the one key every caller uses ("all", "全部" and an
absent chain all resolve to it, :func:`graph.resolve.chain_filter`).

**The region view.** Reads with ``every_chain=True`` (what ``lists show``,
``export``, ``GET /lists`` … do when no chain is given) cover every list of
the kind in the region: the every-chain list and each chain-scoped one, each
entry naming its ``chain``. Writes without a chain go to the every-chain
list; an import into the region view edits each row's entry (by 编号) in
whichever of the region's lists holds it, and adds the other rows to the
every-chain list.
Its entries live in the table ``list_entries`` of the workspace
(:class:`~matching.workspace.Workspace`, whose connection and
transactions this module reuses). An entry has a subject (an organisation id)
or a title, typed fields (:mod:`~matching.worklists.kinds`), a note, an
``origin`` (``generated`` or ``curated``) and a ``hidden`` flag.

**The regeneration rule.** :meth:`ListStore.regenerate` replaces only the
*generated* entries of a list. An entry added by hand, a generated entry
edited by hand (editing makes it ``curated``) and an entry hidden by hand
(hiding makes it ``curated`` too) are never overwritten, never re-added
while hidden and never deleted. A draft whose subject (or title) matches a
curated entry is skipped.

**Versions.** Every write appends to ``list_events`` (what changed, before
and after, who, when) under ONE version number, however many entries it
touches (a regeneration of 20 entries is one version); versions increase
over the whole workspace. An entry's ``version`` is that of the last write
that touched it, a list's version the largest. Every write is one
transaction; bad input raises :class:`~graph.errors.InvalidInput` naming
the field (or file row) and writes nothing. SQL takes parameters only.

Examples
--------
>>> ls = ListStore.memory()
>>> SZ = "cn/guangdong/shenzhen"
>>> r = ls.regenerate("key_firms", SZ, None, [Draft("org:a", "甲", {"score": 2.0}), Draft("org:b", "乙")])
>>> (r.added, r.removed), [e.subject for e in ls.entries("key_firms", SZ)]
((2, 0), ['org:a', 'org:b'])
>>> e = ls.edit(ls.entries("key_firms", SZ)[0].id, note="重点走访")
>>> e.origin, ls.hide(ls.entries("key_firms", SZ)[1].id).hidden
('curated', True)
>>> r = ls.regenerate("key_firms", SZ, None, [Draft("org:b", "乙"), Draft("org:c", "丙")])
>>> [(e.subject, e.origin, e.hidden, e.note) for e in ls.entries("key_firms", SZ, hidden=None)]
[('org:a', 'curated', False, '重点走访'), ('org:b', 'curated', True, ''), ('org:c', 'generated', False, '')]
>>> ls.add("policies", SZ, None, Draft(None, "=cmd|' /C calc'!A0"))
Traceback (most recent call last):
...
graph.errors.InvalidInput: policies entry: title: looks like a spreadsheet formula; refused to protect spreadsheet users
  entry [title]: looks like a spreadsheet formula; refused to protect spreadsheet users
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from graph.errors import InvalidInput, NotFound, Problem
from matching.worklists.entries import (
    Draft,
    Entry,
    ImportResult,
    ImportRow,
    RegenResult,
    check_draft,
    entry_key,
    invalid,
    snapshot,
)
from matching.worklists.kinds import KINDS, resolve_kind
from matching.workspace import Workspace

#: the entry types, importable from here too
__all__ = ["ListStore", "Entry", "Draft", "RegenResult", "ImportRow", "ImportResult", "entry_key", "check_draft"]

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS list_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        region TEXT NOT NULL,
        chain TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL,
        subject TEXT,
        title TEXT NOT NULL DEFAULT '',
        fields TEXT NOT NULL DEFAULT '{}',
        origin TEXT NOT NULL CHECK (origin IN ('generated', 'curated')),
        hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
        note TEXT NOT NULL DEFAULT '',
        rank INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        UNIQUE (kind, region, chain, key))""",
    """CREATE TABLE IF NOT EXISTS list_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        region TEXT NOT NULL,
        chain TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        version INTEGER)""",
    "CREATE INDEX IF NOT EXISTS list_events_list ON list_events(kind, region, chain, id)",
)
#: a workspace written before versions were per write: each old event keeps its id as its version
_MIGRATE = ("ALTER TABLE list_events ADD COLUMN version INTEGER",
            "UPDATE list_events SET version = id WHERE version IS NULL")
_SELECT = ("SELECT id, kind, region, chain, subject, title, fields, origin, hidden, note, rank, created_at, updated_at, "
           "version FROM list_entries")
_SELECT_KEYED = ("SELECT id, kind, region, chain, subject, title, fields, origin, hidden, note, rank, created_at, "
                 "updated_at, version, key FROM list_entries WHERE kind = ? AND region = ? AND chain = ?")
_ORDER = " ORDER BY rank IS NULL, rank, id"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _Write:
    """The one version of a write transaction, taken from the workspace on first use."""

    def __init__(self, c):
        self.c, self.v = c, None

    def __call__(self) -> int:
        if self.v is None:
            row = self.c.execute("SELECT version FROM list_events ORDER BY id DESC LIMIT 1").fetchone()
            self.v = int(row[0] or 0) + 1 if row else 1
        return self.v


def _scope(region: str, chain: str | None, every_chain: bool) -> tuple[str, list]:
    """The WHERE clause (kind first) of one list, or of the region view."""
    if every_chain:
        return "kind = ? AND region = ?", [region]
    return "kind = ? AND region = ? AND chain = ?", [region, chain or ""]


def _entry(row) -> Entry:
    eid, kind, region, chain, subject, title, fields, origin, hidden, note, rank, c_at, u_at, version = row
    return Entry(eid, kind, region, chain or None, subject, title, json.loads(fields), origin, bool(hidden), note,
                 rank, c_at, u_at, version)


class ListStore:
    """The lists in a :class:`Workspace` (see the module docstring)."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        tables = ws.read("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('list_entries', "
                         "'list_events')")  # a read per request; the write lock only the first time
        if len(tables) < 2 or "version" not in dict(tables)["list_events"]:
            with ws.transaction() as c:
                for statement in _SCHEMA:
                    c.execute(statement)
                if "version" not in c.execute("SELECT sql FROM sqlite_master WHERE name = 'list_events'"
                                              ).fetchone()[0]:
                    for statement in _MIGRATE:
                        c.execute(statement)

    @classmethod
    def memory(cls) -> ListStore:
        return cls(Workspace.memory())

    # ------------------------------------------------------------ reads
    def entries(self, kind: str, region: str, chain: str | None = None, *, hidden: bool | None = False,
                every_chain: bool = False) -> list[Entry]:
        """The list's entries in rank order (generated by rank, then the rest as added).

        ``hidden``: ``False`` visible only, ``True`` hidden only, ``None`` both.
        ``every_chain``: the region view — every list of the kind in the
        region, the every-chain list first, then by chain id.
        """
        where, params = _scope(region, chain, every_chain)
        sql = _SELECT + " WHERE " + where
        params = [resolve_kind(kind), *params]
        if hidden is not None:
            sql += " AND hidden = ?"
            params.append(int(hidden))
        return [_entry(r) for r in self.ws.read(sql + (" ORDER BY chain, rank IS NULL, rank, id" if every_chain
                                                        else _ORDER), params)]

    def entry(self, entry_id: int) -> Entry:
        rows = self.ws.read(_SELECT + " WHERE id = ?", (entry_id,))
        if not rows:
            raise NotFound("list entry", str(entry_id))
        return _entry(rows[0])

    def version(self, kind: str, region: str, chain: str | None = None, *, every_chain: bool = False) -> int:
        """The list's version: that of its last write (0 before any); the region view's: the largest."""
        where, params = _scope(region, chain, every_chain)
        sql = "SELECT MAX(version) FROM list_events WHERE " + where  # noqa: S608 - constant clauses (_scope), values are parameters
        rows = self.ws.read(sql, [resolve_kind(kind), *params])
        return int(rows[0][0] or 0)

    def summary(self, region: str, chain: str | None = None, *, every_chain: bool = False) -> list[dict]:
        """Per kind: entries shown, hidden, generated, curated, the version, and the chains holding entries.

        ``chains`` lists the chain scopes with entries (``None``: the every-chain list).
        """
        where, params = _scope(region, chain, every_chain)
        sql = ("SELECT kind, chain, origin, hidden, COUNT(*) FROM list_entries WHERE "  # noqa: S608 - constant clauses (_scope), values are parameters
               + where.removeprefix("kind = ? AND ") + " GROUP BY kind, chain, origin, hidden")
        rows = self.ws.read(sql, params)
        out = []
        for k, spec in KINDS.items():
            def n(origin=None, hidden=None, k=k):
                return sum(v for kk, _c, o, h, v in rows if kk == k and origin in (None, o) and hidden in (None, h))
            out.append({"kind": k, "name_zh": spec.zh, "name_en": spec.en, "region": region, "chain": chain or None,
                        "generated_kind": spec.generated, "shown": n(hidden=0), "hidden": n(hidden=1),
                        "generated": n("generated"), "curated": n("curated"),
                        "version": self.version(k, region, chain, every_chain=every_chain),
                        "chains": sorted({c or None for kk, c, *_ in rows if kk == k}, key=lambda c: c or "")})
        return out

    def history(self, kind: str, region: str, chain: str | None = None, *, every_chain: bool = False) -> list[dict]:
        """Every write to the list, oldest first: ``{version, entry, chain, action, detail, actor, at}``."""
        where, params = _scope(region, chain, every_chain)
        sql = "SELECT version, entry_id, chain, action, detail, actor, at FROM list_events WHERE " + where  # noqa: S608 - constant clauses (_scope), values are parameters
        rows = self.ws.read(sql + " ORDER BY id", [resolve_kind(kind), *params])
        return [{"version": v, "entry": e, "chain": c or None, "action": a, "detail": json.loads(d), "actor": who,
                 "at": at} for v, e, c, a, d, who, at in rows]

    # ------------------------------------------------------------ writes
    @staticmethod
    def _log(c, w: _Write, entry_id: int, kind: str, region: str, chain: str, action: str, detail: dict, actor: str,
             at: str) -> int:
        v = w()
        c.execute("INSERT INTO list_events(entry_id, kind, region, chain, action, detail, actor, at, version) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (entry_id, kind, region, chain, action, json.dumps(detail, ensure_ascii=False), actor, at, v))
        c.execute("UPDATE list_entries SET version = ? WHERE id = ?", (v, entry_id))
        return v

    def _insert(self, c, w, kind, region, chain, d: Draft, origin, action, actor, at, hidden=False) -> int:
        eid = c.execute(
            "INSERT INTO list_entries(kind, region, chain, key, subject, title, fields, origin, hidden, note, rank, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, region, chain, entry_key(d.subject, d.title), d.subject, d.title,
             json.dumps(dict(d.fields), ensure_ascii=False), origin, int(hidden), d.note, d.rank, at, at)).lastrowid
        self._log(c, w, int(eid), kind, region, chain, action, {"after": snapshot(d, hidden)}, actor, at)
        return int(eid)

    @staticmethod
    def _taken(c, kind, region, chain, key, but: int | None = None) -> int | None:
        row = c.execute("SELECT id FROM list_entries WHERE kind = ? AND region = ? AND chain = ? AND key = ?",
                        (kind, region, chain, key)).fetchone()
        return row[0] if row and row[0] != but else None

    def add(self, kind: str, region: str, chain: str | None, draft: Draft, *, actor: str = "") -> Entry:
        """Add a curated entry; its subject (or title) must be new to the list."""
        kind = resolve_kind(kind)
        d, problems = check_draft(kind, draft)
        if problems:
            raise invalid(kind, problems)
        chain = chain or ""
        with self.ws.transaction() as c:
            w = _Write(c)
            other = self._taken(c, kind, region, chain, entry_key(d.subject, d.title))
            if other is not None:
                raise invalid(kind, [("subject" if d.subject else "title",
                                       f"already in this list as entry {other}; edit that entry instead")])
            eid = self._insert(c, w, kind, region, chain, Draft(d.subject, d.title, d.fields, d.note), "curated",
                               "add", actor, _now())
        return self.entry(eid)

    def edit(self, entry_id: int, *, subject: str | None = None, title: str | None = None,
             fields: Mapping | None = None, note: str | None = None, hidden: bool | None = None,
             actor: str = "") -> Entry:
        """Change an entry (``None``: leave as is; a field given empty is cleared); it becomes curated.

        An edit that changes nothing writes nothing.
        """
        with self.ws.transaction() as c:
            w = _Write(c)
            eid = self._edit(c, w, entry_id, subject, title, fields, note, hidden, actor, "edit")
        return self.entry(eid)

    def hide(self, entry_id: int, *, actor: str = "") -> Entry:
        """Hide an entry (kept, curated, never re-added by regeneration); ``edit(hidden=False)`` shows it again."""
        return self.edit(entry_id, hidden=True, actor=actor)

    def _edit(self, c, w, entry_id, subject, title, fields, note, hidden, actor, action, at=None) -> int:
        row = c.execute(_SELECT + " WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise NotFound("list entry", str(entry_id))
        old = _entry(row)
        d, problems = check_draft(old.kind, Draft(subject, title or "", fields or {}, note or ""), partial=True)
        new_fields = {k: v for k, v in {**old.fields, **d.fields}.items() if v is not None}
        new = Draft(d.subject if subject is not None else old.subject, d.title if title is not None else old.title,
                    new_fields, d.note if note is not None else old.note)
        spec = KINDS[old.kind]
        if subject is not None and not new.subject and spec.subject == "required":
            problems.append(("subject", f"{old.kind} entries need an organisation"))
        if not new.title and not new.subject:
            problems.append(("title", f"{old.kind} entries need a title"))
        if problems:
            raise invalid(old.kind, problems)
        new_hidden = old.hidden if hidden is None else bool(hidden)
        before = snapshot(Draft(old.subject, old.title, old.fields, old.note), old.hidden)
        after = snapshot(new, new_hidden)
        if before == after:
            return old.id
        key = entry_key(new.subject, new.title)
        other = self._taken(c, old.kind, old.region, old.chain or "", key, but=old.id)
        if other is not None:
            raise invalid(old.kind, [("subject" if new.subject else "title",
                                       f"already in this list as entry {other}")])
        c.execute("UPDATE list_entries SET key = ?, subject = ?, title = ?, fields = ?, note = ?, hidden = ?, "
                  "origin = 'curated', updated_at = ? WHERE id = ?",
                  (key, new.subject, new.title, json.dumps(new.fields, ensure_ascii=False), new.note,
                   int(new_hidden), at or _now(), old.id))
        if hidden is not None and new_hidden != old.hidden:
            action = "hide" if new_hidden else "show"
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        self._log(c, w, old.id, old.kind, old.region, old.chain or "", action,
                  {"before": {k: before.get(k) for k in changed}, "after": changed}, actor, at or _now())
        return old.id

    def regenerate(self, kind: str, region: str, chain: str | None, drafts: Sequence[Draft], *,
                   actor: str = "") -> RegenResult:
        """Replace the list's generated entries by ``drafts``; curated entries stay exactly as they are."""
        kind = resolve_kind(kind)
        checked = []
        for i, draft in enumerate(drafts):
            d, problems = check_draft(kind, draft)
            if problems:
                raise invalid(kind, [(f"drafts[{i}].{f}", r) for f, r in problems])
            checked.append(Draft(d.subject, d.title, d.fields, d.note, i + 1 if draft.rank is None else draft.rank))
        chain_key, at = chain or "", _now()
        added = updated = removed = unchanged = kept = skipped_hidden = 0
        with self.ws.transaction() as c:
            w = _Write(c)
            rows = c.execute(_SELECT_KEYED, (kind, region, chain_key)).fetchall()
            existing = {r[-1]: _entry(r[:-1]) for r in rows}
            wanted: dict[str, Draft] = {}
            for d in checked:
                wanted.setdefault(entry_key(d.subject, d.title), d)
            for key, e in existing.items():
                if e.curated:
                    continue  # the rule: never overwritten, never deleted
                if key not in wanted:
                    c.execute("DELETE FROM list_entries WHERE id = ?", (e.id,))
                    c.execute("INSERT INTO list_events(entry_id, kind, region, chain, action, detail, actor, at, "
                              "version) VALUES (?, ?, ?, ?, 'regenerate_remove', ?, ?, ?, ?)",
                              (e.id, kind, region, chain_key, json.dumps(
                                  {"before": snapshot(Draft(e.subject, e.title, e.fields, e.note), e.hidden)},
                                  ensure_ascii=False), actor, at, w()))
                    removed += 1
            for key, d in wanted.items():
                e = existing.get(key)
                if e is None:
                    self._insert(c, w, kind, region, chain_key, d, "generated", "regenerate_add", actor, at)
                    added += 1
                elif e.curated:
                    kept += 1
                    skipped_hidden += e.hidden
                elif (snapshot(d, False), d.rank) == (snapshot(Draft(e.subject, e.title, e.fields, e.note), False),
                                                       e.rank):
                    unchanged += 1
                else:
                    c.execute("UPDATE list_entries SET title = ?, fields = ?, note = ?, rank = ?, updated_at = ? "
                              "WHERE id = ?", (d.title, json.dumps(dict(d.fields), ensure_ascii=False), d.note,
                                               d.rank, at, e.id))
                    self._log(c, w, e.id, kind, region, chain_key, "regenerate_update",
                              {"after": snapshot(d, False)}, actor, at)
                    updated += 1
        return RegenResult(kind, region, chain or None, added, updated, removed, unchanged, kept, skipped_hidden,
                           self.version(kind, region, chain))

    def import_rows(self, kind: str, region: str, chain: str | None, rows: Iterable[ImportRow], *,
                    file: str = "import", actor: str = "", every_chain: bool = False) -> ImportResult:
        """Apply checked import rows in one transaction: all of them, or none when any row is wrong.

        A row with an ``id`` edits that entry of this list (with
        ``every_chain``: of any of the region's lists of the kind, so an export
        of the region view imports back); a row without one edits the entry
        of this list holding its subject (or title) or adds a curated one.
        A row that changes nothing writes nothing, so re-importing an export
        changes nothing; an empty cell clears its field, a column the file
        lacks leaves the field as it is.
        """
        kind, chain_key, at = resolve_kind(kind), chain or "", _now()
        rows = list(rows)
        problems: list[Problem] = []
        added = updated = unchanged = 0
        this = "the region view" if every_chain else f"the list of {f'chain {chain_key}' if chain_key else 'every chain'}"
        with self.ws.transaction() as c:
            w = _Write(c)
            where = {i: (ch, k) for i, k, ch in c.execute(
                "SELECT id, key, chain FROM list_entries WHERE kind = ? AND region = ?", (kind, region)).fetchall()}
            by_key = {v: i for i, v in where.items()}
            seen: dict[tuple, int] = {}
            plan = []
            for r in rows:
                key = entry_key(r.draft.subject, r.draft.title)
                if r.id is not None:
                    if r.id not in where:
                        problems.append(Problem(file, r.row, "id", f"no entry {r.id} in the {kind} lists of {region}"))
                        continue
                    home = where[r.id][0]
                    if not every_chain and home != chain_key:
                        problems.append(Problem(file, r.row, "id", (
                            f"entry {r.id} is in the {kind} list of {f'chain {home}' if home else 'every chain'}"
                            f", not in {this}; import into that list, or into the region view (no chain)")))
                        continue
                target, home = (r.id, where[r.id][0]) if r.id is not None else (by_key.get((chain_key, key)),
                                                                                 chain_key)
                if (home, key) in seen or (target is not None and target in seen):
                    problems.append(Problem(file, r.row, "subject" if r.draft.subject else "title",
                                            f"the same entry as row {seen.get((home, key)) or seen.get(target)}"))
                    continue
                seen[(home, key)] = r.row
                if target is not None:
                    seen[target] = r.row
                    holder = by_key.get((home, key))
                    if holder is not None and holder != target:
                        problems.append(Problem(file, r.row, "subject" if r.draft.subject else "title",
                                                f"already in this list as entry {holder}"))
                        continue
                plan.append((r, target))
            if problems:
                raise InvalidInput(f"{file}: {len(problems)} bad row(s); nothing imported",
                                   f"{file}：{len(problems)} 行有误，未导入任何数据", problems)
            for r, target in plan:
                if target is None:
                    self._insert(c, w, kind, region, chain_key, r.draft, "curated", "import_add", actor, at,
                                 hidden=bool(r.hidden))
                    added += 1
                    continue
                before = c.execute("SELECT version FROM list_entries WHERE id = ?", (target,)).fetchone()[0]
                # an empty cell clears its field; a column the file does not have leaves it as it is
                cells = {s.name: r.draft.fields.get(s.name) for s in KINDS[kind].fields if r.has(s.name)}
                try:
                    self._edit(c, w, target, r.draft.subject or "", r.draft.title if r.has("title") else None, cells,
                               r.draft.note if r.has("note") else None, r.hidden, actor, "import_edit", at)
                except InvalidInput as e:
                    raise InvalidInput(f"{file}: row {r.row}: {e.message}", e.message_zh,
                                       [Problem(file, r.row, p.field, p.reason) for p in e.problems]) from e
                after = c.execute("SELECT version FROM list_entries WHERE id = ?", (target,)).fetchone()[0]
                updated += after != before
                unchanged += after == before
        return ImportResult(kind, region, chain or None, len(rows), added, updated, unchanged,
                            self.version(kind, region, chain, every_chain=every_chain))
