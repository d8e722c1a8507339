/**
 * @module
 * Runtime and build information (Prometheus's /status page; Pyrometer's
 * /status is the public status page, so this lives at /runtime).
 */
import { h } from "../dom.ts";
import { prom, loadInto } from "../api.ts";
import { kvTable } from "./kv.ts";

export default function runtimePage(root: HTMLElement): void {
  const build = h("div");
  const runtime = h("div");
  root.replaceChildren(h("h1", null, "Runtime & build information"), h("h2", null, "Build information"), build, h("h2", null, "Runtime information"), runtime);
  void loadInto(build, async () => (await prom<Record<string, unknown>>("/api/v1/status/buildinfo")).data, (d) => kvTable(d));
  void loadInto(runtime, async () => (await prom<Record<string, unknown>>("/api/v1/status/runtimeinfo")).data, (d) => kvTable(d));
}
