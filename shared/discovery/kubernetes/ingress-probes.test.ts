/**
 * The shipped "probe every Ingress" example: parsed as a prometheus.yml, its
 * relabeling turns discovered Ingress rules into /probe targets on
 * Pyrometer's own address with the right `target` parameter.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePrometheusConfig } from "../../config/index.ts";
import { buildTargets } from "../targets.ts";
import { buildGroups } from "./roles.ts";
import { ObjectStore } from "./store.ts";
import * as fx from "../../../test/fixtures/kubernetes/objects.ts";

describe("config/examples/kubernetes-ingress-probes.yml", () => {
  const path = resolve(import.meta.dirname, "../../../config/examples/kubernetes-ingress-probes.yml");
  const sc = parsePrometheusConfig(readFileSync(path, "utf8"), "kubernetes-ingress-probes.yml").scrapeConfigs[0]!;

  it("probes each opted-in Ingress host and path through /probe", () => {
    const ing = fx.ingress();
    ing.metadata.annotations = { "prometheus.io/probe": "true" };
    const skipped = fx.ingress();
    skipped.metadata.name = "internal";
    const store = new ObjectStore();
    store.replace("ingresses", undefined, [ing, skipped]);
    const built = buildGroups("ingress", store, { node: false, namespace: false }).flatMap((g) => buildTargets(sc, g));
    const active = built.filter((t) => !t.dropped);
    expect(active.map((t) => (t.dropped ? "" : t.scrapeUrl))).toEqual([
      "http://localhost:8787/probe?module=http_2xx&target=http%3A%2F%2Fexample.com%2F",
      "http://localhost:8787/probe?module=http_2xx&target=http%3A%2F%2Fexample.com%2Ffoo",
      "http://localhost:8787/probe?module=http_2xx&target=https%3A%2F%2Ftest.example.com%2F",
      "http://localhost:8787/probe?module=http_2xx&target=https%3A%2F%2Fnohttp.example.com%2F",
    ]);
    const first = active[0]!;
    if (first.dropped) throw new Error("unreachable");
    expect(Object.fromEntries(first.labels.map((l) => [l.name, l.value]))).toEqual({
      instance: "http://example.com/", job: "kubernetes-ingresses", namespace: "default", ingress: "testingress",
    });
    expect(built.filter((t) => t.dropped)).toHaveLength(4);
  });
});
