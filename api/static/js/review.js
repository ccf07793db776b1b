// 挂链 review in the segment panel: the region's firms that count in a segment only by a prediction,
// with their confidence, and 确认 / 驳回 buttons (editor key) that call POST /classify/confirm|reject.
// After a review the chain map, gaps and dependence are fetched again (the store's version moved).
//
// Example: predictionRows([{ id: "org:a", segments: [{ segment: "seg:x", status: "predicted", confidence: 0.8 }] }],
//   "seg:x") → [{ org: "org:a", confidence: 0.8, ... }]

import { api } from "./api.js";
import { nameOf, t } from "./i18n.js";
import { profileLink } from "./profile.js";
import { $, esc, num, screenTables, table } from "./util.js";

let ctx = null;
let shown = []; // the rows on screen, for the firm's name in the notice

/** The firms of ``items`` whose membership in ``segment`` is a prediction, most confident first. */
export function predictionRows(items, segment) {
  const rows = [];
  for (const o of items) {
    const m = (o.segments || []).find((s) => s.segment === segment && s.status === "predicted");
    if (m) rows.push({ org: o.id, name_zh: o.name_zh, name_en: o.name_en, confidence: m.confidence });
  }
  return rows.sort((a, b) => b.confidence - a.confidence || a.org.localeCompare(b.org));
}

function buttons(r) {
  return ["confirm", "reject"]
    .map((d) => `<button type="button" data-review="${esc(d)}" data-org="${esc(r.org)}">${esc(t("review_" + d))}</button>`)
    .join(" ");
}

/** Fill ``#segment-predictions`` for one segment of the current region (nothing when none is predicted). */
export async function loadPredictions(segment) {
  const box = $("#segment-predictions");
  if (!box) return;
  screenTables.delete("segment_predictions");
  let page;
  try {
    page = await api.members(ctx.state.region, segment, 200);
  } catch (e) {
    box.innerHTML = `<p class="muted">${esc(ctx.errorText(e))}</p>`;
    return;
  }
  if ($("#segment-predictions") !== box || ctx.state.selected !== segment) return; // the user moved on
  const rows = predictionRows(page.items, segment);
  shown = rows;
  box.dataset.segment = segment;
  box.innerHTML = rows.length
    ? `<h3>${esc(t("predictedMembers"))} (${esc(rows.length)})</h3>
       <p class="muted">${esc(t("predictedNote"))}</p>
       ${table("segment_predictions", t("predictedMembers"), [
         { key: "org", label: "id" },
         { key: "name", label: t("name"), text: (r) => nameOf(r), html: (r) => profileLink(r) },
         { key: "confidence", label: t("confidence"), cls: "n", text: (r) => num(r.confidence) },
         { key: "review", label: t("review"), text: () => "", html: buttons },
       ], rows)}`
    : "";
}

async function review(btn) {
  const box = $("#segment-predictions");
  const body = { org: btn.dataset.org, segment: box.dataset.segment };
  const decision = btn.dataset.review;
  btn.disabled = true;
  try {
    const out = await (decision === "confirm" ? api.confirm(body) : api.reject(body));
    const row = shown.find((r) => r.org === out.org);
    ctx.notify(`${t("recorded")}${row ? nameOf(row) : out.org} → ${t("review_" + decision)}`, "ok");
    await ctx.reload();
  } catch (e) {
    btn.disabled = false;
    ctx.notify(ctx.writeErrorText(e), "error");
  }
}

/** Wire the panel once: ``c`` gives state, notify, errorText, writeErrorText and reload (fetch the map again). */
export function initReview(c) {
  ctx = c;
  $("#segment-panel").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-review]");
    if (btn) review(btn);
  });
}
