"""The API's routers, one module per resource; :func:`include_routes` mounts them all."""

from __future__ import annotations

from fastapi import FastAPI

__all__ = ["include_routes", "TAGS"]

#: OpenAPI tags, in the order the docs show them.
TAGS = [
    {"name": "organisations", "description": "Firms and platforms (机构): search, read, create, edit, delete."},
    {"name": "analysis", "description": "Chain analysis: chain map (群-链-企), gaps (补链/强链/延链), "
     "leaders (链主), external dependence, region comparison; cached per store version."},
    {"name": "matching", "description": "Hybrid search (dense + Chinese-aware BM25), the search index, "
     "segment classification (挂链)."},
    {"name": "recommendation", "description": "Targets to recruit (招商目标) with attraction form, introducers "
     "(以商招商), start-up partners, outcomes (a landed firm becomes local)."},
    {"name": "campaigns", "description": "Joint campaigns (联合招商): proposals, stored campaigns with owner and "
     "partner agencies, conflicts when two agencies claim one target, history."},
    {"name": "projects", "description": "The project pipeline (招商项目): 线索 → 已接洽 → 在谈 → 签约 → 拟开工 → 到资 → "
     "投产 (or 终止), owner agency, next step and due date (overdue flags), investment, the introducer credited, "
     "notes, full history, monthly statistics; 投产 writes the firm's site into the graph."},
    {"name": "lists", "description": "The six 六个一 lists (key firms, targets, projects, platforms, policies, "
     "advisors): generate, curate, export, import; regeneration keeps hand-curated entries."},
    {"name": "reports", "description": "The gap-and-target report (缺链补链与招商目标报告) as an xlsx or HTML file."},
    {"name": "imports", "description": "Bulk upload of organisations, links or segments (批量导入), all or nothing."},
    {"name": "catalogue", "description": "Segments (产业链环节), chains (产业链), clusters (产业集群), links, regions; "
     "the chain template library (产业链图谱) to install."},
    {"name": "stats", "description": "What the store holds."},
    {"name": "keys", "description": "API keys and roles (admin only)."},
    {"name": "health", "description": "Liveness and readiness probes (no key needed)."},
]


def include_routes(app: FastAPI) -> None:
    from api.routes import (
        analysis,
        campaigns,
        catalogue,
        health,
        imports,
        keys,
        lists,
        matching,
        organisations,
        profiles,
        projects,
        recommend,
        reports,
        stats,
        templates,
    )

    for module in (organisations, profiles, analysis, matching, recommend, reports, campaigns, projects, lists, imports, catalogue,
                   templates, stats, keys, health):
        app.include_router(module.router)
    app.include_router(keys.me)  # /whoami: any key's own role
    app.include_router(__import__("api.routes.ui", fromlist=["router"]).router)  # web workbench at /ui/
