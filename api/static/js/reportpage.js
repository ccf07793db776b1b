// Report download (报告下载): the gap-and-target report (缺链补链与招商目标报告) of the page's region and chain as an
// xlsx or HTML file, from GET /reports with the key; the file is saved under the name the server gives it
// (Content-Disposition filename*, naming the region and chain, e.g. 缺链补链与招商目标报告_广东省_深圳市_动漫游戏.xlsx).
//
// Example: fileName('attachment; filename="a.xlsx"; filename*=UTF-8\'\'%E6%8A%A5%E5%91%8A.xlsx') → "报告.xlsx"

import { ApiError, getKey } from "./api.js";
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

/** The file name of a Content-Disposition header: the UTF-8 ``filename*`` when there is one, else ``filename``. */
export function fileName(header, fallback = "report") {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header || "");
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/i.exec(header || "");
  return plain ? plain[1] : fallback;
}

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
  const q = new URLSearchParams({ region: state.region, format: fmt, lang: getLang() });
  if (state.chain) q.set("chain", state.chain);
  const headers = {};
  const key = getKey();
  if (key) headers.Authorization = "Bearer " + key;
  btn.disabled = true;
  notify(w("downloading"));
  try {
    const resp = await fetch("/reports?" + q.toString(), { headers });
    if (!resp.ok) {
      let data = null;
      try {
        data = await resp.json();
      } catch {
        data = null;
      }
      throw new ApiError(resp.status, data);
    }
    const name = fileName(resp.headers.get("Content-Disposition"), `report.${fmt}`);
    download(name, await resp.blob());
    notify(w("saved") + name, "ok");
  } catch (e) {
    notify(errorText(e), "error");
  } finally {
    btn.disabled = false;
  }
}
