"""Landing: one move written to two stores (the workspace and the graph), crash-consistent.

A move into 投产 (or out of it) changes the project's stage in the workspace
*and* the firm's landed :class:`~graph.model.Site` in the graph store, two
databases with no common transaction. The write is made in three steps:

1. an **intent** row (project, ``land`` / ``unland``, the change) is committed
   in the workspace; the project itself is not changed yet;
2. the site is written into the graph through the one write pipeline
   (:meth:`GraphStore.write <graph.store.protocol.GraphStore.write>`); the
   write is idempotent (a site already there is not written again);
3. one workspace transaction applies the change (stage, history row) and
   deletes the intent.

A kill -9 before step 1 commits leaves the old state in both stores. Any
later kill leaves the intent, and every open of the project book
(:meth:`matching.projects.book.ProjectBook.recover`: every ``chainmatch
projects`` command, every ``/projects`` request, the server at start)
**replays** it: step 2 again (a no-op if it had happened), then step 3. So
after the replay both stores hold the new state; a reader never sees the
site without 投产 or 投产 without the site once the book has been opened. An
intent whose firm no longer exists in the graph is rolled back (deleted,
noted in the history); a store that cannot be reached leaves it for the next
open. Replays of one intent by two processes at once are harmless: step 2 is
idempotent and step 3 runs only while the intent row still exists.

Examples
--------
>>> from graph.model import Organisation, OrgKind, Provenance, SiteKind
>>> from graph.store.sqlite import SqliteStore
>>> store = SqliteStore.memory()
>>> _ = store.write(Batch(organisations=[Organisation("org:t", OrgKind.FIRM, "目标", Provenance("doc"))]))
>>> write_site(store, "org:t", "cn/guangdong/shenzhen", "rd_centre", "land", 7, "2026-03-01")
True
>>> store.organisation("org:t").sites, store.organisation("org:t").provenance.source
((Site(region='cn/guangdong/shenzhen', kind=<SiteKind.RD_CENTRE: 'rd_centre'>, since='2026-03-01', landed=True),), 'doc; project:7')
>>> write_site(store, "org:t", "cn/guangdong/shenzhen", "rd_centre", "land", 7, "2026-03-01")
False
>>> write_site(store, "org:t", "cn/guangdong/shenzhen", "rd_centre", "unland", 7, "2026-04-01"), store.organisation("org:t").sites
(True, ())
"""

from __future__ import annotations

import dataclasses

from graph.model import Provenance, Site, SiteKind
from graph.store.protocol import Batch

__all__ = ["write_site", "site_kind", "has_site"]

#: the site a landed firm opens, by attraction form (as outcomes do: matching.recommend.outcomes)
_SITE_FOR_FORM = {"headquarters": SiteKind.HQ, "regional_hq": SiteKind.REGIONAL_HQ,
                  "rd_centre": SiteKind.RD_CENTRE, "production_base": SiteKind.PRODUCTION}


def site_kind(form: str | None) -> SiteKind:
    """The kind of site a project of this attraction form opens (a branch when none is given)."""
    return _SITE_FOR_FORM.get(form or "", SiteKind.BRANCH)


def has_site(rec, region: str, form: str | None) -> bool:
    """Whether the organisation record has the landed site a project in ``region`` of ``form`` writes."""
    kind = site_kind(form)
    return any(s.region == region and s.kind == kind and s.landed for s in rec.sites)


def write_site(store, org: str, region: str, form: str | None, op: str, project: int, day: str) -> bool:
    """Step 2: add (``land``) or remove (``unland``) the project's landed site; False when already so.

    Landing replaces a site of the same region and kind by the landed one and
    names the project in the record's provenance, as an outcome ``landed``
    does; unlanding removes the landed site of that region and kind.
    """
    rec = store.organisation(org)
    kind = site_kind(form)
    if op == "land":
        if has_site(rec, region, form):
            return False
        sites = tuple(s for s in rec.sites if (s.region, s.kind) != (region, kind)) + (
            Site(region, kind, day, landed=True),)
        mark = f"project:{project}"
        source = rec.provenance.source if mark in rec.provenance.source.split("; ") else \
            f"{rec.provenance.source}; {mark}"
        prov = Provenance(source, day, rec.provenance.estimated)
    else:
        if not has_site(rec, region, form):
            return False
        sites = tuple(s for s in rec.sites if not (s.region == region and s.kind == kind and s.landed))
        prov = rec.provenance
    store.write(Batch(organisations=[dataclasses.replace(rec, sites=sites, provenance=prov)]))
    return True
