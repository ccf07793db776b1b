"""HTTP schemas of the six 六个一 lists (:mod:`matching.worklists`): inputs apart from outputs.

Field values are text, numbers or named score parts (``{"centrality": 0.5}``);
which fields a list has and their checks live in
:data:`matching.worklists.kinds.KINDS`, so a wrong field is refused by the
engine with the field named (422), not here.

Examples
--------
>>> EntryCreate(region="深圳", title="数字创意产业集群若干措施", fields={"issuer": "深圳市"}).chain is None
True
>>> EntryEdit(hidden=True).model_dump(exclude_unset=True)
{'hidden': True}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from api.schemas.core import Page, _check_text

__all__ = ["ListSummary", "ListsOverview", "EntryPublic", "EntryPage", "EntryCreate", "EntryEdit", "GenerateRequest",
           "GenerateResult", "ListImportResult", "ListEvent", "ListEventPage", "ListKindName", "MAX_FIELDS"]

MAX_FIELDS = 20
Short = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=2000)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=40)]
FieldValue = Text | float | dict[FieldName, float] | None
ListKindName = Literal["key_firms", "targets", "projects", "platforms", "policies", "advisors"]


class ListSummary(BaseModel):
    kind: ListKindName
    name_zh: str
    name_en: str
    region: str
    chain: str | None
    generated_kind: bool = Field(description="Whether the list can be generated from the data.")
    shown: int
    hidden: int
    generated: int
    curated: int
    version: int = Field(description="Version of the list's last write (0: never written); one per write.")
    chains: list[str | None] = Field([], description="The chain scopes holding entries (null: the list of "
                                     "every chain).")


class ListsOverview(BaseModel):
    region: str
    chain: str | None
    every_chain: bool = Field(False, description="The region view: every list of the region, whatever its chain.")
    lists: list[ListSummary]


class EntryPublic(BaseModel):
    id: int
    kind: ListKindName
    region: str
    chain: str | None
    subject: str | None = Field(description="Organisation id, when the entry is an organisation.")
    title: str
    fields: dict[str, str | float | dict[str, float]]
    origin: Literal["generated", "curated"] = Field(description="curated: added, edited or hidden by hand; "
                                                   "regeneration never touches it.")
    hidden: bool
    note: str
    rank: int | None
    created_at: str
    updated_at: str
    version: int


class EntryPage(Page[EntryPublic]):
    kind: ListKindName
    region: str
    chain: str | None
    every_chain: bool = Field(False, description="The region view: entries of every list of the region, each "
                              "naming its chain.")
    version: int


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"region": "深圳", "chain": "动漫游戏", "subject": "org:f1561", "fields": {"form": "研发中心"},
         "note": "已约见"},
        {"region": "深圳", "title": "深圳市数字创意产业集群若干措施", "fields": {"instrument": "资金扶持"}}]})

    region: Short = Field(description="Region id or place name.")
    chain: Short | None = Field(None, description="Chain id or name; absent: the list of every chain.")
    subject: Short | None = Field(None, description="Organisation id, USCC or exact name.")
    title: Text = ""
    fields: dict[FieldName, FieldValue] = Field({}, max_length=MAX_FIELDS)
    note: Text = ""

    _texts = field_validator("region", "chain", "subject", "title", "note")(_check_text)


class EntryEdit(BaseModel):
    """Only what is sent changes; a field sent empty (``""`` or ``null``) is cleared."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "重点跟进", "fields": {"introducer": "org:f1345"}}, {"hidden": False}]})

    subject: Short | None = None
    title: Text | None = None
    fields: dict[FieldName, FieldValue] | None = Field(None, max_length=MAX_FIELDS)
    note: Text | None = None
    hidden: bool | None = Field(None, description="true hides the entry (same as DELETE); false shows it again.")

    _texts = field_validator("subject", "title", "note")(_check_text)


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"region": "深圳", "chain": "动漫游戏", "top": 20}]})

    region: Short = Field(description="Region id or place name.")
    chain: Short | None = Field(None, description="Chain id or name; absent or all: the list of every chain.")
    top: int = Field(20, ge=1, le=200, description="Entries to generate.")

    _texts = field_validator("region", "chain")(_check_text)


class GenerateResult(BaseModel):
    kind: ListKindName
    region: str
    chain: str | None
    added: int
    updated: int
    removed: int
    unchanged: int
    kept_curated: int = Field(description="Generated entries skipped because a curated entry holds them.")
    skipped_hidden: int = Field(description="Of those, entries hidden by hand (never re-added).")
    version: int


class ListImportResult(BaseModel):
    kind: ListKindName
    region: str
    chain: str | None
    rows: int
    added: int
    updated: int
    unchanged: int
    version: int


class ListEvent(BaseModel):
    version: int = Field(description="The write it belongs to: every entry one write touches shares it.")
    entry: int
    chain: str | None = None
    action: str
    detail: dict
    actor: str
    at: str


class ListEventPage(Page[ListEvent]):
    pass
