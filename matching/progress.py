"""Progress as lines: a ``progress(done, total)`` callback that says where long work is, at intervals.

A progress bar draws only on a terminal; a server log, a CI log or
``chainmatch … 2> build.log`` gets nothing from it, and a first index build
(a minute or more at 100k firms) or a first ``classify`` then looks hung.
:func:`line_progress` turns the same callback into one line every
``interval`` seconds (and one at the end): what, how far, how long so far and
an estimate of what is left, from the rate so far. The CLI prints the lines
when its error stream is not a terminal; the engines log them (logger
``chainmatch.progress``) when nobody passed a callback, which is the server's
warm start.

Examples
--------
>>> lines, now = [], iter([0.0, 0.0, 12.0, 30.0]).__next__
>>> p = line_progress("encoding", lines.append, interval=10.0, clock=now)
>>> p(100, 1000); p(400, 1000); p(1000, 1000)
>>> lines
['encoding: 400/1,000 (40%), 12 s, ~18 s left', 'encoding: 1,000/1,000 (100%) in 30 s']

A benchmark of a few long rows says each row as it finishes, with what is left
(weighted: a 1M-vector row costs ten 100k ones):

>>> lines, now = [], iter([0.0, 10.0, 110.0]).__next__
>>> steps = Steps([1, 10], lines.append, clock=now)
>>> steps.done("100k: p95 2 ms"); steps.done("1M: p95 19 ms")
>>> lines
['[1/2] 100k: p95 2 ms · 10 s so far, ~100 s left', '[2/2] 1M: p95 19 ms · 110 s in all']
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

__all__ = ["line_progress", "log_progress", "eta_text", "Steps"]


def eta_text(done: float, total: float, elapsed: float, lang: str = "en") -> str:
    """``~N s left`` from the rate so far (``?`` before any progress); ``lang="zh"``: 约剩 N 秒.

    >>> eta_text(1, 4, 10.0), eta_text(0, 4, 3.0), eta_text(3, 3, 9.0), eta_text(1, 4, 10.0, "zh")
    ('~30 s left', '? left', '~0 s left', '约剩 30 秒')
    """
    if done <= 0:
        return "剩余时间未知" if lang == "zh" else "? left"
    left = max(0.0, elapsed * (total - done) / done)
    return f"约剩 {left:.0f} 秒" if lang == "zh" else f"~{left:.0f} s left"


def line_progress(label: str, say: Callable[[str], None], *, interval: float = 10.0,
                  clock: Callable[[], float] = time.monotonic, lang: str = "en") -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback that calls ``say`` at most every ``interval`` s, and at the end
    (in ``lang``: the CLI's language; logs stay English).

    >>> lines, now = [], iter([0.0, 12.0, 30.0]).__next__
    >>> p = line_progress("编码", lines.append, interval=10.0, clock=now, lang="zh")
    >>> p(400, 1000); p(1000, 1000)
    >>> lines
    ['编码: 400/1,000 (40%)，已用 12 秒，约剩 18 秒', '编码: 1,000/1,000 (100%)，用时 30 秒']
    """
    zh = lang == "zh"
    start = clock()
    state = {"last": start, "finished": False}

    def progress(done: int, total: int) -> None:
        now = clock()
        elapsed = now - start
        if total and done >= total:
            if not state["finished"]:
                state["finished"] = True
                say(f"{label}: {done:,}/{total:,} (100%)" + (f"，用时 {elapsed:.0f} 秒" if zh else f" in {elapsed:.0f} s"))
            return
        if now - state["last"] < interval:
            return
        state["last"] = now
        if total:
            eta = eta_text(done, total, elapsed, lang)
            say(f"{label}: {done:,}/{total:,} ({done / total:.0%})"
                + (f"，已用 {elapsed:.0f} 秒，{eta}" if zh else f", {elapsed:.0f} s, {eta}"))
        else:
            say(f"{label}: {done:,}" + (f"，已用 {elapsed:.0f} 秒" if zh else f", {elapsed:.0f} s"))

    return progress


def log_progress(label: str, *, interval: float = 10.0, logger: str = "chainmatch.progress"):
    """:func:`line_progress` into a logger at INFO (the server's warm start, any caller without a bar)."""
    log = logging.getLogger(logger)
    return line_progress(label, lambda msg: log.info("%s", msg), interval=interval)


class Steps:
    """Finished steps of a known plan, each said with the time so far and an estimate of what is left.

    ``weights`` are the steps' relative costs (e.g. the vector count of a
    search row); the estimate is the time so far per unit of finished weight
    times the weight left.
    """

    def __init__(self, weights, say: Callable[[str], None], *, clock: Callable[[], float] = time.monotonic):
        self.weights = [float(w) for w in weights]
        self.say, self.clock, self.start, self.n = say, clock, clock(), 0

    def done(self, text: str) -> None:
        """Say step ``n + 1`` finished with ``text``."""
        self.n += 1
        elapsed = self.clock() - self.start
        total = len(self.weights)
        if self.n >= total:
            self.say(f"[{self.n}/{total}] {text} · {elapsed:.0f} s in all")
            return
        finished, left = sum(self.weights[: self.n]), sum(self.weights[self.n :])
        self.say(f"[{self.n}/{total}] {text} · {elapsed:.0f} s so far, {eta_text(finished, finished + left, elapsed)}")
