/**
 * @module
 * A two-column table of name/value pairs (flags, runtime and build info).
 */
import { h } from "../dom.ts";

export function kvTable(obj: Record<string, unknown>, headers: [string, string] = ["Name", "Value"]): HTMLElement {
  return h("table", null,
    h("thead", null, h("tr", null, h("th", null, headers[0]), h("th", null, headers[1]))),
    h("tbody", null, Object.keys(obj).sort().map((k) => h("tr", null, h("td", null, h("code", null, k)), h("td", null, String(obj[k] ?? ""))))));
}
