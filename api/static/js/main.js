// The workbench page: selectors, the API key, tabs, and the chain map, search, compare and
// partner views. Targets live in targets.js.

import { initBoard, loadBoard, renderBoard } from "./board.js";
import { initTargetMap } from "./map.js";
import { initCampaigns, loadCampaigns, renderCampaigns } from "./campaigns.js";
import { initLists, loadLists, renderLists } from "./lists.js";
import { initImport, renderImport } from "./importpage.js";
import { api, ApiError, getKey, postForBlob, setKey, whenUnauthorized } from "./api.js";
import { chainMapOption, STATUS_COLOURS } from "./chainmap.js";
import { formatName, gapFlags, getLang, nameOf, noteOf, partLabel, setLang, t, translate } from "./i18n.js";
import { partsHtml, partsText } from "./parts.js";
import { initProfile, profileLink, reloadProfile, renderProfileAgain } from "./profile.js";
import { initReportPage, renderReportPage } from "./reportpage.js";
import { initReview, loadPredictions } from "./review.js";
import { placeLong, setRegions } from "./places.js";
import { initRole, markWrites, setRole } from "./role.js";
import { initNewProject } from "./newproject.js";
import { fillFilters, initSearch, renderHits } from "./search.js";
import { initTargets, loadTargets, openTarget, renderList, resizeTargets, syncTargets, targetsContext } from "./targets.js";
import { $, $$, download, esc, num, pct, screenTables, table, toCsv, toSheets } from "./util.js";

const DEFAULT_REGION = "cn/guangdong/shenzhen";
const DEFAULT_COMPARE = "cn/guangdong/guangzhou";

const state = {
  region: sessionStorage.getItem("chainmatch.region") || DEFAULT_REGION,
  chain: sessionStorage.getItem("chainmatch.chain") || "",
  compare: sessionStorage.getItem("chainmatch.compare") || DEFAULT_COMPARE,
  tab: "map",
  chains: [],
  regions: [],
  segments: new Map(), // id → segment record, for names
  map: null,
  gaps: null,
  dependence: null,
  selected: null,
  ready: false,
};

let chart = null;
let drawnMap = null; // the chain-map result the chart shows

// ------------------------------------------------------------------ notices and errors


/** The ⚠ mark of a gap ranked low for a reason (low feasibility, resource-bound), its reasons in the title. */
function flagMark(g) {
  const flags = gapFlags(g);
  return flags.length ? ` <span class="muted gap-flag" title="${esc(flags.join("; "))}">⚠</span>` : "";
}
function notify(text, kind = "") {
  const el = $("#notice");
  el.textContent = text;
  el.className = "notice " + kind;
  el.hidden = !text;
  if (kind === "ok") setTimeout(() => { if (el.textContent === text) el.hidden = true; }, 4000);
}

function errorText(e) {
  if (e instanceof ApiError) return t("errorPrefix") + (getLang() === "zh" ? e.messageZh : e.message) + ` (${e.code})`;
  return t("errorPrefix") + (e && e.message ? e.message : String(e));
}

/** The error of a write: a viewer key's 403 says so in words, anything else as errorText. */
function writeErrorText(e) {
  return e instanceof ApiError && e.status === 403 ? t("forbiddenWrite") : errorText(e);
}

function askForKey(error) {
  const form = $("#key-form");
  form.classList.add("need");
  notify(getKey() ? t("badKey") : t("needKey"), "error");
  $("#api-key").focus();
  return error;
}

whenUnauthorized(askForKey);

// ------------------------------------------------------------------ selectors

function fillSelectors() {
  const regionOpts = state.regions
    .filter((r) => r.level === "city" || r.level === "district" || r.level === "province")
    .map((r) => `<option value="${esc(r.id)}">${esc(regionLabel(r))}</option>`)
    .join("");
  $("#region").innerHTML = regionOpts;
  $("#region").value = state.region;
  $("#compare-region").innerHTML = `<option value="">—</option>` + regionOpts;
  $("#compare-region").value = state.compare;
  $("#chain").innerHTML =
    `<option value="">${esc(t("allChains"))}</option>` +
    state.chains.map((c) => `<option value="${esc(c.id)}">${esc(nameOf(c))}</option>`).join("");
  $("#chain").value = state.chain;
}

function regionLabel(r) {
  const indent = r.level === "district" ? "\u3000" : r.level === "city" ? "" : "";
  return indent + nameOf(r) + (r.level === "province" ? " ▸" : "");
}

async function loadCatalogue() {
  const [chains, regions] = await Promise.all([api.chains(), api.regions()]);
  state.chains = chains.items;
  state.regions = regions.items;
  setRegions(state.regions);
  if (!state.chain && state.chains.length) state.chain = state.chains[0].id;
  fillSelectors();
  const segs = new Map();
  for (const c of state.chains) {
    const detail = await api.chain(c.id);
    detail.segment_records.forEach((s) => segs.set(s.id, s));
  }
  state.segments = segs;
  fillSegmentSelector();
}

/** The partner finder's segment choice, in the page's language (filled again when it changes). */
function fillSegmentSelector() {
  const keep = $("#p-segment").value;
  $("#p-segment").innerHTML = `<option value=""></option>` + [...(state.segments || new Map()).values()].map((s) => `<option value="${esc(s.id)}">${esc(nameOf(s))}</option>`).join("");
  $("#p-segment").value = keep;
}

// ------------------------------------------------------------------ chain map

function renderLegend() {
  const statuses = ["strong", "thin", "missing", "extension"];
  // below city level the analysis also says present / absent
  for (const s of state.map ? state.map.segments : []) if (!statuses.includes(s.status)) statuses.push(s.status);
  $("#legend").innerHTML =
    statuses.map((s) => `<span><span class="sw" style="background:${STATUS_COLOURS[s]}"></span>${esc(t(s))}</span>`).join("") +
    `<span class="stages">${esc(t("upstream"))} → ${esc(t("midstream"))} → ${esc(t("downstream"))}</span>`;
}

async function loadMap() {
  const chainId = state.chain || undefined;
  const [map, gaps, dep] = await Promise.all([
    api.chainMap(state.region, chainId),
    api.gaps(state.region, chainId),
    api.dependence(state.region, chainId),
  ]);
  state.map = map;
  state.gaps = gaps;
  state.dependence = dep;
  renderLegend();
  drawMap();
  if (state.selected && map.segments.some((s) => s.segment === state.selected)) showSegment(state.selected);
  else {
    state.selected = null;
    showGapList();
  }
  registerMapTable();
  syncTargets(map); // the targets list follows the region and chain
}

function registerMapTable() {
  if (!state.map) return;
  // the chain map's segments are what the export writes when the map is on screen
  screenTables.set("chain_map", {
    title: t("tabMap"),
    columns: [
      { key: "segment", label: "id" },
      { key: "name", label: t("name"), text: (s) => nameOf(s) },
      { key: "stage", label: t("stage") },
      { key: "status", label: t("status"), text: (s) => t(s.status) },
      { key: "local_firms", label: t("localFirms") },
      { key: "received_local_share", label: "local share", text: (s) => num(s.received_local_share) },
    ],
    rows: state.map.segments,
  });
}

function drawMap() {
  const el = $("#chain-chart");
  if (!chart) {
    chart = echarts.init(el);
    chart.on("click", (p) => {
      if (p.dataType === "node") selectSegment(p.data.id);
    });
    window.addEventListener("resize", () => {
      chart.resize();
      if (state.map) drawMap(); // box sizes follow the chart's size
    });
  }
  const size = { width: el.clientWidth, height: el.clientHeight };
  // another map (region, chain): start from an empty chart, or nodes faded by the last click's
  // adjacency focus stay faded, without labels, in the new one
  if (drawnMap !== state.map) chart.clear();
  drawnMap = state.map;
  chart.setOption(chainMapOption(state.map, state.selected, size), true);
  chart.dispatchAction({ type: "downplay", seriesIndex: 0 }); // no hover fade left over from the click
}

/** The panel before a click: the gaps by severity, as buttons (also the keyboard way in). */
function showGapList() {
  const gaps = state.gaps ? state.gaps.gaps : [];
  $("#segment-panel").innerHTML = `<p class="muted">${esc(t("clickSegment"))}</p>
    <h3>${esc(t("gapKind"))} (${esc(gaps.length)})</h3>
    <div class="gap-list">${gaps
      .map((g) => `<button type="button" data-segment="${esc(g.segment)}"><span class="badge ${esc(g.kind)}">${esc(t(g.kind))}</span>
        ${esc(nameOf(g))} <span class="muted">${num(g.severity)}</span>${flagMark(g)}</button>`)
      .join("")}</div>`;
  $$("#segment-panel .gap-list button").forEach((b) => b.addEventListener("click", () => selectSegment(b.dataset.segment)));
}

function selectSegment(id) {
  state.selected = id;
  drawMap();
  showSegment(id);
  const seg = state.map.segments.find((s) => s.segment === id);
  if (seg && ["missing", "thin", "extension"].includes(seg.status)) loadTargets(seg);
}

function showSegment(id) {
  const seg = state.map.segments.find((s) => s.segment === id);
  if (!seg) return;
  const gap = state.gaps.gaps.find((g) => g.segment === id);
  const dep = state.dependence.segments.find((d) => d.segment === id);
  const orgs = { ...state.map.orgs, ...state.gaps.orgs, ...state.dependence.orgs };
  const firmRows = seg.firm_ids.map((f) => orgs[f] || { id: f });
  const supplierRows = dep ? dep.top_suppliers.map((s) => ({ ...s, org: orgs[s.supplier] || { id: s.supplier } })) : [];
  const isGap = ["missing", "thin", "extension"].includes(seg.status);
  ["segment_firms", "segment_suppliers", "segment_severity"].forEach((n) => screenTables.delete(n));
  const firms = firmRows.length
    ? table("segment_firms", `${nameOf(seg)} · ${t("localFirms")}`, [
        { key: "id", label: "id", screen: false }, // ids in the export only
        { key: "name", label: t("name"), text: (o) => nameOf(o), html: (o) => profileLink(o) },
        { key: "tiers", label: t("tiers"), text: (o) => (o.tiers || []).join("、") },
        { key: "employees", label: t("employees"), cls: "n" },
      ], firmRows)
    : `<p class="muted">${esc(t("none"))}</p>`;
  const suppliers = supplierRows.length
    ? table("segment_suppliers", `${nameOf(seg)} · ${t("externalSuppliers")}`, [
        { key: "supplier", label: "id", screen: false },
        { key: "name", label: t("name"), text: (s) => nameOf(s.org), html: (s) => profileLink(s.org) },
        { key: "region", label: t("regionOf"), text: (s) => placeLong(s.org.region) },
        { key: "share", label: t("share"), cls: "n", text: (s) => pct(s.share) },
        { key: "buyers", label: t("buyers"), cls: "n" },
      ], supplierRows)
    : `<p class="muted">${esc(t("none"))}</p>`;
  const severity = gap
    ? `<h3>${esc(t("severity"))}: ${num(gap.severity)} <span class="muted">(${esc(getLang() === "zh" ? gap.kind_zh : t(gap.kind))})</span></h3>
       ${gapFlags(gap).length ? `<p class="gap-flags"><b>${esc(t("rankedLow"))}</b>: ${esc(gapFlags(gap).join("；"))}</p>` : ""}
       ${table("segment_severity", `${nameOf(seg)} · ${t("severity")}`, [
         { key: "name", label: t("part"), text: (p) => partLabel(p) },
         { key: "value", label: t("value"), cls: "n", text: (p) => num(p.value, 3) },
         { key: "weight", label: t("weight"), cls: "n", text: (p) => num(p.weight) },
         { key: "figure", label: t("figure"), cls: "n", text: (p) => num(p.figure, 3) },
         { key: "note", label: t("note"), text: (p) => noteOf(p, (i) => nameOf(orgs[i] || state.segments.get(i) || { id: i })) },
       ], gap.parts)}`
    : "";
  $("#segment-panel").innerHTML = `
    <h2>${esc(nameOf(seg))} <span class="badge ${esc(seg.status)}">${esc(t(seg.status))}</span></h2>
    <dl class="kv">
      <dt>${esc(t("stage"))}</dt><dd>${esc(t(seg.stage))}</dd>
      <dt>${esc(t("format"))}</dt><dd>${esc(formatName(seg.format))}</dd>
      <dt>${esc(t("localFirms"))}</dt><dd>${esc(seg.local_firms)}</dd></dl>
    ${isGap ? `<p><button type="button" class="primary" id="see-targets">${esc(t("seeTargets"))}</button></p>` : ""}
    ${severity}
    <h3>${esc(t("localFirms"))} (${esc(seg.local_firms)})</h3>${firms}
    <div id="segment-predictions"></div>
    <h3>${esc(t("externalSuppliers"))}${dep ? ` · ${pct(dep.external_share)}` : ""}</h3>${suppliers}`;
  loadPredictions(id);
  const btn = $("#see-targets");
  if (btn) btn.addEventListener("click", () => showTab("targets"));
}

/** Show ``id`` on the chain map, switching to a chain that holds it when the page's chain does not. */
async function openSegment(id) {
  const holds = (c) => c && c.segments.includes(id);
  if (state.chain && !holds(state.chains.find((c) => c.id === state.chain))) {
    const chain = state.chains.find(holds);
    state.chain = chain ? chain.id : "";
    $("#chain").value = state.chain;
    sessionStorage.setItem("chainmatch.chain", state.chain);
    fillFilters();
    await loadMap();
  }
  showTab("map");
  if (state.map && state.map.segments.some((s) => s.segment === id)) selectSegment(id);
}

// ------------------------------------------------------------------ compare

async function loadCompare() {
  const out = $("#compare-out");
  if (!state.compare || state.compare === state.region) {
    out.innerHTML = `<p class="muted">${esc(t("compareNeedTwo"))}</p>`;
    return;
  }
  out.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    const res = await api.compare([state.region, state.compare], state.chain || undefined);
    const label = (r) => (getLang() === "zh" ? r.region_zh : r.region_en);
    const summaries = res.summaries
      .map((s, i) => `<div class="card"><h3>${esc(label(res.regions[i]))}</h3>
        <dl class="kv"><dt>${esc(t("coverage"))}</dt><dd>${pct(s.coverage)} (${esc(s.covered)}/${esc(s.segments)})</dd>
        <dt>${esc(t("localFirms"))}</dt><dd>${esc(s.local_firms)}</dd>
        <dt>${esc(t("externalShare"))}</dt><dd>${pct(s.external_share)}</dd>
        <dt>${esc(t("status"))}</dt><dd>${Object.entries(s.status_counts).map(([k, v]) => `<span class="badge ${esc(k)}">${esc(t(k))} ${esc(v)}</span>`).join(" ")}</dd></dl></div>`)
      .join("");
    const cols = [{ key: "segment", label: t("segment"), text: (r) => nameOf(r) }];
    res.regions.forEach((reg, i) => {
      cols.push({
        key: "s" + i, label: `${label(reg)} · ${t("status")}`, text: (r) => t(r.cells[i].status),
        html: (r) => `<span class="badge ${esc(r.cells[i].status)}">${esc(t(r.cells[i].status))}</span>`,
      });
      cols.push({ key: "f" + i, label: `${label(reg)} · ${t("localFirms")}`, cls: "n", text: (r) => r.cells[i].local_firms });
      cols.push({ key: "e" + i, label: `${label(reg)} · ${t("externalShare")}`, cls: "n", text: (r) => pct(r.cells[i].external_share) });
    });
    out.innerHTML = `<div class="compare-grid">${summaries}</div>${table("compare", t("tabCompare"), cols, res.rows)}`;
  } catch (e) {
    out.innerHTML = `<p class="notice error">${esc(errorText(e))}</p>`;
  }
}

// ------------------------------------------------------------------ partners

async function findPartners(ev) {
  ev.preventDefault();
  const out = $("#partners-out");
  const body = { profile: $("#p-profile").value.trim(), region: state.region };
  if (!body.profile) return;
  const startup = $("#p-startup").value.trim();
  if (startup) body.startup = startup;
  if ($("#p-segment").value) body.segments = [$("#p-segment").value];
  out.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    const res = await api.partners(body, 20);
    const segName = (id) => (state.segments.has(id) ? nameOf(state.segments.get(id)) : id);
    const head = `<p class="muted">${esc(t("segments"))}: ${esc(res.segments.map(segName).join(", "))}</p>`;
    out.innerHTML = head + (res.items.length
      ? table("partners", t("tabPartners"), [
          { key: "rank", label: t("rank"), cls: "n" },
          { key: "name", label: t("name"), text: (p) => nameOf(p) },
          { key: "role", label: t("role"), text: (p) => t(p.role) },
          { key: "segments", label: t("segments"), text: (p) => p.segments.map(segName).join("、") },
          { key: "total", label: t("score"), cls: "n", text: (p) => num(p.total) },
          { key: "parts", label: t("scoreParts"), text: (p) => partsText(p.parts), html: (p) => partsHtml(p.parts) },
          { key: "reason", label: t("reason"), cls: "reason", text: (p) => (getLang() === "zh" ? p.reason_zh : p.reason_en) },
        ], res.items, { rowAttrs: (p) => `data-org="${esc(p.org)}"` })
      : `<p class="muted">${esc(t("nothing"))}</p>`);
  } catch (e) {
    out.innerHTML = `<p class="notice error">${esc(errorText(e))}</p>`;
  }
}

// ------------------------------------------------------------------ export

function screenTablesShown() {
  const visible = $$("table.grid[data-table]").filter((el) => el.offsetParent !== null).map((el) => el.dataset.table);
  const names = state.tab === "map" && state.map ? ["chain_map", ...visible] : visible;
  return [...new Set(names)].map((n) => screenTables.get(n)).filter(Boolean);
}

function exportName(ext) {
  // the targets' file says whose list it is: region, chain and gap (chainmatch_targets_南山区_动漫游戏_游戏引擎_…)
  const list = state.tab === "targets" ? targetsContext() : null;
  const chain = state.chains.find((c) => c.id === state.chain);
  const words = list ? [list.region, chain ? nameOf(chain) : t("allChains"), list.segment] : [];
  const safe = words.map((w) => String(w).replace(/[\\/:*?"<>|\s]+/g, "-"));
  return ["chainmatch", state.tab, ...safe, new Date().toISOString().slice(0, 10)].join("_") + "." + ext;
}

function exportCsv() {
  const tables = screenTablesShown();
  if (!tables.length) return notify(t("nothing"));
  const filename = exportName("csv");
  download(filename, toCsv(tables));
  notify(t("exported") + filename, "ok");
}

async function exportXlsx() {
  const tables = screenTablesShown();
  if (!tables.length) return notify(t("nothing"));
  const filename = exportName("xlsx");
  try {
    download(filename, await postForBlob("/ui/export.xlsx", { filename, sheets: toSheets(tables) }));
    notify(t("exported") + filename, "ok");
  } catch (e) {
    notify(errorText(e), "error");
  }
}

// ------------------------------------------------------------------ tabs, language, key

function showTab(tab) {
  state.tab = tab;
  $$(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === tab));
  $$(".view").forEach((v) => v.classList.toggle("active", v.dataset.view === tab));
  if (tab === "map" && chart) {
    chart.resize();
    if (state.map) drawMap();
  }
  if (tab === "targets") resizeTargets();
  if (tab === "compare") loadCompare();
  if (tab === "board") loadBoard();
  if (tab === "lists") loadLists();
  if (tab === "campaigns") loadCampaigns();
  if (tab === "data") renderReportPage();
}

function rerender() {
  translate();
  renderLegend();
  if (!state.ready) return;
  fillSelectors();
  fillSegmentSelector();
  if (state.map) {
    drawMap();
    registerMapTable();
    if (state.selected) showSegment(state.selected);
    else showGapList();
  }
  renderList();
  renderBoard();
  renderLists();
  renderCampaigns();
  fillFilters();
  renderHits();
  renderProfileAgain();
  renderImport();
  renderReportPage();
  markWrites();
  if (state.tab === "compare") loadCompare();
}

async function start() {
  try {
    const [who] = await Promise.all([api.whoami(), loadCatalogue()]);
    setRole(who.role); // a viewer's write controls are greyed out, with a title saying why
    state.ready = true;
    fillFilters();
    $("#key-form").classList.remove("need");
    await loadMap();
    notify("");
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) notify(errorText(e), "error");
  }
}

function wire() {
  $$(".tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
  $("#lang").addEventListener("click", () => {
    setLang(getLang() === "zh" ? "en" : "zh");
    if ($("#notice").classList.contains("ok")) notify(""); // a stale confirmation in the other language
    rerender();
  });
  $("#key-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setKey($("#api-key").value);
    $("#api-key").value = "";
    notify(t("keySaved"), "ok");
    start();
  });
  $("#key-clear").addEventListener("click", () => {
    setKey("");
    setRole(null);
    askForKey();
  });
  const remember = (key, value) => sessionStorage.setItem("chainmatch." + key, value);
  $("#region").addEventListener("change", (ev) => {
    state.region = ev.target.value;
    remember("region", state.region);
    loadMap().catch((e) => notify(errorText(e), "error"));
    if (state.tab === "compare") loadCompare();
    if (state.tab === "board") loadBoard();
    if (state.tab === "lists") loadLists();
    if (state.tab === "campaigns") loadCampaigns();
    reloadProfile();
    renderReportPage();
  });
  $("#chain").addEventListener("change", (ev) => {
    state.chain = ev.target.value;
    remember("chain", state.chain);
    state.selected = null;
    fillFilters();
    loadMap().catch((e) => notify(errorText(e), "error"));
    if (state.tab === "compare") loadCompare();
    if (state.tab === "board") loadBoard();
    if (state.tab === "lists") loadLists();
    if (state.tab === "campaigns") loadCampaigns();
    reloadProfile();
    renderReportPage();
  });
  $("#compare-region").addEventListener("change", (ev) => {
    state.compare = ev.target.value;
    remember("compare", state.compare);
    if (state.tab === "compare") loadCompare();
    else showTab("compare");
  });
  $("#partners-form").addEventListener("submit", findPartners);
  $("#export").addEventListener("click", exportCsv);
  $("#export-xlsx").addEventListener("click", exportXlsx);
}

// for the browser tests and the curious: where the chain map's segments are on screen
window.workbench = {
  state,
  segmentPixel(id) {
    if (!chart || !state.map) return null;
    const node = chart.getOption().series[0].data.find((d) => d.id === id);
    if (!node) return null;
    const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [node.x, node.y]);
    const box = $("#chain-chart").getBoundingClientRect();
    return { x: box.left + x, y: box.top + y };
  },
  /** Every chain-map node as drawn: its box in page pixels, whether it is faded (blur) and its label shown. */
  mapNodes() {
    if (!chart || !state.map) return [];
    const data = chart.getModel().getSeriesByIndex(0).getData();
    const box = $("#chain-chart").getBoundingClientRect();
    return data.mapArray((i) => {
      const el = data.getItemGraphicEl(i);
      const r = el.getBoundingRect().clone();
      r.applyTransform(el.getComputedTransform());
      const path = el.childAt(0); // the box; its label is the path's text content
      const label = path && path.getTextContent();
      const blurred = (x) => !!x && ((x.currentStates || []).includes("blur") || (x.style && x.style.opacity < 0.5));
      return {
        id: data.getId(i), x: box.left + r.x, y: box.top + r.y, width: r.width, height: r.height,
        faded: blurred(el) || blurred(path),
        label: !!label && !label.ignore && !blurred(label) && !!label.style.text,
      };
    });
  },
};

setLang(getLang());
translate();
renderLegend();
initRole(notify);
initTargets({ state, notify, errorText, writeErrorText });
initReview({ state, notify, errorText, writeErrorText, reload: loadMap });
initBoard({ state, notify, errorText });
initNewProject({
  state, notify, errorText, writeErrorText,
  onCreated: () => state.tab === "board" && loadBoard(),
  onShowBoard: async (id) => {
    showTab("board");
    await loadBoard();
    const card = document.querySelector(`#board-columns .card.project[data-project="${CSS.escape(id)}"]`);
    if (card) card.classList.add("focus"), card.scrollIntoView({ block: "nearest" });
  },
});
initLists({ state, notify, errorText, writeErrorText });
initCampaigns({ state, notify, errorText, writeErrorText });
initSearch({ state, errorText, openSegment, openTarget: (org) => (showTab("targets"), openTarget(org)) });
initProfile({ state, showTab, errorText });
initImport({ notify, errorText, writeErrorText });
initReportPage({ state, notify, errorText });
initTargetMap({ state, errorText });
wire();
if (getKey()) start();
else {
  // no key yet: ask for one, unless the server runs with auth off (loopback only)
  api.ready().then(
    (r) => (r.auth === "off" ? start() : askForKey()),
    () => askForKey(),
  );
}
