"""Security headers on every response, and a Content-Security-Policy on the workbench.

Every response says ``X-Content-Type-Options: nosniff`` (a JSON answer is
never run as a script), ``Referrer-Policy: no-referrer`` and
``X-Frame-Options: DENY`` (no page of ours inside someone else's frame).
The workbench (``/ui/``) also gets :data:`WORKBENCH_CSP`: scripts only from
this server (the page has no inline script), requests only to this server,
no plugins, no framing. Inline *styles* stay allowed: ECharts writes its
tooltips with ``style`` attributes. FastAPI's CDN-loaded Swagger UI and ReDoc
are not served; ``/docs`` is a local page with its own strict CSP.

Examples
--------
>>> "script-src 'self'" in WORKBENCH_CSP and "unsafe-eval" not in WORKBENCH_CSP
True
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "WORKBENCH_CSP", "COMMON"]

WORKBENCH_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

COMMON = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


class SecurityHeaders:
    """ASGI middleware adding :data:`COMMON` to every HTTP response and the CSP under ``/ui/``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        workbench = scope.get("path", "").startswith("/ui/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                if workbench:
                    headers.setdefault("Content-Security-Policy", WORKBENCH_CSP)
            await send(message)

        await self.app(scope, receive, with_headers)
