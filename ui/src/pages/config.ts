/**
 * @module
 * Configuration (Prometheus's /config): the loaded YAML, secrets hidden.
 */
import { h } from "../dom.ts";
import { prom, loadInto } from "../api.ts";
import { hideSecrets } from "../lib/secrets.ts";

export default function configPage(root: HTMLElement): void {
  const body = h("div");
  root.replaceChildren(h("h1", null, "Configuration"), body);
  void loadInto(body, async () => (await prom<{ yaml: string }>("/api/v1/status/config")).data.yaml, (yaml) =>
    h("pre", { className: "config", tabindex: 0 }, h("code", null, hideSecrets(yaml))));
}
