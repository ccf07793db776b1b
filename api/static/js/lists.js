// The six lists (六个一) of the page's region and chain: one list at a time with its entries, an edit form,
// hide / show again, regenerate (the three lists drawn from the data) and the CSV/xlsx export, named by
// the server after list, region and chain. Reads GET /lists and /lists/{kind}; writes PATCH
// /lists/entries/{id}, POST /lists/{kind}/generate and /lists/{kind}/entries (editor keys; a viewer's
// write is refused with writeErrorText's words).
//
// The scope is the page's: its region, and its chain (全部产业链 → the list of every chain, chain=all).

import { api, del, get, getFile, patch, post } from "./api.js";
import { addStrings, getLang, nameOf, t } from "./i18n.js";
import { profileLink } from "./profile.js";
import { $, download, esc, num, table } from "./util.js";

addStrings({
  tabLists: ["六个一清单", "Six lists"],
  listShowHidden: ["显示已隐藏", "Show hidden"],
  listRegenerate: ["按数据重新生成", "Regenerate from the data"],
  listRegenerated: ["已重新生成：新增 {added}，更新 {updated}，移除 {removed}，保留手工条目 {kept_curated}。",
    "Regenerated: {added} added, {updated} updated, {removed} removed, {kept_curated} hand-curated kept."],
  listCuratedOnly: ["该清单无数据来源，只能手工添加或导入。", "This list has no data source: add or import its entries."],
  listExportCsv: ["导出 CSV", "Export CSV"],
  listExportXlsx: ["导出 xlsx", "Export xlsx"],
  listOrigin: ["来源", "Origin"],
  origin_generated: ["数据生成", "generated"],
  origin_curated: ["手工", "curated"],
  listNote: ["备注", "Note"],
  listActions: ["操作", "Actions"],
  listEdit: ["编辑", "Edit"],
  listHide: ["隐藏", "Hide"],
  listUnhide: ["取消隐藏", "Show again"],
  listHiddenTag: ["已隐藏", "hidden"],
  listSave: ["保存修改", "Save"],
  listCancel: ["取消", "Cancel"],
  listSaved: ["已保存：", "Saved: "],
  listHidden: ["已隐藏：", "Hidden: "],
  listShown: ["已恢复显示：", "Shown again: "],
  listEditing: ["编辑条目：", "Editing: "],
  listEmpty: ["清单为空。", "The list is empty."],
  listEmptyGenerated: ["清单为空：点击“按数据重新生成”。", "The list is empty: regenerate it from the data."],
  listAdd: ["添加条目", "Add an entry"],
  listAddSubject: ["企业名称或编号", "Firm name or id"],
  listAddTitle: ["名称", "Title"],
  listAdded: ["已添加：", "Added: "],
  listCounts: ["显示 {shown} 条 · 隐藏 {hidden} 条 · 数据生成 {generated} · 手工 {curated}",
    "{shown} shown · {hidden} hidden · {generated} generated · {curated} curated"],
  listScopeAll: ["全部产业链", "all chains"],
  listEditNote: ["手工修改后的条目标为“手工”，重新生成时保留不动。", "An edited entry becomes curated: regenerating keeps it as it is."],
});

/** Field labels of each list (matching/worklists/kinds.py has the Chinese ones); ids are never columns. */
const FIELDS = {
  key_firms: [["segment", "所属环节", "Segment"], ["tiers", "企业层级", "Tiers"], ["score", "得分", "Score", "number"],
    ["reason", "入选理由", "Reason"]],
  targets: [["segment", "缺口环节", "Gap segment"], ["gap", "缺口类型", "Gap kind"], ["form", "引进形式", "Attraction form"],
    ["score", "得分", "Score", "number"], ["introducer_name", "引荐企业", "Introducer"], ["reason", "推荐理由", "Reason"]],
  projects: [["investment_cny_m", "投资额（百万元）", "Investment (CNY m)", "number"], ["stage", "项目阶段", "Stage"],
    ["owner", "责任单位", "Responsible unit"]],
  platforms: [["platform_type", "平台类型", "Platform type"], ["segment", "服务环节", "Segment served"]],
  policies: [["instrument", "政策工具", "Instrument"], ["issuer", "发布机构", "Issuer"], ["reference", "文号或出处", "Reference"]],
  advisors: [["expertise", "专长领域", "Expertise"]],
};
/** The generated lists' words in English (graph/display.py WORDS, matching/recommend/form.py FORMS_EN, gap kinds,
 *  matching/worklists/generate.py PLATFORM_ZH); the lists store them in Chinese. */
const VALUE_EN = {
  链主: "chain leader", 专精特新: "specialised SME", 瞪羚: "gazelle", 隐形冠军: "hidden champion", 独角兽: "unicorn",
  上市公司: "listed", 补链: "missing (fill)", 强链: "thin (strengthen)", 延链: "extension", 生产基地: "production base",
  研发中心: "R&D centre", 区域总部: "regional headquarters", 整体引进: "whole-firm relocation (headquarters)",
  "孵化器/众创空间": "incubator", "园区/基地": "park", 高校: "university", "重点实验室/研究院": "lab",
};
const WORD_FIELDS = new Set(["tiers", "gap", "form", "platform_type"]);

/** Lists whose entries are organisations (the add form asks for a firm, not a title). */
const SUBJECT_KINDS = new Set(["key_firms", "targets"]);

const lists = { ctx: null, kind: "key_firms", overview: null, page: null, hidden: false, editing: null, names: new Map() };

const scopeChain = () => lists.ctx.state.chain || "all";
const scope = () => ({ region: lists.ctx.state.region, chain: scopeChain() });
const fieldLabel = (f) => (getLang() === "zh" ? f[1] : f[2]);
const fmt = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

/** A segment named in Chinese in a generated field, in the page's language. */
function segmentText(value) {
  if (getLang() === "zh" || !lists.ctx) return value;
  const seg = [...lists.ctx.state.segments.values()].find((s) => s.name_zh === value);
  return seg ? nameOf(seg) : value;
}

/** An entry's name: the organisation's in the page's language when it is one, else its title. */
function entryName(e) {
  const o = e.subject && lists.names.get(e.subject);
  return o ? nameOf({ ...o, name_zh: o.name_zh || e.title }) : e.title;
}

function fieldText(e, f) {
  const v = e.fields[f[0]];
  if (v === undefined || v === null) return "";
  if (f[3] === "number") return num(v, f[0] === "score" ? 2 : 1);
  if (f[0] === "segment") return String(v).split(/[、;；]/).map(segmentText).join(getLang() === "zh" ? "、" : ", ");
  if (WORD_FIELDS.has(f[0]) && getLang() === "en") return String(v).split("、").map((w) => VALUE_EN[w] || w).join(", ");
  return typeof v === "object" ? Object.entries(v).map(([k, x]) => `${k}=${x}`).join("; ") : String(v);
}

export function initLists(ctx) {
  lists.ctx = ctx;
  const view = $("#view-lists");
  view.addEventListener("click", onClick);
  view.addEventListener("change", (ev) => {
    if (ev.target.id === "list-show-hidden") {
      lists.hidden = ev.target.checked;
      loadEntries();
    }
  });
  view.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (ev.target.id === "list-edit-form") saveEdit(ev.target);
    if (ev.target.id === "list-add-form") addEntry(ev.target);
  });
}

/** Fetch the overview (counts of the six lists) and the chosen list's entries for the page's scope. */
export async function loadLists() {
  const view = $("#view-lists");
  if (!lists.ctx.state.ready) return;
  if (!lists.overview) view.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  try {
    lists.overview = await get("/lists", scope());
    await loadEntries();
  } catch (e) {
    view.innerHTML = `<p class="notice error">${esc(lists.ctx.errorText(e))}</p>`;
  }
}

async function loadEntries() {
  try {
    lists.page = await get("/lists/" + lists.kind, { ...scope(), hidden: lists.hidden || undefined, limit: 200 });
    const missing = [...new Set(lists.page.items.map((e) => e.subject).filter((id) => id && !lists.names.has(id)))];
    if (getLang() === "en") {
      await Promise.all(missing.map((id) => api.organisation(id).then((o) => lists.names.set(id, o), () => lists.names.set(id, null))));
    }
    renderLists();
  } catch (e) {
    $("#view-lists").innerHTML = `<p class="notice error">${esc(lists.ctx.errorText(e))}</p>`;
  }
}

function summary() {
  return lists.overview ? lists.overview.lists.find((s) => s.kind === lists.kind) : null;
}

export function renderLists() {
  if (!lists.overview || !lists.page) return;
  if (getLang() === "en" && lists.page.items.some((e) => e.subject && !lists.names.has(e.subject))) {
    loadEntries(); // English names of the organisations, fetched once
    return;
  }
  const { state } = lists.ctx;
  const chain = state.chains.find((c) => c.id === state.chain);
  const region = state.regions.find((r) => r.id === state.region);
  const s = summary();
  const tabs = lists.overview.lists.map((x) => `<button type="button" data-list="${esc(x.kind)}"
    class="${x.kind === lists.kind ? "active" : ""}">${esc(getLang() === "zh" ? x.name_zh : x.name_en)}
    <span class="muted">${esc(x.shown)}</span></button>`).join("");
  const kindName = s ? (getLang() === "zh" ? s.name_zh : s.name_en) : lists.kind;
  const cols = [
    { key: "rank", label: t("rank"), cls: "n", text: (e) => e.rank ?? "" },
    { key: "name", label: t("name"), text: entryName,
      html: (e) => `<b>${lists.names.has(e.subject) ? profileLink({ id: e.subject }, entryName(e)) : esc(entryName(e))}</b>${e.hidden ? ` <span class="badge absent">${esc(t("listHiddenTag"))}</span>` : ""}` },
    ...FIELDS[lists.kind].map((f) => ({ key: f[0], label: fieldLabel(f), cls: f[3] === "number" ? "n" : f[0] === "reason" ? "reason" : "",
      text: (e) => fieldText(e, f) })),
    { key: "origin", label: t("listOrigin"), cls: "nowrap", text: (e) => t("origin_" + e.origin) },
    { key: "note", label: t("listNote") },
    { key: "actions", label: t("listActions"), cls: "nowrap", export: false, text: () => "", html: (e) => `<div class="outcomes">
      <button type="button" data-edit="${esc(e.id)}">${esc(t("listEdit"))}</button>
      <button type="button" data-hide="${esc(e.id)}" data-to="${e.hidden ? "show" : "hide"}">${esc(t(e.hidden ? "listUnhide" : "listHide"))}</button></div>` },
  ];
  const items = lists.page.items;
  const empty = s && s.generated_kind ? t("listEmptyGenerated") : t("listEmpty");
  $("#view-lists").innerHTML = `
    <div class="row list-kinds" role="tablist">${tabs}</div>
    <div class="row list-tools">
      <h2>${esc(kindName)} · ${esc(region ? nameOf(region) : state.region)} · ${esc(chain ? nameOf(chain) : t("listScopeAll"))}</h2>
      ${s ? `<span class="muted" id="list-counts">${esc(fmt("listCounts", s))}</span>` : ""}
      <label class="check"><input type="checkbox" id="list-show-hidden"${lists.hidden ? " checked" : ""}> <span>${esc(t("listShowHidden"))}</span></label>
      ${s && s.generated_kind ? `<button type="button" id="list-generate" class="primary">${esc(t("listRegenerate"))}</button>` : ""}
      <button type="button" data-export="csv">${esc(t("listExportCsv"))}</button>
      <button type="button" data-export="xlsx">${esc(t("listExportXlsx"))}</button>
    </div>
    ${s && !s.generated_kind ? `<p class="muted list-curated">${esc(t("listCuratedOnly"))}</p>` : ""}
    <div id="list-edit"></div>
    ${items.length ? table("list_" + lists.kind, kindName, cols, items, { rowAttrs: (e) => `data-entry="${esc(e.id)}"${e.hidden ? ' class="hidden-entry"' : ""}` })
      : `<p class="muted">${esc(empty)}</p>`}
    <form id="list-add-form" class="row list-add" autocomplete="off">
      <strong>${esc(t("listAdd"))}</strong>
      <input name="what" required maxlength="200" placeholder="${esc(t(SUBJECT_KINDS.has(lists.kind) ? "listAddSubject" : "listAddTitle"))}"
        aria-label="${esc(t(SUBJECT_KINDS.has(lists.kind) ? "listAddSubject" : "listAddTitle"))}">
      <input name="note" maxlength="2000" placeholder="${esc(t("listNote"))}" aria-label="${esc(t("listNote"))}">
      <button type="submit">${esc(t("create"))}</button>
    </form>`;
  if (lists.editing) showEdit(lists.editing);
}

function entry(id) {
  return lists.page.items.find((e) => e.id === Number(id));
}

async function onClick(ev) {
  const tab = ev.target.closest("button[data-list]");
  if (tab) {
    lists.kind = tab.dataset.list;
    lists.editing = null;
    await loadEntries();
    return;
  }
  const edit = ev.target.closest("button[data-edit]");
  if (edit) return showEdit(Number(edit.dataset.edit));
  if (ev.target.closest("button[data-cancel]")) {
    lists.editing = null;
    $("#list-edit").textContent = "";
    return;
  }
  const hide = ev.target.closest("button[data-hide]");
  if (hide) return toggleHidden(hide);
  if (ev.target.closest("#list-generate")) return regenerate(ev.target.closest("#list-generate"));
  const exp = ev.target.closest("button[data-export]");
  if (exp) return exportList(exp.dataset.export);
}

/** The edit form for one entry: its text and number fields, and the note. */
function showEdit(id) {
  const e = entry(id);
  if (!e) {
    lists.editing = null;
    return;
  }
  lists.editing = id;
  const inputs = FIELDS[lists.kind].map((f) => `<label><span>${esc(fieldLabel(f))}</span>
    ${f[0] === "reason"
      ? `<textarea name="f.${esc(f[0])}" rows="2" maxlength="2000">${esc(e.fields[f[0]] ?? "")}</textarea>`
      : `<input name="f.${esc(f[0])}" ${f[3] === "number" ? 'type="number" step="any"' : 'maxlength="2000"'} value="${esc(e.fields[f[0]] ?? "")}">`}</label>`);
  const title = SUBJECT_KINDS.has(lists.kind) || e.subject ? "" : `<label><span>${esc(t("listAddTitle"))}</span>
    <input name="title" required maxlength="2000" value="${esc(e.title)}"></label>`;
  $("#list-edit").innerHTML = `<form id="list-edit-form" class="card list-edit" data-entry="${esc(id)}" autocomplete="off">
    <h3>${esc(t("listEditing"))}${esc(entryName(e))}</h3>
    <div class="list-edit-grid">${title}${inputs.join("")}
      <label><span>${esc(t("listNote"))}</span><textarea name="note" rows="2" maxlength="2000">${esc(e.note)}</textarea></label></div>
    <p class="muted">${esc(t("listEditNote"))}</p>
    <div class="row"><button type="submit" class="primary">${esc(t("listSave"))}</button>
      <button type="button" data-cancel>${esc(t("listCancel"))}</button></div></form>`;
  $("#list-edit").scrollIntoView({ block: "nearest" });
}

async function saveEdit(form) {
  const e = entry(form.dataset.entry);
  if (!e) return;
  const body = {};
  const fields = {};
  for (const f of FIELDS[lists.kind]) {
    const el = form.elements["f." + f[0]];
    const was = e.fields[f[0]] ?? "";
    if (el && el.value.trim() !== String(was)) fields[f[0]] = el.value.trim() === "" ? null : el.value.trim();
  }
  if (Object.keys(fields).length) body.fields = fields;
  if (form.elements.note.value !== e.note) body.note = form.elements.note.value;
  if (form.elements.title && form.elements.title.value.trim() !== e.title) body.title = form.elements.title.value.trim();
  const { notify, writeErrorText } = lists.ctx;
  if (!Object.keys(body).length) {
    lists.editing = null;
    $("#list-edit").textContent = "";
    return;
  }
  try {
    const out = await patch("/lists/entries/" + e.id, body);
    lists.editing = null;
    notify(t("listSaved") + entryName(out), "ok");
    await loadLists();
  } catch (err) {
    notify(writeErrorText(err), "error");
  }
}

async function toggleHidden(btn) {
  const e = entry(btn.dataset.hide);
  if (!e) return;
  const { notify, writeErrorText } = lists.ctx;
  btn.disabled = true;
  try {
    const out = btn.dataset.to === "hide" ? await del("/lists/entries/" + e.id) : await patch("/lists/entries/" + e.id, { hidden: false });
    notify(t(out.hidden ? "listHidden" : "listShown") + entryName(e), "ok");
    await loadLists();
  } catch (err) {
    btn.disabled = false;
    notify(writeErrorText(err), "error");
  }
}

async function regenerate(btn) {
  const { notify, writeErrorText } = lists.ctx;
  btn.disabled = true;
  try {
    const out = await post(`/lists/${lists.kind}/generate`, { ...scope(), top: 20 });
    notify(fmt("listRegenerated", out), "ok");
    await loadLists();
  } catch (err) {
    btn.disabled = false;
    notify(writeErrorText(err), "error");
  }
}

async function addEntry(form) {
  const what = form.elements.what.value.trim();
  if (!what) return;
  const body = { ...scope(), note: form.elements.note.value.trim() };
  if (SUBJECT_KINDS.has(lists.kind)) body.subject = what;
  else body.title = what;
  const { notify, writeErrorText } = lists.ctx;
  try {
    const out = await post(`/lists/${lists.kind}/entries`, body);
    notify(t("listAdded") + out.title, "ok");
    await loadLists();
  } catch (err) {
    notify(writeErrorText(err), "error");
  }
}

async function exportList(format) {
  const { notify, errorText } = lists.ctx;
  try {
    const { blob, filename } = await getFile(`/lists/${lists.kind}/export`, { ...scope(), format,
      hidden: lists.hidden || undefined }, `${lists.kind}.${format}`);
    download(filename, blob);
    notify(t("exported") + filename, "ok");
  } catch (err) {
    notify(errorText(err), "error");
  }
}
