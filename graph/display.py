"""Names people read, in one language: regions, chains, segments and organisations instead of ids.

The CLI tables, reason sentences, reports and the workbench show a region as
广东省深圳市南山区 / "Nanshan, Shenzhen" and a segment, chain or organisation
by its name in the chosen language; ids stay in JSON fields. A record without
a name in the chosen language shows its other name, marked: in English
output a Chinese-only name reads ``光影知音科技 (zh)`` (no romanisation: the
marker says the English name is missing from the data). An id nothing knows
stays itself.

Examples
--------
>>> region_name("cn/guangdong/shenzhen/nanshan"), region_name("cn/guangdong/shenzhen/nanshan", "en")
('深圳市南山区', 'Nanshan, Shenzhen')
>>> region_name("cn/guangdong/shenzhen/nanshan", full=True), region_name("cn/shanghai/shanghai", "en", full=True)
('广东省深圳市南山区', 'Shanghai')
>>> pick("动漫游戏", "Animation & games", "en"), pick("光影知音", "", "en"), pick("", "Acme", "zh")
('Animation & games', '光影知音 (zh)', 'Acme')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["LANGS", "check_lang", "pick", "region_name", "word", "WORDS", "ONLY_ZH", "ID_PATTERN", "Names",
           "status_note", "clip", "cells", "source_name"]

LANGS = ("zh", "en")

#: the mark after a Chinese name shown in English output because the record has no English name
ONLY_ZH = " (zh)"

#: ids a person should not have to read: regions (cn/…), segments (seg:…), organisations (org:…)
ID_PATTERN = re.compile(r"\b(?:cn(?:/[a-z0-9-]+)+|seg:[A-Za-z0-9_.-]+|org:[A-Za-z0-9_.-]+)")


#: words of the data that :func:`graph.labels.label` does not cover: tiers, organisation kinds, risk reasons
WORDS: dict[str, tuple[str, str]] = {
    "链主": ("链主", "chain leader"), "专精特新": ("专精特新", "specialised SME"), "瞪羚": ("瞪羚", "gazelle"),
    "隐形冠军": ("隐形冠军", "hidden champion"), "独角兽": ("独角兽", "unicorn"), "上市公司": ("上市公司", "listed"),
    "firm": ("企业", "firm"), "incubator": ("孵化器", "incubator"), "park": ("园区", "park"),
    "university": ("高校", "university"), "lab": ("实验室", "lab"), "association": ("协会", "association"),
    "fund": ("基金", "fund"), "agency": ("招商机构", "agency"),
    "dominant_share": ("占比过高", "dominant share"), "sole_supplier": ("唯一供应商", "sole supplier"),
    "customer": ("客户", "customer"), "supplier": ("供应商", "supplier"), "complementor": ("互补方", "complementor"),
    "platform": ("平台", "platform"),
    "contacted": ("已接触", "contacted"), "accepted": ("已接受", "accepted"), "rejected": ("已拒绝", "rejected"),
    "landed": ("已落地", "landed"), "open": ("进行中", "open"), "closed": ("已关闭", "closed"),
    "strong": ("强证据", "strong"), "medium": ("中等证据", "medium"), "weak": ("弱证据", "weak"),
    # what a store holds (graph.store.protocol.WriteResult, store counts)
    "regions": ("地区", "regions"), "clusters": ("产业集群", "clusters"), "chains": ("产业链", "chains"),
    "segments": ("环节", "segments"), "segment_edges": ("环节关联", "segment edges"),
    "organisations": ("机构", "organisations"), "links": ("关系", "links"), "sites": ("站点", "sites"),
    "memberships": ("挂链关系", "memberships"), "branches": ("分支机构", "branches"),
    # where an organisation's region came from (graph.stats.store_stats)
    "reported": ("数据中填写", "reported"), "address": ("由地址推断", "from the address"),
    "uscc": ("由信用代码推断", "from the USCC"), "name": ("由名称推断", "from the name"), "none": ("无地区", "none"),
    # link kinds
    "supplies": ("供货", "supplies"), "partners": ("合作", "partners"), "invests": ("投资", "invests"),
    "competes": ("竞争", "competes"), "located_in_park": ("入驻园区", "located in park"),
    "incubated_by": ("孵化于", "incubated by"), "joint_venture": ("合资", "joint venture"), "parent_of": ("控股", "parent of"), "acquires": ("并购", "acquires"),
    # why a backtest query was skipped (matching.eval.backtest)
    "duplicate_or_self": ("重复或自环", "duplicate or self"), "pair_already_linked": ("已有关系", "pair already linked"),
    "undated": ("无日期", "undated"),
    # membership statuses (graph.model.MembershipStatus)
    "confirmed": ("已确认", "confirmed"), "predicted": ("预测", "predicted"),
    # record kinds and fields of a report's evidence sheet (graph.model)
    "segment": ("环节", "segment"), "link": ("关系", "link"), "chain model": ("产业链模型", "chain model"),
    "employees": ("从业人数", "employees"), "revenue_band": ("营收档", "revenue band"),
    "registered_capital": ("注册资本", "registered capital"), "founded": ("成立年份", "founding year"),
    "patents": ("专利数", "patents"), "weight": ("权重", "weight"), "since": ("起始日期", "since"),
    "region": ("地区", "region"), "products": ("产品", "products"), "description": ("简介", "description"),
    # the scorers a backtest compares (matching.eval: linkpred, baselines, entries)
    "engine": ("本引擎", "engine"), "engine (defaults)": ("本引擎（默认权重）", "engine (defaults)"),
    "popularity": ("热门度基线", "popularity"), "memorise": ("记忆基线", "memorise"),
    "adamic_adar": ("共同邻居基线（Adamic-Adar）", "Adamic-Adar"), "text": ("文本相似基线", "text similarity"),
    "relatedness": ("关联密度基线", "relatedness"), "random": ("随机基线", "random"),
    "density": ("关联密度基线", "density"), "demand": ("本地需求基线", "local demand"),
    "engine / best baseline": ("本引擎 / 最佳基线", "engine / best baseline"),
}


#: what a closed or moved-out organisation's 登记状态 says, in order: the first word found names it
_STATUS_WORDS = (("吊销", "已吊销", "revoked"), ("撤销", "已撤销", "cancelled"), ("注销", "已注销", "deregistered"),
                 ("责令关闭", "已责令关闭", "ordered closed"), ("清算", "清算中", "in liquidation"))


def status_note(status: str, detail: str = "", date: str | None = None, lang: str = "zh") -> str:
    """Why a closed or moved-out organisation counts nowhere, as a person reads it; ``""`` otherwise.

    ``status`` is the :class:`~graph.model.RegStatus` value, ``detail`` the 登记状态 cell as written,
    ``date`` when the status took effect. The CLI, the API and the workbench show it wherever such a
    firm is looked up (search, an organisation's record), since it is never a target, local capacity,
    introducer or partner.

    >>> status_note("closed", "注销", "2021-03-01"), status_note("closed", "注销", "2021-03-01", "en")
    ('已注销（2021-03-01）', 'deregistered 2021-03-01')
    >>> status_note("closed", "吊销，未注销", None, "en"), status_note("closed"), status_note("moved_out", lang="en")
    ('revoked', '已关闭', 'moved away')
    >>> status_note("active", "存续"), status_note("unknown")
    ('', '')
    """
    if status == "closed":
        zh, en = next(((z, e) for w, z, e in _STATUS_WORDS if w in detail and f"未{w}" not in detail),
                      ("已关闭", "closed"))
    elif status == "moved_out":
        zh, en = "已迁出", "moved away"
    else:
        return ""
    if lang == "en":
        return f"{en} {date}" if date else en
    return f"{zh}（{date}）" if date else zh


def word(key: str, lang: str = "zh") -> str:
    """A status, stage, part, tier, kind or reason in ``lang`` (:func:`graph.labels.label` first).

    >>> word("链主", "en"), word("few_firms", "zh"), word("incubator", "zh"), word("something", "en")
    ('chain leader', '企业过少', '孵化器', 'something')
    """
    from graph.labels import label

    found = label(key, lang)
    if found != key or key not in WORDS:
        return found
    return WORDS[key][1 if lang == "en" else 0]


def check_lang(lang: str) -> str:
    """``lang`` if it is ``zh`` or ``en``; :class:`graph.errors.InvalidInput` otherwise.

    >>> check_lang("en")
    'en'
    """
    if lang not in LANGS:
        from graph.errors import InvalidInput, Problem

        raise InvalidInput(f"unknown language {lang!r}: use zh or en", f"未知语言 {lang!r}：请用 zh 或 en",
                           [Problem("options", None, "lang", "expected zh or en")])
    return lang


#: the data sets chainmatch reads, by the key their importer records as a record's source
SOURCES: dict[str, tuple[str, str]] = {
    "fixture:shenzhen_digital_creative": ("示例数据（虚构）", "sample data (fictional)"),
    "chainkg": ("A股上市公司产业链知识图谱（ChainKnowledgeGraph）", "A-share chain knowledge graph (ChainKnowledgeGraph)"),
    "ickg": ("产业链知识图谱（ICKG）", "Industrial Chain Knowledge Graph (ICKG)"),
}


def source_name(source: str | None, lang: str = "zh") -> str:
    """A record's source (``provenance.source``; several joined by "; ") as a person reads it: a data set by
    its name, an import by its file, a landed project by its number; a source the user's file named (a
    数据来源 column) stays as written. The key itself belongs in a tooltip or JSON.

    >>> source_name("fixture:shenzhen_digital_creative"), source_name("chainkg", "en")
    ('示例数据（虚构）', 'A-share chain knowledge graph (ChainKnowledgeGraph)')
    >>> source_name("file:firms.xlsx; project:3"), source_name("file:firms.xlsx; project:3", "en")
    ('导入文件 firms.xlsx；招商项目 3 落地', 'imported file firms.xlsx; landed by project 3')
    >>> source_name("fixture:examples", "en"), source_name("企查查导出"), source_name(None)
    ('example data "examples"', '企查查导出', '')
    """
    out = []
    for part in (source or "").split("; "):
        key, _, rest = part.partition(":")
        if part in SOURCES:
            out.append(SOURCES[part][lang == "en"])
        elif key == "file" and rest:
            out.append(f"导入文件 {rest}" if lang == "zh" else f"imported file {rest}")
        elif key == "project" and rest:
            out.append(f"招商项目 {rest} 落地" if lang == "zh" else f"landed by project {rest}")
        elif key == "fixture" and rest:
            out.append(f"示例数据「{rest}」" if lang == "zh" else f'example data "{rest}"')
        elif part.strip():
            out.append(part)
    return ("；" if lang == "zh" else "; ").join(out)


def cells(text: str) -> int:
    """Display columns of ``text``: a wide (CJK) character takes two, a combining mark none.

    >>> cells("游戏引擎"), cells("Game"), cells("e\u0301")
    (8, 4, 1)
    """
    return sum(0 if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf"
               else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clusters(text: str) -> list[str]:
    """``text`` as characters a reader sees: a base with its combining marks, variation selectors and
    zero-width joins (so a cut never separates an accent, a selector or half of a joined emoji)."""
    out: list[str] = []
    for ch in text:
        joins = unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf") \
            or 0xFE00 <= ord(ch) <= 0xFE0F or (out and out[-1].endswith("\u200d"))
        if out and joins:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns, ending in "…" when cut (never mid-character; a Latin name is
    cut at a word's end when one falls in its second half). The full text belongs in a tooltip beside it.

    >>> clip("游戏引擎", 8), clip("短视频与微短剧制作", 10), clip("Short video & micro-drama production", 20)
    ('游戏引擎', '短视频与…', 'Short video…')
    >>> clip("Cafe\u0301 society", 6) == "Cafe\u0301…", clip("", 4)
    (True, '')
    """
    if cells(text) <= width:
        return text
    kept, used = [], 1  # the "…" takes one column
    for c in _clusters(text):
        if used + cells(c) > width:
            break
        kept.append(c)
        used += cells(c)
    head = "".join(kept)
    space = head.rfind(" ")
    if space >= len(head) // 2 and not CJK_CHAR.search(head[space:]):
        head = head[:space]
    return head.rstrip(" &,;:·-/") + "…"


#: a Chinese character (a name in Chinese is cut anywhere; a Latin word only at its end)
CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def pick(zh: str | None, en: str | None, lang: str = "zh") -> str:
    """The name in ``lang``; else the other one (a Chinese name marked :data:`ONLY_ZH` in English)."""
    zh, en = (zh or "").strip(), (en or "").strip()
    if lang == "en":
        return en or (zh + ONLY_ZH if zh else "")
    return zh or en


def region_name(region_id: str | None, lang: str = "zh", *, full: bool = False) -> str:
    """A region for people: 深圳市南山区 / "Nanshan, Shenzhen" (``full``: with the province).

    Below the country, China is left out; a municipality is named once; a
    region the gazetteer does not know shows its id.

    >>> region_name("cn/beijing/beijing/haidian"), region_name("jp/tokyo"), region_name("jp/tokyo", "en")
    ('北京市海淀区', '日本东京', 'Tokyo, Japan')
    >>> region_name("cn/guangdong", "en"), region_name("cn"), region_name(None), region_name("xx/nowhere")
    ('Guangdong', '中国', '', 'xx/nowhere')
    """
    if not region_id:
        return ""
    from graph.errors import ChainmatchError
    from graph.regions import lineage, region

    try:
        chain = [region(rid) for rid in lineage(region_id)]
    except ChainmatchError:
        return region_id
    if chain[0].id == "cn" and len(chain) > 1:
        chain = chain[1:]
        if not full and len(chain) > 1:
            chain = chain[1:]  # 深圳市南山区: the city names the place well enough in a table
    names = [r.name_zh if lang == "zh" else (r.name_en or r.name_zh) for r in chain]
    names = [n for k, n in enumerate(names) if k == 0 or n != names[k - 1]]
    return "".join(names) if lang == "zh" else ", ".join(reversed(names))


class Names:
    """Ids of one store turned into names in one language; each record read once.

    Parameters
    ----------
    store
        A :class:`graph.store.protocol.GraphStore` (segments and chains are
        read on first use, organisations by id as asked).
    lang
        ``zh`` or ``en``.

    Examples
    --------
    >>> from graph.store.sqlite import SqliteStore
    >>> from fixtures.world import load_world
    >>> store = SqliteStore.memory(); _ = store.write(load_world()[0])
    >>> zh, en = Names(store), Names(store, "en")
    >>> zh.of("seg:game_engine"), en.of("seg:game_engine"), zh.of("cn/guangdong/shenzhen")
    ('游戏引擎', 'Game engines', '深圳市')
    >>> en.text("held by org:p004 in cn/guangdong/shenzhen/nanshan")
    'held by Shenzhen Nanshan District Investment Promotion Agency in Nanshan, Shenzhen'
    >>> zh.of("org:nobody"), zh.text("no ids here")
    ('org:nobody', 'no ids here')
    """

    def __init__(self, store, lang: str = "zh"):
        self.store = store
        self.lang = check_lang(lang)
        self._segments: dict[str, tuple[str, str]] | None = None
        self._chains: dict[str, tuple[str, str]] | None = None
        self._orgs: dict[str, str] = {}

    def _seg_table(self) -> dict[str, tuple[str, str]]:
        if self._segments is None:
            self._segments = {s.id: (s.name_zh, s.name_en) for s in self.store.segments()}
        return self._segments

    def _chain_table(self) -> dict[str, tuple[str, str]]:
        if self._chains is None:
            self._chains = {c.id: (c.name_zh, c.name_en) for c in self.store.chains()}
        return self._chains

    def region(self, region_id: str | None, *, full: bool = False) -> str:
        return region_name(region_id, self.lang, full=full)

    def segment(self, segment_id: str) -> str:
        pair = self._seg_table().get(segment_id)
        return pick(*pair, self.lang) if pair else segment_id

    def chain(self, chain_id: str) -> str:
        pair = self._chain_table().get(chain_id)
        return pick(*pair, self.lang) if pair else chain_id

    def org(self, org_id: str) -> str:
        if org_id not in self._orgs:
            self.preload([org_id])
        return self._orgs.get(org_id) or org_id

    def preload(self, org_ids: Iterable[str]) -> None:
        """Read the names of these organisations in one query (tables ask for many)."""
        wanted = [i for i in dict.fromkeys(org_ids) if i and i not in self._orgs]
        if not wanted:
            return
        for o in self.store.organisations(ids=wanted):
            self._orgs[o.id] = pick(o.name_zh, o.name_en, self.lang)
        for i in wanted:
            self._orgs.setdefault(i, "")

    def of(self, any_id: str) -> str:
        """The name behind a region, segment, chain or organisation id (the id itself if none)."""
        if any_id.startswith("seg:"):
            return self.segment(any_id)
        if any_id.startswith("org:"):
            return self.org(any_id)
        if any_id in self._chain_table():
            return self.chain(any_id)
        if "/" in any_id or any_id in ("cn", "us", "gb", "jp", "kr", "de", "fr", "se"):
            return self.region(any_id)
        return self.segment(any_id)

    def text(self, text: str) -> str:
        """``text`` with every region, segment and organisation id in it replaced by its name."""
        return ID_PATTERN.sub(lambda m: self.of(m.group()), text)

    def many(self, ids: Iterable[str], sep: str | None = None, k: int | None = None) -> str:
        """Names of ``ids`` joined (、 in Chinese, ", " in English); past ``k``, counted."""
        ids = list(ids)
        sep = sep if sep is not None else ("、" if self.lang == "zh" else ", ")
        if k is not None and len(ids) > k:
            self.preload(ids[:k])
            more = f"等{len(ids)}个" if self.lang == "zh" else f" and {len(ids) - k} more"
            return sep.join(self.of(i) for i in ids[:k]) + more
        self.preload(i for i in ids if i.startswith("org:"))
        return sep.join(self.of(i) for i in ids)
