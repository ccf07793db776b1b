// The target map (招商地图): where the targets for the page's gaps are, their ties to local firms and the
// pipeline's projects, by province and city, as a tile-grid cartogram — every province one square in a fixed
// grid that approximates China's geography, no boundaries drawn (maps shown to government users must not draw
// unapproved borders). Clicking a province drills down to its cities (a tile grid too) and filters the lists
// beside the map to that place; clicking a city filters to the city.
//
// Data: /recommendations for every gap of the page's region and chain (the one ranking the targets view uses),
// /projects for the region and chain, and the projects' firms by id in one call. A target's ties are its
// evidence links (its supplies, purchases and other ties to local firms: matching.recommend.ties).

import { api } from "./api.js";
import { stageLabel } from "./board.js";
import { addStrings, getLang, nameOf, t } from "./i18n.js";
import { placeLong, placeName, regionRecord } from "./places.js";
import { profileLink } from "./profile.js";
import { $, esc, num, table } from "./util.js";

addStrings({
  tabTargetMap: ["招商地图", "Target map"],
  allChina: ["全国", "All China"],
  backToChina: ["← 返回全国", "← All China"],
  targetsN: ["目标", "targets"],
  tiesN: ["关联", "ties"],
  projectsN: ["项目", "projects"],
  abroad: ["境外及未定位", "Abroad or unplaced"],
  mapHint: ["每个方块是一个省级行政区，按大致地理位置排列（不绘制边界）；点击省份查看其城市并筛选右侧列表。连线：目标与本地企业的关联数。",
    "Each square is a province, placed roughly where it lies (no borders drawn); click a province for its cities and to filter the lists. Lines: the targets' ties to local firms."],
  tiesCol: ["本地关联", "Local ties"],
  gapCol: ["缺口环节", "Gap"],
  mapTargets: ["招商目标", "Targets"],
  mapProjects: ["在库项目", "Projects"],
  projectStage: ["阶段", "Stage"],
});

// [province id, short zh, short en, column, row]
export const PROVINCE_TILES = [
  ["heilongjiang", "黑龙江", "Heilongjiang", 7, 0],
  ["neimenggu", "内蒙古", "Inner Mongolia", 4, 1], ["beijing", "北京", "Beijing", 5, 1], ["liaoning", "辽宁", "Liaoning", 6, 1],
  ["jilin", "吉林", "Jilin", 7, 1],
  ["xinjiang", "新疆", "Xinjiang", 0, 2], ["gansu", "甘肃", "Gansu", 2, 2], ["ningxia", "宁夏", "Ningxia", 3, 2],
  ["shanxi", "山西", "Shanxi", 4, 2], ["hebei", "河北", "Hebei", 5, 2], ["tianjin", "天津", "Tianjin", 6, 2],
  ["qinghai", "青海", "Qinghai", 1, 3], ["shaanxi", "陕西", "Shaanxi", 3, 3], ["henan", "河南", "Henan", 4, 3],
  ["shandong", "山东", "Shandong", 5, 3],
  ["xizang", "西藏", "Xizang", 1, 4], ["sichuan", "四川", "Sichuan", 2, 4], ["chongqing", "重庆", "Chongqing", 3, 4],
  ["hubei", "湖北", "Hubei", 4, 4], ["anhui", "安徽", "Anhui", 5, 4], ["jiangsu", "江苏", "Jiangsu", 6, 4],
  ["shanghai", "上海", "Shanghai", 7, 4],
  ["yunnan", "云南", "Yunnan", 2, 5], ["guizhou", "贵州", "Guizhou", 3, 5], ["hunan", "湖南", "Hunan", 4, 5],
  ["jiangxi", "江西", "Jiangxi", 5, 5], ["zhejiang", "浙江", "Zhejiang", 6, 5],
  ["guangxi", "广西", "Guangxi", 3, 6], ["guangdong", "广东", "Guangdong", 4, 6], ["fujian", "福建", "Fujian", 5, 6],
  ["taiwan", "台湾", "Taiwan", 7, 6],
  ["hainan", "海南", "Hainan", 3, 7], ["macau", "澳门", "Macau", 4, 7], ["hongkong", "香港", "Hong Kong", 5, 7],
];

const ABROAD = "abroad";
const m = { ctx: null, chart: null, key: null, targets: [], projects: [], orgs: new Map(), place: "", loading: null };

const provinceOf = (id) => (id && id.startsWith("cn/") ? id.split("/").slice(0, 2).join("/") : ABROAD);
const cityOf = (id) => (id && id.startsWith("cn/") && id.split("/").length >= 3 ? id.split("/").slice(0, 3).join("/") : "");
/** Is the region id ``id`` at or under ``place`` (a province or city id; ABROAD for outside China)? */
const within = (id, place) => !place || (place === ABROAD ? provinceOf(id) === ABROAD : (id || "") === place || (id || "").startsWith(place + "/"));
const localTies = (r) => (r.evidence || []).filter((e) => e.startsWith("link:")).length;

export function initTargetMap(ctx) {
  m.ctx = ctx;
  const visible = () => ctx.state.tab === "tmap";
  // the page's selectors and language: reload or redraw after main.js has taken the change
  const later = (fn) => () => setTimeout(() => visible() && fn(), 0);
  $("#region").addEventListener("change", later(() => loadTargetMap()));
  $("#chain").addEventListener("change", later(() => loadTargetMap()));
  $("#lang").addEventListener("click", later(() => render()));
  $(".tabs button[data-tab=tmap]").addEventListener("click", later(() => loadTargetMap()));
  $("#tmap-side").addEventListener("click", (ev) => {
    const back = ev.target.closest("[data-place]");
    if (back) {
      ev.preventDefault();
      pick(back.dataset.place);
    }
  });
  window.addEventListener("resize", () => {
    if (m.chart && visible()) {
      m.chart.resize();
      draw();
    }
  });
  window.workbench.targetMap = {
    /** Tiles as drawn: id, name, counts and the tile's centre in page pixels. */
    tiles() {
      if (!m.chart) return [];
      const box = $("#tmap-chart").getBoundingClientRect();
      return m.chart.getOption().series[0].data.map((d) => {
        const [x, y] = m.chart.convertToPixel({ seriesIndex: 0 }, [d.x, d.y]);
        return { id: d.id, name: d.name, targets: d.counts.targets, ties: d.counts.ties, projects: d.counts.projects,
          label: d.label.formatter, x: box.left + x, y: box.top + y };
      });
    },
    place: () => m.place,
    ready: () => m.loading === null && m.key !== null,
  };
}

/** Fetch the targets and projects for the page's region and chain (again only when either changed). */
export async function loadTargetMap(force = false) {
  const { state } = m.ctx;
  const key = `${state.region}|${state.chain}`;
  if (!force && key === m.key) return render();
  const side = $("#tmap-side");
  side.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  const run = (m.loading = (async () => {
    const chain = state.chain || undefined;
    const targets = [];
    for (let offset = 0; offset < 300; offset += 100) { // every gap's ten best, a firm once (matching.recommend.gaptargets)
      const page = await api.gapTargets(state.region, chain, offset);
      targets.push(...page.items);
      if (targets.length >= page.total || !page.items.length) break;
    }
    const projects = (await api.projects({ region: state.region, chain, limit: 200 })).items;
    const known = new Set(targets.map((r) => r.org));
    const ids = [...new Set(projects.map((p) => p.org).filter((id) => !known.has(id)))];
    const orgs = new Map();
    for (let i = 0; i < ids.length; i += 200) {
      (await api.organisationsById(ids.slice(i, i + 200))).items.forEach((o) => orgs.set(o.id, o));
    }
    return { key, targets, projects, orgs };
  })());
  try {
    const got = await run;
    if (m.loading !== run) return; // a newer load started
    Object.assign(m, got, { loading: null });
    render();
  } catch (e) {
    if (m.loading === run) m.loading = null;
    side.innerHTML = `<p class="notice error">${esc(m.ctx.errorText(e))}</p>`;
  }
}

/** The firm's place: a target's from the ranking, a project's from its organisation record. */
function projectPlace(p) {
  const tgt = m.targets.find((r) => r.org === p.org);
  return tgt ? tgt.region : (m.orgs.get(p.org) || {}).region;
}
function projectName(p) {
  const tgt = m.targets.find((r) => r.org === p.org);
  return nameOf(tgt || m.orgs.get(p.org) || { id: p.org });
}

function pick(place) {
  m.place = place;
  render();
}

/** Counts by tile: the province tiles, or the chosen province's cities. */
function tileCounts(keyOf) {
  const counts = new Map();
  const bump = (k, f, n = 1) => {
    if (!k) return;
    if (!counts.has(k)) counts.set(k, { targets: 0, ties: 0, projects: 0 });
    counts.get(k)[f] += n;
  };
  for (const r of m.targets) {
    bump(keyOf(r.region), "targets");
    bump(keyOf(r.region), "ties", localTies(r));
  }
  for (const p of m.projects) bump(keyOf(projectPlace(p)), "projects");
  return counts;
}

function drillProvince() {
  if (!m.place || m.place === ABROAD) return "";
  return provinceOf(m.place);
}

function tileLabel(name, c) {
  const lines = [name];
  if (c.targets) lines.push(`${t("targetsN")} ${c.targets}`);
  if (c.ties) lines.push(`${t("tiesN")} ${c.ties}`);
  if (c.projects) lines.push(`${t("projectsN")} ${c.projects}`);
  return lines.join("\n");
}

function tileColour(n, max) {
  if (!n) return "#eef1f4";
  const f = 0.25 + 0.75 * (n / Math.max(1, max));
  // from a light to the workbench's blue (#1f5f99)
  const mix = (a, b) => Math.round(a + (b - a) * f);
  return `rgb(${mix(214, 31)},${mix(230, 95)},${mix(244, 153)})`;
}

function draw() {
  const el = $("#tmap-chart");
  if (!m.chart) {
    m.chart = echarts.init(el);
    m.chart.on("click", (p) => {
      if (p.dataType !== "node") return;
      const id = p.data.id;
      // a province: its cities; a city (or a municipality's only city): that city; again: back up
      pick(m.place === id ? (cityOf(id) ? provinceOf(id) : "") : id);
    });
  }
  m.chart.resize(); // drawn first, or resized, while its tab was hidden
  const home = m.ctx.state.region;
  const province = drillProvince();
  let nodes;
  let cols;
  let rows;
  if (!province) {
    const counts = tileCounts(provinceOf);
    const max = Math.max(1, ...[...counts.values()].map((c) => c.targets));
    nodes = PROVINCE_TILES.map(([slug, zh, en, col, row]) => {
      const id = "cn/" + slug;
      const c = counts.get(id) || { targets: 0, ties: 0, projects: 0 };
      return tile(id, getLang() === "zh" ? zh : en, col, row, c, max, within(home, id));
    });
    cols = 8;
    rows = 8;
  } else {
    const counts = tileCounts(cityOf);
    const cities = new Set([...counts.keys()].filter((c) => c.startsWith(province + "/")));
    m.ctx.state.regions.filter((r) => r.level === "city" && r.id.startsWith(province + "/")).forEach((r) => cities.add(r.id));
    const ordered = [...cities].sort((a, b) => ((counts.get(b) || {}).targets || 0) - ((counts.get(a) || {}).targets || 0) || a.localeCompare(b));
    cols = Math.max(1, Math.ceil(Math.sqrt(ordered.length * 1.6)));
    rows = Math.max(1, Math.ceil(ordered.length / cols));
    const max = Math.max(1, ...[...counts.values()].map((c) => c.targets));
    nodes = ordered.map((id, i) => tile(id, placeName(id) || id.split("/").pop(), i % cols, Math.floor(i / cols),
      counts.get(id) || { targets: 0, ties: 0, projects: 0 }, max, within(home, id)));
  }
  const w = el.clientWidth || 600;
  const h = el.clientHeight || 500;
  const size = Math.max(30, Math.min(110, (w - 40) / cols - 6, (h - 40) / rows - 6));
  nodes.forEach((n) => {
    n.symbolSize = [size, size];
    Object.assign(n.label, { width: size - 6, overflow: "truncate" }); // Inner Mongolia fits its square
  });
  // lines: from each place whose targets have local ties to the home tile, as wide as the ties
  const homeTile = nodes.find((n) => n.home);
  const maxTies = Math.max(1, ...nodes.map((n) => n.counts.ties));
  const links = homeTile ? nodes.filter((n) => n.counts.ties && n !== homeTile).map((n) => ({
    source: n.id, target: homeTile.id, lineStyle: { width: 1 + (5 * n.counts.ties) / maxTies, color: "#2e7d32", opacity: 0.55, curveness: 0.2 },
  })) : [];
  m.chart.dispatchAction({ type: "hideTip" });
  // the tooltip component kept (replacing it under a pending hover throws inside ECharts), the tiles replaced
  m.chart.setOption({
    animation: false,
    tooltip: { confine: true, formatter: (p) => (p.dataType === "node" ? esc(p.data.label.formatter).replace(/\n/g, "<br>") : "") },
    series: [{
      type: "graph", layout: "none", roam: false, left: 20 + size / 2, right: 20 + size / 2, top: 20 + size / 2, bottom: 20 + size / 2,
      data: nodes, links, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 6, z: 2,
      emphasis: { scale: false },
    }],
  }, { replaceMerge: ["series"] });
}

function tile(id, name, col, row, c, max, home) {
  const picked = m.place === id;
  return {
    id, name, x: col * 100, y: row * 100, counts: c, home,
    symbol: "roundRect",
    itemStyle: { color: tileColour(c.targets, max), borderColor: picked ? "#111" : home ? "#c62828" : "#c9d2dc",
      borderWidth: picked || home ? 3 : 1 },
    label: { show: true, formatter: tileLabel(name, c), fontSize: 11, lineHeight: 14,
      color: c.targets && c.targets / max > 0.5 ? "#fff" : "#1d2b36" },
  };
}

function render() {
  if (!m.ctx || m.key === null) return;
  draw();
  const place = m.place;
  const placeTitle = !place ? t("allChina") : place === ABROAD ? t("abroad") : placeLong(place) || nameOf(regionRecord(place));
  const targets = m.targets.filter((r) => within(r.region, place));
  const projects = m.projects.filter((p) => within(projectPlace(p), place));
  const abroad = m.targets.filter((r) => provinceOf(r.region) === ABROAD).length;
  const gapName = (r) => nameOf(m.ctx.state.segments.get(r.segment) || { id: r.segment });
  const tTable = targets.length ? table("map_targets", `${t("mapTargets")} · ${placeTitle}`, [
    { key: "name", label: t("target"), text: (r) => nameOf(r), html: (r) => profileLink(r) }, // the firm's profile (企业画像)
    { key: "place", label: t("regionOf"), text: (r) => placeLong(r.region) || t("abroad") },
    { key: "gap", label: t("gapCol"), text: gapName },
    { key: "total", label: t("score"), cls: "n", text: (r) => num(r.total) },
    { key: "ties", label: t("tiesCol"), cls: "n", text: localTies },
  ], targets, { rowAttrs: (r) => `data-org="${esc(r.org)}"` }) : `<p class="muted">${esc(t("nothing"))}</p>`;
  const pTable = projects.length ? table("map_projects", `${t("mapProjects")} · ${placeTitle}`, [
    { key: "name", label: t("target"), text: projectName, html: (p) => profileLink({ id: p.org }, projectName(p)) },
    { key: "place", label: t("regionOf"), text: (p) => placeLong(projectPlace(p)) || t("abroad") },
    { key: "segment", label: t("gapCol"), text: (p) => nameOf(m.ctx.state.segments.get(p.segment) || { id: p.segment }) },
    { key: "stage", label: t("projectStage"), text: (p) => stageLabel(p.stage) },
  ], projects, { rowAttrs: (p) => `data-project="${esc(p.id)}"` }) : `<p class="muted">${esc(t("nothing"))}</p>`;
  const drill = drillProvince();
  $("#tmap-side").innerHTML = `
    <h2 class="tmap-place">${esc(placeTitle)}</h2>
    <p>${place ? `<a href="#" data-place="${esc(drill && place !== drill ? drill : "")}">${esc(drill && place !== drill ? "← " + placeName(drill) : t("backToChina"))}</a>` : ""}
      ${abroad ? ` <a href="#" data-place="${esc(ABROAD)}" class="abroad">${esc(t("abroad"))}: ${esc(abroad)}</a>` : ""}</p>
    <h3>${esc(t("mapTargets"))} (${esc(targets.length)})</h3>${tTable}
    <h3>${esc(t("mapProjects"))} (${esc(projects.length)})</h3>${pTable}`;
}
