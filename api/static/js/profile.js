// The firm profile page (企业画像): opened from any firm name on the page (an element with data-profile="org id"),
// it reads GET /organisations/{id}/profile for the page's region and chain and shows the firm's registration and
// size, its segments (confirmed and predicted, with confidence), suppliers and customers, other ties, sites,
// financing, the data's sources and dates, and why it is a target for the region (the targets table's score parts).
//
// Example: profileLink({ id: "org:f1561", name_zh: "上海光影知音科技股份有限公司" }) →
//   <a href="#" class="firm-link" data-profile="org:f1561">上海光影知音科技股份有限公司</a>

import { get } from "./api.js";
import { getLang, nameOf, t } from "./i18n.js";
import { newProjectButton } from "./newproject.js";
import { partsHtml, partsText } from "./parts.js";
import { $, esc, num, pct, screenTables, table } from "./util.js";

// words of this page, [zh, en]; the shared ones (name, score, reason …) come from i18n.js
const WORDS = {
  profileTitle: ["企业画像", "Firm profile"],
  back: ["← 返回", "← Back"],
  basics: ["基本信息", "Basics"],
  address: ["地址", "Address"],
  uscc: ["统一社会信用代码", "Credit code (USCC)"],
  founded: ["成立日期", "Founded"],
  revenue: ["营收规模", "Revenue band"],
  capital: ["注册资本（百万元）", "Registered capital (CNY m)"],
  patents: ["专利", "Patents"],
  group: ["所属集团", "Group"],
  legalRep: ["法定代表人", "Legal representative"],
  formerNames: ["曾用名", "Former names"],
  industry: ["国标行业", "Industry"],
  products: ["主营产品", "Products"],
  kindOrg: ["机构类型", "Kind"],
  active: ["存续", "active"],
  unknownStatus: ["登记状态未知", "status unknown"],
  whyTarget: ["为何是招商目标：", "Why a target for "],
  isLocal: ["本地企业（注册地或网点在本地区），计为本地产能，不作为招商目标。",
    "Local firm (registered or with a site in the region): it counts as local capacity, not as a target."],
  isClosed: ["已注销、吊销或迁出，不作为招商目标。", "Closed or moved away: never a target."],
  noGap: ["该企业所在环节在本地区不是缺口（补链、强链、延链），因此不在招商目标中。",
    "None of the firm's segments is a gap (missing, thin, extension) in the region, so it is not a target."],
  noSegment: ["该企业尚未挂链（没有所属环节），因此不在任何缺口的招商目标中；可先运行挂链预测并审核。",
    "The firm has no segment yet (not 挂链), so it is in no gap's targets; classify it and review the prediction first."],
  regionFrom: ["由{}推断", "inferred from the {}"],
  notRanked: ["所在缺口环节的招商目标排名中未见该企业。", "Not among the ranked targets of its gap segments."],
  gap: ["缺口", "Gap"],
  chains: ["所属产业链", "Chains"],
  membership: ["挂链", "Membership"],
  evidence: ["依据等级", "Evidence"],
  suppliers: ["供应商", "Suppliers"],
  customers: ["客户", "Customers"],
  otherTies: ["其他关系", "Other ties"],
  tieRole: ["关系", "Tie"],
  since: ["起始", "Since"],
  source: ["来源", "Source"],
  asOf: ["数据日期", "As of"],
  sites: ["网点", "Sites"],
  siteKind: ["类型", "Kind"],
  financing: ["融资", "Financing"],
  date: ["日期", "Date"],
  round: ["轮次", "Round"],
  amount: ["金额（百万元）", "Amount (CNY m)"],
  sources: ["数据来源与日期", "Data sources and dates"],
  tiesShown: ["条关系，已列出", "ties; listed"],
  estimated: ["估算字段", "Estimated fields"],
  what: ["内容", "What"],
  whatRecord: ["企业信息", "Firm record"],
  whatLinks: ["企业关系", "Ties"],
  records: ["条数", "Records"],
};
const w = (key) => WORDS[key][getLang() === "zh" ? 0 : 1];

const ROLE = {
  supplier: ["供应商", "supplier"], customer: ["客户", "customer"], investor: ["投资方", "investor"],
  investee: ["被投企业", "investee"], parent: ["母公司", "parent"], subsidiary: ["子公司", "subsidiary"],
  acquirer: ["收购方", "acquirer"], acquired: ["被收购方", "acquired"], partner: ["合作伙伴", "partner"],
  joint_venture: ["合资方", "joint venture"], competitor: ["竞争对手", "competitor"], park: ["入驻园区", "park"],
  tenant: ["入驻企业", "tenant"], incubator: ["孵化器", "incubator"], incubatee: ["在孵企业", "incubatee"],
};
const SITE = {
  hq: ["总部", "headquarters"], regional_hq: ["区域总部", "regional HQ"], branch: ["分支机构", "branch"],
  rd_centre: ["研发中心", "R&D centre"], production: ["生产基地", "production base"],
};
const KIND = {
  firm: ["企业", "firm"], incubator: ["孵化器", "incubator"], park: ["园区", "park"], university: ["高校", "university"],
  lab: ["实验室", "lab"], association: ["协会", "association"], fund: ["基金", "fund"], agency: ["招商机构", "agency"],
};
const GRADE = {
  confirmed: ["已确认", "confirmed"], strong: ["强证据", "strong"], medium: ["中等证据", "medium"], weak: ["弱证据", "weak"],
};
const STATUS = { confirmed: ["已确认", "confirmed"], predicted: ["预测（待审核）", "predicted (to review)"] };
const TIER = {
  链主: "chain leader", 专精特新: "specialised SME", 瞪羚: "gazelle", 隐形冠军: "hidden champion", 独角兽: "unicorn",
  上市公司: "listed",
};
const REGION_FROM = { address: ["地址", "address"], uscc: ["信用代码", "credit code"], name: ["名称", "name"] };
const FIELD = {
  region: ["所在地", "region"], employees: ["员工", "employees"], revenue_band: ["营收规模", "revenue band"],
  registered_capital_cny_m: ["注册资本", "registered capital"], founded: ["成立日期", "founded"], segments: ["环节", "segments"],
  patents: ["专利", "patents"],
};
const pickWord = (map, key) => (map[key] ? map[key][getLang() === "zh" ? 0 : 1] : key || "");
const tierWord = (tier) => (getLang() === "zh" ? tier : TIER[tier] || tier);
const pick2 = (rec, base) => (getLang() === "zh" ? rec[base + "_zh"] : rec[base + "_en"]) || rec[base + "_zh"] || "";

const page = { ctx: null, org: null, data: null, from: "map" };

/** A firm's name as a link to its profile (``rec`` has id or org, and name_zh / name_en). */
export function profileLink(rec, text) {
  const id = rec.id || rec.org;
  return `<a href="#" class="firm-link" data-profile="${esc(id)}">${esc(text ?? nameOf(rec))}</a>`;
}

/** Wire once: any click on [data-profile] anywhere opens that firm's profile; ``ctx`` gives state, showTab, errorText. */
export function initProfile(ctx) {
  page.ctx = ctx;
  document.addEventListener("click", (ev) => {
    const link = ev.target.closest("[data-profile]");
    if (!link) return;
    ev.preventDefault();
    openProfile(link.dataset.profile);
  });
  $("#profile-out").addEventListener("click", (ev) => {
    if (!ev.target.closest("[data-profile-back]")) return;
    ev.preventDefault();
    ctx.showTab(page.from === "profile" ? "map" : page.from);
  });
}

/** Show ``org``'s profile for the page's region and chain. */
export async function openProfile(org) {
  const { state, showTab, errorText } = page.ctx;
  if (state.tab !== "profile") page.from = state.tab;
  page.org = org;
  page.data = null;
  showTab("profile");
  const out = $("#profile-out");
  out.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    const data = await get("/organisations/" + encodeURIComponent(org) + "/profile",
      { region: state.region, chain: state.chain || undefined });
    if (page.org !== org) return; // another name was clicked meanwhile
    page.data = data;
    renderProfile();
  } catch (e) {
    out.innerHTML = `<p><button type="button" data-profile-back>${esc(w("back"))}</button></p>
      <p class="notice error">${esc(errorText(e))}</p>`;
  }
}

/** The region or chain changed: the target section depends on both. */
export function reloadProfile() {
  if (page.org && page.ctx.state.tab === "profile") openProfile(page.org);
}

function statusBadge(o) {
  const note = getLang() === "zh" ? o.status_note_zh : o.status_note_en;
  if (note) return `<span class="badge missing reg-status">${esc(note)}</span>`;
  if (o.status === "active") return `<span class="badge strong reg-status">${esc(w("active"))}</span>`;
  return `<span class="badge absent reg-status">${esc(w("unknownStatus"))}</span>`;
}

function basics(p) {
  const o = p.organisation;
  const rows = [
    [t("regionOf"), pick2(p, "region") + (o.region_source ? `（${w("regionFrom").replace("{}", pickWord(REGION_FROM, o.region_source))}）` : "")],
    [w("address"), o.address],
    [w("kindOrg"), pickWord(KIND, o.kind)],
    [w("uscc"), o.uscc],
    [w("founded"), o.founded],
    [t("employees"), o.employees],
    [w("revenue"), o.revenue_band],
    [w("capital"), o.registered_capital_cny_m === null ? "" : num(o.registered_capital_cny_m, 1)],
    [w("patents"), o.patents],
    [w("group"), o.parent_group],
    [w("legalRep"), o.legal_rep],
    [w("formerNames"), (o.former_names || []).join("、")],
    [w("industry"), [o.industry, o.industry_code].filter(Boolean).join(" ")],
    [w("products"), (o.products || []).join("、")],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  return `<dl class="kv">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`;
}

function segmentName(id) {
  const s = page.ctx.state.segments.get(id);
  const fromProfile = (page.data.segments || []).find((x) => x.segment === id);
  return nameOf(s || fromProfile || { id });
}

function targetSection(p) {
  const tg = p.target;
  if (!tg) return "";
  const head = `<h3>${esc(w("whyTarget"))}${esc(pick2(tg, "region"))}</h3>`;
  if (tg.closed) return head + `<p class="why-note">${esc(w("isClosed"))}</p>`;
  if (tg.local) return head + `<p class="why-note">${esc(w("isLocal"))}</p>`;
  if (!p.segments.length) return head + `<p class="why-note">${esc(w("noSegment"))}</p>`;
  if (!tg.gaps.length) return head + `<p class="why-note">${esc(w("noGap"))}</p>`;
  if (!tg.items.length) return head + `<p class="why-note">${esc(w("notRanked"))}</p>`;
  const form = (f) => (f ? (getLang() === "zh" ? f.form_zh : f.form.replace(/_/g, " ")) : "");
  return head + table("profile_target", `${nameOf(p.organisation)} · ${w("whyTarget")}${pick2(tg, "region")}`, [
    { key: "segment", label: t("segment"), text: (r) => segmentName(r.segment) },
    { key: "gap", label: w("gap"), text: (r) => (r.gap ? t(r.gap) : ""),
      html: (r) => (r.gap ? `<span class="badge ${esc(r.gap)}">${esc(t(r.gap))}</span>` : "") },
    { key: "rank", label: t("rank"), cls: "n" },
    { key: "total", label: t("score"), cls: "n", text: (r) => num(r.total) },
    { key: "parts", label: t("scoreParts"), text: (r) => partsText(r.parts), html: (r) => partsHtml(r.parts) },
    { key: "form", label: t("form"), text: (r) => form(r.form) },
    { key: "reason", label: t("reason"), cls: "reason", text: (r) => (getLang() === "zh" ? r.reason_zh : r.reason_en) },
    { key: "status", label: t("outcome"), text: (r) => (r.status ? t(r.status) : "") },
    { key: "project", label: t("npOpen"), text: () => "",
      html: (r) => newProjectButton(p.organisation.id, r.segment, r.form && r.form.form) },
  ], tg.items);
}

function tiesTable(name, title, rows, withRole) {
  if (!rows.length) return `<p class="muted">${esc(t("none"))}</p>`;
  const cols = [
    { key: "name", label: t("name"), text: (r) => nameOf(r), html: (r) => profileLink(r) },
    { key: "region", label: t("regionOf"), text: (r) => pick2(r, "region") },
    { key: "since", label: w("since") },
    { key: "weight", label: t("weight"), cls: "n", text: (r) => num(r.weight) },
    { key: "as_of", label: w("asOf"), text: (r) => r.as_of || "", html: (r) => `<span title="${esc(r.source)}">${esc(r.as_of || "")}</span>` },
  ];
  if (withRole) cols.splice(0, 0, { key: "role", label: w("tieRole"), text: (r) => pickWord(ROLE, r.role) });
  return table(name, title, cols, rows);
}

/** A source as a person reads it (the API's name_zh/name_en: a data set by name, an import by its file); its key
 * goes in the title. */
const sourceWord = (s) => (getLang() === "zh" ? s.name_zh : s.name_en) || s.source || "";

function sourcesTable(p, title) {
  const dates = (s) => (s.first === s.last ? s.first || "" : `${s.first} – ${s.last}`);
  return table("profile_sources", `${title} · ${w("sources")}`, [
    { key: "what", label: w("what"), text: (s) => w(s.what === "links" ? "whatLinks" : "whatRecord") },
    { key: "source", label: w("source"), text: (s) => sourceWord(s),
      html: (s) => `<span title="${esc(s.source)}">${esc(sourceWord(s))}</span>` },
    { key: "records", label: w("records"), cls: "n" },
    { key: "dates", label: w("asOf"), text: dates },
  ], p.sources);
}

function renderProfile() {
  const p = page.data;
  if (!p) return;
  const o = p.organisation;
  const title = nameOf(o);
  const other = getLang() === "zh" ? o.name_en : o.name_zh;
  ["profile_target", "profile_segments", "profile_suppliers", "profile_customers", "profile_ties", "profile_sites",
    "profile_financing", "profile_sources"].forEach((n) => screenTables.delete(n));
  const segs = p.segments.length
    ? table("profile_segments", `${title} · ${t("segments")}`, [
        { key: "name", label: t("segment"), text: (s) => nameOf(s) },
        { key: "chains", label: w("chains"), text: (s) => (getLang() === "zh" ? s.chains_zh : s.chains_en).join("、") },
        { key: "status", label: w("membership"), text: (s) => pickWord(STATUS, s.status),
          html: (s) => `<span class="${s.status === "predicted" ? "predicted" : ""}">${esc(pickWord(STATUS, s.status))}</span>` },
        { key: "confidence", label: t("confidence"), cls: "n", text: (s) => pct(s.confidence) },
        { key: "evidence", label: w("evidence"), text: (s) => pickWord(GRADE, s.evidence) },
      ], p.segments)
    : `<p class="muted">${esc(t("none"))}</p>`;
  const sites = p.sites.length
    ? table("profile_sites", `${title} · ${w("sites")}`, [
        { key: "region", label: t("regionOf"), text: (s) => pick2(s, "region") },
        { key: "kind", label: w("siteKind"), text: (s) => pickWord(SITE, s.kind) },
        { key: "since", label: w("since") },
      ], p.sites)
    : `<p class="muted">${esc(t("none"))}</p>`;
  const fin = o.financing.length
    ? table("profile_financing", `${title} · ${w("financing")}`, [
        { key: "date", label: w("date") },
        { key: "round", label: w("round") },
        { key: "amount_cny_m", label: w("amount"), cls: "n", text: (f) => (f.amount_cny_m === null ? "" : num(f.amount_cny_m, 1)) },
      ], o.financing)
    : `<p class="muted">${esc(t("none"))}</p>`;
  const listed = p.suppliers.length + p.customers.length + p.ties.length;
  const tiers = o.tiers.map((x) => `<span class="tier">${esc(tierWord(x))}</span>`).join("");
  const est = o.provenance.estimated.length ? `<p class="muted">${esc(w("estimated"))}: ${esc(o.provenance.estimated.map((f) => pickWord(FIELD, f)).join("、"))}</p>` : "";
  $("#profile-out").innerHTML = `
    <div class="profile-head">
      <button type="button" data-profile-back>${esc(w("back"))}</button>
      <h2 id="profile-title">${esc(title)} ${statusBadge(o)} ${tiers}</h2>
      ${other && other !== title ? `<span class="muted">${esc(other)}</span>` : ""}
    </div>
    <div class="profile-grid">
      <div class="card profile-basics"><h3>${esc(w("basics"))}</h3>${basics(p)}
        <h3>${esc(w("sources"))}</h3>${sourcesTable(p, title)}${est}</div>
      <div class="card profile-why">${targetSection(p)}
        <h3>${esc(t("segments"))}</h3>${segs}</div>
      <div class="card"><h3>${esc(w("suppliers"))} (${esc(p.suppliers.length)})</h3>
        ${tiesTable("profile_suppliers", `${title} · ${w("suppliers")}`, p.suppliers, false)}</div>
      <div class="card"><h3>${esc(w("customers"))} (${esc(p.customers.length)})</h3>
        ${tiesTable("profile_customers", `${title} · ${w("customers")}`, p.customers, false)}</div>
      <div class="card"><h3>${esc(w("otherTies"))} (${esc(p.ties.length)})</h3>
        ${tiesTable("profile_ties", `${title} · ${w("otherTies")}`, p.ties, true)}
        ${p.ties_total > listed ? `<p class="muted">${esc(p.ties_total)} ${esc(w("tiesShown"))} ${esc(listed)}</p>` : ""}</div>
      <div class="card"><h3>${esc(w("sites"))}</h3>${sites}
        <h3>${esc(w("financing"))}</h3>${fin}</div>
    </div>`;
}

/** The language changed: draw the page again from what was fetched. */
export function renderProfileAgain() {
  if (page.data) renderProfile();
}
