"""API keys with roles, stored hashed, and a throttle on failed attempts.

A key looks like ``cmk_<id>_<secret>``: ``id`` (8 hex digits) names the key
in lists and logs; ``secret`` (32 random bytes, URL-safe base64) is shown
once, when the key is created, and only ``sha256(salt + secret)`` with a
per-key random salt is stored. The secret has 256 bits of entropy, so a fast
hash is enough (slow hashes such as scrypt are for low-entropy passwords).
Keys live in ``keys.sqlite`` under the data directory, readable by its owner
only (0600). Nothing here logs a secret.

Roles are ordered: ``viewer`` (reads) < ``editor`` (writes) < ``admin``
(key management).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     keys = KeyStore.open(Path(d) / "keys.sqlite")
...     created = keys.create("analyst", Role.VIEWER)
...     who = keys.verify(created.token)
...     wrong = keys.verify(created.token[:-2] + "xx")
...     keys.close()
>>> who.role, who.name, wrong
(<Role.VIEWER: 'viewer'>, 'analyst', None)
>>> Role.ADMIN.allows(Role.EDITOR), Role.VIEWER.allows(Role.EDITOR)
(True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from graph import sqlitedb
from graph.errors import BackendUnavailable, Conflict, NotFound
from graph.fsperms import private_file

__all__ = [
    "Role",
    "Principal",
    "KeyInfo",
    "CreatedKey",
    "KeyStore",
    "Throttle",
    "LOCAL",
    "keys_path",
]

_TOKEN_RE = re.compile(r"^cmk_([0-9a-f]{8})_([A-Za-z0-9_\-]{20,100})$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
"""


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= Role(needed).rank


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id and name, and its role."""

    key_id: str
    name: str
    role: Role


#: The caller when auth is off (loopback only): may do everything.
LOCAL = Principal("local", "local (auth off)", Role.ADMIN)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: str
    name: str
    role: Role
    created: str
    revoked: str | None = None


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key; ``token`` is the only copy of the secret."""

    info: KeyInfo
    token: str


def keys_path(data_dir: Path) -> Path:
    """Where the key file lives in a data directory.

    >>> keys_path(Path(".chainmatch")).as_posix()
    '.chainmatch/keys.sqlite'
    """
    return Path(data_dir) / "keys.sqlite"


def _digest(salt: bytes, secret: str) -> bytes:
    return hashlib.sha256(salt + secret.encode("ascii")).digest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class KeyStore:
    """API keys in a small SQLite file (0600). Thread-safe."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: Path) -> KeyStore:
        path = Path(path)
        try:
            private_file(path)
            os.chmod(path, 0o600)  # also an older key file made before this was enforced
        except OSError as e:
            raise BackendUnavailable(f"cannot open the API key file at {path}: {e}",
                                     f"无法打开 API 密钥文件 {path}：{e}") from e
        return cls(sqlitedb.connect(path, "the API key file", " API 密钥文件", wal=False, busy_ms=5000,
                                    script=_SCHEMA), path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> KeyStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def create(self, name: str, role: Role | str) -> CreatedKey:
        """Make a key; the returned token is the only time its secret exists in clear."""
        role = Role(role)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        with self._lock:
            while True:
                kid = secrets.token_hex(4)
                if self._conn.execute("SELECT 1 FROM api_keys WHERE id = ?", (kid,)).fetchone() is None:
                    break
            info = KeyInfo(kid, name, role, _now())
            self._conn.execute(
                "INSERT INTO api_keys(id, name, role, salt, hash, created) VALUES (?, ?, ?, ?, ?, ?)",
                (kid, name, role.value, salt, _digest(salt, secret), info.created),
            )
        return CreatedKey(info, f"cmk_{kid}_{secret}")

    def verify(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked key; ``None`` otherwise (same time either way)."""
        m = _TOKEN_RE.match(token or "")
        kid, secret = (m.group(1), m.group(2)) if m else ("", "x" * 43)
        with self._lock:
            row = self._conn.execute(
                "SELECT name, role, salt, hash, revoked FROM api_keys WHERE id = ?", (kid,)
            ).fetchone()
        salt, stored = (row[2], row[3]) if row else (b"\0" * 16, b"\0" * 32)
        ok = hmac.compare_digest(_digest(salt, secret), stored)
        if not (m and row and ok) or row[4] is not None:
            return None
        return Principal(kid, row[0], Role(row[1]))

    def list(self, *, include_revoked: bool = False) -> list[KeyInfo]:
        sql = "SELECT id, name, role, created, revoked FROM api_keys"
        if not include_revoked:
            sql += " WHERE revoked IS NULL"
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created, id").fetchall()
        return [KeyInfo(r[0], r[1], Role(r[2]), r[3], r[4]) for r in rows]

    def get(self, key_id: str) -> KeyInfo:
        with self._lock:
            r = self._conn.execute(
                "SELECT id, name, role, created, revoked FROM api_keys WHERE id = ?", (key_id,)
            ).fetchone()
        if r is None:
            raise NotFound("API key", key_id)
        return KeyInfo(r[0], r[1], Role(r[2]), r[3], r[4])

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke a key; refused (``Conflict``) for the last active admin key."""
        with self._lock:
            row = self._conn.execute(
                "SELECT role, revoked FROM api_keys WHERE id = ?", (key_id,)
            ).fetchone()
            if row is None or row[1] is not None:
                raise NotFound("API key", key_id)
            if row[0] == Role.ADMIN.value:
                admins = self._conn.execute(
                    "SELECT COUNT(*) FROM api_keys WHERE role = ? AND revoked IS NULL", (Role.ADMIN.value,)
                ).fetchone()[0]
                if admins <= 1:
                    raise Conflict(
                        f"key {key_id} is the last admin key; create another admin key first",
                        f"密钥 {key_id} 是最后一个管理员密钥，请先创建另一个管理员密钥",
                    )
            self._conn.execute("UPDATE api_keys SET revoked = ? WHERE id = ?", (_now(), key_id))
        return self.get(key_id)

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM api_keys WHERE revoked IS NULL").fetchone()[0]


class Throttle:
    """A token bucket per client for failed authentication attempts.

    Each client may fail ``per_minute`` times in a burst; one more attempt
    comes back every ``60 / per_minute`` seconds. In memory: it resets when
    the server restarts, and each worker process has its own.

    >>> t = Throttle(2, clock=lambda: 0.0)
    >>> t.retry_after("c"), t.fail("c"), t.fail("c"), t.retry_after("c")
    (None, None, None, 30)
    """

    _MAX_CLIENTS = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _level(self, client: str, now: float) -> float:
        tokens, last = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - last) * self.rate)

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try again, or ``None`` when it may now."""
        with self._lock:
            level = self._level(client, self._clock())
        if level >= 1.0:
            return None
        return max(1, int((1.0 - level) / self.rate + 0.999))

    def fail(self, client: str) -> None:
        """Count one failed attempt of ``client``."""
        with self._lock:
            now = self._clock()
            if len(self._buckets) >= self._MAX_CLIENTS:
                self._buckets = {c: v for c, v in self._buckets.items() if self._level(c, now) < self.capacity}
            self._buckets[client] = (max(0.0, self._level(client, now) - 1.0), now)
