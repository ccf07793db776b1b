// Small helpers: HTML escaping, number formats, tables that remember what they show
// (for the CSV export), and the CSV writer itself.

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function num(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return "";
  return Number(x).toFixed(digits);
}

export function pct(x) {
  if (x === null || x === undefined) return "–";
  return (100 * x).toFixed(0) + "%";
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/**
 * A table: ``columns`` are {key, label, html?(row), text?(row), cls?, export?, screen?}; returns the HTML and
 * registers {title, columns, rows} under ``name`` so "export" can write what is on screen.
 */
export function table(name, title, columns, rows, { rowAttrs } = {}) {
  screenTables.set(name, { title, columns, rows });
  const shown = columns.filter((c) => c.screen !== false); // screen: false columns are export-only
  const head = shown.map((c) => `<th class="${c.cls || ""}">${esc(c.label)}</th>`).join("");
  const body = rows
    .map((r, i) => {
      const attrs = rowAttrs ? rowAttrs(r, i) : "";
      const cells = shown
        .map((c) => `<td class="${c.cls || ""}">${c.html ? c.html(r) : esc(cellText(c, r))}</td>`)
        .join("");
      return `<tr ${attrs}>${cells}</tr>`;
    })
    .join("");
  return `<table class="grid" data-table="${esc(name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function cellText(col, row) {
  if (col.text) return col.text(row);
  const v = row[col.key];
  return Array.isArray(v) ? v.join("; ") : v ?? "";
}

/** Tables currently rendered, by name (the export reads the ones visible on screen). */
export const screenTables = new Map();

// The one spreadsheet-cell guard, as graph/io/cells.py formula_like: text a spreadsheet would evaluate
// starts with = + - @, tab or CR, also after white space and invisible characters (NBSP, U+3000,
// zero-width space, BOM) or written full-width/small (＝ ﹦ ＋ ﹢ － ﹣ ＠); a plain number is not a formula.
const FORMULA_START = /^[\s\p{Cf}]*[=+\-@\uff1d\ufe66\uff0b\ufe62\uff0d\ufe63\uff20]/u;
const PLAIN_NUMBER = /^[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$/;

export function formulaLike(value) {
  const s = String(value ?? "");
  if (/^[\t\r]/.test(s)) return true;
  if (!FORMULA_START.test(s)) return false;
  return !PLAIN_NUMBER.test(s.replace(/^[\s\p{Cf}]+/u, "").normalize("NFKC").trim());
}

function csvCell(v) {
  let s = String(v ?? "");
  if (formulaLike(s)) s = "'" + s; // written as text, never run as a formula
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** CSV text (UTF-8 BOM so Excel opens Chinese correctly) for tables [{title, columns, rows}]. */
export function toCsv(tables) {
  const lines = [];
  for (const tb of tables) {
    const cols = tb.columns.filter((c) => c.export !== false);
    if (tables.length > 1) lines.push(csvCell(tb.title));
    lines.push(cols.map((c) => csvCell(c.label)).join(","));
    for (const r of tb.rows) lines.push(cols.map((c) => csvCell(cellText(c, r))).join(","));
    if (tables.length > 1) lines.push("");
  }
  return "\ufeff" + lines.join("\r\n") + "\r\n";
}

/** The tables as the .xlsx endpoint takes them: labels and plain cells (numbers as numbers). */
export function toSheets(tables) {
  return tables.map((tb) => {
    const cols = tb.columns.filter((c) => c.export !== false);
    return {
      title: String(tb.title || "").slice(0, 200),
      columns: cols.map((c) => String(c.label).slice(0, 200)),
      rows: tb.rows.map((r) =>
        cols.map((c) => {
          const v = cellText(c, r);
          return c.cls === "n" && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : String(v ?? "");
        }),
      ),
    };
  });
}

export function download(filename, text, type = "text/csv;charset=utf-8") {
  const blob = text instanceof Blob ? text : new Blob([text], { type });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 0);
}
