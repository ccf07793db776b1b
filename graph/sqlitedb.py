"""One way to open a SQLite file: owner-only, autocommit, shared across threads, errors in the one tree.

The embedded store, the embedding cache, the workspace and the API key file
are each a SQLite file in the data directory. Each used to open its own
connection with its own copy of the same steps; :func:`connect` is them once:
the file is created 0600 in a 0700 directory (:func:`graph.fsperms.private_file`),
the connection is in autocommit mode (``isolation_level=None``: callers say
``BEGIN`` themselves) and usable from any thread (callers hold a lock), WAL
journal unless asked otherwise, a busy timeout, an optional schema script; any
OS or SQLite failure is a :class:`~graph.errors.BackendUnavailable` naming the
file in English and Chinese.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     conn = connect(Path(d) / "x.sqlite", "the test file", "测试文件", script="CREATE TABLE t (a)")
...     mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
...     conn.close()
>>> mode
'wal'
>>> memory().execute("SELECT 1").fetchone()
(1,)
>>> try:
...     connect("/proc/no/such/x.sqlite", "the test file", "测试文件")
... except BackendUnavailable as e:
...     print(e.code, e.message_zh.startswith("无法打开测试文件"))
backend_unavailable True
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from graph.errors import BackendUnavailable
from graph.fsperms import private_file

__all__ = ["connect", "memory"]


def memory() -> sqlite3.Connection:
    """A throw-away in-memory database, in the same mode as :func:`connect`'s (tests, doctests)."""
    return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)


def connect(path: Path | str, what: str, what_zh: str, *, wal: bool = True, synchronous: str | None = None,
            busy_ms: int = 10_000, cache_kib: int | None = None, script: str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the SQLite file at ``path``; ``what`` / ``what_zh`` name it in errors.

    ``synchronous``: e.g. ``"NORMAL"`` (safe with WAL, fewer fsyncs); ``cache_kib``: page cache per
    connection; ``script``: run once after opening (``CREATE TABLE IF NOT EXISTS …``).
    """
    path = Path(path)
    try:
        private_file(path)  # 0600 in a 0700 directory, whatever the umask
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            if wal:
                conn.execute("PRAGMA journal_mode=WAL")
            if synchronous:
                conn.execute(f"PRAGMA synchronous={_pragma_word(synchronous)}")
            conn.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            if cache_kib:
                conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
            if script:
                conn.executescript(script)
        except BaseException:
            conn.close()
            raise
    except (OSError, sqlite3.Error) as e:
        raise BackendUnavailable(f"cannot open {what} at {path}: {e}", f"无法打开{what_zh} {path}：{e}") from e
    return conn


def _pragma_word(word: str) -> str:
    if word.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"not a synchronous level: {word!r}")
    return word.upper()
