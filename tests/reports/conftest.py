"""Fixtures of the report tests: the sample world in a store, its report built once, rendered once."""

from __future__ import annotations

import io

import pytest

LOCAL = "cn/guangdong/shenzhen"


@pytest.fixture(scope="session")
def world():
    from fixtures.world import load_world

    return load_world()


@pytest.fixture(scope="session")
def answers(world):
    return world[1]


@pytest.fixture(scope="session")
def report_store(world):
    from graph.store.sqlite import SqliteStore

    store = SqliteStore.memory()
    store.write(world[0])
    yield store
    store.close()


@pytest.fixture(scope="session")
def report(report_store):
    """The all-chains report of 深圳 (region given by its Chinese name, as a user would)."""
    from graph.analysis.service import Analyst
    from matching.recommend.index import ChainIndex
    from matching.reports.build import build_report
    from matching.reports.provenance import store_records

    return build_report(Analyst.for_store(report_store), ChainIndex.from_store(report_store),
                        store_records(report_store), "深圳")


@pytest.fixture(scope="session")
def workbook(report):
    import openpyxl

    from matching.reports.render import render

    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


@pytest.fixture(scope="session")
def html_text(report):
    from matching.reports.render import render

    return render(report, "html").decode("utf-8")
