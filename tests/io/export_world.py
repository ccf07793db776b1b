"""A small 低空经济 world exported the way real teams get it (issue 17's acceptance fixture).

Written by :func:`write_export` into a directory, so tests import the files
exactly as a user would, with no column map:

- ``segments.csv`` + ``segment_edges.csv`` — a two-file chain template: segments with
  产业链位置 and no 业态 (format), and an edge list 上游环节 → 下游环节 by name or id;
- ``firms.csv`` — a 企查查-style export: 登记状态, 曾用名, 英文名, 国标行业,
  法定代表人, 企业地址; some rows have no region columns at all;
- ``relations.csv`` — relations by credit code only (供货, 采购, 战略合作, 参股);
- ``branches.csv`` — a 分支机构 list: 武汉甲 has an open branch in 深圳, 武汉乙 a closed one.

Planted answers (region 深圳, segment 飞控系统 missing locally):

- 深圳旧飞控 is a local flight-control firm but 注销 (on 2021-03-01, the 注销日期 column) — the
  segment still is missing, and a search for it says why it counts nowhere;
- 天翼飞控 (吊销) is the largest flight-control firm with the most local buyers:
  it would rank first, but is closed and never listed;
- 苏州云翼 has no region columns: its address says 苏州市吴中区 (a district the gazetteer
  must know); 成都凌空 has neither region nor address: its USCC (5101…) says 成都;
- 杭州飞图 was called 杭州老鹰航空科技有限公司 (曾用名).
"""

from __future__ import annotations

from pathlib import Path

from graph.model import uscc_check_char

__all__ = ["uscc_for", "write_export", "SZ", "CLOSED_ON"]

SZ = "cn/guangdong/shenzhen"


def uscc_for(division: str, serial: int) -> str:
    """A valid USCC registered at ``division`` (6 digits, GB/T 2260)."""
    first = f"91{division}MA{serial:07d}"[:17]
    return first + uscc_check_char(first)


FIRMS = {
    # key: (name, uscc division, status, former, english, address, province, city, segment, staff)
    "buyer": ("深圳市鹏城整机科技有限公司", "440305", "存续", "", "Pengcheng UAV", "深圳市南山区科技园", "广东省", "深圳市",
              "seg:uav", "800"),
    "old_local": ("深圳市旧飞控科技有限公司", "440305", "注销", "", "", "深圳市南山区", "广东省", "深圳市", "seg:fc", "300"),
    "closed_top": ("天翼飞控科技有限公司", "310115", "吊销，未注销", "", "Tianyi Flight Control", "上海市浦东新区张江",
                   "上海市", "上海市", "seg:fc", "5000"),
    "suzhou": ("苏州云翼飞控科技有限公司", "320506", "在业", "", "Yunyi Avionics", "江苏省苏州市吴中区木渎镇", "", "",
               "seg:fc", "400"),
    "chengdu": ("成都凌空飞控科技有限公司", "510107", "存续", "", "", "", "", "", "seg:fc", "400"),
    "hangzhou": ("杭州飞图科技有限公司", "330106", "迁入", "杭州老鹰航空科技有限公司", "Feitu Tech", "浙江省杭州市西湖区",
                 "浙江省", "杭州市", "seg:motor", "200"),
    # two equal motor firms in 武汉; 武汉甲 has an open branch in 深圳 (branches.csv), 武汉乙 only a closed one
    "wuhan_a": ("武汉甲电机有限公司", "420111", "存续", "", "", "湖北省武汉市洪山区", "湖北省", "武汉市", "seg:motor", "300"),
    "wuhan_b": ("武汉乙电机有限公司", "420111", "存续", "", "", "湖北省武汉市洪山区", "湖北省", "武汉市", "seg:motor", "300"),
}


#: the date each closed firm's status took effect (the export's 注销日期 column; blank for the others)
CLOSED_ON = {"old_local": "2021-03-01", "closed_top": "2022-08-15"}


def write_export(directory: Path) -> dict[str, Path]:
    """Write the three files; return their paths by name."""
    directory.mkdir(parents=True, exist_ok=True)
    seg = directory / "segments.csv"
    seg.write_text(
        "环节编号,环节名称,英文名称,产业链位置,关键词,产业链\n"
        "seg:motor,电机电调,Motors and ESCs,上游,电机;电调;motor,低空经济\n"
        "seg:fc,飞控系统,Flight control,上游,飞控;自驾仪;flight controller,低空经济\n"
        "seg:uav,无人机整机,UAV assembly,中游,无人机;UAV,低空经济\n",
        encoding="utf-8")
    edges = directory / "segment_edges.csv"
    edges.write_text("上游环节,下游环节,权重,依据\n"
                     "电机电调,无人机整机,1,template\n"
                     "seg:fc,无人机整机,2,template\n", encoding="utf-8")
    firms = directory / "firms.csv"
    lines = ["企业名称,统一社会信用代码,登记状态,注销日期,法定代表人,曾用名,英文名,国标行业,企业地址,所属省份,所属城市,"
             "产业链环节,参保人数"]
    for i, (key, (name, div, status, former, en, addr, prov, city, segment, staff)) in enumerate(FIRMS.items(), 1):
        lines.append(",".join([name, uscc_for(div, i), status, CLOSED_ON.get(key, ""), "张三", former, en, "制造业", addr,
                               prov, city, segment, staff]))
    firms.write_text("\n".join(lines) + "\n", encoding="utf-8")
    codes = {k: uscc_for(v[1], i) for i, (k, v) in enumerate(FIRMS.items(), 1)}
    rel = directory / "relations.csv"
    rel.write_text(
        "企业信用代码,关联企业信用代码,关系类型,日期\n"
        f"{codes['closed_top']},{codes['buyer']},供货,2024-01-01\n"
        f"{codes['buyer']},{codes['suzhou']},采购,2024-02-01\n"  # the buyer buys from 苏州云翼
        f"{codes['buyer']},{codes['hangzhou']},战略合作,2024-03-01\n"
        f"{codes['chengdu']},{codes['hangzhou']},参股,2024-04-01\n"
        f"{codes['old_local']},{codes['buyer']},供货,2023-01-01\n",
        encoding="utf-8")
    branches = directory / "branches.csv"
    branches.write_text(
        "总公司名称,总公司信用代码,分支机构名称,所属城市,企业地址,登记状态,成立日期\n"
        f"武汉甲电机有限公司,{codes['wuhan_a']},武汉甲电机有限公司深圳分公司,深圳市,深圳市宝安区,存续,2023-05-01\n"
        f",{codes['wuhan_b']},武汉乙电机有限公司深圳分公司,,广东省深圳市龙岗区,注销,2019-01-01\n",
        encoding="utf-8")
    return {"branches": branches, "segments": seg, "segment_edges": edges, "firms": firms, "relations": rel, "codes": codes}
