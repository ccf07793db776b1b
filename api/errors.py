"""One JSON error shape for every HTTP error, validation errors included.

::

    {"error": {"code": "not_found",
               "message": "unknown organisation: org:x",
               "message_zh": "未找到机构：org:x",
               "details": [{"field": "...", "reason": "..."}]}}

``code`` is stable (see :data:`CODES`); ``details`` names each bad file /
row / field with the reason. Errors from the engine's one error tree
(:class:`graph.errors.ChainmatchError`) keep their code, whose status is
stated once, in :data:`ERRORS`; FastAPI's
request validation becomes ``invalid_input`` (422); Starlette's HTTP errors
get the code of their status; anything else is ``internal_error`` (500) with
no stack trace (the trace goes to the server log only).

Examples
--------
>>> from graph.errors import NotFound
>>> error_body(NotFound("organisation", "org:x"))["error"]["code"]
'not_found'
>>> validation_details([{"loc": ("query", "limit"), "msg": "too big", "type": "less_than_equal", "ctx": {"le": 50}}])
[{'field': 'query.limit', 'reason': 'too big', 'reason_zh': '应不大于 50'}]
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import ChainmatchError, pydantic_reason_zh

__all__ = [
    "CODES",
    "ERRORS",
    "status_of",
    "Unauthorized",
    "Forbidden",
    "RateLimited",
    "PayloadTooLarge",
    "error_body",
    "http_error_body",
    "error_response",
    "validation_details",
    "install_error_handlers",
]

log = logging.getLogger("chainmatch.api")

#: Every error code the API answers with: its HTTP status and a generic message (en, zh). The one
#: place a status is stated: engine errors carry a ``code`` only (:mod:`graph.errors`).
ERRORS: dict[str, tuple[int, str, str]] = {
    "invalid_input": (422, "invalid input", "输入无效"),
    "bad_encoding": (422, "unsupported file encoding", "不支持的文件编码"),
    "unauthorized": (401, "authentication required", "需要身份验证"),
    "forbidden": (403, "forbidden", "无权访问"),
    "not_found": (404, "not found", "未找到"),
    "method_not_allowed": (405, "method not allowed", "不支持该请求方法"),
    "conflict": (409, "conflict", "冲突"),
    "payload_too_large": (413, "request body too large", "请求体过大"),
    "unsupported_media_type": (415, "unsupported media type", "不支持的媒体类型"),
    "rate_limited": (429, "too many requests", "请求过于频繁"),
    "internal_error": (500, "internal error", "服务器内部错误"),
    "config_error": (500, "configuration error", "配置错误"),
    "backend_unavailable": (503, "service unavailable", "服务暂不可用"),
}
#: Every error code and its status.
CODES: dict[str, int] = {code: status for code, (status, _en, _zh) in ERRORS.items()}

# a Starlette HTTP error's code: the first code of its status (400, not an engine status, reads as bad input)
_BY_STATUS = {400: ("invalid_input", "bad request", "请求无效")} | {
    status: (code, en, zh) for code, (status, en, zh) in reversed(ERRORS.items())}


def status_of(exc: ChainmatchError) -> int:
    """The HTTP status of an engine error, from its code (500 for a code the table lacks).

    >>> from graph.errors import NotFound
    >>> status_of(NotFound("organisation", "org:x")), status_of(Forbidden("no"))
    (404, 403)
    """
    return CODES.get(exc.code, 500)


class Unauthorized(ChainmatchError):
    """No API key, or one that is unknown or revoked."""

    code = "unauthorized"


class Forbidden(ChainmatchError):
    """A valid key whose role does not allow the operation."""

    code = "forbidden"


class RateLimited(ChainmatchError):
    """Too many failed authentication attempts from one client."""

    code = "rate_limited"

    def __init__(self, message: str, message_zh: str, retry_after: int):
        super().__init__(message, message_zh)
        self.retry_after = retry_after


class PayloadTooLarge(StarletteHTTPException):
    """A request body over ``settings.max_request_bytes`` (413).

    An HTTP exception rather than an engine error: FastAPI re-raises those
    when they come out of reading the body, so the handler still answers.
    """

    def __init__(self, limit: int):
        super().__init__(413)
        self.message = f"request body larger than {limit} bytes (CHAINMATCH_MAX_REQUEST_BYTES)"
        self.message_zh = f"请求体超过 {limit} 字节上限（CHAINMATCH_MAX_REQUEST_BYTES）"


def _body(code: str, message: str, message_zh: str, details: list[dict]) -> dict:
    return {"error": {"code": code, "message": message, "message_zh": message_zh, "details": details}}


def error_body(exc: ChainmatchError) -> dict:
    """The JSON error document of an engine error."""
    return _body(exc.code, exc.message, exc.message_zh, exc.details())


def error_response(exc: ChainmatchError) -> JSONResponse:
    status = status_of(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="chainmatch"'} if status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


def validation_details(errors) -> list[dict]:
    """FastAPI/pydantic validation errors as ``{"field", "reason", "reason_zh"}`` (the input is never echoed)."""
    return [
        {"field": ".".join(str(x) for x in e.get("loc", ())), "reason": str(e.get("msg", "invalid")),
         "reason_zh": pydantic_reason_zh(e)}
        for e in errors
    ]


async def _chainmatch(request: Request, exc: ChainmatchError) -> JSONResponse:
    if status_of(exc) >= 500:
        log.warning("%s %s -> %s: %s", request.method, request.url.path, exc.code, exc.message)
    return error_response(exc)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = validation_details(exc.errors())
    n = len(details)
    message = f"{n} invalid field{'s' if n != 1 else ''} in the request"
    return JSONResponse(_body("invalid_input", message, f"请求中有 {n} 处字段无效", details),
                        status_code=422)


def http_error_body(exc: StarletteHTTPException, method: str = "", path: str = "") -> dict:
    """The JSON error document of a Starlette/FastAPI HTTP exception."""
    code, message, message_zh = _BY_STATUS.get(exc.status_code, ("internal_error", "error", "错误"))
    if exc.status_code >= 500 and exc.status_code != 503:
        code = "internal_error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else None
    if detail and exc.status_code < 500 and detail.lower() != message.lower():
        message = detail
    if exc.status_code == 404 and detail in (None, "Not Found"):
        message = f"no such endpoint: {method} {path}"
        message_zh = f"没有这个接口：{method} {path}"
    message = getattr(exc, "message", message)
    message_zh = getattr(exc, "message_zh", message_zh)
    return _body(code, message, message_zh, [])


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse(http_error_body(exc, request.method, request.url.path),
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        _body("internal_error", "internal error; the server log has the details",
              "服务器内部错误，详情见服务器日志", []),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(ChainmatchError, _chainmatch)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
