"""Cell parsers: text from a spreadsheet cell to a typed value, or a clear reason.

Every parser raises :class:`ParseError` (a ``ValueError``) whose message is
the reason shown to the user. Parsers that may estimate (foreign-currency
capital, an employee range) return ``(value, estimated)``.

Money is converted to CNY at fixed, documented rates (:data:`FX_TO_CNY`) so
an import is deterministic; such values are marked estimated.

Examples
--------
>>> parse_capital("1000万人民币"), parse_capital("500万美元"), parse_capital("1.2亿")
((10.0, False), (36.0, True), (120.0, False))
>>> parse_date("2015年3月2日"), parse_date("2015/3/2"), parse_date("42065")
('2015-03-02', '2015-03-02', '2015-03-02')
>>> parse_employees("100-499人")
(300, True)
>>> split_list("游戏引擎、动作捕捉;AIGC，虚拟人")
('游戏引擎', '动作捕捉', 'AIGC', '虚拟人')
>>> parse_kind("众创空间")
<OrgKind.INCUBATOR: 'incubator'>
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from graph.model import Format, LinkKind, OrgKind, RegStatus, Stage, uscc_problem

__all__ = [
    "ParseError",
    "FX_TO_CNY",
    "MISSING",
    "is_missing",
    "parse_capital",
    "parse_date",
    "parse_int",
    "parse_float",
    "parse_confidence",
    "parse_employees",
    "split_list",
    "parse_bool",
    "parse_uscc",
    "parse_kind",
    "parse_stage",
    "parse_format",
    "parse_link_kind",
    "parse_status",
]


class ParseError(ValueError):
    """A cell that cannot be read; the message is the reason (English), ``zh`` the same in Chinese."""

    def __init__(self, message: str, zh: str = ""):
        super().__init__(message)
        self.zh = zh or message


def _zh(what: str) -> str:
    """A field's name in Chinese, for a reason (the field's key when unknown)."""
    return {"weight": "权重", "confidence": "置信度", "patents": "专利数", "founded": "成立年份", "revenue": "营收",
            "employees": "从业人数", "number": "数值", "year": "年份", "value": "数值"}.get(what, what)


#: Fixed conversion rates to CNY (documented, so imports are reproducible);
#: values converted with them are marked estimated.
FX_TO_CNY = {"USD": 7.2, "EUR": 7.8, "GBP": 9.1, "HKD": 0.92, "JPY": 0.048}

#: Cell texts that mean "no value" in enterprise-data exports.
MISSING = frozenset({"-", "--", "—", "——", "/", "n/a", "na", "null", "none", "nan",
                     "暂无", "未公开", "无", "未知", "不详", "未披露"})


def is_missing(text: str | None) -> bool:
    """Whether a cell means "no value".

    >>> is_missing(" - "), is_missing("暂无"), is_missing("0")
    (True, True, False)
    """
    return text is None or not text.strip() or text.strip().casefold() in MISSING


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_NUM = r"\d+(?:\.\d+)?"
_CAP_RE = re.compile(rf"^(?P<pre>us\$|hk\$|\$|¥|€|£)?(?P<num>{_NUM})(?P<rest>.*)$")
_CURRENCIES = (  # longest first; foreign before 元
    ("美元", "USD"), ("美金", "USD"), ("usd", "USD"), ("us$", "USD"), ("$", "USD"),
    ("港元", "HKD"), ("港币", "HKD"), ("hkd", "HKD"), ("hk$", "HKD"),
    ("欧元", "EUR"), ("eur", "EUR"), ("€", "EUR"),
    ("日元", "JPY"), ("jpy", "JPY"),
    ("英镑", "GBP"), ("gbp", "GBP"), ("£", "GBP"),
    ("人民币", "CNY"), ("rmb", "CNY"), ("cny", "CNY"), ("¥", "CNY"), ("元", "CNY"),
)
_MULTIPLIERS = (("亿", 1e8), ("千万", 1e7), ("百万", 1e6), ("万", 1e4), ("million", 1e6),
                ("mn", 1e6), ("千", 1e3), ("m", 1e6), ("k", 1e3))
_BARE = {"wan": 1e4, "million": 1e6, "yuan": 1.0}


def parse_capital(text: str, unit: str = "wan") -> tuple[float, bool]:
    """Registered capital in CNY millions, and whether it was converted.

    Parameters
    ----------
    text : str
        ``1000万人民币``, ``1,000万元``, ``500万美元``, ``1.2亿``, ``US$2 million`` ...
    unit : {"wan", "million", "yuan"}
        What a bare number means (see :func:`graph.io.headers.capital_unit`).

    Examples
    --------
    >>> parse_capital("1,000万元"), parse_capital("300", unit="million"), parse_capital("5000000元")
    ((10.0, False), (300.0, False), (5.0, False))
    >>> parse_capital("lots")
    Traceback (most recent call last):
    ...
    graph.io.parse.ParseError: cannot read registered capital 'lots': expected e.g. 1000万人民币, 500万美元 or 1.2亿
    """
    raw = _norm(text).casefold().replace(",", "").replace(" ", "").replace("(", "").replace(")", "")
    m = _CAP_RE.match(raw)
    if not m:
        raise ParseError(f"cannot read registered capital {text!r}: expected e.g. 1000万人民币, 500万美元 or 1.2亿",
                         f"无法读取注册资本 {text!r}：应如 1000万人民币、500万美元 或 1.2亿")
    rest = (m["pre"] or "") + m["rest"]
    currency = None
    for token, code in _CURRENCIES:
        if token in rest:
            currency = currency or code
            rest = rest.replace(token, "", 1)
    factor = None
    for token, mult in _MULTIPLIERS:
        if token in rest:
            factor = mult
            rest = rest.replace(token, "", 1)
            break
    if rest:
        raise ParseError(f"cannot read registered capital {text!r}: unknown unit {rest!r}",
                         f"无法读取注册资本 {text!r}：未知单位 {rest!r}")
    if factor is None:
        factor = 1.0 if currency is not None else _BARE[unit]
    rate = 1.0 if currency in (None, "CNY") else FX_TO_CNY[currency]
    return round(float(m["num"]) * factor * rate / 1e6, 6), rate != 1.0


_YMD_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?$")
_YM_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_Y_RE = re.compile(r"^(\d{4})\s*年?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _year(y: int, text: str) -> int:
    if not 1800 <= y <= 2100:
        raise ParseError(f"date {text!r}: year {y} out of range 1800–2100",
                         f"日期 {text!r}：年份 {y} 不在 1800–2100 之间")
    return y


def parse_date(text: str) -> str:
    """An ISO date (or ``YYYY-MM`` / ``YYYY`` when that is all there is).

    Accepts ``2015-03-02``, ``2015/3/2``, ``2015.3.2``, ``2015年3月2日``,
    ``20150302``, a time after the date (dropped) and Excel serial day numbers.

    Examples
    --------
    >>> parse_date("2015-03-02 00:00:00"), parse_date("2015年3月"), parse_date("2015")
    ('2015-03-02', '2015-03', '2015')
    >>> parse_date("2015-02-30")
    Traceback (most recent call last):
    ...
    graph.io.parse.ParseError: no such date: '2015-02-30' (day is out of range for month)
    >>> parse_date("3/2/2015")
    Traceback (most recent call last):
    ...
    graph.io.parse.ParseError: cannot read date '3/2/2015': use YYYY-MM-DD, e.g. 2015-03-02
    """
    raw = _norm(text).casefold()
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):  # Excel serial day number (1927–2173)
        return (_EXCEL_EPOCH + dt.timedelta(days=int(float(raw)))).isoformat()
    if re.fullmatch(r"\d{8}", raw):
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    if m := _YMD_RE.match(raw):
        try:
            return dt.date(_year(int(m[1]), text), int(m[2]), int(m[3])).isoformat()
        except ValueError as e:
            raise ParseError(f"no such date: {text!r} ({e})", f"不存在的日期：{text!r}") from None
    if m := _YM_RE.match(raw):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise ParseError(f"no such month: {text!r}", f"不存在的月份：{text!r}")
        return f"{_year(int(m[1]), text):04d}-{month:02d}"
    if m := _Y_RE.match(raw):
        return f"{_year(int(m[1]), text):04d}"
    raise ParseError(f"cannot read date {text!r}: use YYYY-MM-DD, e.g. 2015-03-02",
                     f"无法读取日期 {text!r}：请用 YYYY-MM-DD，如 2015-03-02")


def _number(text: str, what: str) -> float:
    raw = _norm(text).replace(",", "").replace(" ", "")
    try:
        value = float(raw)
    except ValueError:
        raise ParseError(f"{what} {text!r} is not a number", f"{_zh(what)} {text!r} 不是数字") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ParseError(f"{what} {text!r} is not a finite number", f"{_zh(what)} {text!r} 不是有限数值")
    return value


def parse_float(text: str, what: str = "value") -> float:
    """A finite number (thousands separators allowed).

    >>> parse_float("1,234.5")
    1234.5
    """
    return _number(text, what)


def parse_int(text: str, what: str = "value") -> int:
    """A non-negative whole number (``12``, ``1,200``, ``12.0``).

    >>> parse_int("1,200"), parse_int("12.0")
    (1200, 12)
    """
    value = _number(text, what)
    if not value.is_integer() or value < 0:
        raise ParseError(f"{what} {text!r} is not a whole number ≥ 0", f"{_zh(what)} {text!r} 不是 ≥ 0 的整数")
    return int(value)


def parse_confidence(text: str) -> float:
    """A confidence in 0..1 (``0.8`` or ``80%``).

    >>> parse_confidence("80%")
    0.8
    """
    raw = _norm(text)
    value = _number(raw[:-1], "confidence") / 100 if raw.endswith("%") else _number(raw, "confidence")
    if not 0.0 <= value <= 1.0:
        raise ParseError(f"confidence {text!r} is outside 0..1", f"置信度 {text!r} 不在 0..1 之间")
    return value


_RANGE_RE = re.compile(rf"^({_NUM})\s*(?:-|~|–|—|至|到)\s*({_NUM})$")
_BELOW_RE = re.compile(rf"^(?:少于|小于|不足|低于|<|under|less than)\s*({_NUM})$")
_ABOVE_RE = re.compile(rf"^(?:超过|大于|多于|>|over|more than)?\s*({_NUM})\s*(?:以上|及以上|\+|or more)?$")


def parse_employees(text: str) -> tuple[int, bool]:
    """Head count, and whether it is estimated (a range or a bound).

    ``100-499人`` gives the midpoint (rounded half up), ``少于50人`` half the
    bound, ``10000人以上`` the bound; all marked estimated.

    Examples
    --------
    >>> parse_employees("150人"), parse_employees("少于50人"), parse_employees("10000人以上")
    ((150, False), (25, True), (10000, True))
    """
    raw = _norm(text).casefold().replace(",", "").replace("人", "").replace("名", "").strip()
    if m := _RANGE_RE.match(raw):
        lo, hi = float(m[1]), float(m[2])
        if lo > hi:
            raise ParseError(f"employees {text!r}: range goes down", f"从业人数 {text!r}：区间上限小于下限")
        return int((lo + hi) / 2 + 0.5), True
    if m := _BELOW_RE.match(raw):
        return int(float(m[1]) / 2 + 0.5), True
    if (m := _ABOVE_RE.match(raw)) and float(m[1]).is_integer():
        return int(float(m[1])), raw != m[1]
    raise ParseError(f"cannot read employees {text!r}: expected e.g. 150, 150人 or 100-499人",
                     f"无法读取从业人数 {text!r}：应如 150、150人 或 100-499人")


_SPLIT_RE = re.compile(r"[、,;，；|\n]+")


def split_list(text: str) -> tuple[str, ...]:
    """Split a list cell on ``、 , ; ， ； |`` and new lines; drop blanks and repeats.

    >>> split_list("a | b;a;;")
    ('a', 'b')
    """
    return tuple(dict.fromkeys(p.strip() for p in _SPLIT_RE.split(text) if p.strip()))


_TRUE = {"true", "t", "yes", "y", "1", "是", "对", "有", "√", "✓"}
_FALSE = {"false", "f", "no", "n", "0", "否", "不是", "无", "×", "✗"}


def parse_bool(text: str) -> bool:
    """A yes/no cell (English, Chinese, 1/0, ✓/×).

    >>> parse_bool("是"), parse_bool("No")
    (True, False)
    """
    raw = _norm(text).casefold()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ParseError(f"cannot read yes/no value {text!r}: use true/false, yes/no, 是/否 or 1/0",
                     f"无法读取是/否值 {text!r}：请用 是/否、true/false、yes/no 或 1/0")


def parse_uscc(text: str) -> str:
    """A validated unified social credit code (upper-cased, spaces removed).

    >>> parse_uscc(" 91440300708461136t ")
    '91440300708461136T'
    >>> parse_uscc("91440300708461136A")
    Traceback (most recent call last):
    ...
    graph.io.parse.ParseError: invalid USCC '91440300708461136A': check digit is 'A', expected 'T' (GB 32100-2015)
    """
    code = re.sub(r"\s+", "", _norm(text)).upper()
    why = uscc_problem(code)
    if why is None:
        return code
    hint = hint_zh = ""
    if re.fullmatch(r"\d+(\.\d+)?(E\+?\d+)?", code) and (len(code) != 18 or "E" in code):
        hint = " (stored as a number in the spreadsheet? format the column as text)"
        hint_zh = "（表格中存成了数字？请把该列设为文本）"
    raise ParseError(f"invalid USCC {code!r}: {why}{hint}",
                     f"统一社会信用代码 {code!r} 无效：{uscc_problem(code, 'zh')}{hint_zh}")


_KIND_EXACT = {k.value: k for k in OrgKind} | {
    "company": OrgKind.FIRM, "enterprise": OrgKind.FIRM, "startup": OrgKind.FIRM,
    "accelerator": OrgKind.INCUBATOR, "maker_space": OrgKind.INCUBATOR, "makerspace": OrgKind.INCUBATOR,
    "science_park": OrgKind.PARK, "base": OrgKind.PARK, "college": OrgKind.UNIVERSITY,
    "institute": OrgKind.LAB, "research_institute": OrgKind.LAB, "laboratory": OrgKind.LAB,
    "chamber": OrgKind.ASSOCIATION, "investor": OrgKind.FUND, "vc": OrgKind.FUND,
    "investment_promotion_agency": OrgKind.AGENCY, "ipa": OrgKind.AGENCY,
}
_KIND_WORDS = (  # first match wins: the order settles names like 大学科技园 (a park)
    (OrgKind.AGENCY, ("招商局", "投资推广署", "投促中心", "投资促进", "招商中心")),
    (OrgKind.INCUBATOR, ("孵化器", "众创空间", "加速器", "孵化")),
    (OrgKind.FUND, ("基金", "投资机构", "创投", "风投")),
    (OrgKind.ASSOCIATION, ("协会", "商会", "联盟", "学会")),
    (OrgKind.PARK, ("园区", "基地", "产业园", "科技园")),
    (OrgKind.LAB, ("实验室", "研究院", "研究所", "研究中心")),
    (OrgKind.UNIVERSITY, ("高校", "大学", "学院")),
    (OrgKind.FIRM, ("企业", "公司")),
)


def parse_kind(text: str) -> OrgKind:
    """An organisation kind from English or Chinese.

    >>> parse_kind("Company"), parse_kind("投促中心"), parse_kind("重点实验室")
    (<OrgKind.FIRM: 'firm'>, <OrgKind.AGENCY: 'agency'>, <OrgKind.LAB: 'lab'>)
    """
    raw = _norm(text).casefold().replace("-", "_").replace(" ", "_")
    if raw in _KIND_EXACT:
        return _KIND_EXACT[raw]
    for kind, words in _KIND_WORDS:
        if any(w in raw for w in words):
            return kind
    raise ParseError(f"unknown organisation kind {text!r}; expected one of "
                     f"{', '.join(k.value for k in OrgKind)} or 企业/孵化器/园区/高校/实验室/协会/基金/招商局",
                     f"未知机构类型 {text!r}：应为 企业/孵化器/园区/高校/实验室/协会/基金/招商局 之一")


_STAGES = {s.value: s for s in Stage} | {
    "up": Stage.UPSTREAM, "mid": Stage.MIDSTREAM, "down": Stage.DOWNSTREAM,
    "上游": Stage.UPSTREAM, "中游": Stage.MIDSTREAM, "下游": Stage.DOWNSTREAM,
    "upstream stage": Stage.UPSTREAM, "midstream stage": Stage.MIDSTREAM, "downstream stage": Stage.DOWNSTREAM,
}
_STAGE_PREFIX = (("上游", Stage.UPSTREAM), ("中游", Stage.MIDSTREAM), ("下游", Stage.DOWNSTREAM))


def parse_stage(text: str) -> Stage:
    """A chain stage: upstream/midstream/downstream or 上游/中游/下游.

    >>> parse_stage("中游")
    <Stage.MIDSTREAM: 'midstream'>
    """
    raw = _norm(text).casefold()
    if raw in _STAGES:
        return _STAGES[raw]
    for prefix, stage in _STAGE_PREFIX:  # 上游环节, 上游（原材料）, 中游制造 ...
        if raw.startswith(prefix):
            return stage
    raise ParseError(f"unknown stage {text!r}; expected upstream, midstream, downstream (上游/中游/下游)",
                     f"未知环节位置 {text!r}：应为 上游/中游/下游")


_FORMATS = {f.value: f for f in Format} | {
    "技术和设备": Format.TECHNOLOGY_EQUIPMENT, "技术与设备": Format.TECHNOLOGY_EQUIPMENT,
    "技术装备": Format.TECHNOLOGY_EQUIPMENT, "内容制作": Format.CONTENT_PRODUCTION,
    "设计服务": Format.DESIGN_SERVICES, "融合服务": Format.CONVERGENCE_SERVICES, "其他": Format.OTHER,
}


def parse_format(text: str) -> Format:
    """One of the four formats (English value or 技术和设备/内容制作/设计服务/融合服务).

    >>> parse_format("内容制作")
    <Format.CONTENT_PRODUCTION: 'content_production'>
    """
    raw = _norm(text).casefold().replace(" ", "_").replace("&", "_").replace("-", "_")
    if raw in _FORMATS:
        return _FORMATS[raw]
    raise ParseError(f"unknown format {text!r}; expected one of {', '.join(f.value for f in Format)} "
                     "(技术和设备/内容制作/设计服务/融合服务)",
                     f"未知业态 {text!r}：应为 技术和设备/内容制作/设计服务/融合服务 之一")


def parse_status(text: str) -> RegStatus:
    """A registration status (登记状态).

    >>> parse_status("注销"), parse_status("存续"), parse_status("迁出")
    (<RegStatus.CLOSED: 'closed'>, <RegStatus.ACTIVE: 'active'>, <RegStatus.MOVED_OUT: 'moved_out'>)
    """
    try:
        return RegStatus.parse(text)
    except ValueError as e:
        raise ParseError(str(e)) from None


def parse_link_kind(text: str) -> tuple[LinkKind, bool]:
    """A link type and whether src/dst are reversed (``customer_of``, 客户).

    >>> parse_link_kind("客户")
    (<LinkKind.SUPPLIES: 'supplies'>, True)
    """
    try:
        return LinkKind.parse(_norm(text))
    except ValueError as e:
        raise ParseError(str(e)) from None
