"""One library thread while a small job runs: shared by the query encoder (torch) and FAISS.

On a small machine a query of a few texts or vectors gains nothing from a
library's thread team, and the team's spinning threads steal the cores from
everything else: in the API under load one English query took 0.5-1 s
instead of 40 ms (FAISS's OpenMP team starving torch), and a torch encode
45-190 ms on two threads against 20-45 ms on one. So jobs smaller than
:data:`SERIAL_BELOW` run inside a :class:`OneThread` section.

A section counts its users and restores the library's thread count when the
last one leaves. A save/restore per call would race: two overlapping calls
can leave the library on one thread for good.

Examples
--------
>>> count = [4]
>>> one = OneThread(lambda: (lambda: count[0], lambda n: count.__setitem__(0, n)))
>>> with one:
...     with one:  # another request inside at the same time
...         count[0]
...     count[0]
1
1
>>> count[0]
4
>>> _ = one.__enter__(); _ = one.__enter__()  # two requests overlap, not nested
>>> one.__exit__(None, None, None); count[0]  # the first leaves; the other is still inside
1
>>> one.__exit__(None, None, None); count[0]  # a save/restore per call would leave 1 here
4
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["SERIAL_BELOW", "OneThread"]

#: Jobs of fewer texts or queries than this run on one library thread.
SERIAL_BELOW = 8

Knobs = Callable[[], tuple[Callable[[], int], Callable[[int], None]]]


class OneThread:
    """A re-entrant section (across threads) in which a library runs on one thread.

    ``knobs()`` gives the library's thread-count getter and setter; it is
    called on entry, so the library is imported only when first used.
    """

    def __init__(self, knobs: Knobs):
        self._knobs = knobs
        self._lock = threading.Lock()
        self._users = 0
        self._before = 0

    def __enter__(self) -> OneThread:
        get, set_ = self._knobs()
        with self._lock:
            if self._users == 0:
                self._before = get()
                set_(1)
            self._users += 1
        return self

    def __exit__(self, *exc) -> None:
        _, set_ = self._knobs()
        with self._lock:
            self._users -= 1
            if self._users == 0:
                set_(self._before)
