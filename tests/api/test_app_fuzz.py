"""Property-based fuzzing from the OpenAPI document (schemathesis) against the app on the sample world.

For every operation of the document, generated requests — schema-valid ones
and schema-violating ones (wrong types, missing fields, odd strings, Chinese
text) — go to the ASGI app with an admin key. Each response is checked: no
server error (5xx), a documented status code and content type, a body and
headers conforming to the documented schema. ``CHAINMATCH_FUZZ_EXAMPLES``
(default 25) bounds the examples per operation and mode, so the whole file
runs in well under 2 minutes on 2 cores.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis not installed (pip install '.[test]')")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app  # noqa: E402
from graph.settings import Settings  # noqa: E402
from tests.api.conftest import start, world_dir  # noqa: E402

MAX_EXAMPLES = int(os.environ.get("CHAINMATCH_FUZZ_EXAMPLES", "25"))
#: Operations that rebuild an index, refit a classifier or search per call (seconds each): fewer examples.
EXPENSIVE = {("POST", "/index/build"): 3, ("POST", "/classify"): 2, ("POST", "/partners"): 6,
             ("GET", "/eval/backtest"): 2, ("GET", "/eval/entries"): 4, ("GET", "/reports"): 3}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) for every operation; building the document opens nothing.

    Operations without parameters or a body have nothing to make invalid.
    """
    doc = create_app(Settings(_env_file=None)).openapi()
    out = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            if op.get("parameters") or op.get("requestBody"):
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return out


CASES = _cases()
OPERATIONS = {(m, p) for m, p, _ in CASES}
STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory, world_store_file):
    """The schema, loaded from the running app; schemathesis runs the app's lifespan itself."""
    settings, tokens = start(world_dir(tmp_path_factory.mktemp("fuzz"), world_store_file),
                             auth_failures_per_minute=10_000)
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield schema, {"Authorization": f"Bearer {tokens['admin']}"}
    print(f"\nfuzzing: {STATUSES.total()} requests over {len(OPERATIONS)} operations; by status: "
          + ", ".join(f"{code}: {n}" for code, n in sorted(STATUSES.items())))


@pytest.mark.parametrize("method,path,mode", CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_openapi_fuzz(fuzz, method, path, mode):
    schema, headers = fuzz
    operation = schema[path][method]

    budget = EXPENSIVE.get((method, path), MAX_EXAMPLES)

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=budget, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        # timeout: the first search after a write rebuilds the index (seconds on a busy machine)
        response = case.call_and_validate(headers=dict(headers), checks=CHECKS, timeout=120)
        STATUSES[response.status_code] += 1

    check()
