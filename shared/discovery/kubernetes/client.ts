/**
 * @module
 * The Kubernetes API's list and watch requests for discovery: resource
 * paths, query parameters, and the JSON they answer (a List with its
 * resourceVersion; a watch stream of one JSON event per line).
 */
import type { KubernetesSdConfig } from "../../config/types.ts";
import type { KubeObject } from "./objects.ts";
import { SELECTOR_RESOURCE, isNamespaced } from "./roles.ts";
import type { Resource } from "./roles.ts";
import type { WatchEvent } from "./store.ts";

const GROUP_PATH: Record<Resource, string> = {
  pods: "/api/v1",
  services: "/api/v1",
  endpoints: "/api/v1",
  nodes: "/api/v1",
  namespaces: "/api/v1",
  endpointslices: "/apis/discovery.k8s.io/v1",
  ingresses: "/apis/networking.k8s.io/v1",
};

/** Thrown when a watch's resourceVersion is too old (HTTP 410 or an ERROR event with code 410): list again. */
export class ResourceExpiredError extends Error {
  override name = "ResourceExpiredError";
}

/** `/api/v1/namespaces/<ns>/pods`, `/apis/discovery.k8s.io/v1/endpointslices`, … */
export function resourcePath(resource: Resource, namespace: string | undefined): string {
  const ns = namespace !== undefined && isNamespaced(resource) ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${GROUP_PATH[resource]}${ns}/${resource}`;
}

/** The URL of a list (no `watch`) or a watch from `resourceVersion`, with the config's selectors for that resource. */
export function requestUrl(cfg: KubernetesSdConfig, resource: Resource, namespace: string | undefined, watch?: { resourceVersion: string; timeoutSeconds: number }): string {
  const u = new URL(cfg.apiServer.replace(/\/+$/, "") + resourcePath(resource, namespace));
  const sel = cfg.selectors.find((s) => SELECTOR_RESOURCE[s.role] === resource);
  if (sel !== undefined && sel.label !== "") u.searchParams.set("labelSelector", sel.label);
  if (sel !== undefined && sel.field !== "") u.searchParams.set("fieldSelector", sel.field);
  if (watch !== undefined) {
    u.searchParams.set("watch", "1");
    u.searchParams.set("resourceVersion", watch.resourceVersion);
    u.searchParams.set("allowWatchBookmarks", "true");
    u.searchParams.set("timeoutSeconds", String(watch.timeoutSeconds));
  }
  return u.toString();
}

function describe(url: string, what: string): Error {
  return new Error(`${what} from ${url}`);
}

/** Parses a List response: its items and the resourceVersion to watch from. */
export function parseList(body: string, url: string): { items: KubeObject[]; resourceVersion: string } {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    throw describe(url, `invalid JSON (${(e as Error).message})`);
  }
  const d = data as { items?: unknown; metadata?: { resourceVersion?: unknown } };
  if (typeof d !== "object" || d === null || !Array.isArray(d.items)) throw describe(url, "expected a List with items");
  const items = d.items as KubeObject[];
  for (const o of items) {
    if (typeof o?.metadata?.name !== "string") throw describe(url, "list item without metadata.name");
  }
  return { items, resourceVersion: String(d.metadata?.resourceVersion ?? "") };
}

/**
 * Parses the lines of a watch stream read so far; a partial last line is
 * returned as `rest`. An ERROR event whose Status has code 410 means the
 * resourceVersion expired.
 */
export function parseWatchLines(text: string, url: string): { events: WatchEvent[]; rest: string } {
  const lines = text.split("\n");
  const rest = lines.pop() ?? "";
  const events: WatchEvent[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    let ev: WatchEvent;
    try {
      ev = JSON.parse(line) as WatchEvent;
    } catch (e) {
      throw describe(url, `invalid watch event (${(e as Error).message})`);
    }
    if (ev.type === "ERROR") {
      const st = ev.object as unknown as { code?: number; message?: string };
      if (st.code === 410) throw new ResourceExpiredError(st.message ?? "resource version too old");
      throw describe(url, `watch error: ${st.message ?? JSON.stringify(st)}`);
    }
    if (!["ADDED", "MODIFIED", "DELETED", "BOOKMARK"].includes(ev.type) || typeof ev.object?.metadata !== "object") {
      throw describe(url, `unexpected watch event ${line.slice(0, 100)}`);
    }
    events.push(ev);
  }
  return { events, rest };
}
