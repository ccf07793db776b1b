"""A full content snapshot of an embedded store: every row of every table, hashed.

Two snapshots are equal exactly when the stores hold the same rows (the
records' JSON documents, the index tables beside them and the version), so
"state A or state B, never a mix" is a comparison of two strings.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Snapshot:
    version: int
    digest: str
    rows: dict[str, int]

    def __str__(self) -> str:
        return f"v{self.version} {self.digest[:12]} {self.rows}"


def snapshot(conn_or_path: sqlite3.Connection | Path | str) -> Snapshot:
    """Version, row counts and a digest of every table's rows in a fixed order."""
    own = not isinstance(conn_or_path, sqlite3.Connection)
    conn = sqlite3.connect(str(conn_or_path)) if own else conn_or_path
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        h = hashlib.blake2b(digest_size=20)
        rows: dict[str, int] = {}
        for t in tables:
            ncols = len(conn.execute(f'SELECT * FROM "{t}" LIMIT 0').description)  # noqa: S608 - from sqlite_master
            order = ", ".join(str(i) for i in range(1, ncols + 1))
            n = 0
            h.update(f"\x00table {t}\x00".encode())
            for row in conn.execute(f'SELECT * FROM "{t}" ORDER BY {order}'):  # noqa: S608
                h.update(repr(row).encode("utf-8"))
                n += 1
            rows[t] = n
        version = int(conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])
    finally:
        if own:
            conn.close()
    return Snapshot(version, h.hexdigest(), rows)


def integrity(path: Path | str) -> str:
    """SQLite's own ``PRAGMA integrity_check`` ("ok" when the file is sound)."""
    conn = sqlite3.connect(str(path))
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()
