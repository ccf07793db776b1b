"""Where uploads wait while they are imported: owner-only, swept at start and on error.

Each upload gets ``<data_dir>/tmp/uploads/<pid>-<random>/`` (0700, the file
in it 0600, created with :func:`tempfile.mkdtemp`); the directory goes when
the request ends, error or not. A server killed with ``kill -9`` mid-upload
cannot clean up, so :func:`sweep` — run when the app starts — removes every
upload directory whose process is gone (live processes' uploads, e.g. other
``--workers``, are left alone). Before, uploads went to the system temp
directory with mode 0644 and were never swept.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     root = upload_root(Path(d))
...     (root / "999999999-x").mkdir()
...     with upload_dir(Path(d)) as mine:
...         sorted(p.name for p in root.iterdir() if p != mine), sweep(Path(d)), mine.exists()
(['999999999-x'], 1, True)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from graph.fsperms import FILE_MODE, private_dir

__all__ = ["upload_root", "upload_dir", "save_upload", "sweep"]


def upload_root(data_dir: Path) -> Path:
    """``<data_dir>/tmp/uploads``, made owner-only."""
    return private_dir(Path(data_dir) / "tmp" / "uploads")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process: not ours to sweep
        return True
    return True


def sweep(data_dir: Path) -> int:
    """Remove upload directories left by processes that no longer run; return how many."""
    root = Path(data_dir) / "tmp" / "uploads"
    if not root.is_dir():
        return 0
    n = 0
    for d in root.iterdir():
        pid = d.name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink(missing_ok=True)
            n += 1
    return n


@contextmanager
def upload_dir(data_dir: Path) -> Iterator[Path]:
    """A private directory for one upload, removed when the block ends (error or not)."""
    d = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=upload_root(data_dir)))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def save_upload(src: BinaryIO, path: Path) -> Path:
    """Copy ``src`` to a new 0600 file at ``path``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out)
    return path
