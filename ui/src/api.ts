/**
 * @module
 * Client for the public HTTP APIs (Prometheus's `/api/v1`, Alertmanager's
 * `/api/v2`) on the page's own origin. A read token, when the server asks
 * for one (401), is kept in localStorage and sent as a bearer token.
 */
import { h, mount } from "./dom.ts";
import type { Child } from "./dom.ts";

const TOKEN_KEY = "pyrometer.readToken";

/** The endpoint is not served here (404/405/501 or not JSON): the page shows "not available". */
export class ApiUnavailable extends Error {
  constructor(readonly path: string, readonly status: number) {
    super(`${path} is not available on this server (HTTP ${status})`);
  }
}

/** The server asked for a read token (401/403). */
export class ApiUnauthorized extends Error {
  constructor(readonly path: string) {
    super(`${path} needs a read token`);
  }
}

/** The API answered with Prometheus's error envelope. */
export class ApiFailure extends Error {
  constructor(readonly errorType: string, message: string, readonly status: number) {
    super(message);
  }
}

export function authHeaders(): Record<string, string> {
  const t = localStorage.getItem(TOKEN_KEY);
  return t ? { authorization: `Bearer ${t}` } : {};
}

/** fetch() with the read token added, for clients (the PromQL editor's) that take a fetch function. */
export const authFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, headers: { ...authHeaders(), ...(init?.headers as Record<string, string> | undefined) } });

/** Raw JSON from `path` (Alertmanager's v2 API has no envelope). */
export async function json<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await authFetch(path, init);
  } catch (e) {
    throw new ApiUnavailable(path, 0);
  }
  if (res.status === 401 || res.status === 403) throw new ApiUnauthorized(path);
  if ([404, 405, 501].includes(res.status)) throw new ApiUnavailable(path, res.status);
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    if (!res.ok) throw new ApiFailure("http", text.trim() || res.statusText, res.status);
    throw new ApiUnavailable(path, res.status);
  }
  const env = body as { status?: string; errorType?: string; error?: string } | null;
  if (env && env.status === "error") throw new ApiFailure(env.errorType ?? "error", env.error ?? "error", res.status);
  if (!res.ok) throw new ApiFailure("http", typeof body === "string" ? body : JSON.stringify(body), res.status);
  return body as T;
}

export interface Envelope<T> {
  status: "success";
  data: T;
  warnings?: string[];
  infos?: string[];
}

/** A Prometheus `/api/v1` call; GET with `params` in the query string. */
export async function prom<T>(path: string, params: Record<string, string | number> = {}): Promise<Envelope<T>> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const qs = q.toString();
  return json<Envelope<T>>(qs ? `${path}?${qs}` : path);
}

/** How a page shows a failed call: "not available", a token form, or the error. */
export function errorView(e: unknown, onRetry: () => void): HTMLElement {
  if (e instanceof ApiUnavailable) {
    return h("div", { className: "notice", role: "status" },
      h("strong", null, "Not available. "),
      `This page needs ${e.path.split("?")[0]}, which this server does not serve yet (HTTP ${e.status || "no answer"}).`);
  }
  if (e instanceof ApiUnauthorized) {
    const input = h("input", { type: "password", placeholder: "read token", "aria-label": "Read token" });
    return h("form", {
      className: "notice",
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        localStorage.setItem(TOKEN_KEY, input.value);
        onRetry();
      },
    }, h("strong", null, "This server needs a read token. "), input, " ", h("button", { type: "submit" }, "Use token"));
  }
  return h("div", { className: "error", role: "alert" }, e instanceof ApiFailure ? `Error (${e.errorType}): ${e.message}` : `Error: ${String(e)}`);
}

/** Loads with `load`, then draws with `draw`, showing a clear state while loading and on failure. */
export async function loadInto<T>(el: HTMLElement, load: () => Promise<T>, draw: (data: T) => Child): Promise<void> {
  mount(el, h("p", { className: "muted" }, "Loading…"));
  try {
    mount(el, draw(await load()));
  } catch (e) {
    el.replaceChildren(errorView(e, () => void loadInto(el, load, draw)));
  }
}
