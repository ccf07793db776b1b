// 立项: create a pipeline project for a target from where it is found — the firm profile's "why a target" table
// the target detail and each row of the targets table. A button (class np-open, data-org / data-segment / data-form, optional data-region) opens a dialog
// for that region (else the page's): owner agency (the region's agencies by name), the introducer to credit (GET /introducers for the target,
// the first-ranked preselected, names only), due date, next step and planned investment; it posts POST /projects.
// A second project for the same firm × region × segment is refused by the server with a pointer to the first
// (见项目 N), shown in the dialog and the notice, the dialog left open.
//
// Example: newProjectButton("org:f1561", "seg:game_engine", "rd_centre") →
//   <button type="button" class="np-open" data-org="org:f1561" data-segment="seg:game_engine" data-form="rd_centre">立项</button>

import { api, get } from "./api.js";
import { addStrings, nameOf, t } from "./i18n.js";
import { $, esc } from "./util.js";

addStrings({
  npOpen: ["立项", "New project"],
  npTitle: ["新建招商项目", "New pipeline project"],
  npOwner: ["牵头机构", "Owner agency"],
  npIntroducer: ["引荐方（记功）", "Introducer (credited)"],
  npNoIntroducer: ["（不记引荐方）", "(no introducer)"],
  npDue: ["下一步截止", "Next step due"],
  npStep: ["下一步", "Next step"],
  npPlanned: ["计划投资（万元）", "Planned investment (10k CNY)"],
  npCreate: ["创建项目", "Create project"],
  npCancel: ["取消", "Cancel"],
  npMade: ["已立项：项目 {n} · {firm}（见项目看板）", "Project {n} created: {firm} (see the pipeline board)"],
  npFor: ["目标企业", "Target firm"],
  npGoto: ["在看板中查看项目 {n}", "Show project {n} on the board"],
});

const np = { ctx: null, target: null };

/** The 立项 button of one target (firm, gap segment, attraction form; ``region``: the list's, else the page's). */
export function newProjectButton(org, segment, form, region) {
  return `<button type="button" class="np-open" data-org="${esc(org)}" data-segment="${esc(segment)}"` +
    ` data-form="${esc(form || "")}"${region ? ` data-region="${esc(region)}"` : ""}>${esc(t("npOpen"))}</button>`;
}

/** Wire once: ``ctx`` gives state, notify, errorText, writeErrorText, onCreated (the board reloads) and
 * onShowBoard(project id) (the board tab, that project's card marked). */
export function initNewProject(ctx) {
  np.ctx = ctx;
  const dlg = document.createElement("dialog");
  dlg.id = "np-dialog";
  document.body.append(dlg);
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button.np-open");
    if (btn) openDialog(btn.dataset);
  });
}

async function openDialog({ org, segment, form, region: forRegion }) {
  const { state, errorText } = np.ctx;
  const dlg = $("#np-dialog");
  const region = forRegion || state.region;
  np.target = { org, segment, form, region };
  dlg.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
  dlg.showModal();
  let firm, agencies, intro;
  try {
    [firm, agencies, intro] = await Promise.all([
      api.organisation(org),
      get("/organisations", { kind: "agency", region, limit: 100 }),
      api.introducers(org, region, 10).catch(() => ({ items: [] })),
    ]);
  } catch (e) {
    dlg.innerHTML = `<p class="notice error">${esc(errorText(e))}</p><button type="button" data-np-cancel>${esc(t("npCancel"))}</button>`;
    dlg.querySelector("[data-np-cancel]").addEventListener("click", () => dlg.close());
    return;
  }
  const vias = [...new Set(intro.items.map((x) => x.via).filter(Boolean))];
  const viaNames = new Map();
  if (vias.length) (await api.organisationsById(vias).catch(() => ({ items: [] }))).items.forEach((o) => viaNames.set(o.id, nameOf(o)));
  const introLabel = (x) => `${nameOf(x)} · ${x.kind === "direct" ? t("direct") : `${t("via")} ${viaNames.get(x.via) || ""}`}`;
  const seg = state.segments.get(segment);
  const place = (state.regions.find((r) => r.id === region) || { id: region });
  dlg.innerHTML = `<form id="np-form" method="dialog" class="stack np-form" autocomplete="off">
    <h3>${esc(t("npTitle"))}</h3>
    <dl class="kv"><dt>${esc(t("npFor"))}</dt><dd class="np-firm">${esc(nameOf(firm))}</dd>
      <dt>${esc(t("segment"))}</dt><dd>${esc(nameOf(seg || { id: segment }))}</dd>
      <dt>${esc(t("region"))}</dt><dd>${esc(nameOf(place))}</dd></dl>
    <label>${esc(t("npOwner"))} <select name="owner" required>${agencies.items
      .map((a) => `<option value="${esc(a.id)}">${esc(nameOf(a))}</option>`).join("")}</select></label>
    <label>${esc(t("npIntroducer"))} <select name="introducer">${intro.items
      .map((x) => `<option value="${esc(x.org)}">${esc(introLabel(x))}</option>`).join("")}
      <option value="">${esc(t("npNoIntroducer"))}</option></select></label>
    <label>${esc(t("npStep"))} <input name="next_step" maxlength="200"></label>
    <label>${esc(t("npDue"))} <input name="due" type="date"></label>
    <label>${esc(t("npPlanned"))} <input name="planned" type="number" min="0" step="any"></label>
    <p class="np-error notice error" hidden></p>
    <div class="row"><button type="submit" class="primary">${esc(t("npCreate"))}</button>
      <button type="button" data-np-cancel>${esc(t("npCancel"))}</button></div></form>`;
  dlg.querySelector("[data-np-cancel]").addEventListener("click", () => dlg.close());
  dlg.querySelector("#np-form").addEventListener("submit", create);
}

async function create(ev) {
  ev.preventDefault();
  const { notify, writeErrorText, onCreated, onShowBoard } = np.ctx;
  const f = ev.target;
  const { org, segment, form, region } = np.target;
  const body = { org, region, segment, owner: f.owner.value };
  if (form) body.form = form;
  if (f.introducer.value) body.introducer = f.introducer.value;
  if (f.next_step.value.trim()) body.next_step = f.next_step.value.trim();
  if (f.due.value) body.due = f.due.value;
  if (f.planned.value !== "") body.planned = Number(f.planned.value);
  try {
    const made = await api.createProject(body);
    $("#np-dialog").close();
    notify(t("npMade").replace("{n}", made.id).replace("{firm}", $("#np-dialog .np-firm").textContent), "ok");
    if (onCreated) onCreated(made);
  } catch (e) {
    const text = writeErrorText(e); // a duplicate names the first project: 见项目 N (/projects/N)
    const box = f.querySelector(".np-error");
    box.textContent = text;
    box.hidden = false;
    notify(text, "error");
    const first = /\/projects\/(\d+)/.exec(e.message || ""); // the server's pointer to the first project
    if (first && onShowBoard) {
      box.insertAdjacentHTML("beforeend", ` <button type="button" data-np-goto="${esc(first[1])}">${esc(t("npGoto").replace("{n}", first[1]))}</button>`);
      box.querySelector("[data-np-goto]").addEventListener("click", () => {
        $("#np-dialog").close();
        onShowBoard(first[1]);
      });
    }
  }
}
