"""Helpers the routers share: documented error responses, paging, naming the field of an error.

A user's words (regions, chains, segments, organisations) are resolved by
:mod:`graph.resolve` — the same rules as the CLI; handlers pass the request
field (``field="query.region"``) so the error names it.

Examples
--------
>>> sorted(responses(404, 422))
[404, 422]
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from api.deps import PageParams
from api.schemas.core import ErrorResponse
from graph.errors import ChainmatchError, InvalidInput

__all__ = [
    "responses",
    "AUTHED",
    "FieldError",
    "located",
    "paged",
]

_WHY = {
    400: "Malformed request body (not UTF-8 JSON, broken multipart).",
    401: "No API key, or an unknown or revoked one.",
    403: "The key's role does not allow this.",
    404: "Unknown id.",
    409: "Conflicts with stored data.",
    413: "Request body too large.",
    422: "Invalid input: every bad field (or file row) is listed in `details`.",
    429: "Too many failed API-key attempts from this client.",
    500: "Internal error (no stack trace is sent).",
    503: "The store cannot be reached.",
}


def responses(*statuses: int) -> dict:
    """OpenAPI responses for these error statuses, all with the one error shape."""
    return {s: {"model": ErrorResponse, "description": _WHY[s]} for s in statuses}


#: What every authenticated endpoint may answer besides success.
AUTHED = responses(401, 403, 422, 429, 500, 503)


class FieldError(InvalidInput):
    """Bad input in one named request field; details are ``{"field", "reason"}``."""

    def __init__(self, field: str, reason: str, reason_zh: str | None = None):
        super().__init__(f"{field}: {reason}", f"{field}：{reason_zh or reason}")
        self.field = field
        self.reason = reason

    def details(self) -> list[dict]:
        return [{"field": self.field, "reason": self.reason}]


@contextmanager
def located(where: str) -> Iterator[None]:
    """Name an engine error's bare field (``region``) as the request field it came from (``query.region``).

    For engine calls that resolve the user's words themselves (the analyst);
    elsewhere handlers pass ``field=`` to :mod:`graph.resolve` directly.

    >>> from graph.resolve import resolve_region
    >>> try:
    ...     with located("query"):
    ...         resolve_region("深证")
    ... except InvalidInput as e:
    ...     e.field
    'query.region'
    """
    try:
        yield
    except ChainmatchError as e:
        if e.field and "." not in e.field:
            e.field = f"{where}.{e.field}"
        raise


def paged(items: Iterator, page: PageParams) -> tuple[list, int]:
    """The page's items and the total, streaming: only the page is kept."""
    out, total = [], 0
    end = page.offset + page.limit
    for item in items:
        if page.offset <= total < end:
            out.append(item)
        total += 1
    return out, total
