"""Owner-only files: the data directory 0700, the stores and key file in it 0600.

Modes are set with ``chmod`` after creation, so they do not depend on the
process umask. Only what is created here is changed: an existing directory
(it may be the user's working directory) is left as it is, and
:func:`exposed_bits` lets start-up warn about one that others can read.
SQLite gives its ``-wal`` / ``-shm`` / ``-journal`` files the mode of the
database file, so they are 0600 too.

Examples
--------
>>> import tempfile, stat
>>> with tempfile.TemporaryDirectory() as d:
...     f = private_file(Path(d) / "data" / "store.sqlite")
...     modes = oct(stat.S_IMODE(f.parent.stat().st_mode)), oct(stat.S_IMODE(f.stat().st_mode))
...     os.chmod(f.parent, 0o750)
...     opened = oct(exposed_bits(f.parent)), exposed_bits(f)
>>> modes, opened
(('0o700', '0o600'), ('0o50', None))
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["private_dir", "private_file", "exposed_bits", "owner_only", "DIR_MODE", "FILE_MODE", "UMASK"]

DIR_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077


def owner_only() -> int:
    """Make every file and directory this process creates from now on owner-only; return the old umask.

    The one rule for what chainmatch writes: the CLI and the server call it
    when they start, so the index, caches, ``cards.jsonl``, reports, exports,
    the workspace and anything added later are 0600/0700 even under
    ``umask 000`` — not only the files made through :func:`private_file`.
    Bits the old umask already cleared stay cleared.

    >>> old = owner_only(); now = os.umask(old); now & UMASK == UMASK
    True
    """
    old = os.umask(UMASK)
    os.umask(old | UMASK)
    return old


def private_dir(path: Path | str) -> Path:
    """Make ``path`` and any missing parents; each directory created here is 0700."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made by a concurrent process: leave its mode alone
            continue
        os.chmod(d, DIR_MODE)
    return path


def private_file(path: Path | str) -> Path:
    """Create ``path`` empty with mode 0600 if it is missing (its directory via :func:`private_dir`)."""
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return path
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def exposed_bits(path: Path | str) -> int | None:
    """The group/other permission bits of ``path`` (e.g. ``0o055``), or None if there are none or no path."""
    try:
        bits = stat.S_IMODE(Path(path).stat().st_mode) & 0o077
    except OSError:
        return None
    return bits or None
