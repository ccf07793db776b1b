"""Helpers the routers share: documented error responses, filters, name resolution.

Examples
--------
>>> sorted(responses(404, 422))
[404, 422]
>>> looks_like_region_id("cn/guangdong/shenzhen"), looks_like_region_id("深圳")
(True, False)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from api.deps import PageParams
from api.schemas.core import ErrorResponse
from graph.errors import InvalidInput
from graph.model import Chain, Segment

__all__ = [
    "responses",
    "AUTHED",
    "FieldError",
    "looks_like_region_id",
    "resolve_region",
    "resolve_segment",
    "resolve_chain",
    "fold",
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

_REGION_ID = re.compile(r"^[a-z]{2}(/[a-z0-9_\-]+)*$")


class FieldError(InvalidInput):
    """Bad input in one named request field; details are ``{"field", "reason"}``."""

    def __init__(self, field: str, reason: str, reason_zh: str | None = None):
        super().__init__(f"{field}: {reason}", f"{field}：{reason_zh or reason}")
        self.field = field
        self.reason = reason

    def details(self) -> list[dict]:
        return [{"field": self.field, "reason": self.reason}]


def looks_like_region_id(text: str) -> bool:
    return bool(_REGION_ID.match(text))


def resolve_region(text: str | None, field: str = "query.region") -> str | None:
    """A region id from an id (used as a path prefix) or a Chinese/English place name."""
    if text is None:
        return None
    text = text.strip()
    if looks_like_region_id(text):
        return text
    from graph.regions import parse_region

    rid = parse_region(text) if text else None
    if rid is None:
        raise FieldError(field, f"no region found in {text!r}; give a region id such as "
                         "cn/guangdong/shenzhen or a place name such as 深圳市南山区",
                         f"无法识别地区 {text!r}")
    return rid


def _by_id_or_name(text: str, records: Iterable, what: str, field: str):
    records = list(records)
    for r in records:
        if r.id == text:
            return r
    named = [r for r in records if text in (r.name_zh, r.name_en)]
    if len(named) == 1:
        return named[0]
    reason = f"{len(named)} {what}s are named {text!r}; use an id" if named else f"unknown {what} {text!r}"
    raise FieldError(field, reason)


def resolve_segment(text: str, segments: Iterable[Segment], field: str = "query.segment") -> Segment:
    """A segment by id or by its exact Chinese or English name."""
    return _by_id_or_name(text.strip(), segments, "segment", field)


def resolve_chain(text: str, chains: Iterable[Chain], field: str = "query.chain") -> Chain:
    """A chain by id or by its exact Chinese or English name."""
    return _by_id_or_name(text.strip(), chains, "chain", field)


def fold(text: str) -> str:
    """Text for case- and width-insensitive substring search.

    >>> fold("Ｎｅｂｕｌａ  PIXEL") == fold("nebula  pixel")
    True
    """
    return unicodedata.normalize("NFKC", text).casefold()


def paged(items: Iterator, page: PageParams) -> tuple[list, int]:
    """The page's items and the total, streaming: only the page is kept."""
    out, total = [], 0
    end = page.offset + page.limit
    for item in items:
        if page.offset <= total < end:
            out.append(item)
        total += 1
    return out, total
