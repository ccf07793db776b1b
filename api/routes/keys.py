"""``/keys``: create, list and revoke API keys (admin role); ``/whoami``: the caller's own key (any role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import KeyInfo, Role
from api.deps import Admin, KeysDep, PageDep, Viewer
from api.routes._common import AUTHED, paged, responses
from api.schemas.core import Caller, KeyCreate, KeyCreated, KeyPublic, Page

__all__ = ["me", "router"]

router = APIRouter(prefix="/keys", tags=["keys"], responses=AUTHED)
#: ``/whoami``, outside /keys (which is admin only): any key may ask what it is
me = APIRouter(tags=["keys"], responses=AUTHED)

KeyIdPath = Annotated[str, Path(max_length=50, description="Key id (the 8 hex digits after cmk_).",
                                examples=["3f9a0c21"])]


def public(info: KeyInfo) -> KeyPublic:
    return KeyPublic(id=info.id, name=info.name, role=info.role.value, created=info.created,
                     revoked=info.revoked)


@router.post("", summary="Create a key (its secret is shown once)", status_code=201,
             response_model=KeyCreated, responses=responses(400, 413))
def create_key(body: KeyCreate, keys: KeysDep, _: Admin) -> KeyCreated:
    created = keys.create(body.name, body.role)
    return KeyCreated(**public(created.info).model_dump(), key=created.token)


@router.get("", summary="List keys (never their secrets)", response_model=Page[KeyPublic])
def list_keys(keys: KeysDep, _: Admin, page: PageDep,
              include_revoked: Annotated[bool, Query()] = False) -> Page[KeyPublic]:
    items, total = paged(iter(keys.list(include_revoked=include_revoked)), page)
    return Page[KeyPublic](items=[public(k) for k in items], total=total, limit=page.limit,
                           offset=page.offset)


@router.delete("/{key_id}", summary="Revoke a key", response_model=KeyPublic, responses=responses(404, 409))
def revoke_key(key_id: KeyIdPath, keys: KeysDep, _: Admin) -> KeyPublic:
    return public(keys.revoke(key_id))


@me.get("/whoami", summary="The calling key's name and role (any key)", response_model=Caller)
def whoami(caller: Viewer) -> Caller:
    return Caller(id=caller.key_id, name=caller.name, role=caller.role.value, writes=caller.role.allows(Role.EDITOR))
