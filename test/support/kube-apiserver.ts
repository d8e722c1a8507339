/**
 * @module
 * A Kubernetes API server stand-in for discovery tests (no real API server
 * can run here): list and watch for nodes, namespaces, pods, services,
 * endpoints, endpointslices and ingresses, in the API's JSON, with
 * resourceVersions, watch events, bookmarks, 410 Gone for a compacted
 * resourceVersion, namespaced paths and equality label selectors. The same
 * handler serves in-process (as a fetch function) and over HTTP on loopback.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { KubeObject } from "../../shared/discovery/kubernetes/index.ts";

type Resource = "pods" | "services" | "endpoints" | "endpointslices" | "ingresses" | "nodes" | "namespaces";
const RESOURCES: Resource[] = ["pods", "services", "endpoints", "endpointslices", "ingresses", "nodes", "namespaces"];

interface Event {
  rv: number;
  resource: Resource;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

function matchesSelector(o: KubeObject, selector: string | null): boolean {
  if (selector === null || selector === "") return true;
  return selector.split(",").every((req) => {
    const [k, v] = req.split("=") as [string, string];
    return o.metadata.labels?.[k] === v;
  });
}

export class KubeApiServer {
  #rv = 100;
  readonly #objects = new Map<string, { resource: Resource; object: KubeObject }>();
  readonly #events: Event[] = [];
  /** Events at or below this resourceVersion are forgotten (etcd compaction): older watches get 410. */
  #compactedTo = 0;
  readonly requests: string[] = [];
  /** The Authorization header of each request. */
  readonly authorizations: string[] = [];
  #down = false;
  #server: Server | undefined;

  static #key(resource: Resource, o: KubeObject): string {
    return `${resource}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  }

  #record(resource: Resource, type: Event["type"], object: KubeObject): void {
    const rv = ++this.#rv;
    const stamped = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    if (type === "DELETED") this.#objects.delete(KubeApiServer.#key(resource, object));
    else this.#objects.set(KubeApiServer.#key(resource, object), { resource, object: stamped });
    this.#events.push({ rv, resource, type, object: stamped });
  }

  add(resource: Resource, o: KubeObject): void {
    this.#record(resource, "ADDED", o);
  }

  modify(resource: Resource, o: KubeObject): void {
    this.#record(resource, "MODIFIED", o);
  }

  delete(resource: Resource, o: KubeObject): void {
    this.#record(resource, "DELETED", o);
  }

  /** Forget the event history, as etcd compaction does: watches from older versions get 410 Gone. */
  compact(): void {
    this.#compactedTo = this.#rv;
  }

  /** While down, every request fails with 503. */
  setDown(down: boolean): void {
    this.#down = down;
  }

  /** Serves one request (also usable directly as a fetch function). */
  fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input);
    this.requests.push(url.pathname + url.search);
    this.authorizations.push(new Headers(init?.headers).get("authorization") ?? "");
    if (this.#down) return new Response(JSON.stringify({ kind: "Status", code: 503, message: "down" }), { status: 503 });
    const m = /^\/(?:api\/v1|apis\/discovery\.k8s\.io\/v1|apis\/networking\.k8s\.io\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(url.pathname);
    const resource = m?.[2] as Resource | undefined;
    if (m === null || resource === undefined || !RESOURCES.includes(resource)) return new Response("404 page not found", { status: 404 });
    const namespace = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    const selector = url.searchParams.get("labelSelector");
    const visible = (o: KubeObject) => (namespace === undefined || o.metadata.namespace === namespace) && matchesSelector(o, selector);
    if (url.searchParams.get("watch") !== "1") {
      const items = [...this.#objects.values()].filter((e) => e.resource === resource && visible(e.object)).map((e) => e.object);
      return Response.json({ kind: "List", apiVersion: "v1", metadata: { resourceVersion: String(this.#rv) }, items });
    }
    const from = Number(url.searchParams.get("resourceVersion") ?? "0");
    if (from < this.#compactedTo) {
      // The API server answers an expired resourceVersion with an ERROR event carrying a 410 Status.
      const status = { kind: "Status", apiVersion: "v1", status: "Failure", message: `too old resource version: ${from} (${this.#compactedTo})`, reason: "Expired", code: 410 };
      return new Response(JSON.stringify({ type: "ERROR", object: status }) + "\n", { headers: { "content-type": "application/json" } });
    }
    const lines = this.#events
      .filter((e) => e.rv > from && e.resource === resource && visible(e.object))
      .map((e) => JSON.stringify({ type: e.type, object: e.object }) + "\n");
    if (url.searchParams.get("allowWatchBookmarks") === "true") {
      lines.push(JSON.stringify({ type: "BOOKMARK", object: { kind: "Bookmark", metadata: { name: "", resourceVersion: String(this.#rv) } } }) + "\n");
    }
    const timeoutMs = Number(url.searchParams.get("timeoutSeconds") ?? "5") * 1000;
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const l of lines) controller.enqueue(enc.encode(l));
        // The connection stays open until the watch's timeout or the client leaves.
        const end = () => {
          try {
            controller.close();
          } catch { /* already closed */ }
        };
        const timer = setTimeout(end, timeoutMs);
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          end();
        });
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  };

  /** Listens on 127.0.0.1 (a free port) and returns the base URL. */
  async listen(): Promise<string> {
    this.#server = createServer(async (req, res) => {
      const ac = new AbortController();
      res.on("close", () => ac.abort());
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const r = await this.fetch(`http://127.0.0.1${req.url}`, { signal: ac.signal, headers });
      res.writeHead(r.status, Object.fromEntries(r.headers));
      if (r.body === null) return res.end();
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
      res.end();
    });
    await new Promise<void>((ok) => this.#server!.listen(0, "127.0.0.1", ok));
    const addr = this.#server.address() as { port: number };
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((ok) => (this.#server ? this.#server.close(() => ok()) : ok()));
  }
}
