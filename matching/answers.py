"""Answers computed once per store version: what the server keeps between requests (setting ``answers_kept``).

What a request reads from one store version (a chain map, a gap list, a
count of organisations) is the same for every request with the same
arguments until the next write, which moves the version on. :class:`Answers`
keys each answer by its *source* (one store object), the source's version and
the caller's key, which must hold every argument the answer depends on.

- **No stale answer**: the version is read before the answer is computed, so
  an answer is never older than its key's version; a write makes every older
  key unreachable.
- **Bounded memory**: at most ``size`` answers, least recently used dropped
  first; and the first answer kept for a newer version of a source drops every
  answer of that source's older versions (no request asks for them again), so
  after a write the memory holds the current version's answers only. An
  answer whose version is already older than the newest seen (a request that
  read the version just before a write) is returned but not kept.
- **Threads**: one lock around the table; ``compute`` runs outside it, so
  answers for other keys go on meanwhile (two requests missing the same key at
  once both compute it; one value is kept).

Sources are numbered per object (:meth:`Answers.source`), not by ``id()``: a
store object that is freed and a new one that takes its address at the same
version number would otherwise share answers.

Examples
--------
>>> a = Answers(2)
>>> calls = []
>>> a.get("s", 1, "k", lambda: calls.append(1) or "v1"), a.get("s", 1, "k", lambda: "never")
('v1', 'v1')
>>> a.get("s", 2, "k", lambda: "v2"), len(a), len(calls), a.hits, a.misses
('v2', 1, 1, 1, 2)
>>> a.get("s", 1, "k", lambda: "v1 again"), len(a)  # older than the newest version seen: not kept
('v1 again', 1)
>>> Answers(0).get("s", 1, "k", lambda: "each time"), len(Answers(0))
('each time', 0)
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["Answers"]


class Answers:
    """A thread-safe LRU of at most ``size`` answers keyed by source, version and key (see the module docstring).

    ``hits`` and ``misses`` are counted (the bench and the tests read them
    in-process). ``size`` 0 keeps nothing: every call computes.
    """

    def __init__(self, size: int = 1024):
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._newest: dict[Hashable, Any] = {}  # source -> newest version kept
        self._sources: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def source(self, obj: object) -> int:
        """A number for ``obj`` (a store) that no other object ever gets, while and after ``obj`` lives.

        >>> S = type("S", (), {})
        >>> a, one, two = Answers(), S(), S()
        >>> a.source(one) == a.source(one) != a.source(two)
        True
        """
        with self._lock:
            number = self._sources.get(obj)
            if number is None:
                number = self._sources[obj] = next(self._numbers)
            return number

    def get(self, source: Hashable, version: Any, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` for ``key`` at ``source``'s ``version``, from the table when it was computed before.

        ``version`` must be read before ``compute`` reads the source, and must
        only grow (a store's version does).
        """
        full = (source, version, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]
            self.misses += 1
        value = compute()  # outside the lock: answers for other keys go on
        if self.size > 0:
            with self._lock:
                newest = self._newest.get(source)
                if newest is not None and version < newest:
                    return value  # a write came after this version was read: nobody asks for it again
                if newest is not None and version > newest:  # the first answer after a write
                    for old in [k for k in self._items if k[0] == source]:
                        del self._items[old]
                self._newest[source] = version
                self._items[full] = value
                self._items.move_to_end(full)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value
