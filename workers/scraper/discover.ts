/**
 * @module
 * Runs one service discovery of a job with the Worker's fetch (bounded by a
 * timeout): http_sd by fetching its URL, dns_sd by DNS-over-HTTPS,
 * kubernetes_sd by list + watch against the API server.
 */
import type { ScrapeConfig } from "../../shared/config/types.ts";
import type { TargetGroup } from "../../shared/discovery/target-group.ts";
import { refreshHttpSd, refreshDnsSd } from "../../shared/discovery/refresh.ts";
import { KubernetesDiscovery } from "../../shared/discovery/kubernetes/index.ts";

const SD_TIMEOUT_MS = 30_000;

const timedFetch = (input: string, init?: RequestInit) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(SD_TIMEOUT_MS) });

/** Kubernetes discoveries keep their objects and resourceVersions between refreshes (per isolate; an evicted object lists again). */
const kubernetes = new Map<string, { config: string; d: KubernetesDiscovery }>();

/** `id` is `<job>/http_sd/<i>`, `<job>/dns_sd/<i>` or `<job>/kubernetes_sd/<i>`, as the scheduler names its discoverers. */
export async function discover(sc: ScrapeConfig, id: string): Promise<TargetGroup[]> {
  const [, kind, index] = id.split("/") as [string, string, string];
  const i = Number(index);
  if (kind === "http_sd") return refreshHttpSd(sc.httpSdConfigs[i]!, timedFetch);
  if (kind === "dns_sd") return refreshDnsSd(sc.dnsSdConfigs[i]!, timedFetch);
  if (kind === "kubernetes_sd") {
    const cfg = sc.kubernetesSdConfigs[i]!;
    const text = JSON.stringify(cfg);
    let k = kubernetes.get(id);
    if (k === undefined || k.config !== text) kubernetes.set(id, (k = { config: text, d: new KubernetesDiscovery(cfg) }));
    return k.d.refresh(timedFetch);
  }
  throw new Error(`unknown discoverer ${id}`);
}
