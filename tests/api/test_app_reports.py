"""GET /reports on the sample world: a valid xlsx or HTML attachment, viewer role, the one error shape."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from fixtures.world import load_world
from tests.api.conftest import Api, assert_error, start, world_dir

_, ANSWERS = load_world()


@pytest.fixture(scope="module")
def reader(tmp_path_factory, world_store_file):
    settings, tokens = start(world_dir(tmp_path_factory.mktemp("reports"), world_store_file))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, settings, tokens)


def _filename(response) -> str:
    cd = response.headers["content-disposition"]
    assert cd.startswith("attachment; filename=\"") and cd.split('filename="')[1].split('"')[0].isascii()
    return unquote(cd.split("filename*=UTF-8''")[1])


def test_xlsx_report_for_a_chain_by_chinese_names(reader):
    r = reader.get("/reports", params={"region": "深圳", "chain": "动漫游戏", "format": "xlsx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert _filename(r) == "缺链补链与招商目标报告_广东省_深圳市_动漫游戏.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:3] == ["概览", "产业链图谱", "缺链补链"]
    rows = list(wb["招商目标"].iter_rows(min_row=2, values_only=True))
    engine = next(m for m in ANSWERS["missing"] if m["segment"] == "seg:game_engine")
    assert (rows[0][0], rows[0][4]) == ("游戏引擎", engine["ideal_target"]["id"])


def test_html_report_is_one_escaped_document(reader):
    r = reader.get("/reports", params={"region": "cn/guangdong/shenzhen", "chain": "chain:xr_equipment",
                                       "format": "html", "lang": "en"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert _filename(r).endswith(".html")
    text = r.text
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "<script" not in text
    assert "Gap and target report" in text and "@media print" in text


def test_viewer_key_needed_and_bad_input_in_the_error_shape(reader):
    assert_error(reader.get("/reports", role=None, params={"region": "深圳"}), 401, "unauthorized")
    err = assert_error(reader.get("/reports", params={"region": "火星"}), 422, "invalid_input")
    assert err["details"][0]["field"] == "query.region"
    assert_error(reader.get("/reports", params={"region": "深圳", "chain": "没有这条链"}), 422, "invalid_input")
    assert_error(reader.get("/reports", params={"region": "深圳", "format": "pdf"}), 422, "invalid_input")
    assert_error(reader.get("/reports", params={"region": "cn/nowhere"}), 404, "not_found")
