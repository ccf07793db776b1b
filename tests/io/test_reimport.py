"""Re-importing an unchanged file into an unchanged store is answered from the store's mark."""

from __future__ import annotations

import dataclasses

import pytest

import graph.io.importer as importer
from graph.io.importer import import_file
from graph.model import Format, Organisation, OrgKind, Provenance, Segment, Stage
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore

FIRMS = "企业名称,注册地址,成立日期\n光影互动科技有限公司,深圳市南山区科技园,2015-03-02\n星云像素有限公司,杭州市滨江区,2019-01-01\n"
LINKS = "供应方,客户方,关系\n光影互动科技有限公司,星云像素有限公司,供应\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    (tmp_path / "links.csv").write_text(LINKS, encoding="utf-8")
    return tmp_path


def _rows_not_read(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the rows were read")

    monkeypatch.setattr(importer, "organisations_from_table", refuse)
    monkeypatch.setattr(importer, "links_from_table", refuse)


def _summary(report):
    d = report.as_dict()
    d.pop("imported")
    return d, report.imported.changed, report.imported.version


def _imports(store, files, **kw):
    a = import_file(store, files / "firms.csv", "organisations", import_date="2026-01-01", **kw)
    b = import_file(store, files / "links.csv", "links", import_date="2026-01-01")
    return a, b


def test_unchanged_file_is_answered_from_the_mark(files, monkeypatch):
    oracle = SqliteStore.memory()  # the row path's answer, marks switched off
    with monkeypatch.context() as m:
        m.setattr(importer, "_MARKED", {})
        _imports(oracle, files)
        full = import_file(oracle, files / "firms.csv", "organisations", import_date="2026-01-01")
        full_links = import_file(oracle, files / "links.csv", "links", import_date="2026-01-01")
    store = SqliteStore.memory()
    first, links = _imports(store, files)  # the links import leaves the organisations file's mark standing
    _rows_not_read(monkeypatch)
    seen = []
    again = import_file(store, files / "firms.csv", "organisations", import_date="2026-01-01",
                        progress=lambda n, total: seen.append((n, total)))
    assert _summary(again) == _summary(full)
    assert again.imported.unchanged == {"organisations": 2} and again.imported.version == links.imported.version
    assert first.imported.inserted == {"organisations": 2} and seen == [(2, 2)]
    assert _summary(import_file(store, files / "links.csv", "links", import_date="2026-01-01")) == _summary(full_links)


@pytest.mark.parametrize("change", ["file", "store", "segments", "import_date", "column_map"])
def test_any_change_imports_the_rows_again(files, monkeypatch, change):
    store = SqliteStore.memory()
    import_file(store, files / "firms.csv", "organisations", import_date="2026-01-01")
    kwargs = {"import_date": "2026-01-01"}
    if change == "file":
        (files / "firms.csv").write_text(FIRMS.replace("2019-01-01", "2019-01-02"), encoding="utf-8")
    elif change == "store":
        store.write(Batch(organisations=[Organisation("o:x", OrgKind.FIRM, "甲", Provenance("t"))]))
    elif change == "segments":
        store.write(Batch(segments=[Segment("seg:x", "新环节", "", Stage.UPSTREAM, Format.OTHER)]))
    elif change == "import_date":
        kwargs["import_date"] = "2026-01-02"
    else:
        kwargs["column_map"] = {"注册地址": None}
    calls = []
    real = importer.organisations_from_table
    monkeypatch.setattr(importer, "organisations_from_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    import_file(store, files / "firms.csv", "organisations", **kwargs)
    assert calls == [1]


def test_no_mark_after_rejected_rows_or_merges(files, monkeypatch):
    store = SqliteStore.memory()
    bad = files / "bad.csv"
    bad.write_text(FIRMS + "=1+1,深圳市\n", encoding="utf-8")
    report = import_file(store, bad, "organisations", skip_invalid=True)
    assert report.rejected == 1 and store.import_mark("organisations:bad.csv") is None
    # a record of another id folding onto the stored one (same name and city) merges: no mark either
    short = files / "short.csv"
    short.write_text("企业ID,企业名称,注册地址\nx:1,光影互动科技股份有限公司,深圳市南山区\n", encoding="utf-8")
    merged = import_file(store, short, "organisations")
    assert merged.imported.merged and store.import_mark("organisations:short.csv") is None
    assert dataclasses.asdict(import_file(store, short, "organisations").imported)["merged"]


def test_the_mark_commits_with_the_records(files):
    """One transaction holds the records and their mark: a kill between two commits would leave the
    records without the mark (a state neither before nor after the import; tests/reliability kills
    at the commit itself)."""
    store = SqliteStore.memory()
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    report = import_file(store, files / "firms.csv", "organisations", import_date="2026-01-01")
    store._conn.set_trace_callback(None)
    commits = [s for s in statements if s.strip().upper() == "COMMIT"]
    assert report.imported.changed and store.import_mark("organisations:firms.csv") is not None
    assert len(commits) == 1, statements
    mark = store.import_mark("organisations:firms.csv")
    assert mark["versions"] == store.entity_versions(("organisations", "segments"))
