"""Authentication before the request body is read: one key check for handlers and the gate.

FastAPI resolves a handler's body before its dependencies run, so a key
checked only in a dependency came after an anonymous 19.8 MB JSON body had
been read and parsed (≈390 MB, the event loop blocked) — and malformed JSON
without a key answered 422, not 401. :class:`AuthGate` is an ASGI middleware
that checks the key of every request that may carry a body (any method but
GET/HEAD/OPTIONS, or any request declaring a body) on a non-public path
before the app sees it: no key, a wrong one, or a throttled client gets its
401/429 without one byte of the body read. The principal it found is kept
in the request state, so the route's role dependency does not verify twice.
:func:`authenticate` is the one check both use.

Examples
--------
>>> token_of({"headers": [(b"authorization", b"Bearer cmk_x")]}), token_of({"headers": [(b"x-api-key", b"k")]})
('cmk_x', 'k')
>>> gated({"method": "POST", "path": "/partners", "headers": []}), gated({"method": "GET", "path": "/ui/app.js", "headers": []})
(True, False)
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import LOCAL, Principal
from api.errors import RateLimited, Unauthorized, error_response
from graph.errors import ChainmatchError

__all__ = ["AuthGate", "authenticate", "gated", "token_of"]

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_PUBLIC = frozenset({"/health", "/ready", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/", "/ui"})


def token_of(scope: Scope) -> str | None:
    """The key a request sends: ``Authorization: Bearer …`` first, else ``X-API-Key``."""
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, cred = auth.partition(" ")
    if scheme.lower() == "bearer" and cred.strip():
        return cred.strip()
    key = headers.get(b"x-api-key", b"").decode("latin-1").strip()
    return key or None


def gated(scope: Scope) -> bool:
    """Whether the request may carry a body to a path that needs a key (so the gate checks it first)."""
    method, path = scope.get("method", "GET").upper(), scope.get("path", "")
    if path in _PUBLIC or (method in _READS and path.startswith("/ui/")):
        return False
    headers = dict(scope.get("headers") or [])
    declared = headers.get(b"content-length", b"0") not in (b"", b"0") or b"transfer-encoding" in headers
    return method not in _READS or declared


def authenticate(state, token: str | None, client: str) -> Principal:
    """The principal of ``token`` for ``client``; raises ``Unauthorized`` / ``RateLimited``.

    ``state`` is the app's state (settings, keys, throttle).
    """
    if state.settings.auth == "off":
        return LOCAL
    if not token:
        raise Unauthorized(
            "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            "需要 API 密钥：请发送 'Authorization: Bearer <密钥>' 或 'X-API-Key: <密钥>'",
        )
    wait = state.throttle.retry_after(client)
    if wait is not None:
        raise RateLimited(
            f"too many failed API-key attempts from this client; retry in {wait} s",
            f"该客户端的 API 密钥验证失败次数过多，请 {wait} 秒后重试",
            wait,
        )
    principal = state.keys.verify(token)
    if principal is None:
        state.throttle.fail(client)
        raise Unauthorized("unknown or revoked API key", "API 密钥无效或已撤销")
    return principal


class AuthGate:
    """Refuse a request that may carry a body with 401/429 before reading it, unless its key is good."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not gated(scope):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        client = scope["client"][0] if scope.get("client") else "unknown"
        try:
            principal = authenticate(state, token_of(scope), client)
        except ChainmatchError as exc:
            response = error_response(exc)
            response.headers["Connection"] = "close"  # the unread body is never drained
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
