"""The domain model: segments, chains, clusters, organisations, links, regions.

Plain frozen dataclasses; no pydantic (API schemas live in ``api/``). Every
organisation and link carries a :class:`Provenance` (source, as-of date and
which fields are estimated rather than reported).

Examples
--------
>>> valid_uscc("91440300708461136T")
True
>>> uscc_check_char("91440300708461136")
'T'
>>> valid_uscc("91440300708461136A")
False
>>> seg = Segment(id="seg:engine", name_zh="游戏引擎", name_en="Game engines",
...               stage=Stage.UPSTREAM, format=Format.TECHNOLOGY_EQUIPMENT)
>>> seg.stage.value
'upstream'
"""

from __future__ import annotations

import dataclasses
import operator
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

__all__ = [
    "record_maker",
    "Stage",
    "Format",
    "OrgKind",
    "RegStatus",
    "LinkKind",
    "EvidenceGrade",
    "MembershipStatus",
    "RegionLevel",
    "SiteKind",
    "Provenance",
    "Region",
    "Segment",
    "SegmentEdge",
    "Chain",
    "Cluster",
    "Membership",
    "Site",
    "Financing",
    "Organisation",
    "Link",
    "TIERS",
    "USCC_CHARS",
    "uscc_check_char",
    "valid_uscc",
    "uscc_problem",
    "normalise_name",
    "city_key",
    "to_dict",
    "from_dict",
]


class Stage(StrEnum):
    UPSTREAM = "upstream"
    MIDSTREAM = "midstream"
    DOWNSTREAM = "downstream"


class Format(StrEnum):
    """The four formats of the digital creative industry."""

    TECHNOLOGY_EQUIPMENT = "technology_equipment"  # 技术和设备
    CONTENT_PRODUCTION = "content_production"  # 内容制作
    DESIGN_SERVICES = "design_services"  # 设计服务
    CONVERGENCE_SERVICES = "convergence_services"  # 融合服务
    OTHER = "other"  # segments imported from other industries (e.g. Shenwan codes)


class OrgKind(StrEnum):
    FIRM = "firm"
    INCUBATOR = "incubator"  # 孵化器 / 众创空间
    PARK = "park"  # 园区 / 基地
    UNIVERSITY = "university"  # 高校
    LAB = "lab"  # 重点实验室 / 研究院
    ASSOCIATION = "association"  # 行业协会
    FUND = "fund"  # 产业基金 / 投资机构
    AGENCY = "agency"  # 招商局 / 投促中心

    @property
    def is_platform(self) -> bool:
        return self is not OrgKind.FIRM


class RegStatus(StrEnum):
    """Registration status (登记状态) of an organisation.

    >>> RegStatus.parse("存续（在营、开业、在册）"), RegStatus.parse("吊销，未注销"), RegStatus.parse("")
    (<RegStatus.ACTIVE: 'active'>, <RegStatus.CLOSED: 'closed'>, <RegStatus.UNKNOWN: 'unknown'>)
    >>> RegStatus.CLOSED.closed, RegStatus.MOVED_OUT.closed
    (True, False)
    """

    ACTIVE = "active"  # 存续 / 在业 / 开业 / 在营 / 迁入
    CLOSED = "closed"  # 注销 / 吊销 / 撤销 / 责令关闭 / 清算
    MOVED_OUT = "moved_out"  # 迁出
    UNKNOWN = "unknown"

    @property
    def closed(self) -> bool:
        return self is RegStatus.CLOSED

    @classmethod
    def parse(cls, text: str | None) -> RegStatus:
        """Read a 登记状态 cell (Chinese or English); ``ValueError`` for text that is none of them.

        Closed words win over active ones ("吊销，未注销" is revoked).
        """
        raw = unicodedata.normalize("NFKC", text or "").strip().lower()
        if not raw or raw in ("-", "--", "未知", "unknown", "n/a", "null", "none"):
            return cls.UNKNOWN
        if raw in cls._value2member_map_:
            return cls(raw)
        if any(w in raw for w in _CLOSED_WORDS):
            return cls.CLOSED
        if "迁出" in raw or raw in ("moved", "moved out", "moved away"):
            return cls.MOVED_OUT
        if any(w in raw for w in _ACTIVE_WORDS):
            return cls.ACTIVE
        raise ValueError(f"unknown registration status {text!r}; expected 存续/在业/迁入 (active), "
                         "注销/吊销/撤销 (closed), 迁出 (moved out) or blank (unknown)")


_CLOSED_WORDS = ("注销", "吊销", "撤销", "责令关闭", "关闭", "歇业", "清算", "停业", "deregistered", "revoked",
                 "dissolved", "closed", "cancelled", "canceled")
_ACTIVE_WORDS = ("存续", "在业", "在营", "开业", "在册", "迁入", "正常", "active", "in business", "operating")


class LinkKind(StrEnum):
    """Typed, directed links between organisations.

    ``customer_of`` is accepted on import and stored as ``supplies`` in the
    other direction (see :func:`LinkKind.parse`).
    """

    SUPPLIES = "supplies"  # src supplies dst
    INVESTS = "invests"  # src invests in dst
    PARTNERS = "partners"  # cooperation (合作)
    JOINT_VENTURE = "joint_venture"  # 合资
    PARENT_OF = "parent_of"  # src is parent / holding of dst (母公司/控股)
    ACQUIRES = "acquires"  # 并购
    COMPETES = "competes"
    LOCATED_IN_PARK = "located_in_park"  # firm -> park
    INCUBATED_BY = "incubated_by"  # start-up -> incubator

    @classmethod
    def parse(cls, text: str) -> tuple[LinkKind, bool]:
        """Parse a link type (English or Chinese); return ``(kind, reversed)``.

        >>> LinkKind.parse("customer_of")
        (<LinkKind.SUPPLIES: 'supplies'>, True)
        >>> LinkKind.parse("供给")
        (<LinkKind.SUPPLIES: 'supplies'>, False)
        """
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        if key in _LINK_ALIASES:
            return _LINK_ALIASES[key]
        raise ValueError(f"unknown link type {text!r}; expected one of {', '.join(k.value for k in cls)} or "
                         f"{', '.join(a for a in _LINK_ALIASES if a not in cls._value2member_map_)}")


_LINK_ALIASES: dict[str, tuple[LinkKind, bool]] = {k.value: (k, False) for k in LinkKind}
_LINK_ALIASES.update(
    {
        "customer_of": (LinkKind.SUPPLIES, True),
        "buys_from": (LinkKind.SUPPLIES, True),
        "供给": (LinkKind.SUPPLIES, False),
        "供应": (LinkKind.SUPPLIES, False),
        "供货": (LinkKind.SUPPLIES, False),
        "供应商": (LinkKind.SUPPLIES, False),
        "客户": (LinkKind.SUPPLIES, True),
        "采购": (LinkKind.SUPPLIES, True),  # A buys from B: B supplies A
        "采购自": (LinkKind.SUPPLIES, True),
        "战略合作": (LinkKind.PARTNERS, False),
        "合作伙伴": (LinkKind.PARTNERS, False),
        "参股": (LinkKind.INVESTS, False),
        "对外投资": (LinkKind.INVESTS, False),
        "股东": (LinkKind.INVESTS, False),
        "子公司": (LinkKind.PARENT_OF, False),
        "全资子公司": (LinkKind.PARENT_OF, False),
        "合资企业": (LinkKind.JOINT_VENTURE, False),
        "收购": (LinkKind.ACQUIRES, False),
        "竞争对手": (LinkKind.COMPETES, False),
        "投资": (LinkKind.INVESTS, False),
        "合作": (LinkKind.PARTNERS, False),
        "合资": (LinkKind.JOINT_VENTURE, False),
        "母公司/控股": (LinkKind.PARENT_OF, False),
        "母公司": (LinkKind.PARENT_OF, False),
        "控股": (LinkKind.PARENT_OF, False),
        "并购": (LinkKind.ACQUIRES, False),
        "竞争": (LinkKind.COMPETES, False),
        "入驻园区": (LinkKind.LOCATED_IN_PARK, False),
        "孵化": (LinkKind.INCUBATED_BY, False),
    }
)


class EvidenceGrade(StrEnum):
    """How a segment membership is known (挂链 evidence grades)."""

    CONFIRMED = "confirmed"  # stated by the source / a person
    STRONG = "strong"  # products, patents
    MEDIUM = "medium"  # business scope, industry code
    WEAK = "weak"  # name only


class MembershipStatus(StrEnum):
    """Where a membership stands; which ones count: :mod:`graph.analysis.membership`."""

    CONFIRMED = "confirmed"  # imported, curated, or a prediction a user confirmed
    PREDICTED = "predicted"  # 挂链 by the classifier, to be reviewed
    REJECTED = "rejected"  # a prediction a user rejected: never counts, never predicted again


class RegionLevel(StrEnum):
    COUNTRY = "country"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


class SiteKind(StrEnum):
    HQ = "hq"
    REGIONAL_HQ = "regional_hq"
    BRANCH = "branch"
    RD_CENTRE = "rd_centre"
    PRODUCTION = "production"


TIERS = ("链主", "专精特新", "瞪羚", "隐形冠军", "独角兽", "上市公司")

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    if len(first17) != len(_USCC_WEIGHTS):
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))  # all in C: hot on import
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_problem(code: str, lang: str = "en") -> str | None:
    """Why ``code`` is not a valid unified social credit code, or ``None`` (in ``lang``: ``en`` or ``zh``).

    >>> uscc_problem("9144030070846113")
    'must be 18 characters, got 16'
    >>> uscc_problem("91440300708461136A")
    "check digit is 'A', expected 'T' (GB 32100-2015)"
    """
    zh = lang == "zh"
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位" if zh else f"must be 18 characters, got {len(code)}"
    if not _USCC_RE.match(code):
        bad = sorted({c for c in code if c not in USCC_CHARS})
        if bad:
            return f"含不允许的字符：{''.join(bad)}" if zh else f"characters not allowed in a USCC: {''.join(bad)}"
        return ("第 3–8 位应为 6 位行政区划代码" if zh
                else "characters 3–8 must be a 6-digit administrative division code")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return (f"校验位为 {code[17]!r}，应为 {expected!r}（GB 32100-2015）" if zh
                else f"check digit is {code[17]!r}, expected {expected!r} (GB 32100-2015)")
    return None


def valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "公司",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd",
    "co ltd",
    "ltd.",
    "ltd",
    "limited",
    "inc.",
    "inc",
    "corporation",
    "corp.",
    "corp",
    "llc",
    "gmbh",
)
_PUNCT_RE = re.compile(r"[\s\.,，。·()（）\[\]【】\"'“”‘’&\-_/]+")


def normalise_name(name: str) -> str:
    """A key for name-based dedupe: NFKC, lower case, no legal suffix or punctuation.

    >>> normalise_name("深圳市光影互动科技有限公司 ")
    '深圳市光影互动科技'
    >>> normalise_name("Nebula Pixel Co., Ltd.") == normalise_name("nebula pixel")
    True
    """
    text = unicodedata.normalize("NFKC", name).strip().lower()
    changed = True
    while changed and text.endswith(_LEGAL_SUFFIXES):
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].rstrip(" ,.")
                changed = True
                if not text.endswith(_LEGAL_SUFFIXES):  # no later suffix can match either
                    break
    return _PUNCT_RE.sub("", text)


def city_key(region: str | None) -> str:
    """The city-level prefix of a region id: with the name, the dedupe key.

    >>> city_key("cn/guangdong/shenzhen/nanshan"), city_key("jp/tokyo"), city_key(None)
    ('cn/guangdong/shenzhen', 'jp/tokyo', '')
    """
    if not region:
        return ""
    parts = region.split("/")
    return "/".join(parts[:3] if parts[0] == "cn" else parts[:2])


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record comes from and how sure we are.

    ``estimated`` names the fields that are estimated (modelled, imputed)
    rather than reported by the source.
    """

    source: str
    as_of: str | None = None  # ISO date
    estimated: tuple[str, ...] = ()

    @property
    def quality(self) -> str:
        return "estimated" if self.estimated else "reported"


@dataclass(frozen=True, slots=True)
class Region:
    """A node of the region hierarchy; ids are paths (``cn/guangdong/shenzhen``).

    >>> Region("cn/guangdong/shenzhen/nanshan", "南山区", "Nanshan", RegionLevel.DISTRICT).parent_id
    'cn/guangdong/shenzhen'
    """

    id: str
    name_zh: str
    name_en: str
    level: RegionLevel

    @property
    def parent_id(self) -> str | None:
        return self.id.rsplit("/", 1)[0] if "/" in self.id else None

    def contains(self, region_id: str | None) -> bool:
        return region_id is not None and (region_id == self.id or region_id.startswith(self.id + "/"))


@dataclass(frozen=True, slots=True)
class Segment:
    """A chain segment (产业链环节)."""

    id: str
    name_zh: str
    name_en: str
    stage: Stage
    format: Format
    parent: str | None = None
    description: str = ""
    keywords: tuple[str, ...] = ()
    manufacturing: bool = False
    source: str = "user"


@dataclass(frozen=True, slots=True)
class SegmentEdge:
    """``upstream`` supplies ``downstream`` within a chain.

    Its :attr:`id` is derived from the two ends, so a chain has at most one
    edge per ordered pair and every store keys it the same way.

    >>> SegmentEdge("seg:a", "seg:b").id
    'seg:a>seg:b'
    """

    upstream: str
    downstream: str
    weight: float = 1.0
    source: str = "user"

    @property
    def id(self) -> str:
        """``upstream>downstream``: the edge's key in every store (not part of its document)."""
        return f"{self.upstream}>{self.downstream}"


@dataclass(frozen=True, slots=True)
class Chain:
    id: str
    name_zh: str
    name_en: str
    segments: tuple[str, ...]
    cluster: str | None = None
    source: str = "user"


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str
    name_zh: str
    name_en: str
    chains: tuple[str, ...] = ()
    source: str = "user"


@dataclass(frozen=True, slots=True)
class Membership:
    """An organisation's place in a segment (挂链)."""

    segment: str
    confidence: float = 1.0
    evidence: EvidenceGrade = EvidenceGrade.CONFIRMED
    status: MembershipStatus = MembershipStatus.CONFIRMED


@dataclass(frozen=True, slots=True)
class Site:
    """A branch, regional HQ, R&D centre or production base in a region.

    ``landed``: opened by a recorded attraction outcome (``outcome record …
    landed``); the firm then counts as local to that region in every analysis.
    """

    region: str
    kind: SiteKind
    since: str | None = None
    landed: bool = False


@dataclass(frozen=True, slots=True)
class Financing:
    date: str
    round: str
    amount_cny_m: float | None = None


@dataclass(frozen=True, slots=True)
class Organisation:
    """A firm or a platform.

    ``region`` is the registered location as a region id (district where
    known). Money is in CNY: ``registered_capital_cny_m`` in millions.
    ``status`` is the registration status (登记状态): a closed organisation
    (注销/吊销/撤销) is kept and shown, but is never a target, local
    capacity, introducer or partner; ``status_detail`` keeps the 登记状态 cell as
    written (吊销，未注销) and ``status_date`` the date of that status (注销日期 /
    吊销日期), so a user looking it up is told why it is absent
    (:func:`graph.display.status_note`). ``former_names`` (曾用名) are searched
    and matched like the name; ``patents`` is ``None`` when unknown.
    ``provenance.estimated`` names ``region`` when the region was inferred,
    and ``region_source`` says from what (``address``, ``uscc``, ``name``).
    """

    id: str
    kind: OrgKind
    name_zh: str
    provenance: Provenance
    name_en: str = ""
    uscc: str | None = None
    region: str | None = None
    address: str = ""
    segments: tuple[Membership, ...] = ()
    products: tuple[str, ...] = ()
    description_zh: str = ""
    description_en: str = ""
    business_scope: str = ""
    industry: str = ""
    industry_code: str = ""
    keywords: tuple[str, ...] = ()
    employees: int | None = None
    revenue_band: str | None = None
    registered_capital_cny_m: float | None = None
    founded: str | None = None  # ISO date or year
    tiers: tuple[str, ...] = ()
    sites: tuple[Site, ...] = ()
    patents: int | None = None
    financing: tuple[Financing, ...] = ()
    parent_group: str | None = None
    status: RegStatus = RegStatus.UNKNOWN
    status_detail: str = ""  # the 登记状态 cell as written: 注销, 吊销，未注销, 存续（在营、开业、在册）
    status_date: str | None = None  # when the status took effect (注销日期 / 吊销日期), ISO
    former_names: tuple[str, ...] = ()
    legal_rep: str = ""  # 法定代表人
    region_source: str = ""  # "" reported; else how the region was inferred: address, uscc, name

    @property
    def closed(self) -> bool:
        """Deregistered, revoked or cancelled (注销/吊销/撤销)."""
        return self.status is RegStatus.CLOSED

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the organisation is known by: current, English, former."""
        return tuple(dict.fromkeys(n for n in (self.name_zh, self.name_en, *self.former_names) if n))

    @property
    def display_name(self) -> str:
        return self.name_zh or self.name_en

    def confirmed_segments(self) -> tuple[str, ...]:
        return tuple(m.segment for m in self.segments if m.status is MembershipStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class Link:
    """A typed, directed, dated edge between two organisations."""

    id: str
    kind: LinkKind
    src: str
    dst: str
    provenance: Provenance
    since: str | None = None  # ISO date the tie was first observed
    weight: float = 1.0  # e.g. share or volume of supply, when known
    confidence: float = 1.0


def record_maker(cls: type):
    """A function that builds ``cls`` from the values of all its fields, in order: ``make(*values)`` gives
    the object ``cls(*values)`` gives (equal, hashing alike), at about half the cost.

    The generated ``__init__`` of a frozen dataclass sets each field through ``object.__setattr__`` (the
    frozen guard's way round); this sets each slot through its descriptor. For the bulk builders
    (:mod:`graph.io.rows`), which make a record per row of a file: every field must be given (no
    defaults), and only a frozen, slotted dataclass without ``__post_init__`` qualifies.

    >>> make = record_maker(Provenance)
    >>> make("t", "2020-01-01", ("as_of",)) == Provenance("t", "2020-01-01", ("as_of",))
    True
    """
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    fields = dataclasses.fields(cls)
    if not (params.frozen and "__slots__" in cls.__dict__) or hasattr(cls, "__post_init__") or not all(
            f.init for f in fields):
        raise TypeError(f"record_maker needs a frozen, slotted dataclass without __post_init__: {cls.__name__}")
    names = [f.name for f in fields]
    env = {"_new": object.__new__, "_cls": cls} | {f"_set_{n}": cls.__dict__[n].__set__ for n in names}
    body = "".join(f"    _set_{n}(o, {n})\n" for n in names)
    exec(f"def make({', '.join(names)}):\n    o = _new(_cls)\n{body}    return o\n", env)  # noqa: S102 - built from field names
    return env["make"]


# ---------------------------------------------------------------- (de)serialise

_TYPES = {
    cls.__name__: cls
    for cls in (
        Provenance,
        Region,
        Segment,
        SegmentEdge,
        Chain,
        Cluster,
        Membership,
        Site,
        Financing,
        Organisation,
        Link,
    )
}


def to_dict(obj) -> dict:
    """A JSON-ready dict of a model object (enums as values, tuples as lists).

    >>> to_dict(Membership("seg:a"))
    {'segment': 'seg:a', 'confidence': 1.0, 'evidence': 'confirmed', 'status': 'confirmed'}
    """
    return {name: _plain(getattr(obj, name)) for name in _field_names(type(obj))}


@cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


_SCALARS = (str, int, float, bool, type(None))


def _plain(v):
    t = type(v)
    if t in _SCALARS:
        return v
    if isinstance(v, StrEnum):
        return v.value
    if t is tuple or t is list:
        return [_plain(x) for x in v]
    if dataclasses.is_dataclass(v):
        return to_dict(v)
    return v


_NESTED = {
    "Organisation": {
        "provenance": Provenance,
        "segments": Membership,
        "sites": Site,
        "financing": Financing,
        "kind": OrgKind,
        "status": RegStatus,
    },
    "Link": {"provenance": Provenance, "kind": LinkKind},
    "Segment": {"stage": Stage, "format": Format},
    "Region": {"level": RegionLevel},
    "Membership": {"evidence": EvidenceGrade, "status": MembershipStatus},
    "Site": {"kind": SiteKind},
}


def from_dict(cls, data: dict):
    """Inverse of :func:`to_dict` (trusted data only: the store's own JSON).

    >>> m = Membership("seg:a", 0.5, EvidenceGrade.WEAK, MembershipStatus.PREDICTED)
    >>> from_dict(Membership, to_dict(m)) == m
    True
    """
    nested = _NESTED.get(cls.__name__, {})
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        v = data[f.name]
        t = nested.get(f.name)
        if t is not None and v is not None:
            if isinstance(t, type) and issubclass(t, StrEnum):
                v = t(v)
            elif isinstance(v, list):
                v = tuple(from_dict(t, x) for x in v)
            else:
                v = from_dict(t, v)
        elif isinstance(v, list):
            v = tuple(v)
        kwargs[f.name] = v
    return cls(**kwargs)


