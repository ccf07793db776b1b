// The chain map: segments in columns from upstream to downstream (longest supply path
// from the chain's sources), coloured by their status in the chosen region.

import { nameOf, t } from "./i18n.js";
import { esc } from "./util.js";

export const STATUS_COLOURS = {
  strong: "#2e7d32",
  thin: "#f2a900",
  missing: "#c62828",
  extension: "#6a3fb5",
  present: "#7aa6c2",
  absent: "#9e9e9e",
};

const STAGE_ORDER = { upstream: 0, midstream: 1, downstream: 2 };

/**
 * Columns for segments: a segment sits one column right of its furthest supplier
 * (longest path over the supply edges); with no edges, its stage decides.
 * Cycles are cut by capping the depth at the number of segments.
 */
export function layoutColumns(segments, edges) {
  const ids = segments.map((s) => s.segment);
  const inChain = new Set(ids);
  const preds = new Map(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (inChain.has(e.upstream) && inChain.has(e.downstream) && e.upstream !== e.downstream) {
      preds.get(e.downstream).push(e.upstream);
    }
  }
  const stage = new Map(segments.map((s) => [s.segment, STAGE_ORDER[s.stage] ?? 1]));
  const depth = new Map(ids.map((id) => [id, 0]));
  for (let round = 0; round < ids.length; round++) {
    let changed = false;
    for (const id of ids) {
      let d = 0;
      for (const p of preds.get(id)) d = Math.max(d, depth.get(p) + 1);
      if (d > depth.get(id) && d < ids.length) {
        depth.set(id, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  if (edges.length === 0) ids.forEach((id) => depth.set(id, stage.get(id)));
  // order inside a column: stage, then the mean row of the suppliers (fewer crossings), then name
  const columns = new Map();
  for (const id of ids) {
    const c = depth.get(id);
    if (!columns.has(c)) columns.set(c, []);
    columns.get(c).push(id);
  }
  const row = new Map();
  const keys = [...columns.keys()].sort((a, b) => a - b);
  for (const c of keys) {
    const col = columns.get(c);
    const bary = (id) => {
      const ps = preds.get(id).filter((p) => row.has(p));
      return ps.length ? ps.reduce((a, p) => a + row.get(p), 0) / ps.length : -1;
    };
    col.sort((a, b) => stage.get(a) - stage.get(b) || bary(a) - bary(b) || a.localeCompare(b));
    col.forEach((id, i) => row.set(id, i));
  }
  const pos = new Map();
  const tallest = Math.max(...keys.map((c) => columns.get(c).length));
  for (const c of keys) {
    const col = columns.get(c);
    const offset = (tallest - col.length) / 2;
    col.forEach((id, i) => pos.set(id, { col: c, row: i + offset }));
  }
  return { pos, columns: keys.length, rows: Math.max(1, tallest) };
}

function short(text, max) {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** The ECharts option for a chain map result (``/analysis/chain-map``). */
export function chainMapOption(map, selected, size = { width: 800, height: 600 }) {
  const segs = map.segments;
  const { pos, columns, rows } = layoutColumns(segs, map.edges);
  const maxLocal = Math.max(1, ...map.edges.map((e) => e.local_weight || 0));
  // boxes sized to the chart so a 47-segment map still fits without overlaps
  const availW = Math.max(200, size.width - 60);
  const availH = Math.max(200, size.height - 60);
  const boxW = Math.max(72, Math.min(150, availW / columns - 14));
  const boxH = Math.max(16, Math.min(40, availH / rows - 6));
  const twoLines = boxH >= 30;
  const dx = columns > 1 ? (availW - boxW) / (columns - 1) : 1;
  const dy = rows > 1 ? (availH - boxH) / (rows - 1) : 1;
  const chars = Math.max(5, Math.floor(boxW / 12.5));
  const nodes = segs.map((s) => {
    const p = pos.get(s.segment);
    const colour = STATUS_COLOURS[s.status] || "#9e9e9e";
    const isSel = s.segment === selected;
    return {
      id: s.segment,
      name: s.segment,
      x: p.col * dx,
      y: p.row * dy,
      value: s.local_firms,
      symbol: "roundRect",
      symbolSize: [boxW, boxH],
      itemStyle: {
        color: s.status === "missing" ? "#fdecea" : colour,
        borderColor: isSel ? "#111" : colour,
        borderWidth: isSel ? 3 : s.status === "missing" ? 2 : 1,
        borderType: s.status === "missing" || s.status === "extension" ? "dashed" : "solid",
        shadowBlur: isSel ? 8 : 0,
        shadowColor: "rgba(0,0,0,.35)",
      },
      label: {
        show: true,
        color: s.status === "missing" ? "#8e0000" : "#fff",
        fontSize: twoLines ? 12 : 11,
        lineHeight: 15,
        formatter: twoLines ? `${short(nameOf(s), chars)}\n${t(s.status)} · ${s.local_firms}` : `${short(nameOf(s), chars - 2)} ${s.local_firms}`,
      },
      segment: s,
    };
  });
  const links = map.edges.map((e) => ({
    source: e.upstream,
    target: e.downstream,
    lineStyle: {
      width: 1 + (4 * (e.local_weight || 0)) / maxLocal,
      color: e.local_share === 0 ? "#c62828" : "#8a99a8",
      type: e.local_share === 0 || e.local_share === null ? "dashed" : "solid",
      opacity: 0.75,
      curveness: 0.08,
    },
    edge: e,
  }));
  return {
    animation: false,
    tooltip: {
      confine: true,
      formatter: (p) => {
        if (p.dataType === "edge") {
          const e = p.data.edge;
          const share = e.local_share === null ? "–" : (100 * e.local_share).toFixed(0) + "%";
          return `${esc(e.upstream)} → ${esc(e.downstream)}<br>${esc(t("localFirms"))}: ${esc(share)} · ${esc(e.links)} links`;
        }
        const s = p.data.segment;
        // the tooltip is HTML: every value from the data goes through the one escape (esc)
        return `<b>${esc(nameOf(s))}</b><br>${esc(t("status"))}: ${esc(t(s.status))}<br>${esc(t("localFirms"))}: ${esc(s.local_firms)}`;
      },
    },
    series: [
      {
        type: "graph",
        layout: "none",
        roam: true,
        left: 30 + boxW / 2,
        right: 30 + boxW / 2,
        top: 30 + boxH / 2,
        bottom: 30 + boxH / 2,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: [0, 7],
        data: nodes,
        links,
        emphasis: { focus: "adjacency", lineStyle: { width: 4 } },
      },
    ],
  };
}
