// The project pipeline board (招商项目看板): one column per stage, filters (owner agency, the page's chain,
// overdue), a move control on each card (editor keys), and the monthly summary. Reads /projects and
// /projects/stats for the page's region; every change goes through POST /projects/{id}/move.

import { api } from "./api.js";
import { getLang, nameOf, t } from "./i18n.js";
import { profileLink } from "./profile.js";
import { $, $$, esc, num, table } from "./util.js";

const STAGES = [
  ["lead", "线索", "lead"], ["contacted", "已接洽", "contacted"], ["negotiating", "在谈", "negotiating"],
  ["signed", "签约", "signed"], ["starting", "拟开工", "construction pending"], ["funded", "到资", "funded"],
  ["operating", "投产", "in operation"], ["terminated", "终止", "terminated"],
];

const board = { ctx: null, projects: [], stats: null, names: new Map(), owner: "", overdue: false };

export function stageLabel(key) {
  const row = STAGES.find((s) => s[0] === key);
  return row ? row[getLang() === "zh" ? 1 : 2] : key;
}

/** Names of the organisations the board shows (firms, agencies): the ones not yet known, in one call per 200. */
async function loadNames(ids) {
  const missing = [...new Set(ids)].filter((id) => id && !board.names.has(id));
  for (let i = 0; i < missing.length; i += 200) {
    const chunk = missing.slice(i, i + 200);
    const page = await api.organisationsById(chunk).catch(() => ({ items: [] }));
    page.items.forEach((o) => board.names.set(o.id, o));
    chunk.forEach((id) => board.names.has(id) || board.names.set(id, { id }));
  }
}

const orgName = (id) => (id ? nameOf(board.names.get(id) || { id }) : "");

export function initBoard(ctx) {
  board.ctx = ctx;
  $("#board-owner").addEventListener("change", (ev) => {
    board.owner = ev.target.value;
    loadBoard();
  });
  $("#board-overdue").addEventListener("change", (ev) => {
    board.overdue = ev.target.checked;
    loadBoard();
  });
  $("#board-new").addEventListener("submit", create);
}

/** The segments of the page's chain (every chain's when none is chosen), for the new-project form. */
function fillSegments() {
  const { state } = board.ctx;
  const chain = state.chains.find((c) => c.id === state.chain);
  const ids = chain ? chain.segments : [...state.segments.keys()];
  const sel = $("#np-segment");
  const keep = sel.value;
  sel.innerHTML = ids.map((id) => `<option value="${esc(id)}">${esc(nameOf(state.segments.get(id) || { id }))}</option>`).join("");
  if (ids.includes(keep)) sel.value = keep;
}

async function create(ev) {
  ev.preventDefault();
  const { state, notify, errorText } = board.ctx;
  const body = { org: $("#np-org").value.trim(), region: state.region, segment: $("#np-segment").value,
    owner: $("#np-owner").value.trim() };
  const introducer = $("#np-introducer").value.trim();
  if (introducer) body.introducer = introducer;
  if ($("#np-due").value) body.due = $("#np-due").value;
  try {
    await api.createProject(body);
    notify(t("created1"), "ok");
    $("#board-new").reset();
    await loadBoard();
  } catch (e) {
    notify(errorText(e), "error"); // a duplicate names the first project: 见项目 N (/projects/N)
  }
}

export async function loadBoard() {
  const { state, errorText } = board.ctx;
  const out = $("#board-columns");
  const chain = state.chain || undefined;
  try {
    const [all, page, stats] = await Promise.all([
      api.projects({ region: state.region, chain, limit: 200 }),
      api.projects({ region: state.region, chain, owner: board.owner || undefined,
        overdue: board.overdue ? true : undefined, limit: 200 }),
      api.projectStats({ region: state.region, chain, owner: board.owner || undefined }),
    ]);
    await loadNames(all.items.flatMap((p) => [p.org, p.owner, p.introducer && p.introducer.org]));
    board.all = all.items;
    board.projects = page.items;
    board.stats = stats;
    renderBoard();
  } catch (e) {
    out.innerHTML = `<p class="notice error">${esc(errorText(e))}</p>`;
  }
}

export function renderBoard() {
  if (!board.stats) return;
  fillSegments();
  const owners = [...new Set((board.all || []).map((p) => p.owner).filter(Boolean))];
  $("#board-owner").innerHTML = `<option value="">${esc(t("allAgencies"))}</option>` +
    owners.map((o) => `<option value="${esc(o)}">${esc(orgName(o))}</option>`).join("");
  $("#board-owner").value = board.owner;
  $("#board-columns").innerHTML = STAGES.map(([key]) => column(key)).join("");
  $$("#board-columns .move").forEach((form) => form.addEventListener("submit", move));
  const s = board.stats;
  $("#board-summary").innerHTML = `<p class="muted">${esc(t("boardTotal"))}: ${esc(s.total)} · ${esc(t("overdue"))}: ${esc(s.overdue)}</p>` +
    table("project_months", t("monthly"), [
      { key: "month", label: t("month") },
      { key: "created", label: t("created"), cls: "n" },
      { key: "signed", label: t("signedCount"), cls: "n" },
      { key: "signed_investment", label: t("signedInvestment"), cls: "n", text: (m) => num(m.signed_investment, 0) },
      { key: "landed", label: t("landedCount"), cls: "n" },
    ], s.months);
}

function column(key) {
  const items = board.projects.filter((p) => p.stage === key);
  return `<div class="stage-col" data-stage="${esc(key)}"><h3>${esc(stageLabel(key))} <span class="muted">${esc(items.length)}</span></h3>
    ${items.map((p) => card(p)).join("")}</div>`;
}

function card(p) {
  return `<div class="card project${p.overdue ? " overdue" : ""}" data-project="${esc(p.id)}">
    <b>${profileLink(board.names.get(p.org) || { id: p.org }, orgName(p.org))}</b>
    <div class="muted">${esc(orgName(p.owner))}</div>
    ${p.introducer ? `<div title="${esc(p.introducer.path.join(" → "))}">${esc(t("creditedTo"))}: ${esc(orgName(p.introducer.org))}</div>` : ""}
    ${p.next_step ? `<div>${esc(t("nextStep"))}: ${esc(p.next_step)}</div>` : ""}
    ${p.due ? `<div>${esc(t("due"))}: ${esc(p.due)}</div>` : ""}
    ${p.overdue ? `<span class="badge missing">${esc(t("overdue"))}</span>` : ""}
    ${p.planned !== null ? `<div>${esc(t("planned"))}: ${num(p.planned, 0)}</div>` : ""}
    ${p.actual !== null ? `<div>${esc(t("actual"))}: ${num(p.actual, 0)}</div>` : ""}
    <form class="move row" data-project="${esc(p.id)}" data-version="${esc(p.version)}">
      <select name="stage" aria-label="${esc(t("moveTo"))}">${STAGES.map(([k]) => `<option value="${esc(k)}"${k === p.stage ? " selected" : ""}>${esc(stageLabel(k))}</option>`).join("")}</select>
      <input name="planned" type="number" min="0" step="any" placeholder="${esc(t("planned"))}" aria-label="${esc(t("planned"))}">
      <input name="actual" type="number" min="0" step="any" placeholder="${esc(t("actual"))}" aria-label="${esc(t("actual"))}">
      <button type="submit">${esc(t("move"))}</button>
    </form></div>`;
}

async function move(ev) {
  ev.preventDefault();
  const form = ev.target;
  const body = { stage: form.stage.value, version: Number(form.dataset.version) };
  if (form.planned.value !== "") body.planned = Number(form.planned.value);
  if (form.actual.value !== "") body.actual = Number(form.actual.value);
  try {
    await api.moveProject(form.dataset.project, body);
    board.ctx.notify(t("moved"), "ok");
    await loadBoard();
  } catch (e) {
    board.ctx.notify(board.ctx.errorText(e), "error");
  }
}
