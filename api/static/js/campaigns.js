// Joint campaigns (联合招商) for the page's region and chain: pick targets (the region's 招商引资目标 list for
// the chain, or any firm by name), propose a plan (POST /campaigns/propose), store it with an owner agency
// and partner agencies (POST /campaigns), add partners (POST /campaigns/{id}/add), close it
// (POST /campaigns/{id}/close), and see the conflicts between agencies (GET /campaigns/conflicts).
// Every organisation is shown by its name; ids stay in data attributes.
//
// renderPlan is also the target view's campaign panel (targets.js).

import { api, get, post } from "./api.js";
import { addStrings, getLang, nameOf, t } from "./i18n.js";
import { profileLink } from "./profile.js";
import { pickedTargets } from "./targets.js";
import { $, esc, num, table } from "./util.js";

addStrings({
  tabCampaigns: ["联合招商", "Joint campaigns"],
  pickForCampaign: ["加入联合招商", "Add to campaign"],
  campPropose: ["拟定联合招商方案", "Propose a joint campaign"],
  campCandidates: ["候选目标（本地区本产业链的招商引资目标清单）", "Candidate targets (this region's attraction-target list for the chain)"],
  campNoCandidates: ["招商引资目标清单为空：可在“六个一清单”中生成，或在下方按名称添加企业。",
    "The attraction-target list is empty: generate it under Six lists, or add a firm by name below."],
  campAddTarget: ["按名称或编号添加企业", "Add a firm by name or id"],
  campAddBtn: ["加入", "Add"],
  campProposeBtn: ["生成方案", "Propose"],
  campPickOne: ["请至少选择一个目标企业。", "Pick at least one target."],
  campStore: ["保存为联合招商活动", "Store as a campaign"],
  campName: ["活动名称", "Campaign name"],
  campOwner: ["牵头机构", "Owner agency"],
  campPartners: ["协同机构", "Partner agencies"],
  campNote: ["备注", "Note"],
  campStoreBtn: ["保存活动", "Store"],
  campStored: ["已保存联合招商活动：", "Campaign stored: "],
  campStoredConflicts: ["；注意：{n} 个目标与其他机构冲突", "; note: {n} targets conflict with other agencies"],
  campList: ["联合招商活动", "Campaigns"],
  campNone: ["本地区暂无联合招商活动。", "No campaigns for this region yet."],
  campTargets: ["目标企业", "Targets"],
  campStatus: ["状态", "Status"],
  camp_open: ["进行中", "open"],
  camp_closed: ["已结束", "closed"],
  campCreated: ["创建时间", "Created"],
  campActions: ["操作", "Actions"],
  campAddPartner: ["添加协同机构", "Add partner"],
  campPickAgency: ["选择机构…", "Choose an agency…"],
  campPartnerAdded: ["已添加协同机构：", "Partner added: "],
  campClose: ["结束活动", "Close"],
  campClosed: ["已结束：", "Closed: "],
  campConflicts: ["冲突（多个机构各自争抢同一目标）", "Conflicts (agencies claiming one target apart)"],
  campNoConflicts: ["暂无冲突。", "No conflicts."],
  campAgencies: ["涉及机构", "Agencies"],
  campInCampaigns: ["所在活动", "In campaigns"],
  campDemand: ["采购量", "Demand"],
  campWhy: ["相关环节", "Segments served"],
  campEvidence: ["依据", "Evidence"],
  campDefaultName: ["{chain}联合招商", "{chain} joint campaign"],
  platform_incubator: ["孵化器", "incubator"],
  platform_park: ["园区", "park"],
  platform_university: ["高校", "university"],
  platform_lab: ["实验室/研究院", "lab"],
  platform_association: ["行业协会", "association"],
  platform_fund: ["产业基金", "fund"],
  platform_agency: ["招商机构", "agency"],
  platform_firm: ["企业", "firm"],
});

/** Organisation records by id, fetched once each (names in both languages). */
const names = new Map();

const camp = { ctx: null, candidates: [], extra: [], picked: new Set(), fromTargets: new Set(), agencies: [], campaigns: [],
  conflicts: [], plan: null };

/** Whether ``id`` needs fetching: unknown, or known only by the Chinese name a list or plan gave (English page). */
const needs = (id) => id && (!names.has(id) || (getLang() === "en" && !names.get(id).full));

async function ensureNames(ids) {
  const missing = [...new Set(ids)].filter(needs);
  await Promise.all(missing.map((id) => api.organisation(id).then((o) => names.set(id, { ...o, full: true }),
    () => names.set(id, { ...(names.get(id) || { id }), full: true }))));
}

/** Every organisation the view shows. */
const shownIds = () => [...camp.candidates.map((e) => e.subject), ...camp.extra,
  ...camp.campaigns.flatMap((c) => [c.owner, ...c.partners, ...c.targets]),
  ...camp.conflicts.flatMap((c) => [c.org, ...c.agencies])];

const orgName = (id) => (id ? nameOf(names.get(id) || { id }) : "");

function regionText(state, id) {
  if (!id) return "";
  const r = state.regions.find((x) => x.id === id);
  return r ? nameOf(r) : id;
}

/** A segment a generated list names in Chinese, in the page's language. */
function segmentByName(state, zh) {
  const s = getLang() === "zh" ? null : [...state.segments.values()].find((x) => x.name_zh === zh);
  return s ? nameOf(s) : zh;
}

function segmentText(state, id) {
  const s = state.segments.get(id);
  return s ? nameOf(s) : "";
}

const sep = () => (getLang() === "zh" ? "、" : ", ");
const fmt = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

/** A proposed plan as HTML, every organisation and place by name; ``prefix`` names its export tables. */
export function planHtml(plan, state, prefix = "") {
  const list = (ids) => ids.map(orgName).join(sep());
  const groups = plan.groups.length
    ? `<ul>${plan.groups.map((g) => `<li><b>${esc(getLang() === "zh" ? g.kind_zh : g.kind.replace(/_/g, " "))}</b>: ${esc(list(g.targets))}
        <span class="muted">— ${esc(t("campEvidence"))}: ${esc(list(g.evidence))}</span></li>`).join("")}</ul>`
    : `<p class="muted">${esc(t("none"))}</p>`;
  const coCols = [
    { key: "name", label: t("name"), text: (c) => orgName(c.org) || c.name, html: (c) => profileLink({ id: c.org }, orgName(c.org) || c.name) },
    { key: "unit", label: t("regionOf"), cls: "nowrap", text: (c) => regionText(state, c.unit) },
    { key: "targets", label: t("target"), text: (c) => list(c.targets) },
    { key: "demand", label: t("campDemand"), cls: "n", text: (c) => num(c.demand) },
  ];
  const plCols = [
    { key: "name", label: t("name"), text: (p) => orgName(p.org) || p.name, html: (p) => profileLink({ id: p.org }, orgName(p.org) || p.name) },
    { key: "kind", label: t("kind"), cls: "nowrap", text: (p) => t("platform_" + p.kind) },
    { key: "unit", label: t("regionOf"), cls: "nowrap", text: (p) => regionText(state, p.unit) },
    { key: "why", label: t("campWhy"), text: (p) => p.why.map((w) => segmentText(state, w)).filter(Boolean).join(sep()) },
  ];
  const conflicts = plan.conflicts.length
    ? `<h3>${esc(t("conflicts"))}</h3><ul class="plan-conflicts">${plan.conflicts.map((c) => `<li>${esc(orgName(c.org))}: ${esc(list(c.agencies))}</li>`).join("")}</ul>`
    : "";
  return `
    <p><b>${esc(getLang() === "zh" ? plan.reason_zh : plan.reason_en)}</b></p>
    <dl class="kv"><dt>${esc(t("target"))}</dt><dd class="plan-targets">${esc(list(plan.targets))}</dd>
      <dt>${esc(t("leadUnit"))}</dt><dd>${esc(regionText(state, plan.lead_unit))}</dd>
      <dt>${esc(t("leadAgency"))}</dt><dd class="plan-lead">${esc(orgName(plan.lead_agency))}</dd></dl>
    <h3>${esc(t("groups"))}</h3>${groups}
    <div class="compare-grid">
      <div><h3>${esc(t("coPitch"))}</h3>${table(prefix + "co_pitch", t("coPitch"), coCols, plan.co_pitch)}</div>
      <div><h3>${esc(t("platforms"))}</h3>${table(prefix + "platforms", t("platforms"), plCols, plan.platforms)}</div>
    </div>${conflicts}`;
}

/** Fetch the names a plan mentions (its co-pitch firms and platforms come named in Chinese). */
async function planNames(plan) {
  plan.co_pitch.forEach((c) => names.has(c.org) || names.set(c.org, { id: c.org, name_zh: c.name }));
  plan.platforms.forEach((p) => names.has(p.org) || names.set(p.org, { id: p.org, name_zh: p.name }));
  await ensureNames([...plan.targets, plan.lead_agency, ...plan.co_pitch.map((c) => c.org),
    ...plan.platforms.map((p) => p.org), ...plan.groups.flatMap((g) => [...g.targets, ...g.evidence]),
    ...plan.conflicts.flatMap((c) => [c.org, ...c.agencies])]);
}

/** Fetch the names a plan mentions, then show it in ``el``. */
export async function renderPlan(el, plan, state, prefix = "") {
  await planNames(plan);
  el.innerHTML = `${planHtml(plan, state, prefix)}`;
}

export function initCampaigns(ctx) {
  camp.ctx = ctx;
  const view = $("#view-campaigns");
  view.addEventListener("change", (ev) => {
    const box = ev.target.closest("input[data-candidate]");
    if (!box) return;
    if (box.checked) camp.picked.add(box.dataset.candidate);
    else camp.picked.delete(box.dataset.candidate);
  });
  view.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button");
    if (!btn) return;
    if (btn.id === "camp-propose") propose();
    else if (btn.id === "camp-add-target") addTarget();
    else if (btn.dataset.close) closeCampaign(btn);
    else if (btn.dataset.addPartner) addPartner(btn);
  });
  view.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (ev.target.id === "camp-store") store(ev.target);
  });
}

/** The candidates, agencies, the region's campaigns and the conflicts, for the page's region and chain. */
export async function loadCampaigns() {
  const { state, errorText } = camp.ctx;
  if (!state.ready) return;
  const view = $("#view-campaigns");
  if (!view.innerHTML.trim()) view.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    const [targets, agencies, campaigns, conflicts] = await Promise.all([
      get("/lists/targets", { region: state.region, chain: state.chain || "all", limit: 50 }),
      get("/organisations", { kind: "agency", limit: 200 }),
      get("/campaigns", { region: state.region, limit: 200 }),
      get("/campaigns/conflicts", { limit: 200 }),
    ]);
    const scopeKey = state.region + "|" + state.chain;
    if (camp.scope !== scopeKey) { // another region or chain: its own candidates, nothing proposed yet
      camp.scope = scopeKey;
      camp.picked = new Set();
      camp.extra = [];
      camp.plan = null;
      camp.fromTargets = new Set();
    }
    camp.candidates = targets.items.filter((e) => e.subject);
    for (const [id, name] of pickedTargets()) { // ticked in the targets list (加入联合招商): picked here too, once
      if (camp.fromTargets.has(id)) continue;
      camp.fromTargets.add(id);
      if (!names.has(id)) names.set(id, { id, name_zh: name });
      if (!camp.candidates.some((e) => e.subject === id) && !camp.extra.includes(id)) camp.extra.push(id);
      camp.picked.add(id);
    }
    camp.candidates.forEach((e) => names.has(e.subject) || names.set(e.subject, { id: e.subject, name_zh: e.title }));
    agencies.items.forEach((o) => names.set(o.id, { ...o, full: true }));
    camp.agencies = agencies.items;
    camp.campaigns = campaigns.items;
    camp.conflicts = conflicts.items;
    await ensureNames(shownIds());
    if (camp.plan) await planNames(camp.plan);
    renderCampaigns();
  } catch (e) {
    view.innerHTML = `<p class="notice error">${esc(errorText(e))}</p>`;
  }
}

function agencyOptions(selected, skip = []) {
  return camp.agencies.filter((a) => !skip.includes(a.id))
    .map((a) => `<option value="${esc(a.id)}"${a.id === selected ? " selected" : ""}>${esc(nameOf(a))}</option>`).join("");
}

export function renderCampaigns() {
  if (!camp.ctx || camp.scope === undefined) return;
  if (shownIds().some(needs) || (camp.plan && camp.plan.targets.some(needs))) {
    loadCampaigns(); // English names not fetched yet
    return;
  }
  const { state } = camp.ctx;
  const chain = state.chains.find((c) => c.id === state.chain);
  const candidates = [...camp.candidates.map((e) => ({ id: e.subject, seg: e.fields.segment || "" })),
    ...camp.extra.filter((id) => !camp.candidates.some((e) => e.subject === id)).map((id) => ({ id, seg: "" }))];
  const boxes = candidates.length
    ? `<div class="camp-candidates">${candidates.map((c) => `<label class="check"><input type="checkbox" data-candidate="${esc(c.id)}"
        ${camp.picked.has(c.id) ? "checked" : ""}> ${esc(orgName(c.id))}
        <span class="muted">${esc(c.seg ? segmentByName(state, c.seg) : "")}</span></label>`).join("")}</div>`
    : `<p class="muted">${esc(t("campNoCandidates"))}</p>`;
  const stored = camp.campaigns.length
    ? table("campaigns", t("campList"), [
      { key: "name", label: t("campName") },
      { key: "owner", label: t("campOwner"), text: (c) => orgName(c.owner) },
      { key: "partners", label: t("campPartners"), text: (c) => c.partners.map(orgName).join(sep()) },
      { key: "targets", label: t("campTargets"), text: (c) => c.targets.map(orgName).join(sep()) },
      { key: "status", label: t("campStatus"), cls: "nowrap", text: (c) => t("camp_" + c.status) },
      { key: "created_at", label: t("campCreated"), cls: "nowrap", text: (c) => c.created_at.slice(0, 10) },
      { key: "actions", label: t("campActions"), export: false, text: () => "", html: (c) => (c.status === "open"
        ? `<div class="camp-actions"><select data-partner-of="${esc(c.id)}" aria-label="${esc(t("campAddPartner"))}"><option value="">${esc(t("campPickAgency"))}</option>${agencyOptions("", [c.owner, ...c.partners])}</select>
           <button type="button" data-add-partner="${esc(c.id)}">${esc(t("campAddPartner"))}</button>
           <button type="button" data-close="${esc(c.id)}">${esc(t("campClose"))}</button></div>`
        : "") },
    ], camp.campaigns, { rowAttrs: (c) => `data-campaign="${esc(c.id)}"` })
    : `<p class="muted">${esc(t("campNone"))}</p>`;
  const campaignName = (id) => (camp.campaigns.find((c) => c.id === id) || { name: `#${id}` }).name;
  const conflicts = camp.conflicts.length
    ? table("campaign_conflicts", t("campConflicts"), [
      { key: "org", label: t("target"), text: (c) => orgName(c.org), html: (c) => profileLink({ id: c.org }, orgName(c.org)) },
      { key: "agencies", label: t("campAgencies"), text: (c) => c.agencies.map(orgName).join(sep()) },
      { key: "campaigns", label: t("campInCampaigns"), text: (c) => c.campaigns.map(campaignName).join(sep()) },
    ], camp.conflicts, { rowAttrs: (c) => `data-conflict="${esc(c.org)}"` })
    : `<p class="muted">${esc(t("campNoConflicts"))}</p>`;
  const plan = camp.plan;
  const storeForm = plan ? `<form id="camp-store" class="stack camp-store" autocomplete="off"><h3>${esc(t("campStore"))}</h3>
        <div class="row"><label>${esc(t("campName"))} <input name="name" required maxlength="200"
          value="${esc(fmt("campDefaultName", { chain: chain ? nameOf(chain) : regionText(state, state.region) }))}"></label>
        <label>${esc(t("campOwner"))} <select name="owner">${agencyOptions(plan.lead_agency)}</select></label></div>
        <div><span>${esc(t("campPartners"))}</span><div class="camp-partners">${camp.agencies.map((a) => `<label class="check">
          <input type="checkbox" name="partner" value="${esc(a.id)}"> ${esc(nameOf(a))}</label>`).join("")}</div></div>
        <div class="row"><input name="note" maxlength="2000" placeholder="${esc(t("campNote"))}" aria-label="${esc(t("campNote"))}">
          <button type="submit" class="primary">${esc(t("campStoreBtn"))}</button></div></form>` : "";
  $("#view-campaigns").innerHTML = `<div class="camp-grid">
    <div class="card">
      <h2>${esc(t("campPropose"))} · ${esc(regionText(state, state.region))} · ${esc(chain ? nameOf(chain) : t("allChains"))}</h2>
      <h3>${esc(t("campCandidates"))}</h3>${boxes}
      <div class="row"><input id="camp-target" maxlength="200" placeholder="${esc(t("campAddTarget"))}" aria-label="${esc(t("campAddTarget"))}">
        <button type="button" id="camp-add-target">${esc(t("campAddBtn"))}</button>
        <button type="button" id="camp-propose" class="primary">${esc(t("campProposeBtn"))}</button></div>
      <div id="camp-plan"></div>
      ${storeForm}
    </div>
    <div>
      <div class="card"><h2>${esc(t("campList"))}</h2>${stored}</div>
      <div class="card"><h2>${esc(t("campConflicts"))}</h2>${conflicts}</div>
    </div></div>`;
  if (plan) $("#camp-plan").innerHTML = `${planHtml(plan, state, "campaign_")}`;
}

async function addTarget() {
  const input = $("#camp-target");
  const text = input.value.trim();
  if (!text) return;
  const { notify, errorText } = camp.ctx;
  try { // the name a person typed, resolved to the firm it names (a near miss says so)
    const page = await get("/organisations", { q: text, limit: 1 });
    const org = page.items.find((o) => o.id === text || o.name_zh === text || o.name_en === text) || page.items[0];
    if (!org) return notify(t("errorPrefix") + t("nothing"), "error");
    names.set(org.id, { ...org, full: true });
    if (!camp.candidates.some((e) => e.subject === org.id) && !camp.extra.includes(org.id)) camp.extra.push(org.id);
    camp.picked.add(org.id);
    renderCampaigns();
  } catch (e) {
    notify(errorText(e), "error");
  }
}

async function propose() {
  const { state, notify, errorText } = camp.ctx;
  const targets = [...camp.picked];
  if (!targets.length) return notify(t("campPickOne"), "error");
  const out = $("#camp-plan");
  out.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    const plan = await api.proposeCampaign(targets, state.region);
    await planNames(plan);
    camp.plan = plan;
    renderCampaigns();
  } catch (e) {
    out.innerHTML = `<p class="notice error">${esc(errorText(e))}</p>`;
  }
}

async function store(form) {
  const { state, notify, writeErrorText } = camp.ctx;
  const body = {
    name: form.elements.name.value.trim(), owner: form.elements.owner.value, region: state.region,
    targets: camp.plan.targets, note: form.elements.note.value.trim(),
    partners: [...form.querySelectorAll("input[name=partner]:checked")].map((b) => b.value).filter((p) => p !== form.elements.owner.value),
  };
  try {
    const out = await post("/campaigns", body);
    const warn = out.conflicts.length ? fmt("campStoredConflicts", { n: out.conflicts.length }) : "";
    notify(t("campStored") + out.campaign.name + warn, out.conflicts.length ? "" : "ok");
    camp.plan = null;
    await loadCampaigns();
  } catch (e) {
    notify(writeErrorText(e), "error");
  }
}

async function addPartner(btn) {
  const id = btn.dataset.addPartner;
  const sel = $(`select[data-partner-of="${CSS.escape(id)}"]`);
  if (!sel || !sel.value) return;
  const { notify, writeErrorText } = camp.ctx;
  btn.disabled = true;
  try {
    await post(`/campaigns/${encodeURIComponent(id)}/add`, { partners: [sel.value] });
    notify(t("campPartnerAdded") + orgName(sel.value), "ok");
    await loadCampaigns();
  } catch (e) {
    btn.disabled = false;
    notify(writeErrorText(e), "error");
  }
}

async function closeCampaign(btn) {
  const id = btn.dataset.close;
  const { notify, writeErrorText } = camp.ctx;
  btn.disabled = true;
  try {
    const out = await post(`/campaigns/${encodeURIComponent(id)}/close`, {});
    notify(t("campClosed") + out.name, "ok");
    await loadCampaigns();
  } catch (e) {
    btn.disabled = false;
    notify(writeErrorText(e), "error");
  }
}
