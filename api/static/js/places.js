// Places by name: a region id (cn/guangdong/shenzhen/nanshan) as the page shows it (南山区, 深圳市南山区),
// from the catalogue's regions; an id the catalogue lacks is named by its nearest known parent.

import { nameOf } from "./i18n.js";

let byId = new Map();

export function setRegions(regions) {
  byId = new Map(regions.map((r) => [r.id, r]));
}

/** The nearest catalogued region at or above ``id`` (null when none is known). */
export function regionRecord(id) {
  let cur = id || "";
  while (cur) {
    if (byId.has(cur)) return byId.get(cur);
    cur = cur.includes("/") ? cur.slice(0, cur.lastIndexOf("/")) : "";
  }
  return null;
}

/** The region's own name (南山区); "" for none. */
export function placeName(id) {
  const r = regionRecord(id);
  return r ? nameOf(r) : "";
}

/** The region with its city above it when it is a district (深圳市南山区), for a firm's location. */
export function placeLong(id) {
  const r = regionRecord(id);
  if (!r) return "";
  if (r.level !== "district") return nameOf(r);
  const city = regionRecord(r.id.slice(0, r.id.lastIndexOf("/")));
  return city ? `${nameOf(city)}${nameOf(r) === r.name_en ? " " : ""}${nameOf(r)}` : nameOf(r);
}

/** Province and city ids of a region id (cn/guangdong, cn/guangdong/shenzhen); "" where the id stops short. */
export function provinceCity(id) {
  const parts = (id || "").split("/");
  return { province: parts.length >= 2 ? parts.slice(0, 2).join("/") : "", city: parts.length >= 3 ? parts.slice(0, 3).join("/") : "" };
}
