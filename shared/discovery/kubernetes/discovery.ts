/**
 * @module
 * Kubernetes service discovery as a Worker can run it: list each resource a
 * role needs once, then on every refresh watch from the last
 * resourceVersion for a short window and apply the events (list + watch
 * polling instead of client-go's long-lived informers). An expired
 * resourceVersion (410) lists again; a failed request throws, and the caller
 * keeps the last target groups, as Prometheus does while the API server is
 * down.
 */
import type { KubernetesSdConfig } from "../../config/types.ts";
import { httpClientHeaders } from "../refresh.ts";
import type { FetchFn } from "../refresh.ts";
import type { TargetGroup } from "../target-group.ts";
import { ResourceExpiredError, parseList, parseWatchLines, requestUrl } from "./client.ts";
import { buildGroups, isNamespaced, roleResources } from "./roles.ts";
import type { Resource } from "./roles.ts";
import { ObjectStore } from "./store.ts";

/** How long one refresh listens to a watch before closing it; events already sent arrive well within it. */
export const WATCH_WINDOW_MS = 500;
/** How often Pyrometer polls the API server (Prometheus watches continuously). */
export const KUBERNETES_REFRESH_MS = 10_000;
const USER_AGENT = "Pyrometer/0.1 (Prometheus/3.14.0 compatible)";

interface Stream {
  resource: Resource;
  namespace: string | undefined;
  resourceVersion: string | undefined;
}

export class KubernetesDiscovery {
  readonly #cfg: KubernetesSdConfig;
  readonly #store = new ObjectStore();
  readonly #streams: Stream[] = [];
  /** Counted requests, for the cost figures. */
  requests = 0;

  constructor(cfg: KubernetesSdConfig) {
    this.#cfg = cfg;
    for (const resource of roleResources(cfg.role, cfg.attachMetadata)) {
      const namespaces = isNamespaced(resource) && cfg.namespaces.length > 0 ? cfg.namespaces : [undefined];
      for (const namespace of namespaces) this.#streams.push({ resource, namespace, resourceVersion: undefined });
    }
  }

  /** Brings every resource up to date and returns the role's target groups. */
  async refresh(fetchFn: FetchFn): Promise<TargetGroup[]> {
    await Promise.all(this.#streams.map((s) => this.#sync(s, fetchFn)));
    return buildGroups(this.#cfg.role, this.#store, this.#cfg.attachMetadata);
  }

  #headers(): Headers {
    const h = httpClientHeaders(this.#cfg.httpClient);
    h.set("Accept", "application/json");
    h.set("User-Agent", USER_AGENT);
    return h;
  }

  async #sync(s: Stream, fetchFn: FetchFn): Promise<void> {
    if (s.resourceVersion !== undefined) {
      try {
        await this.#watch(s, fetchFn);
        return;
      } catch (e) {
        if (!(e instanceof ResourceExpiredError)) throw e;
      }
    }
    await this.#list(s, fetchFn);
  }

  async #list(s: Stream, fetchFn: FetchFn): Promise<void> {
    const url = requestUrl(this.#cfg, s.resource, s.namespace);
    this.requests++;
    const res = await fetchFn(url, { headers: this.#headers() });
    if (res.status !== 200) throw new Error(`listing ${s.resource} at ${url}: server returned HTTP status ${res.status} ${res.statusText}`.trimEnd());
    const { items, resourceVersion } = parseList(await res.text(), url);
    this.#store.replace(s.resource, s.namespace, items);
    s.resourceVersion = resourceVersion;
  }

  async #watch(s: Stream, fetchFn: FetchFn): Promise<void> {
    const url = requestUrl(this.#cfg, s.resource, s.namespace, { resourceVersion: s.resourceVersion!, timeoutSeconds: 1 });
    const abort = new AbortController();
    this.requests++;
    const res = await fetchFn(url, { headers: this.#headers(), signal: abort.signal });
    if (res.status === 410) throw new ResourceExpiredError(`resourceVersion ${s.resourceVersion} expired`);
    if (res.status !== 200 || res.body === null) throw new Error(`watching ${s.resource} at ${url}: server returned HTTP status ${res.status} ${res.statusText}`.trimEnd());
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    // The window ends the watch even if the runtime does not end the body on abort.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const closed = new Promise<{ done: true; value: undefined }>((ok) => {
      timer = setTimeout(() => ok({ done: true, value: undefined }), WATCH_WINDOW_MS);
    });
    let buf = "";
    try {
      for (;;) {
        const chunk = await Promise.race([reader.read(), closed]);
        if (chunk.done) break;
        buf += chunk.value;
        const { events, rest } = parseWatchLines(buf, url);
        buf = rest;
        for (const ev of events) {
          this.#store.apply(s.resource, ev);
          // Every event, bookmarks included, moves the point to resume from.
          const rv = ev.object.metadata.resourceVersion;
          if (rv !== undefined && rv !== "") s.resourceVersion = rv;
        }
      }
    } finally {
      clearTimeout(timer);
      abort.abort();
      reader.cancel().catch(() => {});
    }
  }
}
