"""Analysis results cached per store version: an in-process LRU in front of JSON files.

A key is (store version, function, arguments). The LRU keeps the values as
given (typed results: a hit costs nothing); the files keep their JSON form,
read back through ``read`` on a miss in memory. Files live under
``<directory>/v<version>/<function>-<digest>.json``; writing for a new version
removes the directories of older ones, so the cache never serves stale results
and never grows past one version.

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
import json
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ResultCache"]


def _digest(function: str, args: dict) -> str:
    text = json.dumps([function, args], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


class ResultCache:
    """Results by (version, function, args); ``directory=None`` keeps them in memory only."""

    def __init__(self, directory: Path | str | None = None, size: int = 128):
        self.directory = Path(directory) if directory is not None else None
        self.size = size
        self._memory: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()  # analyses run concurrently in the API's threads

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
            value = json.loads(path.read_text(encoding="utf-8"))
            if read is not None:
                value = read(value)
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
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in self.directory.iterdir():
                if old.is_dir() and old != path.parent and old.name.startswith("v"):
                    shutil.rmtree(old, ignore_errors=True)
            tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(value if data is None else data, ensure_ascii=False, default=str),
                           encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written is only slower

    def _remember(self, version: str, key: str, value: Any) -> None:
        with self._lock:
            self._memory[(version, key)] = value
            self._memory.move_to_end((version, key))
            while len(self._memory) > self.size:
                self._memory.popitem(last=False)
