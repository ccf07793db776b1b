"""The chain template library (issue 17): every template imports through the one importer, is a
well-formed chain (≥ 15 segments over three stages, zh/en names and keywords, acyclic connected
edges, sources named) and 挂链 puts fictional firms whose products name a segment into that segment."""

from __future__ import annotations

import re

import networkx as nx
import pytest

from graph.errors import InvalidInput
from graph.model import Organisation, OrgKind, Provenance, Stage
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from graph.templates import HERE, find_template, install, templates
from matching.classify import classify_store

CJK = re.compile(r"[\u3400-\u9fff]")
LIBRARY = templates()
SLUGS = [t.slug for t in LIBRARY]


def test_the_library_has_the_chains_teams_work_on():
    names = {t.name_zh for t in LIBRARY}
    assert len(LIBRARY) >= 6
    assert {"新能源汽车", "集成电路", "生物医药", "人工智能", "新型储能", "工业机器人", "低空经济"} <= names
    # every pair of files in the directory is a template (no orphan half)
    assert sorted(p.name for p in HERE.glob("*.csv")) == sorted(
        n for t in LIBRARY for n in (t.segments_file.name, t.edges_file.name))


@pytest.fixture(scope="module")
def installed():
    """Every template installed into one store, as ``chainmatch chains add`` does."""
    store = SqliteStore.memory()
    reports = {t.slug: install(store, t.slug) for t in LIBRARY}
    return store, reports


@pytest.mark.parametrize("slug", SLUGS)
def test_each_template_imports_with_no_problem(installed, slug):
    store, reports = installed
    done = reports[slug]
    assert done.segments.problems == [] and done.edges.problems == []
    assert done.segments.imported.inserted["segments"] == done.template.segments
    assert done.edges.imported.inserted["segment_edges"] == done.template.edges
    assert done.segments.ignored == []  # every column of the template feeds a field


@pytest.mark.parametrize("slug", SLUGS)
def test_each_template_is_a_well_formed_chain(installed, slug):
    store, reports = installed
    t = reports[slug].template
    (chain,) = [c for c in store.chains() if c.name_zh == t.name_zh]
    assert chain.name_en and CJK.search(chain.name_zh) and not CJK.search(chain.name_en)
    assert chain.source == reports[slug].segments.file or "；" in chain.source  # the sources travel with it
    segs = {s.id: s for s in store.segments() if s.id in set(chain.segments)}
    assert len(segs) == t.segments >= 15
    assert {s.stage for s in segs.values()} == set(Stage) - {s for s in Stage if s.value not in
                                                            ("upstream", "midstream", "downstream")}
    for s in segs.values():
        assert CJK.search(s.name_zh) and s.name_en and not CJK.search(s.name_en), s.id
        zh = [k for k in s.keywords if CJK.search(k)]
        en = [k for k in s.keywords if not CJK.search(k)]
        assert len(zh) >= 2 and len(en) >= 2, s.id  # Chinese and English keywords for 挂链
        assert CJK.search(s.description) and re.search(r"[A-Za-z]{4}", s.description), s.id
        assert len(t.sources) >= 2 and all(x in s.source for x in t.sources), s.id
    g = nx.DiGraph((e.upstream, e.downstream) for e in store.segment_edges() if e.upstream in segs)
    assert set(g) == set(segs)  # every segment takes part in the chain's edges
    assert nx.is_directed_acyclic_graph(g) and nx.is_weakly_connected(g)
    roots = [n for n in g if g.in_degree(n) == 0]
    reach = set(roots).union(*(nx.descendants(g, r) for r in roots))
    assert reach == set(segs)
    assert any(segs[r].stage is Stage.UPSTREAM for r in roots)  # the chain starts upstream
    assert all(segs[n].stage is not Stage.UPSTREAM for n in g if g.out_degree(n) == 0)  # upstream supplies
    # an edge never runs back up the chain (downstream → upstream)
    order = {Stage.UPSTREAM: 0, Stage.MIDSTREAM: 1, Stage.DOWNSTREAM: 2}
    assert all(order[segs[u].stage] <= order[segs[v].stage] for u, v in g.edges)


def test_segment_names_are_unique_across_the_library_and_the_sample_world(installed):
    """Names resolve (``recommend --segment 储能变流器``) only when one segment bears them."""
    from fixtures.world import load_world

    store, _ = installed
    names = [s.name_zh for s in store.segments()] + [s.name_en for s in store.segments()]
    batch, _ = load_world()
    sample = {s.name_zh for s in batch.segments} | {s.name_en for s in batch.segments}
    assert len(names) == len(set(names)) and not set(names) & sample


def _cjk_words(seg):
    return [k for k in seg.keywords if CJK.search(k)]


def test_a_firm_naming_a_segments_products_is_classified_there(installed):
    """挂链 smoke test over the whole library at once (119 segments): for every segment a fictional firm
    whose products name two of its products, one in Chinese, one in English, lands there first."""
    store, _ = installed
    store = _copy(store)
    segs = store.segments()
    firms = [Organisation(f"t:{s.id}", OrgKind.FIRM, f"虚构{i}号科技有限公司", Provenance("test"),
                          products=(_cjk_words(s)[1], next(k for k in s.keywords if not CJK.search(k))),
                          description_zh=f"公司专注于{_cjk_words(s)[-1]}。")
             for i, s in enumerate(segs)]
    store.write(Batch(organisations=firms))
    top = {p[0].org_id: p[0].segment for p in classify_store(store, top=1) if p}
    wrong = {f.id: top.get(f.id) for f in firms if top.get(f.id) != f.id.removeprefix("t:")}
    assert not wrong


# fictional firms described the way a 企查查 export or a firm's own profile would (not template words)
FIRMS = [
    ("宁海虚构锂能材料有限公司", "主营湿法隔膜、涂覆隔膜及锂电池电解液，供应动力电池厂。", "seg:nev.separator_electrolyte"),
    ("虚构驰电科技有限公司", "新能源汽车扁线电机与永磁同步驱动电机的设计制造。", "seg:nev.e_motor"),
    ("虚构快充能源有限公司", "建设运营城市公共充电站和超级充电桩，并提供换电站服务。", "seg:nev.charging_infra"),
    ("虚构芯测半导体有限公司", "提供晶圆测试与成品测试服务，自研探针台和分选机。", "seg:ic.testing"),
    ("虚构光刻材料有限公司", "ArF、KrF光刻胶及配套试剂的研发生产。", "seg:ic.photoresist"),
    ("虚构微控电子有限公司", "32位MCU微控制器与FPGA芯片设计，Fabless模式。", "seg:ic.digital_design"),
    ("虚构康源生物有限公司", "单克隆抗体与抗体偶联药物（ADC）的研发与产业化。", "seg:bio.biologics"),
    ("虚构诊断科技有限公司", "化学发光免疫分析仪与分子诊断试剂。", "seg:bio.ivd"),
    ("虚构药研外包有限公司", "为药企提供临床前研究和临床试验外包服务（CRO）。", "seg:bio.cro"),
    ("虚构智算科技有限公司", "投资建设智算中心，对外提供GPU算力租赁和算力调度服务。", "seg:ai.compute"),
    ("虚构语言智能有限公司", "自研通用大语言模型和多模态大模型。", "seg:ai.foundation_models"),
    ("虚构数据标注有限公司", "为大模型训练提供数据采集、清洗和数据标注服务。", "seg:ai.data"),
    ("虚构储变电气有限公司", "组串式储能变流器（PCS）与构网型变流器。", "seg:ess.pcs"),
    ("虚构钒能科技有限公司", "全钒液流电池电堆及长时储能系统。", "seg:ess.flow_systems"),
    ("虚构园区能源有限公司", "为工厂和园区建设工商业储能，做峰谷套利与需量管理。", "seg:ess.commercial"),
    ("虚构传动科技有限公司", "机器人用谐波减速器和RV减速器。", "seg:rbt.reducers"),
    ("虚构协作智能有限公司", "六轴协作机器人和复合机器人。", "seg:rbt.cobots"),
    ("虚构码垛自动化有限公司", "物流仓库的码垛、拆垛机器人与包裹分拣系统。", "seg:rbt.logistics_apps"),
    ("虚构翼航科技有限公司", "植保无人机和电力巡检无人机整机研发制造。", "seg:lae.industrial_drones"),
    ("虚构云航飞行汽车有限公司", "两座电动垂直起降飞行器（eVTOL）与飞行汽车。", "seg:lae.evtol"),
    ("虚构低空智联有限公司", "低空智联网与UTM低空飞行服务平台，含反无人机系统。", "seg:lae.traffic_management"),
]


def test_firms_described_in_their_own_words_are_classified_into_the_right_segment(installed):
    store = _copy(installed[0])
    firms = [Organisation(f"f:{i}", OrgKind.FIRM, name, Provenance("test"), products=(text,))
             for i, (name, text, _) in enumerate(FIRMS)]
    store.write(Batch(organisations=firms))
    top = {p[0].org_id: p[0].segment for p in classify_store(store, top=1) if p}
    assert {f.id: top.get(f.id) for f in firms} == {f"f:{i}": seg for i, (_, _, seg) in enumerate(FIRMS)}
    assert {seg for *_, seg in FIRMS} <= {s.id for s in installed[0].segments()}


def _copy(store):
    from graph.store.transfer import batch_of

    out = SqliteStore.memory()
    out.write(batch_of(store))
    return out


def test_reinstalling_changes_nothing_and_a_name_or_fragment_finds_the_template(tmp_path):
    store = SqliteStore.memory()
    first = install(store, "储能")
    version = store.version()
    again = install(store, "New-type energy storage")
    assert first.written and not again.written and store.version() == version
    assert find_template("ic").name_zh == find_template("集成电路").name_zh == "集成电路"
    with pytest.raises(InvalidInput) as e:
        find_template("半导体材料")
    assert "集成电路" in str(e.value)  # the library is listed


def test_an_edited_copy_reimports_through_the_same_importer(tmp_path):
    """Templates are starting points: a team copies one, renames a segment and adds an edge, and the
    same two imports update the chain (the segment keeps its id)."""
    import shutil

    from graph.io.importer import import_file

    t = find_template("工业机器人")
    store = SqliteStore.memory()
    install(store, t.slug)
    seg = tmp_path / t.segments_file.name
    shutil.copy(t.segments_file, seg)
    seg.write_text(seg.read_text(encoding="utf-8").replace(",人形机器人,", ",人形与具身智能机器人,"), encoding="utf-8")
    edges = tmp_path / t.edges_file.name
    edges.write_text(t.edges_file.read_text(encoding="utf-8") + "seg:rbt.humanoid,seg:rbt.logistics_apps,0.5,本地调研\n",
                     encoding="utf-8")
    r1 = import_file(store, seg, "segments")
    r2 = import_file(store, edges, "segment-edges")
    assert r1.imported.updated == {"segments": 1} and r2.imported.inserted == {"segment_edges": 1}
    assert {s.id: s.name_zh for s in store.segments()}["seg:rbt.humanoid"] == "人形与具身智能机器人"


@pytest.mark.parametrize("word", ["all", "*", "全部", "", "  "])
def test_every_chain_words_name_no_template(word):
    """``all`` means every stored chain elsewhere; here it names no template (the fuzz run found a 500)."""
    with pytest.raises(InvalidInput) as e:
        find_template(word, field="path.name")
    assert e.value.field == "path.name" and "nev" in e.value.suggestions


def _dump(store):
    """Everything a template install could touch, and the version."""
    return (store.version(), store.counts(), sorted(map(repr, store.segments())),
            sorted(map(repr, store.segment_edges())), sorted(map(repr, store.chains())))


def _template_dir(tmp_path, edges_text: str):
    """A template directory holding 工业机器人's segments file and ``edges_text`` as its edge list."""
    import shutil

    t = find_template("工业机器人")
    d = tmp_path / "templates"
    d.mkdir()
    shutil.copy(t.segments_file, d / t.segments_file.name)
    (d / t.edges_file.name).write_text(edges_text, encoding="utf-8")
    return d, t


def test_a_bad_edge_list_leaves_the_store_exactly_as_before(tmp_path):
    """``chains add`` is all or nothing across its two files: an unknown segment in the edge list (row 3)
    is refused with the row named, and the segments file, which alone is good, is not written either."""
    good = "上游环节编号,下游环节编号,权重,依据\nseg:rbt.reducers,seg:rbt.cobots,1,template\n"
    d, t = _template_dir(tmp_path, good + "seg:rbt.nothing,seg:rbt.cobots,1,template\n")
    store = SqliteStore.memory()
    install(store, "储能")  # something already stored, which must stay as it is
    before = _dump(store)
    with pytest.raises(InvalidInput) as e:
        install(store, t.slug, directory=d)
    assert [(p.row, p.field) for p in e.value.problems] == [(3, "上游环节编号")]
    assert _dump(store) == before
    # the control: the same directory with the bad row removed installs both files
    (d / t.edges_file.name).write_text(good, encoding="utf-8")
    done = install(store, t.slug, directory=d)
    assert done.written and done.segments.imported is done.edges.imported
    assert done.edges.imported.inserted["segment_edges"] == 1
    assert store.counts()["segments"] == before[1]["segments"] + t.segments


def test_a_failed_write_leaves_the_store_exactly_as_before(monkeypatch):
    """The two files go in with one ``write``: when the edges fail to go in (here: the transaction fails
    once it has written edge rows, after the segments), neither the segments nor the edges are stored.
    Two writes, one per file, would leave the segments behind."""
    from graph.store import sqlite_write

    store = SqliteStore.memory()
    before = _dump(store)
    real = sqlite_write.SqliteTarget.bump_version

    def fail_after_edges(self):
        if "segment_edges" in self._written:
            raise OSError("disk full")
        return real(self)

    monkeypatch.setattr(sqlite_write.SqliteTarget, "bump_version", fail_after_edges)
    with pytest.raises(OSError):
        install(store, "工业机器人")
    assert _dump(store) == before
    monkeypatch.setattr(sqlite_write.SqliteTarget, "bump_version", real)
    assert install(store, "工业机器人").written and store.counts()["segment_edges"] == find_template("工业机器人").edges


def test_a_dry_run_checks_both_files_and_writes_nothing(tmp_path):
    d, t = _template_dir(tmp_path, "上游环节编号,下游环节编号\nseg:rbt.nothing,seg:rbt.cobots\n")
    store = SqliteStore.memory()
    assert install(store, "工业机器人", dry_run=True).edges.rows_read == t.edges  # a fresh store: edges checked too
    with pytest.raises(InvalidInput):
        install(store, t.slug, directory=d, dry_run=True)
    assert store.counts()["segments"] == 0 and store.version() == SqliteStore.memory().version()
