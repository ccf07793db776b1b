"""Small random worlds with every awkward case: multi-memberships, predicted memberships (some below the
0.5 confidence that counts), rejected memberships, closed firms, landed sites, platforms as members and
buyers, firms without region or size, zero weights, parallel links."""

from __future__ import annotations

import dataclasses
import random

from graph.model import (
    Chain,
    Format,
    Link,
    LinkKind,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    Provenance,
    RegStatus,
    Segment,
    SegmentEdge,
    Site,
    SiteKind,
    Stage,
)
from graph.store.protocol import Batch

REGIONS = ["cn/guangdong/shenzhen", "cn/guangdong/shenzhen/nanshan", "cn/guangdong/shenzhen/futian",
           "cn/guangdong/guangzhou", "cn/guangdong", "cn/beijing/beijing/haidian", "cn/beijing/beijing",
           "jp/tokyo", None]
P = Provenance("test", "2026-01-01")


def random_world(seed: int, n_orgs: int = 120, n_links: int = 500, n_segs: int = 7) -> Batch:
    rng = random.Random(seed)
    segs = [Segment(f"s{j}", f"环节{j}", f"Seg {j}", list(Stage)[j % 3], Format.OTHER) for j in range(n_segs)]
    edges = sorted({(f"s{u}", f"s{v}") for u in range(n_segs) for v in range(u + 1, n_segs) if rng.random() < 0.4})
    orgs = []
    for i in range(n_orgs):
        kind = OrgKind.FIRM if rng.random() < 0.85 else rng.choice([OrgKind.LAB, OrgKind.PARK, OrgKind.UNIVERSITY])
        k = rng.choice([1, 1, 1, 2, 2, 0])
        members = tuple(Membership(s, status=MembershipStatus.PREDICTED if rng.random() < 0.1
                                   else MembershipStatus.CONFIRMED)
                        for s in rng.sample([s.id for s in segs], k))
        orgs.append(Organisation(
            id=f"o{i:04d}", kind=kind, name_zh=f"机构{i}", name_en=f"Org {i}", provenance=P,
            region=rng.choice(REGIONS), segments=members,
            employees=rng.choice([None, rng.randint(1, 5000)]),
            revenue_band=rng.choice([None, "<10M", "10-100M", ">1B"]),
            tiers=tuple(rng.sample(["链主", "专精特新", "上市公司"], rng.choice([0, 0, 1, 2])))))
    links = []
    for x in range(n_links):
        a, b = rng.sample(orgs, 2)
        kind = LinkKind.SUPPLIES if rng.random() < 0.8 else LinkKind.PARTNERS
        w = rng.choice([0.0, 0.1, 0.25, 0.5, 1.0, round(rng.random(), 3)])
        links.append(Link(f"l{x:05d}", kind, a.id, b.id, P, weight=w))
    # parallel supplies between one pair
    links += [Link(f"l9{x:04d}", LinkKind.SUPPLIES, orgs[0].id, orgs[1].id, P, weight=0.5) for x in range(3)]
    orgs = _membership_cases(orgs, random.Random(seed + 1000))
    chains = [Chain("c:a", "链甲", "Chain A", tuple(s.id for s in segs[:4])),
              Chain("c:b", "链乙", "Chain B", tuple(s.id for s in segs[3:]))]
    return Batch(segments=segs, segment_edges=[SegmentEdge(u, v) for u, v in edges], organisations=orgs,
                 links=links, chains=chains)


def _membership_cases(orgs: list[Organisation], rng: random.Random) -> list[Organisation]:
    """Predictions with confidences on both sides of 0.5, rejected memberships, closed firms, landed sites
    (a second generator, so the worlds' other draws are unchanged)."""
    out = []
    for o in orgs:
        segs = []
        for m in o.segments:
            r = rng.random()
            if m.status is MembershipStatus.PREDICTED:
                m = dataclasses.replace(m, confidence=rng.choice([0.3, 0.49, 0.5, 0.7, 0.95]))
            elif r < 0.06:
                m = dataclasses.replace(m, status=MembershipStatus.REJECTED, confidence=rng.choice([0.6, 0.9]))
            segs.append(m)
        sites = o.sites
        if rng.random() < 0.08:
            sites = (Site(rng.choice([r for r in REGIONS if r]), SiteKind.RD_CENTRE, "2026-01-01", landed=True),)
        elif rng.random() < 0.05:
            sites = (Site(rng.choice([r for r in REGIONS if r]), SiteKind.BRANCH, "2025-01-01"),)
        status = RegStatus.CLOSED if rng.random() < 0.04 else o.status
        out.append(dataclasses.replace(o, segments=tuple(segs), sites=sites, status=status))
    return out
