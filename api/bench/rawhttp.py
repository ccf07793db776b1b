"""A minimal keep-alive HTTP/1.1 GET client over asyncio streams, for the load driver.

The load driver shares two cores with the server it measures, so its cost per
request matters: httpx's ``AsyncClient`` spent 1.9–2.9 ms of CPU per request in
``bench load`` (docs/benchmarks.md: 20.5 s of driver CPU for 6,984 requests),
which at 200 requests/s is half a core taken from the server. This client
writes one request line and a few headers, reads the status line, the headers
and a ``Content-Length`` (or chunked) body, and keeps the connection for the
next request; nothing else (no redirects, no cookies, no TLS, GET only). It is
for loopback benchmarks, not a general client.

Examples
--------
>>> target("/search", (("q", "动画"), ("limit", "10")))
'/search?q=%E5%8A%A8%E7%94%BB&limit=10'
>>> target("/organisations/syn:0000001")
'/organisations/syn:0000001'
>>> parse_head(b"HTTP/1.1 200 OK\\r\\ncontent-length: 12\\r\\nconnection: close\\r\\n\\r\\n")
(200, 12, False, True)
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import quote, urlencode, urlsplit

__all__ = ["RawClient", "target", "parse_head"]


def target(path: str, params: tuple[tuple[str, str], ...] = ()) -> str:
    """The request target: ``path`` percent-encoded (``/`` and ``:`` kept) and the query string."""
    p = quote(path, safe="/:")
    return f"{p}?{urlencode(params)}" if params else p


def parse_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """Status, content length (None: not given), chunked, connection close — of a response head."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked, close = None, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    return status, length, chunked, close


class RawClient:
    """GETs against one ``http://host:port`` with at most ``max_connections`` open connections.

    ``get`` returns the status and the body; a refused or reset
    connection, a malformed answer or ``timeout`` seconds (connection wait
    included) raise, and the connection is dropped. A connection idle for
    ``max_idle`` seconds is not reused (uvicorn closes idle ones after 5 s),
    and a request whose reused connection turns out closed before any answer
    arrived is sent once more on a new one (a GET, so safe to repeat), as
    httpx does. Use as an async context manager, which closes every idle
    connection on exit.
    """

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, *, timeout: float | None = 30.0,
                 max_connections: int = 100, max_idle: float = 2.0):
        u = urlsplit(base_url)
        if u.scheme != "http" or not u.hostname:
            raise ValueError(f"RawClient speaks plain http to a host, got {base_url!r}")
        self.host, self.port = u.hostname, u.port or 80
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {self.host}:{self.port}\r\nUser-Agent: chainmatch-bench\r\n{extra}\r\n"
        self.timeout = timeout
        self._slots = asyncio.Semaphore(max_connections)
        self.max_idle = max_idle
        self._idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []

    def _reusable(self):
        """The most recently used idle connection young enough to reuse (older ones are closed), or None."""
        now = time.monotonic()
        while self._idle:
            since, reader, writer = self._idle.pop()
            if now - since <= self.max_idle and not reader.at_eof():
                return reader, writer
            writer.close()
        return None

    async def _once(self, request: bytes) -> tuple[int, bytes]:
        conn = self._reusable()
        reused = conn is not None
        reader, writer = conn or await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(request)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError) as e:
                if reused and not getattr(e, "partial", b""):  # closed by the server while idle: once more, anew
                    writer.close()
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                else:
                    raise
            status, length, chunked, close = parse_head(head)
            if chunked:
                parts = []
                while True:
                    n = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    parts.append((await reader.readexactly(n + 2))[:n])
                    if n == 0:
                        break
                body = b"".join(parts)
            elif length is not None:
                body = await reader.readexactly(length)
            else:  # no length: the body runs to the end of the connection
                body, close = await reader.read(), True
        except BaseException:
            writer.close()
            raise
        if close:
            writer.close()
        else:
            self._idle.append((time.monotonic(), reader, writer))
        return status, body

    async def get(self, path: str, params: tuple[tuple[str, str], ...] = ()) -> tuple[int, bytes]:
        """``GET path?params``: (status, body)."""
        request = f"GET {target(path, params)} HTTP/1.1\r\n{self._head}".encode("ascii")
        async with asyncio.timeout(self.timeout):
            async with self._slots:
                return await self._once(request)

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop()[2].close()

    async def __aenter__(self) -> RawClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()
