"""What the indexes see of an organisation: texts for dense and lexical search, and a filter card.

Pure functions over :class:`graph.model.Organisation`. The dense text is the
English side (name, description, English product labels, keywords) because
the default model reads English only; the lexical text is everything, in both
languages.

Examples
--------
>>> from graph.model import Organisation, OrgKind, Provenance, Membership
>>> org = Organisation("org:a", OrgKind.FIRM, "深圳市光影动作捕捉科技有限公司", Provenance("doc"),
...     name_en="Lightshadow Mocap Co., Ltd.", products=("光学动捕系统 / optical mocap system",),
...     description_en="Builds motion capture suits.", region="cn/guangdong/shenzhen/nanshan",
...     segments=(Membership("seg:mocap"),), employees=120, tiers=("专精特新",))
>>> dense_fields(org)
['Builds motion capture suits.', 'Products: optical mocap system.']
>>> "光学动捕系统" in lexical_text(org)
True
>>> card = OrgCard.of(org)
>>> card.segments, card.region
(('seg:mocap',), 'cn/guangdong/shenzhen/nanshan')
>>> OrgCard.from_json(card.to_json()) == card
True
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from graph.analysis.membership import counts
from graph.model import MembershipStatus, Organisation, Segment

__all__ = [
    "OrgCard",
    "dense_fields",
    "dense_text",
    "lexical_text",
    "english_part",
    "segment_vocabulary",
    "has_cjk",
]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any CJK ideograph.

    >>> has_cjk("LED 虚拟制片"), has_cjk("LED wall")
    (True, False)
    """
    return bool(_CJK.search(text or ""))


def english_part(label: str) -> str:
    """The non-Chinese parts of a bilingual label such as ``'动捕系统 / mocap system'``.

    >>> english_part("动捕系统 / mocap system"), english_part("全息投影"), english_part("LED wall")
    ('mocap system', '', 'LED wall')
    """
    parts = [p.strip() for p in re.split(r"[/|｜;；]", label)]
    return " ".join(p for p in parts if p and not has_cjk(p))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?。" else text + "."


def dense_fields(org: Organisation, *, english_only: bool = True) -> list[str]:
    """The texts embedded for dense search, one per field group; the org vector is their mean.

    Two groups: the description, and the products with keywords. Each is
    embedded on its own (so one long field does not drown the other) and the
    normalised mean is the organisation's vector. The name is left out while
    there is anything else: invented brand words carry no meaning for the
    model and pull unrelated firms together; names are matched lexically.
    With ``english_only`` (the default model reads English only) Chinese
    text is left out, falling back to it only when there is no English.
    """
    if english_only:
        desc = org.description_en or ("" if org.name_en else org.description_zh)
        products = [english_part(p) or ("" if org.name_en else p) for p in org.products]
        keywords = [k for k in org.keywords if not has_cjk(k)]
        name = org.name_en or org.name_zh
    else:
        desc = " ".join(x for x in (org.description_en, org.description_zh) if x)
        products = list(org.products)
        keywords = list(org.keywords)
        name = " ".join(x for x in (org.name_en, org.name_zh) if x)
    parts = []
    if desc.strip():
        parts.append(_sentence(desc))
    products = [p for p in dict.fromkeys(products) if p]
    keywords = [k for k in dict.fromkeys(keywords) if k]
    profile = []
    if products:
        profile.append("Products: " + ", ".join(products) + ".")
    if keywords:
        profile.append("Keywords: " + ", ".join(keywords) + ".")
    if profile:
        parts.append(" ".join(profile))
    if not parts and name:
        parts.append(_sentence(name))
    return parts


def dense_text(org: Organisation, *, english_only: bool = True) -> str:
    """All dense fields in one string (for display and single-vector embedders)."""
    return " ".join(dense_fields(org, english_only=english_only))


def lexical_text(org: Organisation) -> str:
    """All searchable words, zh and en: names (former names too), descriptions, products, keywords, scope, industry."""
    fields = [
        org.name_zh,
        org.name_en,
        " ; ".join(org.former_names),
        org.description_zh,
        org.description_en,
        " ; ".join(org.products),
        " ; ".join(org.keywords),
        org.business_scope,
        org.industry,
    ]
    return "\n".join(f for f in fields if f)


def segment_vocabulary(segments: list[Segment]) -> list[str]:
    """Domain phrases for the tokenizer: segment names and keywords (zh and en).

    >>> from graph.model import Stage, Format
    >>> s = Segment("seg:x", "动作捕捉", "Motion capture", Stage.UPSTREAM,
    ...             Format.TECHNOLOGY_EQUIPMENT, keywords=("动捕", "mocap"))
    >>> segment_vocabulary([s])
    ['动作捕捉', 'Motion capture', '动捕', 'mocap']
    """
    out: list[str] = []
    for s in segments:
        out.extend(x for x in (s.name_zh, s.name_en, *s.keywords) if x)
    return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class OrgCard:
    """The few fields search shows and filters on, kept beside the indexes."""

    id: str
    kind: str
    name_zh: str
    name_en: str
    region: str | None
    segments: tuple[str, ...]
    confirmed: tuple[str, ...]
    tiers: tuple[str, ...]
    employees: int | None
    status: str = "unknown"  # registration status: search shows closed firms as closed
    status_detail: str = ""  # the 登记状态 as written, and the date it took effect: why it is absent
    status_date: str | None = None

    @classmethod
    def of(cls, org: Organisation) -> OrgCard:
        return cls(
            id=org.id,
            kind=org.kind.value,
            name_zh=org.name_zh,
            name_en=org.name_en,
            region=org.region,
            segments=tuple(m.segment for m in org.segments if counts(m.status, m.confidence)),  # never rejected
            confirmed=tuple(m.segment for m in org.segments if m.status is MembershipStatus.CONFIRMED),
            tiers=tuple(org.tiers),
            employees=org.employees,
            status=org.status.value,
            status_detail=org.status_detail,
            status_date=org.status_date,
        )

    @property
    def name(self) -> str:
        return self.name_zh or self.name_en

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict) -> OrgCard:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in doc.items()})
