"""A small thread-safe LRU of query vectors, so a repeated query is not encoded again.

Encoding one query is most of a hybrid search's CPU (about 20 ms of a
transformer on one core, against a few ms for BM25 and the index), and users
repeat queries: segment names, the same company, the next page. The cache
belongs to one :class:`~matching.search.SearchEngine` (one model, one store
version), holds at most ``size`` vectors (384 floats each: 1,024 of them are
1.5 MB) and forgets the least recently used first.

Examples
--------
>>> from matching.embedder import HashingEmbedder
>>> cache = QueryVectors(size=2)
>>> e = HashingEmbedder(dim=16)
>>> a = cache.encode(e, "动画")
>>> b = cache.encode(e, "动画")
>>> a is b, cache.hits, cache.misses
(True, 1, 1)
>>> _ = cache.encode(e, "game"); _ = cache.encode(e, "engine")
>>> len(cache), "动画" in cache
(2, False)
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

__all__ = ["QueryVectors"]


class QueryVectors:
    """Query text → its ``(1, dim)`` vector (read-only), least recently used evicted first."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, text: str) -> bool:
        return text in self._items

    def encode(self, embedder, text: str) -> np.ndarray:
        """``embedder.encode([text])``, from the cache when this text was encoded lately."""
        with self._lock:
            hit = self._items.get(text)
            if hit is not None:
                self._items.move_to_end(text)
                self.hits += 1
                return hit
            self.misses += 1
        vec = np.asarray(embedder.encode([text]), dtype=np.float32)  # outside the lock: encodes run in parallel
        vec.setflags(write=False)
        if self.size > 0:
            with self._lock:
                self._items[text] = vec
                self._items.move_to_end(text)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return vec
