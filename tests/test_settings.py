"""Settings: every field documented in README.md; nonsense refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import ConfigError
from graph.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text("utf-8")
    missing = [name for name in Settings.model_fields if f"CHAINMATCH_{name.upper()}" not in text]
    assert missing == []


def test_defaults_run_with_nothing_set(monkeypatch):
    for name in Settings.model_fields:
        monkeypatch.delenv(f"CHAINMATCH_{name.upper()}", raising=False)
    s = Settings(_env_file=None)
    assert s.backend == "embedded" and s.store_path == Path(".chainmatch/store.sqlite")


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAINMATCH_DATA_DIR", str(tmp_path))
    assert Settings().data_dir == tmp_path


@pytest.mark.parametrize(
    "kwargs",
    [{"backend": "neo4j"}, {"backend": "mysql"}, {"max_field_chars": 0}, {"no_such_setting": 1}],
)
def test_nonsense_is_refused(kwargs, monkeypatch):
    # make test exports CHAINMATCH_NEO4J_URI for the neo4j tests; "no URI" must mean none
    monkeypatch.delenv("CHAINMATCH_NEO4J_URI", raising=False)
    with pytest.raises((ConfigError, ValueError)):
        Settings(_env_file=None, **kwargs)


def test_password_is_never_shown():
    s = Settings(_env_file=None, neo4j_password="hunter2")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s.model_dump())
