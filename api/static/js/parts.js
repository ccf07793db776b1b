// Score parts drawn as small bars: every score is a sum of named parts, shown with its note.

import { noteOf, partLabel } from "./i18n.js";
import { esc, num } from "./util.js";

export function partsHtml(parts) {
  const shown = (parts || []).filter((p) => p.value !== 0 || p.weight > 0);
  return `<div class="parts">${shown
    .map((p) => {
      const w = Math.abs(p.weight) || 1;
      const frac = Math.max(0, Math.min(1, Math.abs(p.value) / w));
      return `<div class="part ${p.value < 0 ? "neg" : ""}" title="${esc(noteOf(p))}">
        <span class="bar-bg"><span class="bar-fg" style="width:${(100 * frac).toFixed(0)}%;display:block"></span></span>
        <span>${esc(partLabel(p))} ${p.value >= 0 ? "+" : ""}${num(p.value)}</span></div>`;
    })
    .join("")}</div>`;
}

export function partsText(parts) {
  return (parts || [])
    .filter((p) => p.value)
    .map((p) => `${p.name} ${p.value >= 0 ? "+" : ""}${num(p.value)}`)
    .join(" · ");
}
