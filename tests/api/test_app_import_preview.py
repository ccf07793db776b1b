"""A dry-run import says what it would write: the column mapping, the refused rows (row, field, reason) and how
many firms are new or already stored — and the same file imported for real writes exactly the new ones."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Api

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"


def _upload(api: Api, name: str, **params):
    data = (EXAMPLES / name).read_bytes()
    return api.post("/imports/organisations", params=params, files={"file": (name, data, "application/octet-stream")})


def test_dry_run_plans_then_the_import_writes_the_plan(api):
    before = api.get("/stats").json()
    dry = _upload(api, "firms-with-bad-rows.csv", dry_run="true", skip_invalid="true")
    assert dry.status_code == 200, dry.text
    r = dry.json()
    assert r["columns"] == {"name_zh": "企业名称", "uscc": "统一社会信用代码", "city": "城市"}
    assert [(p["row"], p["field"]) for p in r["problems"]] == [(3, "统一社会信用代码")]
    assert "check digit" in r["problems"][0]["reason"] and r["rejected"] == 1
    assert r["planned"] == {"new": {"organisations": 1}, "existing": {"organisations": 0}}
    assert r["imported"] is None and api.get("/stats").json() == before
    done = _upload(api, "firms-with-bad-rows.csv", skip_invalid="true").json()
    assert done["imported"]["inserted"]["organisations"] == 1 and done["planned"] is None
    again = _upload(api, "firms-with-bad-rows.csv", dry_run="true", skip_invalid="true").json()
    assert again["planned"] == {"new": {"organisations": 0}, "existing": {"organisations": 1}}
    hit = api.get("/organisations", params={"q": "东莞示例晨光纸品"}).json()
    assert [o["name_zh"] for o in hit["items"]] == ["东莞示例晨光纸品有限公司"]
