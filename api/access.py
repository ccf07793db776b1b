"""Who may call what: the access policy of every route, in one place.

Each handler declares its role with a dependency (``_: Viewer``, ``Editor``,
``Admin`` from :mod:`api.deps`); this module states the policy those
declarations must follow, and :func:`route_roles` reads what every route of
an app actually requires, so a test can walk all routes (those added later
included) and fail on one that forgot its key:

- :data:`PUBLIC` paths need no key (probes, the API docs, the workbench's
  static files);
- reads (GET) need ``viewer``; writes (POST, PUT, PATCH, DELETE) need
  ``editor``, except the POSTs in :data:`VIEWER_POSTS`, which compute an
  answer from a request body and store nothing;
- everything under :data:`ADMIN_PREFIXES` (API keys) needs ``admin``.

Examples
--------
>>> expected_role("GET", "/organisations"), expected_role("DELETE", "/organisations/{org_id}")
(<Role.VIEWER: 'viewer'>, <Role.EDITOR: 'editor'>)
>>> expected_role("GET", "/keys"), expected_role("POST", "/partners"), expected_role("GET", "/health")
(<Role.ADMIN: 'admin'>, <Role.VIEWER: 'viewer'>, None)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from api.auth import Role

__all__ = ["PUBLIC", "VIEWER_POSTS", "ADMIN_PREFIXES", "RouteAccess", "expected_role", "route_roles"]

#: Paths any caller may use without a key.
PUBLIC = frozenset({
    "/health", "/ready",                                            # probes
    "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc",    # the API's own description
    "/", "/ui", "/ui/{rel:path}",                                   # the workbench page and its static files
})

#: POSTs that only read: they answer from the request body and write nothing.
VIEWER_POSTS = frozenset({"/partners", "/campaigns/propose", "/ui/export.xlsx"})

#: Path prefixes that need the admin role (key management).
ADMIN_PREFIXES = ("/keys",)

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_ROLES = frozenset(r.value for r in Role)


def expected_role(method: str, path: str) -> Role | None:
    """The role the policy asks of ``method path`` (a route's path template); None for public paths."""
    if path in PUBLIC:
        return None
    if any(path == p or path.startswith(p + "/") for p in ADMIN_PREFIXES):
        return Role.ADMIN
    if method.upper() in _READS or (method.upper() == "POST" and path in VIEWER_POSTS):
        return Role.VIEWER
    return Role.EDITOR


@dataclass(frozen=True, slots=True)
class RouteAccess:
    """One method of one route: the role its dependencies require and the role the policy expects."""

    method: str
    path: str
    required: Role | None
    expected: Role | None


def _required(dependant) -> Role | None:
    """The highest role a ``require_<role>`` dependency anywhere under ``dependant`` asks for."""
    found: list[Role] = []
    stack = [dependant]
    while stack:
        dep = stack.pop()
        for sub in dep.dependencies:
            name = getattr(sub.call, "__name__", "")
            role = name.removeprefix("require_")
            if name.startswith("require_") and role in _ROLES:
                found.append(Role(role))
            stack.append(sub)
    return max(found, key=lambda r: r.rank) if found else None


def route_roles(app) -> Iterator[RouteAccess]:
    """Every (method, path) the app serves, with the role it requires and the role it should."""
    from fastapi.routing import iter_route_contexts

    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        required = _required(dependant) if dependant is not None else None
        for method in sorted(route.methods or ()):
            if method == "HEAD" and "GET" in route.methods:
                continue
            yield RouteAccess(method, route.path, required, expected_role(method, route.path))
