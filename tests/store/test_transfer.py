"""Export / import / copy between stores (``graph.store.transfer``, ``chainmatch store``)."""

from __future__ import annotations

import io
import json
import os

import pytest
from typer.testing import CliRunner

from api.cli.store import store_app
from graph.errors import InvalidInput
from graph.store.sqlite import SqliteStore
from graph.store.transfer import copy, dump, load
from tests.store.test_contract import small_world, snapshot


def _same_records(a, b) -> None:
    assert snapshot(a)[1:] == snapshot(b)[1:]  # everything but the version
    assert a.chains() == b.chains() and a.clusters() == b.clusters() and a.regions() == b.regions()


def test_dump_load_round_trip_on_every_backend(store):
    store.write(small_world())
    buf = io.StringIO()
    counts = dump(store, buf)
    assert counts == store.counts()
    buf.seek(0)
    other = SqliteStore.memory()
    other.write(load(buf))
    _same_records(store, other)
    buf.seek(0)
    again = store.write(load(buf))
    assert again.changed == 0


def test_copy_into_every_backend_and_again_is_a_no_op(store):
    src = SqliteStore.memory()
    src.write(small_world())
    result = copy(src, store)
    assert result.inserted["organisations"] == len(small_world().organisations)
    _same_records(src, store)
    v = store.version()
    assert copy(src, store).changed == 0 and store.version() == v


def test_a_bad_dump_lists_every_bad_line_and_imports_nothing():
    buf = io.StringIO()
    src = SqliteStore.memory()
    src.write(small_world())
    dump(src, buf)
    lines = buf.getvalue().splitlines()
    lines.insert(3, "{not json")
    lines.insert(5, json.dumps({"entity": "users", "record": {}}))
    lines.insert(7, json.dumps({"entity": "organisations", "record": {"id": "x"}}))
    with pytest.raises(InvalidInput) as err:
        load(io.StringIO("\n".join(lines)), "bad.jsonl")
    assert [(p.row, p.field) for p in err.value.problems] == [(4, None), (6, "entity"), (8, "record")]
    with pytest.raises(InvalidInput, match="not a chainmatch-dump"):
        load(io.StringIO('{"entity": "regions"}\n'))
    with pytest.raises(InvalidInput, match="empty"):
        load(io.StringIO(""))


def test_cli_export_then_import_into_another_data_dir(tmp_path):
    a, b, dumpfile = tmp_path / "a", tmp_path / "b", tmp_path / "world.jsonl"
    with SqliteStore.open(a / "store.sqlite") as s:
        s.write(small_world())
    runner = CliRunner()
    r = runner.invoke(store_app, ["export", str(dumpfile), "--data-dir", str(a), "--backend", "embedded",
                                  "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["counts"]["organisations"] == len(small_world().organisations)
    r = runner.invoke(store_app, ["import", str(dumpfile), "--data-dir", str(b), "--backend", "embedded",
                                  "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["inserted"]["links"] == len(small_world().links)
    with SqliteStore.open(a / "store.sqlite") as sa, SqliteStore.open(b / "store.sqlite") as sb:
        _same_records(sa, sb)


@pytest.mark.neo4j
def test_cli_copy_embedded_to_neo4j_and_back(tmp_path, monkeypatch):
    uri = os.environ.get("CHAINMATCH_NEO4J_URI")
    if not uri:
        pytest.skip("CHAINMATCH_NEO4J_URI not set: no Neo4j server to test against")
    from graph.settings import Settings
    from graph.store.neo4j import Neo4jStore

    with Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=uri)) as neo:
        neo.wipe()
    monkeypatch.delenv("CHAINMATCH_BACKEND", raising=False)
    with SqliteStore.open(tmp_path / "a" / "store.sqlite") as s:
        s.write(small_world())
    runner = CliRunner()
    r = runner.invoke(store_app, ["copy", "--from", "embedded", "--to", "neo4j",
                                  "--data-dir", str(tmp_path / "a"), "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(store_app, ["copy", "--from", "neo4j", "--to", "embedded",
                                  "--data-dir", str(tmp_path / "b"), "--json"])
    assert r.exit_code == 0, r.output
    with SqliteStore.open(tmp_path / "a" / "store.sqlite") as sa, \
            SqliteStore.open(tmp_path / "b" / "store.sqlite") as sb, \
            Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=uri)) as neo:
        _same_records(sa, neo)
        _same_records(sa, sb)


def test_the_sample_world_is_the_same_on_every_backend(store):
    import networkx as nx

    from fixtures.world import load_world

    batch, _ = load_world()
    src = SqliteStore.memory()
    src.write(batch)
    copy(src, store)
    assert store.counts() == src.counts()
    assert list(store.organisations(region="cn/guangdong/shenzhen")) == list(
        src.organisations(region="cn/guangdong/shenzhen"))
    assert nx.utils.graphs_equal(store.graph(), src.graph())
