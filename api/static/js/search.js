// Search (搜索): the hybrid search with the CLI's filters (chainmatch search --region --segment --kind --tier
// --min-employees --max-employees --mode --limit), hits by name and place, and each hit opens: its card
// (segments, tiers, products) with a way on to the segment on the chain map and to the target view.

import { api } from "./api.js";
import { addStrings, getLang, nameOf, t } from "./i18n.js";
import { placeLong } from "./places.js";
import { $, $$, esc, num, table } from "./util.js";

addStrings({
  searchMode: ["方式", "Mode"],
  mode_hybrid: ["混合", "hybrid"],
  mode_dense: ["语义", "dense"],
  mode_lexical: ["词法", "lexical"],
  anyKind: ["全部类型", "any kind"],
  anyTier: ["全部梯队", "any tier"],
  anySegment: ["全部环节", "any segment"],
  minEmployees: ["员工下限", "min employees"],
  maxEmployees: ["员工上限", "max employees"],
  hits: ["条数", "Hits"],
  kind_firm: ["企业", "firm"], kind_incubator: ["孵化器", "incubator"], kind_park: ["园区", "park"],
  kind_university: ["高校", "university"], kind_lab: ["实验室/研究院", "lab"], kind_association: ["行业协会", "association"],
  kind_fund: ["基金/投资机构", "fund"], kind_agency: ["招商机构", "agency"],
  tier_链主: ["链主", "chain leader"], tier_专精特新: ["专精特新", "specialised SME"], tier_瞪羚: ["瞪羚", "gazelle"],
  tier_隐形冠军: ["隐形冠军", "hidden champion"], tier_独角兽: ["独角兽", "unicorn"], tier_上市公司: ["上市公司", "listed"],
  openOnMap: ["在图谱中查看", "show on the chain map"],
  openAsTarget: ["引荐路径与联合招商", "introducers and joint campaign"],
  products: ["产品", "Products"],
  closeCard: ["关闭", "close"],
  minOverMax: ["员工下限大于上限。", "min employees is above max employees."],
});

const MODES = ["hybrid", "dense", "lexical"];
const KINDS = ["firm", "incubator", "park", "university", "lab", "association", "fund", "agency"];
const TIERS = ["链主", "专精特新", "瞪羚", "隐形冠军", "独角兽", "上市公司"];

let ctx = null;
let last = null; // {q, res} of the last search, for re-rendering in the other language

/** Why a closed or moved-away firm counts nowhere (已注销（2021-03-01）), from the API; "" when active. */
const statusNote = (h) => (getLang() === "zh" ? h.status_note_zh : h.status_note_en) || "";

export function initSearch(context) {
  ctx = context;
  $("#search-form").addEventListener("submit", runSearch);
  $("#search-results").addEventListener("click", onClick);
  $("#search-card").addEventListener("click", onClick);
  // hits limited to the page's region follow it (after main.js has taken the change)
  $("#region").addEventListener("change", () => setTimeout(() => last && $("#search-local").checked && runSearch(), 0));
  fillFilters();
}

/** The filter selectors in the page's language; the segments of the page's chain (all when none). */
export function fillFilters() {
  const { state } = ctx;
  const keep = (sel) => $(sel).value;
  const mode = keep("#search-mode"), kind = keep("#search-kind"), tier = keep("#search-tier"), seg = keep("#search-segment");
  $("#search-mode").innerHTML = MODES.map((m) => `<option value="${esc(m)}">${esc(t("mode_" + m))}</option>`).join("");
  $("#search-kind").innerHTML = `<option value="">${esc(t("anyKind"))}</option>` +
    KINDS.map((k) => `<option value="${esc(k)}">${esc(t("kind_" + k))}</option>`).join("");
  $("#search-tier").innerHTML = `<option value="">${esc(t("anyTier"))}</option>` +
    TIERS.map((k) => `<option value="${esc(k)}">${esc(t("tier_" + k))}</option>`).join("");
  const chain = state.chains.find((c) => c.id === state.chain);
  const ids = chain ? chain.segments : [...state.segments.keys()];
  $("#search-segment").innerHTML = `<option value="">${esc(t("anySegment"))}</option>` +
    ids.map((id) => `<option value="${esc(id)}">${esc(nameOf(state.segments.get(id) || { id }))}</option>`).join("");
  $("#search-mode").value = mode || "hybrid";
  $("#search-kind").value = kind;
  $("#search-tier").value = tier;
  $("#search-segment").value = ids.includes(seg) ? seg : "";
}

/** The query's parameters as /search takes them (the CLI's options). */
function filters() {
  const v = (sel) => $(sel).value.trim();
  const params = {
    mode: v("#search-mode") || undefined,
    region: $("#search-local").checked ? ctx.state.region : undefined,
    segment: v("#search-segment") || undefined,
    kind: v("#search-kind") || undefined,
    tier: v("#search-tier") || undefined,
    min_employees: v("#search-min") || undefined,
    max_employees: v("#search-max") || undefined,
    limit: v("#search-limit") || 30,
  };
  return params;
}

async function runSearch(ev) {
  if (ev) ev.preventDefault();
  const q = $("#search-q").value.trim();
  if (!q) return;
  const out = $("#search-results");
  const params = filters();
  if (params.min_employees && params.max_employees && Number(params.min_employees) > Number(params.max_employees)) {
    out.innerHTML = `<p class="notice error">${esc(t("minOverMax"))}</p>`;
    return;
  }
  $("#search-card").hidden = true;
  out.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    last = { q, res: await api.searchWith(q, params) };
    renderHits();
  } catch (e) {
    out.innerHTML = `<p class="notice error">${esc(ctx.errorText(e))}</p>`;
  }
}

export function renderHits() {
  if (!last) return;
  const { q, res } = last;
  $("#search-results").innerHTML = res.items.length
    ? table("search", `${t("tabSearch")}: ${q}`, [
        { key: "rank", label: t("rank"), cls: "n" },
        { key: "name", label: t("name"), html: (h) => `<a href="#" class="hit-link" data-hit="${esc(h.id)}">${esc(nameOf(h))}</a>` },
        { key: "region", label: t("regionOf"), text: (h) => placeLong(h.region) },
        // a 登记状态 column only when a hit is closed or moved away, as the CLI
        ...(res.items.some(statusNote) ? [{ key: "status", label: t("regStatus"), cls: "reg-status", text: statusNote }] : []),
        { key: "score", label: t("score"), cls: "n", text: (h) => num(h.score, 4) },
        { key: "dense_rank", label: t("dense"), cls: "n" },
        { key: "lexical_rank", label: t("lexical"), cls: "n" },
      ], res.items, { rowAttrs: (h) => `data-org="${esc(h.id)}"` }) +
      (res.items.some(statusNote) ? `<p class="muted closed-note">${esc(t("closedNote"))}</p>` : "")
    : `<p class="muted">${esc(t("nothing"))}</p>`;
}

async function onClick(ev) {
  const hit = ev.target.closest("[data-hit]");
  if (hit) {
    ev.preventDefault();
    await openHit(hit.dataset.hit);
    return;
  }
  const seg = ev.target.closest("[data-open-segment]");
  if (seg) {
    ev.preventDefault();
    await ctx.openSegment(seg.dataset.openSegment);
    return;
  }
  const target = ev.target.closest("[data-open-target]");
  if (target) {
    ev.preventDefault();
    await ctx.openTarget(target.dataset.openTarget);
    return;
  }
  if (ev.target.closest("[data-close-card]")) $("#search-card").hidden = true;
}

/** One hit's card: what it is, where, its segments (each opens on the chain map), tiers and products. */
async function openHit(id) {
  const box = $("#search-card");
  box.hidden = false;
  box.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    const o = await api.organisation(id);
    const { state } = ctx;
    const segs = (o.segments || []).map((m) => {
      const rec = state.segments.get(m.segment) || { id: m.segment };
      return `<button type="button" data-open-segment="${esc(m.segment)}" title="${esc(t("openOnMap"))}">${esc(nameOf(rec))}</button>`;
    }).join(" ");
    const desc = getLang() === "zh" ? o.description_zh || o.description_en : o.description_en || o.description_zh;
    box.innerHTML = `<div class="card wide">
      <button type="button" data-close-card class="close">${esc(t("closeCard"))}</button>
      <h2 class="hit-name">${esc(nameOf(o))}</h2>
      <dl class="kv">
        <dt>${esc(t("regionOf"))}</dt><dd>${esc(placeLong(o.region))}</dd>
        <dt>${esc(t("kind"))}</dt><dd>${esc(t("kind_" + o.kind))}</dd>
        ${o.tiers && o.tiers.length ? `<dt>${esc(t("tiers"))}</dt><dd>${esc(o.tiers.map((x) => t("tier_" + x)).join("、"))}</dd>` : ""}
        ${o.employees ? `<dt>${esc(t("employees"))}</dt><dd>${esc(o.employees)}</dd>` : ""}
        <dt>${esc(t("segments"))}</dt><dd class="hit-segments">${segs || esc(t("none"))}</dd>
        ${o.products && o.products.length ? `<dt>${esc(t("products"))}</dt><dd>${esc(o.products.join("；"))}</dd>` : ""}
      </dl>
      ${desc ? `<p>${esc(desc)}</p>` : ""}
      ${o.kind === "firm" ? `<p><button type="button" class="primary" data-open-target="${esc(o.id)}">${esc(t("openAsTarget"))}</button>
        <button type="button" data-profile="${esc(o.id)}">${esc(t("profilePage"))} →</button></p>` : ""}
    </div>`;
  } catch (e) {
    box.innerHTML = `<p class="notice error">${esc(ctx.errorText(e))}</p>`;
  }
  $$("#search-results tr[data-org]").forEach((tr) => tr.classList.toggle("picked", tr.dataset.org === id));
}
