// The key's role on the page. GET /whoami at sign-in says whether the key may write; with a viewer key every
// write control of every view (outcome buttons, 挂链 review, board create and move, list edit/hide/add/regenerate,
// campaign store/add partner/close, import, 立项) is greyed out (aria-disabled, class "readonly") with a title
// saying changes need an editor key, and a click or submit on one is stopped with the same words in the notice
// instead of being sent for the server's 403. Views need not know: controls are found by selector, also in what
// a view draws later (a MutationObserver marks new ones).

import { $$ } from "./util.js";
import { addStrings, t } from "./i18n.js";

addStrings({
  viewerTitle: ["只读密钥（viewer）：修改需要 editor 密钥", "Read-only key (viewer): changes need an editor key"],
  roleViewer: ["只读", "read-only"],
});

/** Every control that changes data, across views. */
export const WRITE_CONTROLS = [
  "button[data-outcome]", "button[data-review]",
  "#board-new button[type=submit]", "#board-columns form.move button",
  "#view-lists button[data-edit]", "#view-lists button[data-hide]", "#list-generate",
  "#list-add-form button[type=submit]", "#list-edit-form button[type=submit]",
  "#view-campaigns button[data-add-partner]", "#view-campaigns button[data-close]", "#camp-store button[type=submit]",
  "button[data-import]", "button.np-open", "#np-form button[type=submit]",
].join(", ");
const WRITE_FORMS = ["#board-new", "#board-columns form.move", "#list-add-form", "#list-edit-form", "#camp-store",
  "#np-form"].join(", ");

const role = { name: null, notify: null };

/** Whether the page's key may write (true until /whoami said otherwise, and with auth off). */
export const canWrite = () => role.name !== "viewer";

function mark() {
  const readOnly = !canWrite();
  badge(readOnly);
  for (const el of $$(WRITE_CONTROLS)) {
    if (readOnly) {
      if (el.getAttribute("aria-disabled") === "true" && el.title === t("viewerTitle")) continue;
      el.setAttribute("aria-disabled", "true");
      el.classList.add("readonly");
      el.title = t("viewerTitle");
    } else if (el.classList.contains("readonly")) {
      el.removeAttribute("aria-disabled");
      el.classList.remove("readonly");
      el.removeAttribute("title");
    }
  }
}

/** 只读 beside the key field while the key is a viewer's, its title saying what that means. */
function badge(readOnly) {
  let el = document.getElementById("role-badge");
  if (!readOnly) {
    if (el) el.remove();
    return;
  }
  if (!el) {
    el = document.createElement("span");
    el.id = "role-badge";
    el.className = "badge thin";
    const form = document.getElementById("key-form");
    if (!form) return;
    form.prepend(el);
  }
  // only when it differs: a text change is a childList mutation, and the observer calls mark() again
  if (el.textContent !== t("roleViewer")) el.textContent = t("roleViewer");
  if (el.title !== t("viewerTitle")) el.title = t("viewerTitle");
}

/** The role /whoami gave (viewer, editor, admin; null before sign-in); marks the controls on the page now. */
export function setRole(name) {
  role.name = name;
  document.body.dataset.role = name || "";
  mark();
}

/** The language changed: the titles again. */
export const markWrites = mark;

/** Wire once: ``notify`` shows the refusal. */
export function initRole(notify) {
  role.notify = notify;
  const stop = (ev, el) => {
    if (canWrite() || !el) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    role.notify(t("forbiddenWrite"), "error");
  };
  document.addEventListener("click", (ev) => stop(ev, ev.target.closest(WRITE_CONTROLS)), true);
  document.addEventListener("submit", (ev) => stop(ev, ev.target.closest(WRITE_FORMS)), true);
  new MutationObserver(() => canWrite() || mark()).observe(document.body, { childList: true, subtree: true });
}
