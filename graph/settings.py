"""One settings class for the whole engine (env prefix ``CHAINMATCH_``).

Every field is documented in README.md; ``tests/test_settings.py`` fails when
one is not.

Examples
--------
>>> s = Settings(_env_file=None)
>>> s.backend, s.data_dir.name
('embedded', '.chainmatch')
>>> Settings(backend="neo4j", neo4j_uri=None)
Traceback (most recent call last):
...
graph.errors.ConfigError: backend 'neo4j' needs CHAINMATCH_NEO4J_URI
>>> Settings(_env_file=None, auth="off", host="0.0.0.0")
Traceback (most recent call last):
...
graph.errors.ConfigError: auth 'off' is allowed only on a loopback host (127.0.0.1, ::1, localhost), not '0.0.0.0'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import ConfigError

__all__ = ["Settings", "LOOPBACK_HOSTS", "SCORE_WEIGHTS"]

#: Hosts on which the HTTP API may run without API keys.
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


#: Default weights of the recommendation scores (matching/recommend): each score is
#: Σ weight × a named figure in [0, 1]; a setting may override some keys only.
SCORE_WEIGHTS: dict[str, dict[str, float]] = {
    "recommend_weights": {"gap_fit": 3.0, "chain_pull": 3.0, "leadership": 2.0, "expansion": 1.0,
                          "local_site": 2.0, "stale": 0.5},
    "introducer_weights": {"tie": 3.0, "paths": 1.0, "recency": 0.5, "weight": 0.5},
    "partner_weights": {"semantic": 3.0, "adjacency": 2.0, "weight": 0.5, "known": 1.0},
    # chosen on a validation window before the test window (chainmatch eval backtest --tune)
    "linkpred_weights": {"supply_pattern": 3.0, "common_neighbours": 1.0, "past_tie": 0.25,
                         "chain_pull": 3.0, "leadership": 0.5},
}


def _weights(name: str, description: str):
    return Field(default_factory=lambda: dict(SCORE_WEIGHTS[name]), description=description)


class Settings(BaseSettings):
    """Settings; defaults run with nothing set."""

    model_config = SettingsConfigDict(env_prefix="CHAINMATCH_", extra="forbid")

    data_dir: Path = Field(Path(".chainmatch"), description="Where the embedded store, caches and indexes live.")
    backend: Literal["embedded", "neo4j"] = Field("embedded", description="Graph store: embedded (SQLite + networkx) or neo4j.")
    neo4j_uri: str | None = Field(None, description="Bolt URI of a Neo4j 5 server, e.g. bolt://127.0.0.1:7687.")
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: SecretStr = Field(SecretStr("neo4j"), description="Neo4j password (never logged).")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    embedding_model: str = Field("all-MiniLM-L6-v2", description="Sentence-transformers model name or local directory; loaded offline.")
    query_encoder: Literal["onnx", "traced", "model"] = Field("onnx", description="How one query text is encoded: onnx (the model's weights through onnxruntime on one thread, about half the CPU of traced), traced (a frozen TorchScript graph) or model (sentence-transformers' own path). Each is built on a process's second query (serve's warm start makes two) and checked against the model's vectors; a built onnx path is kept in <data_dir>/cache, so a later one-shot search encodes without torch; onnx falls back to traced, traced to model.")
    max_field_chars: int = Field(100_000, gt=0, description="Longest text field accepted on import, in characters.")
    max_file_bytes: int = Field(2_000_000_000, gt=0, description="Largest file accepted on import, in bytes.")
    host: str = Field("127.0.0.1", description="Address `chainmatch serve` binds to.")
    port: int = Field(8000, ge=0, le=65535, description="Port `chainmatch serve` listens on.")
    warm_start: bool = Field(False, description="Load the model and the search, recommendation and analysis engines when the server starts, before it accepts requests (`chainmatch serve` turns it on; off: on first use).")
    workers: int = Field(1, ge=1, le=32, description="Processes `chainmatch serve` runs: each loads its own engines (memory × workers); the auth-failure throttle counts per process.")
    auth: Literal["on", "off"] = Field("on", description="API keys required (on), or not (off: loopback host only).")
    max_request_bytes: int = Field(20_000_000, gt=0, description="Largest HTTP request body (uploads included), in bytes.")
    search_target_recall: float = Field(0.96, gt=0.5, le=1.0, description="Recall@10 against exact search that the approximate dense index (used from 50,000 distinct vectors) tunes its search effort to reach, on rows held out of it while it is built; higher costs latency (docs/benchmarks.md, dense search).")
    answers_kept: int = Field(1024, ge=0, description="Answers the server keeps per store version (chain maps, gaps, organisation counts), least recently used dropped first; 0: none kept, every request computed.")
    auth_failures_per_minute: int = Field(10, gt=0, description="Failed API-key attempts a client may make per minute before 429.")
    recommend_weights: dict[str, float] = _weights("recommend_weights", "Target score weights (JSON; keys not given keep their default).")
    introducer_weights: dict[str, float] = _weights("introducer_weights", "Introducer (以商招商) score weights (JSON).")
    partner_weights: dict[str, float] = _weights("partner_weights", "Start-up partner score weights (JSON).")
    linkpred_weights: dict[str, float] = _weights("linkpred_weights", "Backtest link-prediction engine weights (JSON).")
    recent_months: int = Field(18, gt=0, description="Financing or a new site within this many months of the data's as-of date is recent.")
    stale_months: int = Field(24, gt=0, description="A record whose as-of date is older than this many months is stale.")

    @model_validator(mode="after")
    def _check(self) -> Settings:
        for name, default in SCORE_WEIGHTS.items():
            given = getattr(self, name)
            bad = sorted(k for k, v in given.items() if k not in default or v < 0)
            if bad:
                raise ConfigError(f"{name}: unknown or negative weights {bad}; keys: {sorted(default)}",
                                  f"{name} 中的权重无效（未知或为负）：{bad}")
            setattr(self, name, {**default, **given})
        if self.backend == "neo4j" and not self.neo4j_uri:
            raise ConfigError("backend 'neo4j' needs CHAINMATCH_NEO4J_URI", "使用 neo4j 后端需要设置 CHAINMATCH_NEO4J_URI")
        if self.neo4j_uri and "@" in self.neo4j_uri.split("://", 1)[-1].split("/", 1)[0]:
            raise ConfigError(  # the URI is quoted in errors and logs: it must not carry a password
                "CHAINMATCH_NEO4J_URI must not contain credentials; set CHAINMATCH_NEO4J_USER and "
                "CHAINMATCH_NEO4J_PASSWORD instead",
                "CHAINMATCH_NEO4J_URI 中不能包含用户名或密码，请改用 CHAINMATCH_NEO4J_USER 和 CHAINMATCH_NEO4J_PASSWORD",
            )
        if self.auth == "off" and self.host not in LOOPBACK_HOSTS:
            raise ConfigError(
                f"auth 'off' is allowed only on a loopback host ({', '.join(LOOPBACK_HOSTS)}), not {self.host!r}",
                f"仅在本机回环地址上允许关闭鉴权（CHAINMATCH_AUTH=off），当前地址 {self.host!r}",
            )
        return self

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.sqlite"
