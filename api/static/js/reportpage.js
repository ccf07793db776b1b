// Report download (报告下载): the gap-and-target report (缺链补链与招商目标报告) of the page's region and chain as an
// xlsx or HTML file, from GET /reports with the key; the file is saved under the name the server gives it
// (Content-Disposition filename*, naming the region and chain, e.g. 缺链补链与招商目标报告_广东省_深圳市_动漫游戏.xlsx).

import { getFile } from "./api.js";
import { getLang, nameOf, t } from "./i18n.js";
import { $, download, esc } from "./util.js";

const WORDS = {
  reportTitle: ["报告下载", "Report download"],
  reportHint: ["当前地区与产业链的缺链补链与招商目标报告：产业链图谱、缺口、招商目标（引进形式、引荐方、联合招商）、外部依赖与数据来源。",
    "The gap-and-target report of the chosen region and chain: chain map, gaps, targets (form, introducers, joint campaign), external dependence and data sources."],
  reportFor: ["报告范围", "Report for"],
  downloading: ["正在生成报告…", "Building the report…"],
  saved: ["已下载：", "Downloaded: "],
};
const w = (key) => WORDS[key][getLang() === "zh" ? 0 : 1];

let ctx = null;

/** Draw the download card into #report-card; ``c`` gives state, notify, errorText. */
export function initReportPage(c) {
  ctx = c;
  $("#report-card").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-report]");
    if (btn) fetchReport(btn.dataset.report, btn);
  });
  renderReportPage();
}

/** Redraw (language, region or chain changed): the card names what the report will cover. */
export function renderReportPage() {
  const card = $("#report-card");
  if (!card || !ctx) return;
  const { state } = ctx;
  const region = state.regions.find((r) => r.id === state.region);
  const chain = state.chains.find((c) => c.id === state.chain);
  card.innerHTML = `<h2>${esc(w("reportTitle"))}</h2><p class="muted">${esc(w("reportHint"))}</p>
    <p>${esc(w("reportFor"))}: <b id="report-scope">${esc(region ? nameOf(region) : "")} · ${esc(chain ? nameOf(chain) : t("allChains"))}</b></p>
    <p class="row"><button type="button" class="primary" data-report="xlsx">xlsx</button>
      <button type="button" data-report="html">HTML</button></p>`;
}

async function fetchReport(fmt, btn) {
  const { state, notify, errorText } = ctx;
  const params = { region: state.region, format: fmt, lang: getLang() };
  if (state.chain) params.chain = state.chain;
  btn.disabled = true;
  notify(w("downloading"));
  try {
    const { blob, filename: name } = await getFile("/reports", params, `report.${fmt}`);
    download(name, blob);
    notify(w("saved") + name, "ok");
  } catch (e) {
    notify(errorText(e), "error");
  } finally {
    btn.disabled = false;
  }
}
