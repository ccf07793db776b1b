"""Fixtures of the report tests: the sample world's report built once, rendered once (``world``,
``answers`` and ``world_store`` come from tests/conftest.py)."""

from __future__ import annotations

import io

import pytest

LOCAL = "cn/guangdong/shenzhen"


@pytest.fixture(scope="session")
def report(world_store):
    """The all-chains report of 深圳 (region given by its Chinese name, as a user would)."""
    from graph.analysis.service import Analyst
    from matching.recommend.index import ChainIndex
    from matching.reports.build import build_report
    from matching.reports.provenance import store_records

    return build_report(Analyst.for_store(world_store), ChainIndex.from_store(world_store),
                        store_records(world_store), "深圳")


@pytest.fixture(scope="session")
def workbook(report):
    import openpyxl

    from matching.reports.render import render

    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


@pytest.fixture(scope="session")
def html_text(report):
    from matching.reports.render import render

    return render(report, "html").decode("utf-8")
