"""``chainmatch keys init|create|list|revoke``: API keys on the command line (mirrors ``/keys``).

Wire into the main CLI with :func:`register`. A key's secret is printed once,
when it is created; only its salted hash is stored (``keys.sqlite`` in the
data directory, mode 0600).
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DataDir, JsonOut, console, err_console, print_json, settings_for
from api.cli.text import Col, print_table, t

__all__ = ["keys_app", "register"]

keys_app = typer.Typer(help="API keys for the HTTP API: roles viewer, editor, admin.", no_args_is_help=True)

RoleOpt = Annotated[str, typer.Option("--role", help="viewer (read), editor (read+write) or admin (+ keys).")]


def _open(data_dir):
    from api.auth import KeyStore, keys_path

    return KeyStore.open(keys_path(settings_for(data_dir).data_dir))


def _row(info) -> dict:
    return {"id": info.id, "name": info.name, "role": info.role.value, "created": info.created,
            "revoked": info.revoked}


def _show_created(created, as_json: bool) -> None:
    if as_json:
        print_json({**_row(created.info), "key": created.token})
        return
    console.print(t(f"{created.info.role.value} 密钥 [bold]{created.info.id}[/bold]（{created.info.name}）：",
                    f"{created.info.role.value} key [bold]{created.info.id}[/bold] ({created.info.name}):"))
    console.print(f"  {created.token}")
    err_console.print(t("密钥只显示这一次（只保存其哈希），请妥善保存。",
                        "Shown once: only its hash is stored. Keep it somewhere safe."))


@keys_app.command("init")
def init(
    name: Annotated[str, typer.Option("--name", help="A label for the key.")] = "admin",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Create the first admin key and print it once (refused when keys exist)."""
    from api.auth import Role
    from graph.errors import Conflict

    with _open(data_dir) as keys:
        if keys.count():
            raise Conflict("API keys already exist; an admin creates more with "
                           "`chainmatch keys create --role …`",
                           "已存在 API 密钥；管理员可用 `chainmatch keys create` 创建新密钥")
        created = keys.create(name, Role.ADMIN)
    _show_created(created, as_json)


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="A label: who or what uses the key.")],
    role: RoleOpt = "viewer",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Create a key and print it once."""
    from api.auth import Role
    from graph.errors import InvalidInput

    if role not in {r.value for r in Role}:
        raise InvalidInput(f"unknown role {role!r}; expected viewer, editor or admin",
                           f"未知角色 {role!r}；应为 viewer、editor 或 admin")
    with _open(data_dir) as keys:
        created = keys.create(name, role)
    _show_created(created, as_json)


@keys_app.command("list")
def list_keys(
    show_all: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """List keys (ids, names, roles; never secrets)."""
    with _open(data_dir) as keys:
        rows = [_row(k) for k in keys.list(include_revoked=show_all)]
    if as_json:
        print_json(rows)
        return
    print_table(t("API 密钥", "API keys"),
                [Col("编号", "id", keep=9), Col("名称", "name", keep=9), Col("角色", "role", keep=9),
                 Col("创建时间", "created", keep=6), Col("吊销时间", "revoked", keep=5)],
                [[r["id"], r["name"], r["role"], r["created"], r["revoked"] or ""] for r in rows])


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (8 hex digits after cmk_).")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Revoke a key (the last admin key cannot be revoked)."""
    with _open(data_dir) as keys:
        info = keys.revoke(key_id)
    if as_json:
        print_json(_row(info))
        return
    console.print(t(f"已吊销 {info.id}（{info.name}，{info.role.value}），时间 {info.revoked}",
                    f"revoked {info.id} ({info.name}, {info.role.value}) at {info.revoked}"))


def register(app: typer.Typer) -> None:
    """Add ``keys`` to a Typer app (the ``chainmatch`` CLI)."""
    app.add_typer(keys_app, name="keys")
