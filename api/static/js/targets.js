// Targets for a gap: the recommendation table (score parts, attraction form, reasons,
// outcome buttons, 立项 for the list's region) and one target's view: introducer paths as a graph and the
// proposed joint campaign.

import { api } from "./api.js";
import { renderPlan } from "./campaigns.js";
import { getLang, nameOf, relationName, t } from "./i18n.js";
import { partsHtml, partsText } from "./parts.js";
import { placeLong, placeName } from "./places.js";
import { newProjectButton } from "./newproject.js";
import { profileLink } from "./profile.js";
import { $, $$, esc, num, screenTables, table } from "./util.js";

const OUTCOMES = ["contacted", "accepted", "rejected", "landed"];

/** Targets ticked for a joint campaign, kept across gaps (org id → name). */
const campaignPicks = new Map();

/** The targets ticked for a joint campaign, [[org id, name], …] (the 联合招商 view starts from them). */
export const pickedTargets = () => [...campaignPicks];

let ctx = null;
let introChart = null;
let current = { segment: null, region: null, items: [] }; // the list on screen and the region it was fetched for

export function initTargets(context) {
  ctx = context;
  $("#targets-list").addEventListener("click", onListClick);
  $("#target-detail").addEventListener("click", onListClick);
  $("#targets-list").addEventListener("change", (ev) => {
    const box = ev.target.closest("input[data-pick]");
    if (!box) return;
    if (box.checked) campaignPicks.set(box.dataset.pick, box.dataset.name);
    else campaignPicks.delete(box.dataset.pick);
  });
  window.addEventListener("resize", () => introChart && introChart.resize());
}

/** An attraction form's name in the page's language (the API gives form_zh and form_en beside the key). */
function formText(f) {
  if (!f) return "";
  return getLang() === "zh" ? f.form_zh : f.form_en;
}

function outcomeButtons(org, segment, form) {
  return `<div class="outcomes">${OUTCOMES.map(
    (s) => `<button type="button" data-outcome="${s}" data-org="${esc(org)}" data-segment="${esc(segment || "")}"
      data-form="${esc(form || "")}">${esc(t(s))}</button>`,
  ).join("")}</div>`;
}

/** Load and show the targets for ``segment`` (a segment record from the chain map). */
export async function loadTargets(segment) {
  current = { segment, region: ctx.state.region, items: [] };
  $("#target-detail").hidden = true;
  $("#targets-list").hidden = false;
  $("#targets-list").innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    const page = await api.recommendations(current.region, segment.segment, 20);
    if (current.segment !== segment) return; // another gap or region was asked for meanwhile
    current.items = page.items;
    renderList();
  } catch (e) {
    $("#targets-list").innerHTML = `<p class="notice error">${esc(ctx.errorText(e))}</p>`;
  }
}

/**
 * Follow the page after its region or chain changed (``map`` is the new chain map): the list shown is the
 * new region's for the same segment when it is still a gap there, else none; an open target opens again for
 * the new region (its introducers and campaign are the region's).
 */
export async function syncTargets(map) {
  const reopen = $("#target-detail").hidden ? null : current.open;
  if (!current.segment) {
    if (reopen) await openTarget(reopen);
    return;
  }
  const seg = map.segments.find((s) => s.segment === current.segment.segment);
  $("#target-detail").hidden = true;
  $("#targets-list").hidden = false;
  ["introducers", "co_pitch", "platforms"].forEach((n) => screenTables.delete(n));
  if (seg && ["missing", "thin", "extension"].includes(seg.status)) {
    await loadTargets(seg);
  } else {
    current = { segment: null, region: null, items: [] };
    screenTables.delete("targets");
    $("#targets-list").innerHTML = `<p class="muted">${esc(t("pickGap"))}</p>`;
  }
  if (reopen) await openTarget(reopen);
}

/** The region, chain and gap of the list on screen, for the export's file name ("" without one). */
export function targetsContext() {
  if (!current.segment) return null;
  return { region: placeName(current.region), segment: nameOf(current.segment) };
}

export function renderList() {
  const seg = current.segment;
  if (!seg) return;
  const forRegion = placeName(current.region);
  const rows = current.items;
  const columns = [
    // the export's first columns: the region the list is for and its gap (a CSV read alone says both)
    { key: "for_region", label: t("region"), screen: false, text: () => forRegion },
    { key: "gap", label: t("segment"), screen: false, text: () => nameOf(seg) },
    { key: "pick", label: t("pickForCampaign"), export: false, html: (r) => `<input type="checkbox" title="${esc(t("campaign"))}" data-pick="${esc(r.org)}" data-name="${esc(nameOf(r))}" ${campaignPicks.has(r.org) ? "checked" : ""}>` },
    { key: "rank", label: t("rank"), cls: "n" },
    { key: "name", label: t("target"), text: (r) => `${nameOf(r)} (${r.org})`, html: (r) => `<a href="#" data-open="${esc(r.org)}" class="target-link">${esc(nameOf(r))}</a> <a href="#" class="profile-link" data-profile="${esc(r.org)}">${esc(t("profilePage"))}</a><br><span class="muted">${esc(placeLong(r.region))}</span>` },
    { key: "located", label: t("regionOf"), screen: false, text: (r) => placeLong(r.region) },
    { key: "total", label: t("score"), cls: "n", text: (r) => num(r.total) },
    { key: "parts", label: t("scoreParts"), text: (r) => partsText(r.parts), html: (r) => partsHtml(r.parts) },
    { key: "form", label: t("form"), text: (r) => formText(r.form), html: (r) => (r.form ? `<b title="${esc((getLang() === "zh" && r.form.rule_zh) || r.form.rule)}">${esc(formText(r.form))}</b>` : "") },
    { key: "reason", label: t("reason"), cls: "reason", text: (r) => (getLang() === "zh" ? r.reason_zh : r.reason_en) },
    { key: "status", label: t("outcome"), text: (r) => r.status || "", html: (r) => `${r.status ? `<span class="status-tag">${esc(t(r.status))}</span>` : ""}${outcomeButtons(r.org, r.segment, r.form && r.form.form)}${newProjectButton(r.org, r.segment || seg.segment, r.form && r.form.form, current.region)}` },
  ];
  const html = rows.length
    ? table("targets", `${t("targetsFor")}${nameOf(seg)}`, columns, rows, { rowAttrs: (r) => `data-org="${esc(r.org)}"` })
    : `<p class="muted">${esc(t("nothing"))}</p>`;
  $("#targets-list").innerHTML = `<h2>${esc(t("targetsFor"))}${esc(nameOf(seg))} · <span class="for-region">${esc(forRegion)}</span> <span class="badge ${esc(seg.status)}">${esc(t(seg.status))}</span></h2>${html}`;
}

async function onListClick(ev) {
  const open = ev.target.closest("[data-open]");
  if (open) {
    ev.preventDefault();
    await openTarget(open.dataset.open);
    return;
  }
  if (ev.target.closest("[data-back]")) {
    $("#target-detail").hidden = true;
    $("#targets-list").hidden = false;
    screenTables.delete("introducers");
    screenTables.delete("co_pitch");
    return;
  }
  const btn = ev.target.closest("button[data-outcome]");
  if (btn) await recordOutcome(btn);
}

async function recordOutcome(btn) {
  // against the region the list was fetched for (syncTargets keeps it the page's)
  const body = { org: btn.dataset.org, region: current.region || ctx.state.region, status: btn.dataset.outcome };
  if (btn.dataset.segment) body.segment = btn.dataset.segment;
  if (btn.dataset.form && btn.dataset.outcome === "landed") body.form = btn.dataset.form;
  try {
    const out = await api.outcome(body);
    const row = current.items.find((r) => r.org === out.org);
    if (row) row.status = out.status;
    ctx.notify(`${t("recorded")}${row ? nameOf(row) : out.org} → ${t(out.status)}`, "ok");
    $$(`[data-status-of="${CSS.escape(out.org)}"]`).forEach((el) => (el.textContent = t(out.status)));
    if (!$("#targets-list").hidden) renderList();
  } catch (e) {
    ctx.notify(ctx.writeErrorText(e), "error");
  }
}

/** One target: its facts, introducer paths (graph + table) and a proposed joint campaign. */
export async function openTarget(org) {
  current.open = org;
  let rec = current.items.find((r) => r.org === org);
  if (!rec) { // opened from elsewhere (a search hit): the firm's name and place, no scores
    const o = await api.organisation(org).catch(() => ({}));
    rec = { org, name_zh: o.name_zh || org, name_en: o.name_en || org, region: o.region, parts: [] };
  }
  const box = $("#target-detail");
  $("#targets-list").hidden = true;
  box.hidden = false;
  box.innerHTML = `
    <div class="card wide">
      <button type="button" data-back>${esc(t("back"))}</button>
      <h2 id="target-title" data-org="${esc(org)}">${esc(nameOf(rec))}
        <a href="#" class="profile-link" data-profile="${esc(org)}">${esc(t("profilePage"))} →</a>
        <span class="status-tag" data-status-of="${esc(org)}">${rec.status ? esc(t(rec.status)) : ""}</span></h2>
      <div class="head-grid"><dl class="kv">
        <dt>${esc(t("regionOf"))}</dt><dd>${esc(placeLong(rec.region))}</dd>
        <dt>${esc(t("score"))}</dt><dd>${num(rec.total)}</dd>
        <dt>${esc(t("form"))}</dt><dd>${rec.form ? `<b>${esc(formText(rec.form))}</b> — ${esc((getLang() === "zh" && rec.form.rule_zh) || rec.form.rule)}` : ""}</dd>
        <dt>${esc(t("reason"))}</dt><dd>${esc(getLang() === "zh" ? rec.reason_zh || "" : rec.reason_en || "")}</dd>
        <dt>${esc(t("outcome"))}</dt><dd>${outcomeButtons(org, rec.segment, rec.form && rec.form.form)}
          ${rec.segment ? newProjectButton(org, rec.segment, rec.form && rec.form.form) : ""}</dd>
      </dl>
      <div><b>${esc(t("scoreParts"))}</b>${partsHtml(rec.parts)}</div></div>
    </div>
    <div class="card"><h3>${esc(t("introducerGraph"))}</h3><div id="intro-chart"></div></div>
    <div class="card"><h3>${esc(t("introducers"))}</h3><div id="intro-table">${esc(t("loading"))}</div></div>
    <div class="card wide"><h3>${esc(t("campaign"))}</h3><div id="campaign-out">${esc(t("loading"))}</div></div>`;
  const region = ctx.state.region;
  const [intro, plan] = await Promise.allSettled([
    api.introducers(org, region, 10),
    api.proposeCampaign([org, ...[...campaignPicks.keys()].filter((x) => x !== org)], region),
  ]);
  if (intro.status === "fulfilled") await renderIntroducers(rec, intro.value.items);
  else $("#intro-table").innerHTML = `<p class="notice error">${esc(ctx.errorText(intro.reason))}</p>`;
  if (plan.status === "fulfilled") await renderPlan($("#campaign-out"), plan.value, ctx.state);
  else $("#campaign-out").innerHTML = `<p class="notice error">${esc(ctx.errorText(plan.reason))}</p>`;
}

async function renderIntroducers(target, items) {
  const vias = [...new Set(items.map((x) => x.via).filter(Boolean))];
  const names = new Map();
  await Promise.all(
    vias.map((id) =>
      api.organisation(id).then(
        (o) => names.set(id, nameOf(o)),
        () => names.set(id, id),
      ),
    ),
  );
  const columns = [
    { key: "rank", label: t("rank"), cls: "n" },
    { key: "name", label: t("name"), text: (x) => `${nameOf(x)} (${x.org})`, html: (x) => `<b class="introducer">${profileLink(x)}</b><br><span class="muted">${esc(placeLong(x.region))}</span>` },
    { key: "kind", label: t("kind"), text: (x) => `${t(x.kind)}${x.via ? ` ${t("via")} ${names.get(x.via) || x.via}` : ""}` },
    { key: "relations", label: t("relations"), text: (x) => x.relations.map(relationName).join("、") },
    { key: "total", label: t("score"), cls: "n", text: (x) => num(x.total) },
    { key: "path", label: "links", text: (x) => x.path.join(" "), screen: false }, // link ids: the export's, not the screen's
  ];
  $("#intro-table").innerHTML = items.length
    ? table("introducers", t("introducers"), columns, items,
      { rowAttrs: (x) => `data-org="${esc(x.org)}" data-links="${esc(x.path.join(" "))}"` })
    : `<p class="muted">${esc(t("nothing"))}</p>`;
  drawIntroducerGraph(target, items, names);
}

function drawIntroducerGraph(target, items, names) {
  const el = $("#intro-chart");
  if (introChart) introChart.dispose();
  introChart = echarts.init(el);
  // three columns: two-hop introducers → direct introducers and intermediaries → the target
  const spread = (i, n, gap) => (i - (n - 1) / 2) * gap;
  const direct = items.filter((x) => x.kind === "direct");
  const twoHop = items.filter((x) => x.kind !== "direct");
  const middle = [...direct.map((x) => x.org)];
  twoHop.forEach((x) => x.via && !middle.includes(x.via) && middle.push(x.via));
  const rowOf = new Map(middle.map((id, i) => [id, spread(i, middle.length, 46)]));
  const left = twoHop.filter((x) => !rowOf.has(x.org)).sort((a, b) => (rowOf.get(a.via) ?? 0) - (rowOf.get(b.via) ?? 0));
  const byId = new Map(items.map((x) => [x.org, x]));
  const nodes = [{ id: target.org, name: nameOf(target), x: 440, y: 0, category: 0, symbolSize: 34 }];
  middle.forEach((id) => {
    const x = byId.get(id);
    const isDirect = x && x.kind === "direct";
    nodes.push({
      id, name: x ? nameOf(x) : names.get(id) || id, x: 220, y: rowOf.get(id),
      category: isDirect ? 1 : 3, symbolSize: isDirect ? 14 + 10 * Math.min(1, x.total / 4) : 11,
    });
  });
  left.forEach((x, i) => nodes.push({ id: x.org, name: nameOf(x), x: 0, y: spread(i, left.length, 46), category: 2, symbolSize: 13 }));
  const links = [];
  const rel = (x) => x.relations.map(relationName).join("/");
  direct.forEach((x) => links.push({ source: x.org, target: target.org, label: { show: true, formatter: rel(x) }, lineStyle: { width: 3 } }));
  twoHop.forEach((x) => {
    if (!x.via) return;
    links.push({ source: x.org, target: x.via, lineStyle: { type: "dashed" } });
    if (!links.some((l) => l.source === x.via && l.target === target.org)) {
      links.push({ source: x.via, target: target.org, label: { show: true, formatter: rel(x) }, lineStyle: { type: "dashed" } });
    }
  });
  const nodeName = (id) => (nodes.find((n) => n.id === id) || { name: id }).name;
  const categories = [
    { name: t("target"), itemStyle: { color: "#c62828" } },
    { name: `${t("introducers").split(/[（(]/)[0]} · ${t("direct")}`, itemStyle: { color: "#2e7d32" } },
    { name: `${t("introducers").split(/[（(]/)[0]} · ${t("two_hop")}`, itemStyle: { color: "#1f5f99" } },
    { name: t("via"), itemStyle: { color: "#9e9e9e" } },
  ];
  introChart.setOption({
    animation: false,
    legend: { data: categories.map((c) => c.name), top: 0, textStyle: { fontSize: 11 } },
    // an explicit formatter, so the tooltip HTML is built with the one escape like every other view
    tooltip: { confine: true, formatter: (p) => esc(p.dataType === "edge" ? `${nodeName(p.data.source)} → ${nodeName(p.data.target)}` : p.name) },
    series: [
      {
        type: "graph",
        layout: "none",
        roam: true,
        top: 40,
        bottom: 20,
        left: 90,
        right: 110,
        categories,
        data: nodes,
        links,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 7,
        label: { show: true, position: "bottom", fontSize: 11, formatter: (p) => (p.name.length > 14 ? p.name.slice(0, 13) + "…" : p.name) },
        edgeLabel: { fontSize: 10, color: "#555" },
        lineStyle: { color: "#8a99a8", curveness: 0.1, opacity: 0.9 },
      },
    ],
  });
}

export function resizeTargets() {
  if (introChart) introChart.resize();
}
