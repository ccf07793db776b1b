"""``chainmatch serve``: run the HTTP API with uvicorn.

Binds the port first — a port in use is refused before any key is created
or printed — then prints the URL, the docs URL, an API key (created on the
first start, shown once) and a curl command that works. While the engines
warm (model, search index, analysis) the bound socket holds incoming
requests and they are answered once the engines are ready; the log says so
and for about how long. ``--auth off`` is refused unless the host is
loopback. Wire into the main CLI with :func:`register`.
"""

from __future__ import annotations

import os
import shlex
from typing import Annotated

import typer

from api.cli.common import DataDir, console, err_console
from graph.errors import ConfigError

__all__ = ["register", "serve", "prepare", "base_url", "listen", "run_one", "run_workers", "nodelay_listener"]


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses.

    >>> base_url("::1", 8000), base_url("0.0.0.0", 80)
    ('http://[::1]:8000', 'http://127.0.0.1:80')
    """
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def prepare(settings) -> list[str]:
    """What ``serve`` prints before it starts; creates the first admin key if there is none."""
    from api.auth import KeyStore, Role, keys_path

    url = base_url(settings.host, settings.port)
    lines = [f"chainmatch API on {url}  (docs: {url}/docs, OpenAPI: {url}/openapi.json)",
             f"store: {settings.backend} · data: {settings.data_dir}"]
    query = f"{url}/organisations?region=shenzhen&limit=3"
    if settings.auth == "off":
        lines.append(f"auth is OFF (allowed on loopback {settings.host} only): anyone who can reach "
                     "this address may read, write and manage keys. 未启用鉴权，仅限本机访问。")
        lines.append(f"try: curl {shlex.quote(query)}")
        return lines
    with KeyStore.open(keys_path(settings.data_dir)) as keys:
        created = keys.create("admin (first start)", Role.ADMIN) if keys.count() == 0 else None
    if created is not None:  # the secret appears once on screen (terminal scrollback, logs of the console)
        lines.append(f"admin key (created now, shown once, only its hash is stored): {created.token}")
        lines.append("set it for the example: export CHAINMATCH_KEY=<the admin key above>")
    else:
        lines.append("API keys exist; use yours (create one: chainmatch keys create --name NAME --role viewer)")
    lines.append(f'try: curl -H "Authorization: Bearer $CHAINMATCH_KEY" {shlex.quote(query)}')
    return lines


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8000).")] = None,
    auth: Annotated[str | None, typer.Option("--auth", help="on (API keys) or off (loopback only).")] = None,
    data_dir: DataDir = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default 1; each loads "
                                                "its own engines, so memory grows with them).")] = None,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Load the model and engines before accepting "
                                       "requests (default), or on first use.")] = True,
) -> None:
    """Run the HTTP API (FastAPI + uvicorn); print the URL, a key and a curl that works."""
    from pydantic import ValidationError

    from api.app import create_app
    from graph.errors import InvalidInput, Problem, pydantic_reason_zh
    from graph.settings import Settings

    overrides = {k: v for k, v in {"host": host, "port": port, "auth": auth, "data_dir": data_dir,
                                   "workers": workers, "warm_start": warm}.items() if v is not None}
    try:
        settings = Settings(**overrides)
    except ValidationError as e:
        problems = [Problem("options", None, ".".join(map(str, err["loc"])), err["msg"], pydantic_reason_zh(err))
                    for err in e.errors()]
        raise InvalidInput("invalid serve options", "serve 参数无效", problems) from None
    sock = listen(settings.host, settings.port)  # before a key is created: a taken port changes nothing
    try:
        for line in prepare(settings):
            (err_console if line.startswith("auth is OFF") else console).print(line, soft_wrap=True)
        if settings.workers > 1:
            # each worker process builds its app from the environment: hand it the options given here
            os.environ.update({f"CHAINMATCH_{k.upper()}": str(v) for k, v in overrides.items()})
            run_workers(settings, log_level, sock)
            return
        run_one(create_app(settings), settings, log_level, sock)
    finally:
        sock.close()


def listen(host: str, port: int):
    """A listening TCP socket on ``host:port`` (TCP_NODELAY), or :class:`ConfigError` if it is taken.

    Listening before the app starts lets the kernel hold connections while
    the engines warm: a client waits and is answered instead of refused.

    >>> sock = listen("127.0.0.1", 0)
    >>> taken = sock.getsockname()[1]
    >>> try:
    ...     listen("127.0.0.1", taken)
    ... except ConfigError as e:
    ...     print(e.code, "in use" in str(e))
    config_error True
    >>> sock.close()
    """
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is no obstacle
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as e:
        sock.close()
        where = base_url(host, port)
        if e.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"{where} is already in use (another server?): stop it, or choose another port with "
                "--port or CHAINMATCH_PORT; nothing was started and no key was created",
                f"{where} 端口已被占用（可能已有服务在运行）：请先停止它，或用 --port 或 CHAINMATCH_PORT "
                "换一个端口；未启动服务，也未创建密钥") from None
        raise ConfigError(f"cannot listen on {where}: {e.strerror}; nothing was started",
                          f"无法在 {where} 上监听：{e.strerror}；未启动服务") from None
    sock.set_inheritable(True)  # the worker processes of --workers accept on it
    return sock


def run_one(app, settings, log_level: str, sock) -> None:
    """Serve ``app`` in this process on the listening ``sock`` until Ctrl-C."""
    import uvicorn

    from api.logsafe import uvicorn_log_config

    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=log_level,
                            log_config=uvicorn_log_config())  # key secrets redacted from every log line
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(settings, log_level: str, sock) -> None:
    """uvicorn's multi-process supervisor over :func:`api.app.app_from_env`, with TCP_NODELAY kept.

    uvicorn binds the shared socket with ``proto`` 0, so asyncio leaves
    Nagle's algorithm on for accepted connections and every keep-alive
    response after the first waited about 40 ms for the client's delayed ACK
    (measured here: 44 ms per ``/health`` with two workers, 2 ms with one;
    uvicorn issue #3149). ``sock`` comes from :func:`listen` (``IPPROTO_TCP``,
    TCP_NODELAY); :func:`nodelay_listener` keeps it so for any socket.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from api.logsafe import uvicorn_log_config

    config = uvicorn.Config("api.app:app_from_env", factory=True, host=settings.host, port=settings.port,
                            log_level=log_level, workers=settings.workers, log_config=uvicorn_log_config())
    Multiprocess(config, sockets=[nodelay_listener(sock)]).run()


def nodelay_listener(bound):
    """``bound`` re-wrapped as a TCP socket (``proto`` 6) with TCP_NODELAY, so accepted sockets get it too.

    >>> import socket
    >>> raw = socket.socket(socket.AF_INET)  # proto 0, as uvicorn binds it
    >>> raw.bind(("127.0.0.1", 0))
    >>> sock = nodelay_listener(raw)
    >>> sock.proto == socket.IPPROTO_TCP, sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    (True, True)
    >>> sock.close()
    """
    import socket

    inet = bound.family in (socket.AF_INET, socket.AF_INET6)
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP if inet else 0, fileno=bound.detach())
    if inet:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def register(app: typer.Typer) -> None:
    """Add ``serve`` to a Typer app (the ``chainmatch`` CLI)."""
    app.command("serve")(serve)
