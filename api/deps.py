"""Dependencies of the HTTP handlers, as ``Annotated`` aliases.

Handlers say what they need — ``store: StoreDep``, ``_: Editor``,
``page: PageDep`` — and never reach into ``app.state`` themselves. Everything
here reads what the lifespan built (:func:`api.app.create_app`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import KeyStore, Principal, Role
from api.authgate import authenticate
from api.errors import Forbidden
from graph.settings import Settings
from graph.store.protocol import GraphStore
from matching.engines import Engines
from matching.workspace import Workspace, workspace_path

__all__ = [
    "Engines",
    "EnginesDep",
    "SettingsDep",
    "StoreDep",
    "KeysDep",
    "WorkspaceDep",
    "PageDep",
    "PageParams",
    "Viewer",
    "Editor",
    "Admin",
    "MAX_LIMIT",
]

MAX_LIMIT = 500

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer cmk_…`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: cmk_…`")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


def get_keys(request: Request) -> KeyStore:
    return request.app.state.keys


def get_engines(request: Request) -> Engines:
    return request.app.state.engines


def get_workspace(request: Request) -> Iterator[Workspace]:
    """The workspace (outcomes, campaigns) of ``<data_dir>/workspace.sqlite``, open for one request."""
    with Workspace.open(workspace_path(request.app.state.settings)) as ws:
        yield ws


SettingsDep = Annotated[Settings, Depends(get_settings)]
EnginesDep = Annotated[Engines, Depends(get_engines)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    offset: int

    def slice(self, items: list) -> list:
        return items[self.offset : self.offset + self.limit]


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit, offset)


PageDep = Annotated[PageParams, Depends(page_params)]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    admitted = request.scope.get("state", {}).get("principal")  # checked by api.authgate before the body
    if admitted is not None:
        return admitted
    token = bearer.credentials if bearer else api_key
    return authenticate(request.app.state, token, _client(request))


def _require(role: Role):
    def dependency(principal: Annotated[Principal, Depends(_authenticate)]) -> Principal:
        if not principal.role.allows(role):
            raise Forbidden(
                f"this needs the {role.value} role; key {principal.key_id} has {principal.role.value}",
                f"此操作需要 {role.value} 角色；密钥 {principal.key_id} 的角色是 {principal.role.value}",
            )
        return principal

    dependency.__name__ = f"require_{role.value}"
    return dependency


Viewer = Annotated[Principal, Depends(_require(Role.VIEWER))]
Editor = Annotated[Principal, Depends(_require(Role.EDITOR))]
Admin = Annotated[Principal, Depends(_require(Role.ADMIN))]
