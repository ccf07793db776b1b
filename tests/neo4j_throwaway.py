"""A throwaway Neo4j server on its own free port, for tests that stop and restart one.

``scripts/neo4j-start.sh`` builds and starts it; the context manager skips with
the reason when the Neo4j tests are off or Java is missing, and always stops
the server on the way out. ``server.stop()`` / ``server.start()`` let a test
take it down mid-session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.ports import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Server:
    uri: str
    env: dict[str, str]

    def _script(self, name: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ROOT / "scripts" / name)], env=self.env, capture_output=True,
                              text=True, timeout=600)

    def start(self) -> subprocess.CompletedProcess:
        done = self._script("neo4j-start.sh")
        assert done.returncode == 0, done.stderr
        return done

    def stop(self) -> None:
        done = self._script("neo4j-stop.sh")
        assert done.returncode == 0, done.stderr


@contextmanager
def throwaway_neo4j(run_dir: Path) -> Iterator[Server]:
    """Start a small Neo4j server under ``run_dir``; skip with the reason if that cannot be done."""
    if not os.environ.get("CHAINMATCH_NEO4J_URI"):
        pytest.skip("CHAINMATCH_NEO4J_URI not set: the Neo4j tests are off")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: cannot start a throwaway Neo4j server")
    port = free_port()
    server = Server(
        uri=f"bolt://127.0.0.1:{port}",
        env={
            **os.environ,
            "CHAINMATCH_NEO4J_PORT": str(port),
            "CHAINMATCH_NEO4J_RUN_DIR": str(run_dir),
            "CHAINMATCH_NEO4J_HEAP": "512m",
            "CHAINMATCH_NEO4J_PAGECACHE_MB": "32",
        },
    )
    started = server._script("neo4j-start.sh")
    if started.returncode == 3:
        pytest.skip(started.stderr.strip())
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == f"export CHAINMATCH_NEO4J_URI={server.uri}"
    try:
        yield server
    finally:
        server._script("neo4j-stop.sh")
