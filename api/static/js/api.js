// The HTTP API as the page sees it: one fetch wrapper that sends the key, parses
// the one error shape and tells the page when a key is needed (401).

const KEY = "chainmatch.apiKey";

export function getKey() {
  return sessionStorage.getItem(KEY) || "";
}

export function setKey(key) {
  if (key) sessionStorage.setItem(KEY, key.trim());
  else sessionStorage.removeItem(KEY);
}

/** An API error: status, stable code, English and Chinese messages, field details. */
export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || "http_" + status;
    this.messageZh = err.message_zh || this.message;
    this.details = err.details || [];
  }
}

let onUnauthorized = () => {};

/** Call ``fn(error)`` whenever the API answers 401 (no key, or a wrong one). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, v);
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

async function request(method, path, { params, body } = {}) {
  const headers = { Accept: "application/json" };
  const key = getKey();
  if (key) headers.Authorization = "Bearer " + key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path + query(params), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const text = await resp.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!resp.ok) {
    const error = new ApiError(resp.status, data);
    if (resp.status === 401) onUnauthorized(error);
    throw error;
  }
  return data;
}

/** fetch with the key; a refused answer throws ApiError (its JSON body read when there is one). */
async function fetchOk(path, init = {}) {
  const headers = { ...(init.headers || {}) };
  const key = getKey();
  if (key) headers.Authorization = "Bearer " + key;
  const resp = await fetch(path, { ...init, headers });
  if (!resp.ok) {
    let data = null;
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
    const error = new ApiError(resp.status, data);
    if (resp.status === 401) onUnauthorized(error);
    throw error;
  }
  return resp;
}

/** POST JSON and take the answer as a file (Blob), e.g. the .xlsx export. */
export async function postForBlob(path, body) {
  const resp = await fetchOk(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  return resp.blob();
}

export const get = (path, params) => request("GET", path, { params });
export const post = (path, body, params) => request("POST", path, { body, params });
export const patch = (path, body) => request("PATCH", path, { body });
export const del = (path) => request("DELETE", path);

/** The file name of a Content-Disposition header: the UTF-8 ``filename*`` when there is one, else ``filename``.
 * Example: fileName('attachment; filename="a.xlsx"; filename*=UTF-8\'\'%E6%8A%A5%E5%91%8A.xlsx') → "报告.xlsx" */
export function fileName(header, fallback = "download") {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header || "");
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/i.exec(header || "");
  return plain ? plain[1] : fallback;
}

/** GET a file with the key: {blob, filename}, the name from Content-Disposition (its UTF-8 filename* first). */
export async function getFile(path, params, fallback = "download") {
  const resp = await fetchOk(path + query(params));
  return { blob: await resp.blob(), filename: fileName(resp.headers.get("Content-Disposition"), fallback) };
}

// The calls the workbench makes, in one place.
export const api = {
  ready: () => get("/ready"),
  whoami: () => get("/whoami"),
  chains: () => get("/chains", { limit: 100 }),
  chain: (id) => get("/chains/" + encodeURIComponent(id)),
  regions: () => get("/regions", { limit: 500 }),
  chainMap: (region, chain) => get("/analysis/chain-map", { region, chain }),
  gaps: (region, chain) => get("/analysis/gaps", { region, chain }),
  dependence: (region, chain) => get("/analysis/dependence", { region, chain, top: 10 }),
  compare: (regions, chain) => get("/analysis/compare", { regions, chain }),
  search: (q, region, limit = 20) => get("/search", { q, region, limit }),
  searchWith: (q, filters) => get("/search", { q, ...filters }),
  organisation: (id) => get("/organisations/" + encodeURIComponent(id)),
  gapTargets: (region, chain, offset = 0) => get("/recommendations", { region, chain, per_gap: 10, limit: 100, offset }),
  organisationsById: (ids) => get("/organisations", { id: ids }), // at most 200 ids, one call
  recommendations: (region, segment, limit = 20) => get("/recommendations", { region, segment, limit }),
  introducers: (target, region, limit = 10) => get("/introducers", { target, region, limit }),
  proposeCampaign: (targets, region) => post("/campaigns/propose", { targets, region }),
  partners: (body, limit = 15) => post("/partners", body, { limit }),
  outcome: (body) => post("/outcomes", body),
  members: (region, segment, limit = 200) => get("/organisations", { region, segment, limit }),
  confirm: (body) => post("/classify/confirm", body),
  reject: (body) => post("/classify/reject", body),
  projects: (params) => get("/projects", params),
  projectStats: (params) => get("/projects/stats", params),
  createProject: (body) => post("/projects", body),
  moveProject: (id, body) => post("/projects/" + encodeURIComponent(id) + "/move", body),
};
