"""Record what happened to a recommendation; a landed firm becomes local.

:func:`record_outcome` appends the outcome to the workspace. For ``landed``
it also writes the firm's new :class:`~graph.model.Site` in the region into
the graph store (the site kind follows the attraction form; the record's
provenance names the outcome id; the site is marked ``landed``), so the firm
counts as local to the region afterwards in every analysis (gaps, chain
map, dependence: :mod:`graph.analysis.membership`) and
:meth:`Workspace.landed` keeps it off target lists.

The workspace row and the store write are two databases: the workspace
transaction is opened first and committed only after the store write
succeeded, so a failed store write leaves no outcome behind.

Examples
--------
>>> from graph.model import Organisation, OrgKind, Provenance
>>> from graph.store.protocol import Batch
>>> from graph.store.sqlite import SqliteStore
>>> from matching.workspace import Workspace
>>> store, ws = SqliteStore.memory(), Workspace.memory()
>>> _ = store.write(Batch(organisations=[Organisation("org:t", OrgKind.FIRM, "目标公司", Provenance("doc"),
...                                                  region="cn/shanghai/shanghai")]))
>>> o = record_outcome(ws, store, "org:t", "cn/guangdong/shenzhen/nanshan", "landed", form="rd_centre",
...                    at="2026-07-01T09:00:00+00:00")
>>> store.organisation("org:t").sites
(Site(region='cn/guangdong/shenzhen/nanshan', kind=<SiteKind.RD_CENTRE: 'rd_centre'>, since='2026-07-01', landed=True),)
>>> store.organisation("org:t").provenance.source
'doc; outcome:1'
>>> ws.landed("cn/guangdong/shenzhen")
{'org:t'}
"""

from __future__ import annotations

import dataclasses

from graph.model import Provenance, Site, SiteKind
from graph.store.protocol import Batch
from matching.workspace import Outcome, Workspace

__all__ = ["record_outcome", "SITE_FOR_FORM"]

#: the site a landed firm opens, by attraction form
SITE_FOR_FORM = {"headquarters": SiteKind.HQ, "regional_hq": SiteKind.REGIONAL_HQ,
                 "rd_centre": SiteKind.RD_CENTRE, "production_base": SiteKind.PRODUCTION}


def record_outcome(ws: Workspace, store, org: str, region: str, status: str, *, segment: str | None = None,
                   form: str | None = None, campaign: int | None = None, note: str = "", actor: str = "",
                   at: str | None = None) -> Outcome:
    """Append an outcome; for ``landed`` also write the new site into ``store``.

    Raises ``NotFound`` (unknown organisation) or ``InvalidInput`` (bad status)
    and then records nothing.
    """
    if status != "landed":
        store.organisation(org)  # NotFound for an unknown id
        return ws.record_outcome(org, region, status, segment=segment, form=form, campaign=campaign,
                                 note=note, actor=actor, at=at)
    rec = store.organisation(org)
    with ws.transaction() as conn:
        out = ws.record_outcome(org, region, status, segment=segment, form=form, campaign=campaign,
                                note=note, actor=actor, at=at, conn=conn)
        kind = SITE_FOR_FORM.get(form or "", SiteKind.BRANCH)
        site = Site(region, kind, out.at[:10], landed=True)  # local from now on (graph.analysis.membership)
        sites = tuple(s for s in rec.sites if (s.region, s.kind) != (region, kind)) + (site,)
        prov = Provenance(f"{rec.provenance.source}; outcome:{out.id}", out.at[:10], rec.provenance.estimated)
        store.write(Batch(organisations=[dataclasses.replace(rec, sites=sites, provenance=prov)]))
    return out
