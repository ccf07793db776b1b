"""Analysis results cached per store version: an in-process LRU in front of JSON files.

A key is (store version, function, arguments, the analysis code). The code
part is a digest of the source of :mod:`graph.analysis` and the modules its
results are made of (parts, labels, the stores' aggregate queries): a new release that changes a formula
or a weight never serves results the old code computed. The LRU keeps the values as
given (typed results: a hit costs nothing); the files keep their JSON form,
read back through ``read`` on a miss in memory. Files live under
``<directory>/v<version>/<function>-<digest>.json``; writing for a new version
removes the directories of older ones, so the cache never serves stale results
and never grows past one version.

A file is trusted only if its keyed hash checks out: each holds
``{"mac", "data"}`` with ``mac = HMAC-SHA256(key, version, name, data)`` and
the key lives in ``<directory>/cache.key`` (0600, made once, never leaves the
machine). An edited file (``"severity": 9.99``) fails the check and is
recomputed, not served. Directories and files are owner-only
(:mod:`graph.fsperms`).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     c = ResultCache(d)
...     c.put("sqlite-3", "gaps", {"region": "cn"}, {"gaps": []})
...     fresh = ResultCache(d)  # another process: served from disk
...     fresh.get("sqlite-3", "gaps", {"region": "cn"}), fresh.get("sqlite-4", "gaps", {"region": "cn"})
({'gaps': []}, None)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from graph.fsperms import FILE_MODE, private_dir, private_file

__all__ = ["ResultCache", "code_fingerprint"]

_KEY_FILE = "cache.key"


@cache
def code_fingerprint() -> str:
    """A digest of the analysis code's source (read once, on the first cache key).

    >>> len(code_fingerprint()) == 16 and code_fingerprint() == code_fingerprint()
    True
    """
    here = Path(__file__).resolve().parent
    store = here.parent / "store"  # the stores' aggregate queries compute what the analyses read
    files = sorted(here.glob("*.py")) + [here.parent / "parts.py", here.parent / "labels.py"] + [
        store / f"{m}.py" for m in ("sqlite_aggregates", "cypher_analysis", "neo4j_analysis")]
    h = hashlib.blake2b(digest_size=8)
    for f in files:
        if f.is_file():
            h.update(f.name.encode("utf-8") + b"\0" + f.read_bytes())
    return h.hexdigest()


def _digest(function: str, args: dict) -> str:
    text = json.dumps([function, args, code_fingerprint()], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


class ResultCache:
    """Results by (version, function, args); ``directory=None`` keeps them in memory only."""

    def __init__(self, directory: Path | str | None = None, size: int = 128):
        self.directory = Path(directory) if directory is not None else None
        self.size = size
        self._memory: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()  # analyses run concurrently in the API's threads

    def _secret(self) -> bytes:
        """The keyed-hash secret of this cache directory (made on first use, 0600)."""
        path = self.directory / _KEY_FILE
        if not path.exists() or path.stat().st_size == 0:
            tmp = private_file(path.with_name(f"{_KEY_FILE}.{os.getpid()}-{threading.get_ident()}.tmp"))
            tmp.write_bytes(secrets.token_bytes(32))
            try:
                os.link(tmp, path)  # first writer wins; every process then reads the same key
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        return path.read_bytes()

    def _mac(self, version: str, key: str, text: str) -> str:
        msg = "\x1f".join([version, key, text]).encode("utf-8")
        return hmac.new(self._secret(), msg, hashlib.sha256).hexdigest()

    def _path(self, version: str, key: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in version)
        return self.directory / f"v{safe}" / f"{key}.json"

    def get(self, version: str, function: str, args: dict, read: Callable[[dict], Any] | None = None) -> Any:
        """The value stored for the key (``read(json)`` when it comes from a file), else ``None``."""
        key = f"{function}-{_digest(function, args)}"
        with self._lock:
            hit = self._memory.get((version, key))
            if hit is not None:
                self._memory.move_to_end((version, key))
                return hit
        if self.directory is None:
            return None
        path = self._path(version, key)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            text = json.dumps(doc["data"], sort_keys=True, ensure_ascii=False)
            if not hmac.compare_digest(str(doc["mac"]), self._mac(version, key, text)):
                return None  # edited, or written with another key: recomputed, never served
            value = doc["data"] if read is None else read(doc["data"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # unreadable or of an older shape: recomputed
        self._remember(version, key, value)
        return value

    def put(self, version: str, function: str, args: dict, value: Any, data: dict | None = None) -> None:
        """Keep ``value`` in memory and ``data`` (its JSON form; default ``value``) on disk."""
        key = f"{function}-{_digest(function, args)}"
        self._remember(version, key, value)
        if self.directory is None:
            return
        path = self._path(version, key)
        try:
            private_dir(path.parent)
            for old in self.directory.iterdir():
                if old.is_dir() and old != path.parent and old.name.startswith("v"):
                    shutil.rmtree(old, ignore_errors=True)
            tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
            plain = json.loads(json.dumps(value if data is None else data, ensure_ascii=False, default=str))
            text = json.dumps(plain, sort_keys=True, ensure_ascii=False)
            body = json.dumps({"mac": self._mac(version, key, text), "data": plain}, ensure_ascii=False)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            os.fchmod(fd, FILE_MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(body)
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written is only slower

    def _remember(self, version: str, key: str, value: Any) -> None:
        with self._lock:
            self._memory[(version, key)] = value
            self._memory.move_to_end((version, key))
            while len(self._memory) > self.size:
                self._memory.popitem(last=False)
