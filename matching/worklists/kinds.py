"""The six lists of the 六个一 work system: what each holds and how its fields are checked.

Each list kind has a Chinese and an English name, a subject rule (an
organisation id that is required, optional or absent), whether a free-text
title is required, and a few typed fields (``text``, ``number``, ``parts``:
named score parts as ``{"name": value}``). Only three kinds can be generated
from the data; the other three are curated (typed in or imported).

:func:`clean_fields` checks a field mapping and returns the clean values or
the ``(field, reason)`` of every problem, so a caller can name the row or the
request field. Text is refused as the importer refuses it: too long,
spreadsheet-formula-like (``=…``), control characters.

Examples
--------
>>> resolve_kind("重点企业"), resolve_kind("targets"), KINDS["policies"].zh
('key_firms', 'targets', '政策工具包')
>>> clean_fields("projects", {"investment_cny_m": "1,200.5", "stage": "在建"})
({'investment_cny_m': 1200.5, 'stage': '在建'}, [])
>>> clean_fields("projects", {"investment_cny_m": "lots", "colour": "x"})[1]
[('fields.investment_cny_m', 'not a number: lots'), ('fields.colour', 'unknown field for projects; known: investment_cny_m, stage, owner')]
>>> parse_parts("centrality=0.5; size=0.25"), format_parts({"centrality": 0.5, "size": 0.25})
({'centrality': 0.5, 'size': 0.25}, 'centrality=0.5;size=0.25')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from graph.errors import InvalidInput
from graph.io.cells import cell_problem

__all__ = ["FieldSpec", "KindSpec", "KINDS", "GENERATED_KINDS", "MAX_TEXT", "resolve_kind", "clean_fields",
           "clean_text", "parse_parts", "format_parts"]

#: longest text accepted in any list field, title or note
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    zh: str
    type: str = "text"  # text | number | parts


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    zh: str
    en: str
    subject: str  # required | optional | none: an organisation id
    title_required: bool
    generated: bool
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


_F = FieldSpec
KINDS: dict[str, KindSpec] = {k.kind: k for k in (
    KindSpec("key_firms", "重点企业", "Key firms", "required", False, True, (
        _F("segment", "所属环节"), _F("tiers", "企业层级"), _F("score", "得分", "number"),
        _F("score_parts", "得分构成", "parts"), _F("reason", "入选理由"))),
    KindSpec("targets", "招商引资目标", "Attraction targets", "required", False, True, (
        _F("segment", "缺口环节"), _F("gap", "缺口类型"), _F("form", "引进形式"), _F("score", "得分", "number"),
        _F("score_parts", "得分构成", "parts"), _F("introducer", "引荐企业编号"), _F("introducer_name", "引荐企业"),
        _F("reason", "推荐理由"))),
    KindSpec("projects", "重点项目", "Key projects", "optional", True, False, (
        _F("investment_cny_m", "投资额（百万元）", "number"), _F("stage", "项目阶段"), _F("owner", "责任单位"))),
    KindSpec("platforms", "创新平台", "Innovation platforms", "optional", True, True, (
        _F("platform_type", "平台类型"), _F("segment", "服务环节"))),
    KindSpec("policies", "政策工具包", "Policy toolkit", "none", True, False, (
        _F("instrument", "政策工具"), _F("issuer", "发布机构"), _F("reference", "文号或出处"))),
    KindSpec("advisors", "战略咨询支撑机构", "Advisory institutions", "optional", True, False, (
        _F("expertise", "专长领域"),)),
)}
GENERATED_KINDS = tuple(k for k, s in KINDS.items() if s.generated)

_ALIASES = {**{k: k for k in KINDS}, **{s.zh: k for k, s in KINDS.items()},
            "key_firm": "key_firms", "target": "targets", "project": "projects", "platform": "platforms",
            "policy": "policies", "advisor": "advisors", "advisory": "advisors", "招商目标": "targets",
            "招商引资": "targets", "政策": "policies", "咨询机构": "advisors"}


def resolve_kind(text: str) -> str:
    """A list kind from its id (``key_firms``), a singular, or its Chinese name."""
    key = (text or "").strip()
    found = _ALIASES.get(key) or _ALIASES.get(key.lower())
    if found is None:
        raise InvalidInput(f"unknown list {text!r}; the six lists: {', '.join(KINDS)}",
                           f"未知清单 {text!r}；六个清单：{'、'.join(s.zh for s in KINDS.values())}")
    return found


def clean_text(value, max_chars: int = MAX_TEXT) -> tuple[str, str | None]:
    """``(text, problem)``: the value as stripped text and why it is refused, if it is."""
    text = "" if value is None else (value if isinstance(value, str) else str(value))
    text = text.strip()
    return text, cell_problem(text, max_chars)


_PART = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(\S+)\s*$")


def _number(value) -> float:
    if isinstance(value, bool):
        raise ValueError
    x = float(value.replace(",", "").strip()) if isinstance(value, str) else float(value)
    if not math.isfinite(x):
        raise ValueError
    return x


def parse_parts(value) -> dict[str, float]:
    """Score parts from ``{"name": value}`` or ``"name=value;name=value"``; ``ValueError`` if malformed."""
    if isinstance(value, Mapping):
        items = list(value.items())
    else:
        items = []
        for piece in str(value).replace("；", ";").split(";"):
            if not piece.strip():
                continue
            m = _PART.match(piece)
            if m is None:
                raise ValueError(f"want name=value;name=value, got {piece.strip()!r}")
            items.append((m.group(1), m.group(2)))
    out = {}
    for name, v in items:
        if not isinstance(name, str) or not _PART.match(f"{name}=0"):
            raise ValueError(f"bad part name {name!r}")
        try:
            out[name] = _number(v)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"part {name}: not a number: {v}") from None
    return out


def format_parts(parts: Mapping[str, float]) -> str:
    """Score parts as text, the inverse of :func:`parse_parts`."""
    return ";".join(f"{k}={float(v)!r}" for k, v in parts.items())  # repr: exact, so a round trip is equal


def _clean_value(spec: FieldSpec, value):
    """The clean value (``None`` when empty) or raise ``ValueError`` with the reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if spec.type == "number":
        try:
            return _number(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"not a number: {value}") from None
    if spec.type == "parts":
        return parse_parts(value) or None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError(f"want text, got {type(value).__name__}")
    text, why = clean_text(value)
    if why:
        raise ValueError(why)
    return text


def clean_fields(kind: str, fields: Mapping | None) -> tuple[dict, list[tuple[str, str]]]:
    """Clean the kind's fields; return ``(values, problems)`` with problems as ``(field, reason)``.

    Empty values are left out of ``values`` (``None`` means "clear it" to an edit).
    """
    spec = KINDS[kind]
    out, problems = {}, []
    for name, value in (fields or {}).items():
        f = spec.field(name) if isinstance(name, str) else None
        if f is None:
            problems.append((f"fields.{name}", f"unknown field for {kind}; known: "
                             + ", ".join(x.name for x in spec.fields)))
            continue
        try:
            v = _clean_value(f, value)
        except ValueError as e:
            problems.append((f"fields.{name}", str(e)))
            continue
        if v is not None:
            out[name] = v
    return out, problems
