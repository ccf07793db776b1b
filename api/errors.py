"""One JSON error shape for every HTTP error, validation errors included.

::

    {"error": {"code": "not_found",
               "message": "unknown organisation: org:x",
               "message_zh": "未找到 organisation: org:x",
               "details": [{"field": "...", "reason": "..."}]}}

``code`` is stable (see :data:`CODES`); ``details`` names each bad file /
row / field with the reason. Errors from the engine's one error tree
(:class:`graph.errors.ChainmatchError`) keep their code and status; FastAPI's
request validation becomes ``invalid_input`` (422); Starlette's HTTP errors
get the code of their status; anything else is ``internal_error`` (500) with
no stack trace (the trace goes to the server log only).

Examples
--------
>>> from graph.errors import NotFound
>>> error_body(NotFound("organisation", "org:x"))["error"]["code"]
'not_found'
>>> validation_details([{"loc": ("query", "limit"), "msg": "too big", "type": "x"}])
[{'field': 'query.limit', 'reason': 'too big'}]
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import ChainmatchError

__all__ = [
    "CODES",
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

#: Every error code the API answers with, and its usual status.
CODES: dict[str, int] = {
    "invalid_input": 422,
    "bad_encoding": 422,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "internal_error": 500,
    "config_error": 500,
    "backend_unavailable": 503,
}

_BY_STATUS = {
    400: ("invalid_input", "bad request", "请求无效"),
    401: ("unauthorized", "authentication required", "需要身份验证"),
    403: ("forbidden", "forbidden", "无权访问"),
    404: ("not_found", "not found", "未找到"),
    405: ("method_not_allowed", "method not allowed", "不支持该请求方法"),
    409: ("conflict", "conflict", "冲突"),
    413: ("payload_too_large", "request body too large", "请求体过大"),
    415: ("unsupported_media_type", "unsupported media type", "不支持的媒体类型"),
    422: ("invalid_input", "invalid input", "输入无效"),
    429: ("rate_limited", "too many requests", "请求过于频繁"),
    503: ("backend_unavailable", "service unavailable", "服务暂不可用"),
}


class Unauthorized(ChainmatchError):
    """No API key, or one that is unknown or revoked."""

    code = "unauthorized"
    status = 401


class Forbidden(ChainmatchError):
    """A valid key whose role does not allow the operation."""

    code = "forbidden"
    status = 403


class RateLimited(ChainmatchError):
    """Too many failed authentication attempts from one client."""

    code = "rate_limited"
    status = 429

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
    headers = {"WWW-Authenticate": 'Bearer realm="chainmatch"'} if exc.status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(error_body(exc), status_code=exc.status, headers=headers)


def validation_details(errors) -> list[dict]:
    """FastAPI/pydantic validation errors as ``{"field", "reason"}`` (the input is never echoed)."""
    return [
        {"field": ".".join(str(x) for x in e.get("loc", ())), "reason": str(e.get("msg", "invalid"))}
        for e in errors
    ]


async def _chainmatch(request: Request, exc: ChainmatchError) -> JSONResponse:
    if exc.status >= 500:
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
