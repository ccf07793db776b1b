"""List the segments each strategic-emerging-industry plan names (issue 16, fifth round): the audit listing.

    python scripts/policy_listing.py --data-dir D > docs/strategic_emerging_matches.md

Reads only the store's segments (names and parent groups) and
graph/templates/strategic_emerging.json; the matching is
:func:`graph.analysis.policy.segment_matches`.
"""

from __future__ import annotations

import argparse

from graph.analysis.policy import load_plans, segment_matches


def main() -> None:
    from graph.settings import Settings
    from graph.store import open_store

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    args = ap.parse_args()
    segs = sorted(open_store(Settings(data_dir=args.data_dir)).segments(), key=lambda s: s.id)
    idx = {s.id: j for j, s in enumerate(segs)}
    names = [s.name_zh for s in segs]
    parents = [idx.get(s.parent) if s.parent else None for s in segs]
    plans = load_plans()
    m = segment_matches(names, parents, plans)
    leaves = {j for j in range(len(segs))} - {p for p in parents if p is not None}
    print("# Segments named by the strategic-emerging-industry plans (generated)\n")
    print("`python scripts/policy_listing.py --data-dir D` on the chainkg store "
          f"({len(segs)} segments, {len(leaves)} without children). Matching rule: graph/analysis/policy.py; "
          "keywords: graph/templates/strategic_emerging.json. A segment's path is its parent groups, top first.\n")
    for p in plans:
        hits = m[p["id"]]
        nl = sum(1 for j in hits if j in leaves)
        print(f"## {p['title_zh']} ({p['published']}): {len(hits)} segments, {nl} without children\n")
        print("| segment | path | matched by |\n|---|---|---|")
        for j in sorted(hits, key=lambda j: (names[parents[j]] if parents[j] is not None else "", names[j])):
            path, a = [], parents[j]
            while a is not None:
                path.append(names[a])
                a = parents[a]
            print(f"| {names[j]} | {' / '.join(reversed(path))} | {'; '.join(hits[j])} |")
        print()


if __name__ == "__main__":
    main()
