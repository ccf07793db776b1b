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

__all__ = ["Settings", "LOOPBACK_HOSTS"]

#: Hosts on which the HTTP API may run without API keys.
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


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
    max_field_chars: int = Field(100_000, gt=0, description="Longest text field accepted on import, in characters.")
    max_file_bytes: int = Field(2_000_000_000, gt=0, description="Largest file accepted on import, in bytes.")
    host: str = Field("127.0.0.1", description="Address `chainmatch serve` binds to.")
    port: int = Field(8000, ge=0, le=65535, description="Port `chainmatch serve` listens on.")
    auth: Literal["on", "off"] = Field("on", description="API keys required (on), or not (off: loopback host only).")
    max_request_bytes: int = Field(20_000_000, gt=0, description="Largest HTTP request body (uploads included), in bytes.")
    auth_failures_per_minute: int = Field(10, gt=0, description="Failed API-key attempts a client may make per minute before 429.")

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.backend == "neo4j" and not self.neo4j_uri:
            raise ConfigError("backend 'neo4j' needs CHAINMATCH_NEO4J_URI", "使用 neo4j 后端需要设置 CHAINMATCH_NEO4J_URI")
        if self.auth == "off" and self.host not in LOOPBACK_HOSTS:
            raise ConfigError(
                f"auth 'off' is allowed only on a loopback host ({', '.join(LOOPBACK_HOSTS)}), not {self.host!r}",
                f"仅在本机回环地址上允许关闭鉴权（CHAINMATCH_AUTH=off），当前地址 {self.host!r}",
            )
        return self

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.sqlite"
