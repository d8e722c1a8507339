/**
 * @module
 * Access control for the whole HTTP API, as one hono middleware:
 *
 * - `WRITE_TOKEN` (secret, optional): every request that changes data
 *   (import, remote write, Pushgateway PUT/POST/DELETE and wipe, every
 *   admin endpoint, `/-/reload`) needs `Authorization: Bearer <WRITE_TOKEN>`.
 * - `READ_TOKEN` (secret, optional, off by default): every other request
 *   (query, series, labels, metadata, federate, targets, status, /metrics…)
 *   needs it, or the WRITE_TOKEN. With only READ_TOKEN set, writes need it too.
 * - `PUBLIC_PATHS` stay open whatever is set (health checks, the public
 *   status page).
 * - CORS as Prometheus's `--web.cors.origin` (default `.*`), `CORS_ORIGIN`.
 *
 * A refusal is 401 with `WWW-Authenticate: Bearer` and Prometheus's error
 * JSON; errorType is `not_acceptable` (Prometheus has no auth errorType: the
 * request is well-formed but not acceptable as sent; docs/compatibility.md).
 */
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { sameToken } from "../../shared/api/token.ts";

/** Paths that never need a token: health checks, the public status page, the /graph redirect. */
export const PUBLIC_PATHS: readonly string[] = ["/-/healthy", "/-/ready", "/status", "/graph"];
/** Path prefixes with a guard of their own: heartbeat pings carry HEARTBEAT_TOKEN, not an API token. */
const PUBLIC_PREFIXES: readonly string[] = ["/heartbeat/"];

/** Read endpoints that Prometheus also serves on POST (form-encoded parameters). */
const READ_POSTS = /^\/api\/v1\/(query|query_range|query_exemplars|format_query|parse_query|series|labels)$/;

/** Whether a request changes data: every method but GET/HEAD/OPTIONS, except the read APIs' POST forms. */
export function isWrite(method: string, path: string): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return false;
  return !(method === "POST" && READ_POSTS.test(path));
}

/** The tokens that grant a request, or undefined when it is open. */
export function requiredTokens(env: Pick<Env, "WRITE_TOKEN" | "READ_TOKEN">, method: string, path: string): string[] | undefined {
  if (PUBLIC_PATHS.includes(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p))) return undefined;
  const write = env.WRITE_TOKEN || undefined;
  const read = env.READ_TOKEN || undefined;
  if (isWrite(method, path)) return write ? [write] : read ? [read] : undefined;
  return read ? [read, ...(write ? [write] : [])] : undefined;
}

// Prometheus's httputil.SetCORS headers.
const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, Origin",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Expose-Headers": "Date",
  Vary: "Origin",
};

let corsCache: { source: string; re: RegExp } | undefined;
function corsRegex(source: string): RegExp {
  if (corsCache?.source !== source) corsCache = { source, re: new RegExp(`^(?:${source})$`, "u") };
  return corsCache.re;
}

/** The CORS headers for a request's Origin, as Prometheus sets them ({} without an Origin or when it does not match). */
export function corsHeaders(origin: string | undefined, allowed = ".*"): Record<string, string> {
  if (!origin) return {};
  if (allowed === ".*") return { ...CORS_HEADERS, "Access-Control-Allow-Origin": "*" };
  return corsRegex(allowed).test(origin) ? { ...CORS_HEADERS, "Access-Control-Allow-Origin": origin } : { ...CORS_HEADERS };
}

export function accessControl(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    for (const [k, v] of Object.entries(corsHeaders(c.req.header("origin"), c.env.CORS_ORIGIN || ".*"))) c.header(k, v);
    // A CORS preflight carries no credentials; Prometheus answers it on every API path.
    if (c.req.method === "OPTIONS") return c.body(null, 200);
    const tokens = requiredTokens(c.env, c.req.method, path);
    if (tokens) {
      const h = c.req.header("authorization") ?? "";
      const given = h.startsWith("Bearer ") ? h.slice(7) : undefined;
      if (given === undefined || !tokens.some((t) => sameToken(given, t))) {
        c.header("WWW-Authenticate", 'Bearer realm="pyrometer"');
        throw new ApiError("not_acceptable", given === undefined ? "missing bearer token (Authorization: Bearer <token>)" : "wrong bearer token", 401);
      }
    }
    await next();
  };
}
