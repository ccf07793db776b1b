// The import page (数据导入): choose what a file holds (firms, links, branches), upload it for a dry run that
// writes nothing and shows the column mapping (the file's header → the field it fills), what would be new and
// what is already stored, and the refused rows (row, field, reason); then import it for real (the good rows; the
// refused ones are listed again). Both go to POST /imports/{entity} with skip_invalid, the second without
// dry_run; an editor key is needed (a viewer's 403 says so).

import { ApiError, getKey } from "./api.js";
import { getLang } from "./i18n.js";
import { $, esc, table } from "./util.js";

const WORDS = {
  importTitle: ["数据导入", "Import data"],
  importHint: ["上传企业名单或企业关系表（CSV、TSV、JSON 或 xlsx，企查查/天眼查等平台的中文表头可直接识别）。先试运行查看列映射和拒收行，确认后再导入；需要 editor 密钥。",
    "Upload a firm list or a relations table (CSV, TSV, JSON or xlsx; Chinese platform headers are recognised). A dry run shows the column mapping and the refused rows first; then import. Needs an editor key."],
  entity: ["文件内容", "The file holds"],
  ent_organisations: ["企业名单", "firms"],
  ent_links: ["企业关系（供货、投资、合作等）", "relations (supply, investment, partnership and others)"],
  ent_branches: ["分支机构", "branches"],
  file: ["文件", "File"],
  sheet: ["工作表（xlsx，可选）", "Sheet (xlsx, optional)"],
  dryRun: ["试运行（不写入）", "Dry run (writes nothing)"],
  doImport: ["导入有效行", "Import the good rows"],
  pickFile: ["请先选择文件。", "Choose a file first."],
  dryTitle: ["试运行结果：未写入任何数据", "Dry run: nothing was written"],
  doneTitle: ["导入完成", "Imported"],
  rowsRead: ["读取行数", "Rows read"],
  refused: ["拒收行数", "Rows refused"],
  mapping: ["列映射（文件表头 → 字段）", "Column mapping (the file's header → field)"],
  header: ["文件表头", "File header"],
  field: ["字段", "Field"],
  ignored: ["未使用的表头", "Headers not used"],
  plan: ["将写入", "Would write"],
  wrote: ["已写入", "Written"],
  what: ["内容", "Records"],
  isNew: ["新增", "New"],
  existing: ["已存在（更新或不变）", "Already stored (updated or unchanged)"],
  inserted: ["新增", "Inserted"],
  updated: ["更新", "Updated"],
  unchanged: ["未变", "Unchanged"],
  merged: ["合并到已有企业", "Merged into stored firms"],
  problems: ["拒收的行及原因", "Refused rows and why"],
  row: ["行", "Row"],
  reasonCol: ["原因", "Reason"],
  wholeFile: ["整个文件", "whole file"],
  warnings: ["提示", "Warnings"],
  refusedNote: ["拒收的行不会导入；改正后可再次上传（已导入的行不会重复）。",
    "Refused rows are not imported; fix them and upload again (rows already imported are not duplicated)."],
  fileProblems: ["文件无法导入，未写入任何数据：", "The file cannot be imported; nothing was written: "],
  encodingCol: ["编码", "Encoding"],
};
const w = (key) => WORDS[key][getLang() === "zh" ? 0 : 1];

// the field a header fills, in words (the importer's own first Chinese header for it; graph/io/headers.py)
const FIELD_ZH = {
  id: "编号", kind: "类型", name_zh: "企业名称", name_en: "英文名称", former_names: "曾用名", status: "登记状态",
  status_date: "登记状态日期", legal_rep: "法定代表人", uscc: "统一社会信用代码", region: "所属地区", country: "国家",
  province: "所属省份", city: "所属城市", district: "所属区县", address: "注册地址", industry: "所属行业",
  industry_code: "行业代码", business_scope: "经营范围", registered_capital_cny_m: "注册资本", founded: "成立日期",
  employees: "参保人数", products: "主营产品", description_zh: "企业简介", description_en: "英文简介",
  keywords: "关键词", segments: "产业链环节", tiers: "企业标签", revenue_band: "营收规模", patents: "专利数",
  parent_group: "母公司", source: "数据来源", as_of: "数据日期", estimated: "估算字段", src: "源企业（供应方等）",
  dst: "目标企业（客户方等）", src_uscc: "源企业信用代码", dst_uscc: "目标企业信用代码", since: "开始日期", weight: "权重",
  confidence: "置信度", parent: "总公司", parent_uscc: "总公司信用代码", name: "分支机构名称",
};
const ENTITY_WORD = { organisations: ["企业", "firms"], links: ["关系", "links"], segments: ["环节", "segments"],
  segment_edges: ["环节关联", "segment edges"], chains: ["产业链", "chains"], regions: ["地区", "regions"] };
const FIELD_EN = { name_zh: "Chinese name", name_en: "English name", uscc: "USCC", description_zh: "Chinese description",
  description_en: "English description", registered_capital_cny_m: "registered capital (CNY m)", src: "source firm (supplier …)",
  dst: "target firm (customer …)", src_uscc: "source firm's USCC", dst_uscc: "target firm's USCC", as_of: "as of",
  name: "branch name" };
const fieldWord = (f) => (getLang() === "zh" ? FIELD_ZH[f] || f : FIELD_EN[f] || f.replace(/_/g, " "));
const entityWord = (e) => (ENTITY_WORD[e] ? ENTITY_WORD[e][getLang() === "zh" ? 0 : 1] : e);

const imp = { ctx: null, report: null, error: null };

/** Draw the import form into #import-card and wire it; ``ctx`` gives notify, errorText, writeErrorText. */
export function initImport(ctx) {
  imp.ctx = ctx;
  $("#import-card").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-import]");
    if (btn) run(btn.dataset.import === "dry");
  });
  renderImport();
}

/** The form (kept across language changes: the chosen file stays chosen) and the last report. */
export function renderImport() {
  const card = $("#import-card");
  if (!card.querySelector("form")) {
    card.innerHTML = `<h2 data-w="importTitle"></h2><p class="muted" data-w="importHint"></p>
      <form id="import-form" class="row" autocomplete="off">
        <label><span data-w="entity"></span> <select id="import-entity">
          <option value="organisations" data-w="ent_organisations"></option>
          <option value="links" data-w="ent_links"></option>
          <option value="branches" data-w="ent_branches"></option></select></label>
        <label><span data-w="file"></span> <input id="import-file" type="file" accept=".csv,.tsv,.txt,.json,.jsonl,.ndjson,.xlsx"></label>
        <label><span data-w="sheet"></span> <input id="import-sheet" maxlength="100" size="8"></label>
        <button type="button" data-import="dry" data-w="dryRun"></button>
        <button type="button" class="primary" data-import="real" id="import-go" data-w="doImport" disabled></button>
      </form><div id="import-report"></div>`;
    $("#import-file").addEventListener("change", () => {
      imp.report = null;
      imp.error = null;
      $("#import-go").disabled = true;
      renderReport();
    });
    $("#import-entity").addEventListener("change", () => ($("#import-go").disabled = true));
  }
  card.querySelectorAll("[data-w]").forEach((el) => (el.textContent = w(el.dataset.w)));
  renderReport();
}

async function upload(entity, file, params) {
  const form = new FormData();
  form.append("file", file, file.name);
  const headers = { Accept: "application/json" };
  const key = getKey();
  if (key) headers.Authorization = "Bearer " + key;
  const q = new URLSearchParams(params).toString();
  const resp = await fetch(`/imports/${encodeURIComponent(entity)}?${q}`, { method: "POST", headers, body: form });
  let data = null;
  try {
    data = await resp.json();
  } catch {
    data = null;
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

async function run(dry) {
  const { notify, errorText, writeErrorText } = imp.ctx;
  const file = $("#import-file").files[0];
  if (!file) return notify(w("pickFile"), "error");
  const entity = $("#import-entity").value;
  const params = { skip_invalid: "true" };
  if (dry) params.dry_run = "true";
  const sheet = $("#import-sheet").value.trim();
  if (sheet) params.sheet = sheet;
  $$buttons().forEach((b) => (b.disabled = true));
  try {
    imp.report = await upload(entity, file, params);
    imp.error = null;
    notify(dry ? w("dryTitle") : `${w("doneTitle")}: ${file.name}`, "ok");
  } catch (e) {
    imp.report = null;
    imp.error = e;
    notify(e instanceof ApiError && e.status === 403 ? writeErrorText(e) : errorText(e), "error");
  } finally {
    $$buttons().forEach((b) => (b.disabled = false));
    // the real import follows a dry run of this file that went through; after a real import, dry-run again first
    $("#import-go").disabled = !(dry && imp.report);
  }
  renderReport();
}

const $$buttons = () => [...$("#import-card").querySelectorAll("button[data-import]")];

function problemsTable(problems) {
  return table("import_problems", w("problems"), [
    { key: "row", label: w("row"), cls: "n", text: (p) => (p.row === null ? w("wholeFile") : p.row) },
    { key: "field", label: w("field"), text: (p) => p.field || "" },
    { key: "reason", label: w("reasonCol"), cls: "reason" },
  ], problems);
}

function countsTable(r) {
  if (r.planned) {
    const ents = Object.keys(r.planned.new);
    return table("import_plan", w("plan"), [
      { key: "e", label: w("what"), text: (e) => entityWord(e) },
      { key: "new", label: w("isNew"), cls: "n", text: (e) => r.planned.new[e] },
      { key: "old", label: w("existing"), cls: "n", text: (e) => r.planned.existing[e] },
    ], ents);
  }
  if (!r.imported) return "";
  const i = r.imported;
  const ents = [...new Set([...Object.keys(i.inserted), ...Object.keys(i.updated), ...Object.keys(i.unchanged)])]
    .filter((e) => e !== "regions");
  return table("import_written", w("wrote"), [
    { key: "e", label: w("what"), text: (e) => entityWord(e) },
    { key: "ins", label: w("inserted"), cls: "n", text: (e) => i.inserted[e] || 0 },
    { key: "upd", label: w("updated"), cls: "n", text: (e) => i.updated[e] || 0 },
    { key: "unc", label: w("unchanged"), cls: "n", text: (e) => i.unchanged[e] || 0 },
  ], ents) + (i.merged ? `<p class="muted">${esc(w("merged"))}: ${esc(i.merged)}</p>` : "");
}

function renderReport() {
  const out = $("#import-report");
  if (!out) return;
  if (imp.error) {
    const e = imp.error;
    const details = e instanceof ApiError ? e.details.filter((d) => d.reason) : [];
    out.innerHTML = `<p class="notice error">${esc(w("fileProblems"))}${esc(getLang() === "zh" && e.messageZh ? e.messageZh : e.message)}</p>` +
      (details.length ? problemsTable(details) : "");
    return;
  }
  const r = imp.report;
  if (!r) {
    out.replaceChildren();
    return;
  }
  const shown = getLang() === "zh" && r.warnings_zh?.length === r.warnings.length ? r.warnings_zh : r.warnings;
  const items = shown.map((x) => `<li>${esc(x)}</li>`).join("");
  const warnings = r.warnings.length ? `<h3>${esc(w("warnings"))}</h3><ul>${items}</ul>` : "";
  const mapping = Object.entries(r.columns).map(([field, header]) => ({ field, header }));
  out.innerHTML = `
    <h3 class="import-state ${r.dry_run ? "dry" : "done"}">${esc(r.dry_run ? w("dryTitle") : w("doneTitle"))} · ${esc(r.file)}</h3>
    <dl class="kv"><dt>${esc(w("rowsRead"))}</dt><dd>${esc(r.rows_read)}</dd>
      <dt>${esc(w("refused"))}</dt><dd class="${r.rejected ? "refused" : ""}">${esc(r.rejected)}</dd>
      ${r.encoding ? `<dt>${esc(w("encodingCol"))}</dt><dd>${esc(r.encoding)}</dd>` : ""}</dl>
    <div class="import-grid">
      <div><h3>${esc(w("mapping"))}</h3>${table("import_mapping", w("mapping"), [
        { key: "header", label: w("header") },
        { key: "field", label: w("field"), text: (m) => fieldWord(m.field) },
      ], mapping)}
      ${r.ignored.length ? `<p class="muted">${esc(w("ignored"))}: ${esc(r.ignored.join("、"))}</p>` : ""}</div>
      <div><h3>${esc(r.dry_run ? w("plan") : w("wrote"))}</h3>${countsTable(r)}</div>
    </div>
    ${r.problems.length ? `<h3>${esc(w("problems"))} (${esc(r.rejected)})</h3>${problemsTable(r.problems)}
      <p class="muted">${esc(w("refusedNote"))}</p>` : ""}
    ${warnings}`;
}
