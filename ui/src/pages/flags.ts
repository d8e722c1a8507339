/**
 * @module
 * Command-line flags (Prometheus's /flags), with a filter.
 */
import { h, mount } from "../dom.ts";
import { prom, loadInto } from "../api.ts";
import { kvTable } from "./kv.ts";

export default function flagsPage(root: HTMLElement): void {
  const body = h("div");
  let flags: Record<string, string> = {};
  const table = h("div");
  const filter = h("input", { type: "search", placeholder: "Filter flags", "aria-label": "Filter flags", oninput: () => draw() });
  const draw = () => mount(table, kvTable(Object.fromEntries(Object.entries(flags).filter(([k, v]) => `${k} ${v}`.toLowerCase().includes(filter.value.toLowerCase()))), ["Flag", "Value"]));
  root.replaceChildren(h("h1", null, "Command-line flags"), body);
  void loadInto(body, async () => (flags = (await prom<Record<string, string>>("/api/v1/status/flags")).data), () => {
    draw();
    return [h("div", { className: "toolbar" }, filter), table];
  });
}
