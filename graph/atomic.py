"""Crash-safe files on disk: write beside, fsync, rename into place; sweep what a killed writer left.

A reader sees either the old file (or directory) or the new one, never a
half-written one, even if the writer is killed (``kill -9``) or the machine
loses power: data are flushed before the rename and the rename itself is
flushed through the parent directory.

Temporary siblings are named ``<name>.tmp-<pid>`` / ``<name>.old-<pid>``;
:func:`sweep_stale` removes those whose process is gone.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     target = Path(d) / "cache.json"
...     with atomic_file(target) as tmp:
...         _ = tmp.write_text("{}", encoding="utf-8")
...     (Path(d) / "cache.json.tmp-999999999").mkdir()  # left by a writer that was killed
...     [p.name for p in sweep_stale(target)]
...     sorted(p.name for p in Path(d).iterdir())
['cache.json.tmp-999999999']
['cache.json']
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_file", "exclusive", "fsync_path", "fsync_tree", "pid_alive", "sweep_stale", "temp_sibling"]


def temp_sibling(path: Path, kind: str = "tmp") -> Path:
    """``<name>.<kind>-<pid>`` beside ``path`` (``kind`` is ``tmp`` or ``old``).

    >>> temp_sibling(Path("data/index")).name == f"index.tmp-{os.getpid()}"
    True
    """
    return path.with_name(f"{path.name}.{kind}-{os.getpid()}")


def fsync_path(path: Path) -> None:
    """Flush one file or one directory's entries (a rename inside it) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the rename is still atomic
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush a file, or every file and directory under ``path``, to disk."""
    path = Path(path)
    if path.is_dir():
        for root, _dirs, files in os.walk(path):
            for f in files:
                fsync_path(Path(root) / f)
            fsync_path(Path(root))
    else:
        fsync_path(path)


@contextmanager
def atomic_file(path: Path | str) -> Iterator[Path]:
    """Yield a temporary sibling to write; on success it is flushed and renamed onto ``path``.

    On an exception the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    tmp = temp_sibling(path)
    try:
        yield tmp
        fsync_tree(tmp)
        os.replace(tmp, path)
        fsync_path(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def exclusive(lock_path: Path | str) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created 0600) across processes, e.g. API workers.

    An OS lock (``flock``): the kernel releases it when its holder exits,
    even by ``kill -9``, so a crashed holder never leaves it taken.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d, exclusive(Path(d) / "index.lock"):
    ...     (Path(d) / "index.lock").exists()
    True
    """
    import fcntl

    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (ours counts as alive).

    >>> pid_alive(os.getpid())
    True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(path: Path | str) -> list[Path]:
    """Remove ``<name>.tmp-<pid>`` / ``<name>.old-<pid>`` siblings of ``path`` left by dead processes.

    Ours are removed too (the caller has finished with them); a live other
    process's are kept, it may still be writing. Returns what was removed.
    """
    path = Path(path)
    removed = []
    if not path.parent.is_dir():
        return removed
    for kind in ("tmp", "old"):
        for p in path.parent.glob(f"{path.name}.{kind}-*"):
            pid = p.name.rsplit("-", 1)[1]
            if not pid.isdigit() or (int(pid) != os.getpid() and pid_alive(int(pid))):
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(p)
    return removed
