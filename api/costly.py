"""A per-key budget for the expensive endpoints: a documented 429 instead of a viewer tying up the server.

``/eval/backtest`` (12.8 s with ``t0=0001-01-01``, recomputed per ``t0``) and
``/eval/entries`` run for seconds; a viewer key could repeat them with new
arguments forever. :data:`Costly` is the viewer dependency plus a token
bucket per API key (:data:`PER_MINUTE` calls, one more every
``60 / PER_MINUTE`` s; the :class:`~api.auth.Throttle` of failed logins, reused):
over it, ``429 rate_limited`` with ``Retry-After``. In memory, per worker.

Examples
--------
>>> from api.auth import Throttle
>>> b = Throttle(2, clock=lambda: 0.0)
>>> charge(b, "k"), charge(b, "k")
(None, None)
>>> charge(b, "k")
Traceback (most recent call last):
...
api.errors.RateLimited: too many expensive requests with this API key; retry in 30 s
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import Principal, Role, Throttle
from api.deps import _require
from api.errors import RateLimited

__all__ = ["Costly", "PER_MINUTE", "charge"]

PER_MINUTE = 10


def charge(bucket: Throttle, key: str) -> None:
    """Take one call from ``key``'s budget, or raise ``RateLimited`` (429) when it is spent."""
    wait = bucket.retry_after(key)
    if wait is not None:
        raise RateLimited(f"too many expensive requests with this API key; retry in {wait} s",
                          f"该 API 密钥的高开销请求过多，请 {wait} 秒后重试", wait)
    bucket.fail(key)  # "fail" is the bucket's take-one-token


def _costly(request: Request, principal: Annotated[Principal, Depends(_require(Role.VIEWER))]) -> Principal:
    state = request.app.state
    bucket = getattr(state, "costly", None)
    if bucket is None:
        bucket = state.costly = Throttle(PER_MINUTE)
    charge(bucket, principal.key_id)
    return principal


Costly = Annotated[Principal, Depends(_costly)]
