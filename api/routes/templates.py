"""``/chain-templates``: the chain template library (产业链图谱) — list it, install a template.

Installing is ``chainmatch chains add NAME``: the template's two files go
through the one importer (:func:`graph.templates.install` →
:func:`graph.io.importer.import_file`, segments then segment edges), so the
reports are those of ``POST /imports/segments`` and ``/imports/segment-edges``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Editor, SettingsDep, StoreDep, Viewer
from api.routes._common import AUTHED, responses
from api.routes.imports import report_public
from api.schemas.core import ChainTemplatePublic, ChainTemplates, TemplateInstalled
from graph.templates import install, templates

__all__ = ["router"]

router = APIRouter(prefix="/chain-templates", tags=["catalogue"], responses=AUTHED)


@router.get("", summary="Ready chain templates to install", response_model=ChainTemplates)
def list_templates(_: Viewer) -> ChainTemplates:
    return ChainTemplates(items=[ChainTemplatePublic.model_validate(t.as_dict()) for t in templates()])


@router.post("/{name}", summary="Install a chain template (segments, then segment edges)",
             response_model=TemplateInstalled, responses=responses(400),
             description="All or nothing per file, as `POST /imports/{entity}`; installing again changes "
             "nothing. An unknown name is a 422 naming `path.name`, with the library as suggestions.")
def add_template(
    name: Annotated[str, Path(max_length=100, description="Slug, Chinese or English name, or a fragment of one.",
                              examples=["nev", "新能源汽车"])],
    store: StoreDep,
    settings: SettingsDep,
    _: Editor,
    dry_run: Annotated[bool, Query(description="Check both files, write nothing.")] = False,
) -> TemplateInstalled:
    done = install(store, name, dry_run=dry_run, settings=settings, field="path.name")
    return TemplateInstalled(template=ChainTemplatePublic.model_validate(done.template.as_dict()),
                             segments=report_public(done.segments),
                             edges=report_public(done.edges) if done.edges is not None else None,
                             written=done.written)
