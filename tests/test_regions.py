"""The region gazetteer: tables, hierarchy, address parsing and name-prefix inference."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from graph import regions_data
from graph.errors import InvalidInput, NotFound
from graph.model import RegionLevel
from graph.regions import (
    COUNTY_CITY_PARENT,
    all_regions,
    at_level,
    display,
    generated_ids,
    infer_region_from_name,
    lineage,
    parse_region,
    prefecture_of,
    region,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHENZHEN = "cn/guangdong/shenzhen"
SHENZHEN_DISTRICTS = {
    "futian": "福田区",
    "luohu": "罗湖区",
    "nanshan": "南山区",
    "yantian": "盐田区",
    "baoan": "宝安区",
    "longgang": "龙岗区",
    "longhua": "龙华区",
    "pingshan": "坪山区",
    "guangming": "光明区",
    "dapeng": "大鹏新区",
}
SLUG_PATH = re.compile(r"^[a-z]+(-[a-z]+)*(/[a-z]+(-[a-z]+)*)*$")


# --- the tables -------------------------------------------------------------


def test_ids_are_unique_slug_paths_with_existing_parents():
    ids = [r.id for r in all_regions()]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for r in all_regions():
        assert SLUG_PATH.match(r.id), r.id
        assert r.parent_id is None or r.parent_id in known, r.id
        assert r.name_zh and r.name_en, r.id


def test_levels_follow_depth_in_china():
    depth_level = [
        RegionLevel.COUNTRY,
        RegionLevel.PROVINCE,
        RegionLevel.CITY,
        RegionLevel.DISTRICT,
    ]
    for r in all_regions():
        if r.id == "cn" or r.id.startswith("cn/"):
            assert r.level is depth_level[r.id.count("/")], r.id
        else:
            assert r.level is (RegionLevel.COUNTRY if "/" not in r.id else RegionLevel.CITY), r.id


def test_34_provinces_and_333_prefecture_level_divisions():
    regions = all_regions()
    assert sum(r.level is RegionLevel.PROVINCE for r in regions) == 34
    skip = {f"cn/{m}" for m in (*regions_data.MUNICIPALITIES, "taiwan")}
    prefectures = [
        r
        for r in regions
        if r.level is RegionLevel.CITY
        and r.id.startswith("cn/")
        and r.parent_id not in skip
        and r.id not in COUNTY_CITY_PARENT
        and r.id not in generated_ids()  # county-level divisions administered by the province (仙桃, 定安 …)
    ]
    assert len(prefectures) == 333
    assert sum(r.name_zh.endswith("自治州") for r in prefectures) == 30
    assert sum(r.name_zh.endswith("盟") for r in prefectures) == 3
    assert sum(r.name_zh.endswith("地区") for r in prefectures) == 7


def test_municipalities_have_a_city_equal_to_themselves():
    for slug in ("beijing", "shanghai", "tianjin", "chongqing", "hongkong", "macau"):
        province, city = region(f"cn/{slug}"), region(f"cn/{slug}/{slug}")
        assert (province.name_zh, province.name_en) == (city.name_zh, city.name_en)
        assert city.level is RegionLevel.CITY


def test_county_level_cities_map_to_a_prefecture_of_their_province():
    assert COUNTY_CITY_PARENT["cn/jiangsu/kunshan"] == "cn/jiangsu/suzhou"
    for rid, parent in COUNTY_CITY_PARENT.items():
        assert region(rid).level is RegionLevel.CITY
        if parent is not None:
            assert region(parent).level is RegionLevel.CITY
            assert parent not in COUNTY_CITY_PARENT
            assert region(parent).parent_id == region(rid).parent_id, rid


@pytest.mark.parametrize(
    ("rid", "zh", "en"),
    [
        (SHENZHEN, "深圳市", "Shenzhen"),
        ("cn/hunan/shaoyang", "邵阳市", "Shaoyang"),
        ("cn/jilin/yanbian", "延边朝鲜族自治州", "Yanbian"),
        ("cn/neimenggu", "内蒙古自治区", "Inner Mongolia"),
        ("cn/shaanxi", "陕西省", "Shaanxi"),
        ("cn/shanxi", "山西省", "Shanxi"),
        ("cn/jiangsu/kunshan", "昆山市", "Kunshan"),
        ("cn/guangdong/shenzhen/dapeng", "大鹏新区", "Dapeng"),
        ("us/san-francisco", "旧金山", "San Francisco"),
    ],
)
def test_known_regions(rid, zh, en):
    r = region(rid)
    assert (r.name_zh, r.name_en) == (zh, en)


def test_every_shenzhen_district_is_present():
    for slug, zh in SHENZHEN_DISTRICTS.items():
        r = region(f"{SHENZHEN}/{slug}")
        assert r.name_zh == zh and r.level is RegionLevel.DISTRICT


# --- hierarchy ----------------------------------------------------------------


def test_unknown_region_is_not_found():
    with pytest.raises(NotFound) as e:
        region("cn/atlantis")
    assert e.value.ident == "cn/atlantis"
    with pytest.raises(NotFound):
        lineage("xx/yy")


def test_lineage():
    assert lineage("cn/guangdong/shenzhen/nanshan") == [
        "cn",
        "cn/guangdong",
        "cn/guangdong/shenzhen",
        "cn/guangdong/shenzhen/nanshan",
    ]
    assert lineage("cn") == ["cn"]
    assert lineage("us/new-york") == ["us", "us/new-york"]


@pytest.mark.parametrize(
    ("rid", "level", "want"),
    [
        ("cn/guangdong/shenzhen/nanshan", RegionLevel.CITY, SHENZHEN),
        ("cn/guangdong/shenzhen/nanshan", RegionLevel.PROVINCE, "cn/guangdong"),
        ("cn/guangdong/shenzhen/nanshan", RegionLevel.COUNTRY, "cn"),
        ("cn/guangdong/shenzhen/nanshan", RegionLevel.DISTRICT, "cn/guangdong/shenzhen/nanshan"),
        ("cn/guangdong/shenzhen", RegionLevel.DISTRICT, None),
        ("cn/jiangsu/kunshan", RegionLevel.CITY, "cn/jiangsu/kunshan"),
        ("cn/beijing/beijing/haidian", "city", "cn/beijing/beijing"),
        ("jp/tokyo", RegionLevel.CITY, "jp/tokyo"),
        ("jp/tokyo", RegionLevel.PROVINCE, None),
    ],
)
def test_at_level(rid, level, want):
    assert at_level(rid, level) == want


def test_prefecture_of():
    assert prefecture_of("cn/jiangsu/kunshan") == "cn/jiangsu/suzhou"
    assert prefecture_of("cn/hubei/xiantao") is None  # administered by the province
    assert prefecture_of("cn/guangdong/shenzhen/futian") == SHENZHEN
    assert prefecture_of("cn/guangdong") is None


def test_display():
    assert display("cn/guangdong/shenzhen/nanshan") == "广东省 深圳市 南山区"
    assert display("cn/guangdong/shenzhen/nanshan", "en") == "Nanshan, Shenzhen, Guangdong"
    assert display("cn/shanghai/shanghai/pudong") == "上海市 浦东新区"
    assert display("cn") == "中国"
    assert display("sg/singapore", "en") == "Singapore"
    with pytest.raises(InvalidInput):
        display("cn", "fr")


# --- parse_region ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("广东省深圳市南山区粤海街道科技园", "cn/guangdong/shenzhen/nanshan"),
        ("深圳市", SHENZHEN),
        ("深圳", SHENZHEN),
        ("广东省-深圳市-南山区", "cn/guangdong/shenzhen/nanshan"),
        ("南山区", "cn/guangdong/shenzhen/nanshan"),  # only one 南山区 in the gazetteer
        ("深圳南山", "cn/guangdong/shenzhen/nanshan"),  # a short district name next to its city
        ("Shenzhen, Guangdong, China", SHENZHEN),
        ("Nanshan District, Shenzhen", "cn/guangdong/shenzhen/nanshan"),
        ("Tokyo, Japan", "jp/tokyo"),
        ("日本东京都港区", "jp/tokyo"),
        ("San Francisco, CA, USA", "us/san-francisco"),
        ("吉林省吉林市船营区", "cn/jilin/jilin/chuanying"),  # every county-level division is known (GB/T 2260)
        ("吉林", "cn/jilin"),
        ("吉林省长春市", "cn/jilin/changchun"),
        ("北京", "cn/beijing/beijing"),
        ("北京市海淀区中关村大街1号", "cn/beijing/beijing/haidian"),
        ("北京市朝阳区", "cn/beijing/beijing/chaoyang"),
        ("辽宁省朝阳市", "cn/liaoning/chaoyang"),
        ("上海市浦东新区张江", "cn/shanghai/shanghai/pudong"),
        ("广州市黄埔区", "cn/guangdong/guangzhou/huangpu"),
        ("上海市黄浦区", "cn/shanghai/shanghai/huangpu"),
        ("广州市越秀区北京路", "cn/guangdong/guangzhou/yuexiu"),
        ("深圳市福田区中山路", "cn/guangdong/shenzhen/futian"),
        ("江苏省苏州市昆山市", "cn/jiangsu/kunshan"),
        ("苏州昆山", "cn/jiangsu/kunshan"),
        ("延边州", "cn/jilin/yanbian"),
        ("海南省海口市", "cn/hainan/haikou"),
        ("海南", "cn/hainan"),
        ("海南州", "cn/qinghai/hainan"),
        ("Suzhou, Jiangsu", "cn/jiangsu/suzhou"),
        ("Suzhou", "cn"),  # two Suzhous: only their common ancestor is certain
        ("Xi'an, Shaanxi", "cn/shaanxi/xian"),
        ("中国", "cn"),
        ("香港", "cn/hongkong/hongkong"),
        ("Hong Kong", "cn/hongkong/hongkong"),
    ],
)
def test_parse_region(text, want):
    assert parse_region(text) == want


@pytest.mark.parametrize("slug", sorted(SHENZHEN_DISTRICTS))
def test_parse_every_shenzhen_district(slug):
    zh, en = SHENZHEN_DISTRICTS[slug], region(f"{SHENZHEN}/{slug}").name_en
    want = f"{SHENZHEN}/{slug}"
    assert parse_region(f"广东省深圳市{zh}某某街道某某路1号") == want
    assert parse_region(f"广东省-深圳市-{zh}") == want
    assert parse_region(f"深圳市{zh}") == want
    assert parse_region(zh) == want
    assert parse_region(f"{zh[:2]}, 深圳") == want
    assert parse_region(f"{en} District, Shenzhen, Guangdong, China") == want


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "科技园",
        "某某科技股份有限公司",
        "南山",
        "光明",
        "Nanshan",
        "Bay Area",
        "Shenzhenese",
        "asia",
    ],
)
def test_parse_region_negative(text):
    assert parse_region(text) is None


def test_parse_every_city_by_its_full_name_and_english_name():
    """An oracle from the tables: each city is found by its own names."""
    ambiguous_en = {"jilin"}  # "Jilin, Jilin" reads as the province
    for r in all_regions():
        if r.level is not RegionLevel.CITY or not r.id.startswith("cn/"):
            continue
        province = region(r.parent_id)
        assert parse_region(f"{province.name_zh}{r.name_zh}人民路1号") == r.id
        assert parse_region(r.name_zh) == r.id
        if r.name_en.lower() not in ambiguous_en:
            assert parse_region(f"{r.name_en}, {province.name_en}, China") == r.id


def test_parse_region_is_fast():
    texts = [
        "广东省深圳市南山区粤海街道科技园",
        "Nanshan District, Shenzhen",
        "浙江省杭州市余杭区文一西路969号",
    ] * 1000
    parse_region("warm up")
    start = time.perf_counter()
    for t in texts:
        parse_region(t)
    per_call = (time.perf_counter() - start) / len(texts)
    assert per_call < 200e-6, f"{per_call * 1e6:.0f} µs per call"


# --- infer_region_from_name -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("深圳市鸿富瀚科技股份有限公司", SHENZHEN),
        ("深圳鸿富瀚科技股份有限公司", SHENZHEN),
        ("北京同益中新材料科技股份有限公司", "cn/beijing/beijing"),
        ("邵阳维克液压股份有限公司", "cn/hunan/shaoyang"),
        ("湖南华联瓷业股份有限公司", "cn/hunan"),
        ("广东东阳光科技控股股份有限公司", "cn/guangdong"),
        ("浙江省杭州市某某科技有限公司", "cn/zhejiang/hangzhou"),
        ("上海艾录包装股份有限公司", "cn/shanghai/shanghai"),
        ("中山大洋电机股份有限公司", "cn/guangdong/zhongshan"),
        ("江苏常熟农村商业银行股份有限公司", "cn/jiangsu/changshu"),
        ("昆山国力电子科技股份有限公司", "cn/jiangsu/kunshan"),
        ("吉林化纤股份有限公司", "cn/jilin"),
        ("内蒙古伊利实业集团股份有限公司", "cn/neimenggu"),
        ("延边石岘白麓纸业股份有限公司", "cn/jilin/yanbian"),
        ("江苏吴中医药发展股份有限公司", "cn/jiangsu"),
        ("山东南山铝业股份有限公司", "cn/shandong"),
        ("香港中华煤气有限公司", "cn/hongkong/hongkong"),
        ("北京市海淀区某某科技有限公司", "cn/beijing/beijing/haidian"),
        ("Shenzhen Goodix Technology Co., Ltd.", SHENZHEN),
        # the other legal form of an enterprise name: 字号（行政区划）行业, the place in parentheses
        ("腾讯科技(深圳)有限公司", SHENZHEN),
        ("芯原微电子（上海）股份有限公司", "cn/shanghai/shanghai"),
        ("力合科技（湖南）股份有限公司", "cn/hunan"),
        ("德州仪器半导体技术(上海)有限公司", "cn/shanghai/shanghai"),  # the brand word 德州 is still no place
    ],
)
def test_infer_region_from_name(name, want):
    assert infer_region_from_name(name) == want


@pytest.mark.parametrize(
    "name",
    [
        "中国平安保险(集团)股份有限公司",
        "华为技术有限公司",
        "东方电气股份有限公司",
        "长城汽车股份有限公司",
        "金山办公软件股份有限公司",
        "阿里巴巴集团控股有限公司",
        "东兴证券股份有限公司",
        "中集车辆（集团）股份有限公司",  # a parenthesis counts only when all of it is a place
        "优利德科技（中国）股份有限公司",
        "招商局(集团)有限公司",
        "深圳",  # a name, not a prefix: nothing follows
        "",
    ],
)
def test_infer_region_from_name_negative(name):
    assert infer_region_from_name(name) is None


# --- real data --------------------------------------------------------------------


def test_infer_on_chainkg_listed_companies():
    path = DATA / "chainkg" / "company.json"
    if not path.exists():
        pytest.skip(f"{DATA}/chainkg absent (real A-share company list)")
    names = [
        json.loads(line)["fullname"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    got = [infer_region_from_name(n) for n in names]
    counts = Counter(got)
    shenzhen_prefixed = sum(n.startswith("深圳") for n in names)
    assert shenzhen_prefixed >= 286
    # and two named 字号（深圳）…: 芯海科技（深圳）, 鹏鼎控股(深圳)
    in_parens = sum(not n.startswith("深圳") and ("(深圳)" in n or "（深圳）" in n) for n in names)
    assert in_parens == 2 and counts[SHENZHEN] == shenzhen_prefixed + in_parens
    levels = Counter(region(r).level for r in got if r)
    # Many listed names start with a brand (中国…, 东方…, 招商…), not a place.
    assert sum(levels.values()) / len(names) > 0.6
    assert levels[RegionLevel.CITY] > levels[RegionLevel.PROVINCE]
    # Precision: a name that starts with a city's full name (深圳市…) maps to that city.
    cities = {
        r.name_zh: r.id
        for r in all_regions()
        if r.level is RegionLevel.CITY and r.id.startswith("cn/")
    }
    for name, rid in zip(names, got, strict=True):
        prefix = next((name[:k] for k in range(2, 12) if name[:k] in cities), None)
        if prefix and len(name) > len(prefix):
            assert rid == cities[prefix] or region(rid).parent_id == cities[prefix], name
