"""What a list entry is: drafts, stored entries, results of writes, and the checks every write runs.

:func:`check_draft` cleans a draft of one list kind and returns every
``(field, reason)`` wrong with it, so the store can refuse a write naming the
field and the importer can name the row and column. :func:`entry_key` is what
makes an entry unique in its list (the organisation, else the folded title).

Examples
--------
>>> check_draft("policies", Draft("org:a", " 若干措施 ", {"issuer": "深圳市"}))[1]
[('subject', 'policies entries have no organisation; give a title')]
>>> check_draft("key_firms", Draft("org:a", "", {"score": "1.5"}))
(Draft(subject='org:a', title='', fields={'score': 1.5}, note='', rank=None), [])
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from graph.errors import InvalidInput, Problem
from matching.worklists.kinds import KINDS, clean_fields, clean_text

__all__ = ["Draft", "Entry", "RegenResult", "ImportRow", "ImportResult", "entry_key", "check_draft", "invalid",
           "snapshot", "MAX_SUBJECT"]

MAX_SUBJECT = 200


@dataclass(frozen=True, slots=True)
class Draft:
    """What an entry says: subject (organisation id) or title, fields, note; ``rank`` orders generated ones."""

    subject: str | None
    title: str = ""
    fields: Mapping = field(default_factory=dict)
    note: str = ""
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    kind: str
    region: str
    chain: str | None
    subject: str | None
    title: str
    fields: dict
    origin: str
    hidden: bool
    note: str
    rank: int | None
    created_at: str
    updated_at: str
    version: int

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def curated(self) -> bool:
        return self.origin == "curated"


@dataclass(frozen=True, slots=True)
class RegenResult:
    """What a regeneration did; curated entries are only ever counted, never touched."""

    kind: str
    region: str
    chain: str | None
    added: int
    updated: int
    removed: int
    unchanged: int
    kept_curated: int  # drafts skipped because a curated entry holds their subject
    skipped_hidden: int  # … of which hidden by hand
    version: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One checked row of an import file: ``id`` edits that entry, else the subject/title finds or adds one."""

    row: int
    id: int | None
    draft: Draft
    hidden: bool | None = None
    columns: frozenset[str] | None = None  # what the file has (title, note, field names); None: every column

    def has(self, name: str) -> bool:
        return self.columns is None or name in self.columns


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    region: str
    chain: str | None
    rows: int
    added: int
    updated: int
    unchanged: int
    version: int

    def as_dict(self) -> dict:
        return asdict(self)


def entry_key(subject: str | None, title: str) -> str:
    """What makes an entry unique in its list: the subject, else the folded title.

    >>> entry_key("org:f1", "x"), entry_key(None, "  深圳市 数字创意 Policy ")
    ('org:f1', 'title:深圳市 数字创意 policy')
    """
    if subject:
        return subject
    return "title:" + " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def check_draft(kind: str, draft: Draft, *, partial: bool = False) -> tuple[Draft, list[tuple[str, str]]]:
    """The clean draft and every ``(field, reason)`` wrong with it (``partial``: an edit's changes only)."""
    spec = KINDS[kind]
    problems: list[tuple[str, str]] = []
    subject, why = clean_text(draft.subject, MAX_SUBJECT)
    if why:
        problems.append(("subject", why))
    if spec.subject == "none" and subject:
        problems.append(("subject", f"{kind} entries have no organisation; give a title"))
    if spec.subject == "required" and not subject and not partial:
        problems.append(("subject", f"{kind} entries need an organisation (id, USCC or exact name)"))
    title, why = clean_text(draft.title)
    if why:
        problems.append(("title", why))
    if not title and not partial and (spec.title_required or not subject):
        problems.append(("title", f"{kind} entries need a title"))
    note, why = clean_text(draft.note)
    if why:
        problems.append(("note", why))
    fields, bad = clean_fields(kind, draft.fields)
    problems += bad
    if partial:  # an edit: a field given empty is cleared
        fields = {**{k: None for k in (draft.fields or {}) if isinstance(k, str)}, **fields}
    return Draft(subject or None, title, fields, note, draft.rank), problems


def invalid(kind: str, problems: list[tuple[str, str]]) -> InvalidInput:
    first = "; ".join(f"{f}: {r}" for f, r in problems[:3])
    return InvalidInput(f"{kind} entry: {first}", f"{KINDS[kind].zh}条目无效：{first}",
                        [Problem("entry", None, f, r) for f, r in problems])


def snapshot(d: Draft, hidden: bool) -> dict:
    return {"subject": d.subject, "title": d.title, "fields": dict(d.fields), "note": d.note, "hidden": bool(hidden)}
