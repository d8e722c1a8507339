/**
 * @module
 * The `http` prober: blackbox_exporter's HTTPProbe options and its result
 * evaluation (status codes, TLS, body and header regexes, redirects), over
 * an injected fetch. Redirects are followed here (fetch runs with
 * redirect: "manual") so they can be counted and limited as Go's client does.
 */
import { decode, YamlStruct } from "../config/yaml-reader.ts";
import { HTTP_CLIENT_FIELDS, readHttpClient } from "../config/http-client.ts";
import type { HttpClientConfig } from "../config/types.ts";
import { abortable, errorText, recordIpLiteral } from "./context.ts";
import type { ProbeContext } from "./context.ts";
import { compileSearch, searchMatches } from "./regex.ts";
import { recordCertificateExpiry } from "./tls-cert.ts";
import { readBodyLimited } from "../http/read-body.ts";
import type { SearchRegex } from "./regex.ts";

export const USER_AGENT = "Pyrometer/0.1 (blackbox_exporter/0.28 compatible)";
/** Go's http.Client stops after this many redirects. */
export const MAX_REDIRECTS = 10;

export interface HeaderMatch {
  header: string;
  regexp: SearchRegex;
  allowMissing: boolean;
}

export interface HttpProbeConfig {
  validStatusCodes: number[];
  method: string;
  headers: Record<string, string>;
  body: string;
  bodySizeLimit: number;
  compression: string;
  failIfSsl: boolean;
  failIfNotSsl: boolean;
  failIfBodyMatchesRegexp: SearchRegex[];
  failIfBodyNotMatchesRegexp: SearchRegex[];
  failIfHeaderMatches: HeaderMatch[];
  failIfHeaderNotMatches: HeaderMatch[];
  client: HttpClientConfig;
}

const HEADER_MATCH_FIELDS = ["header", "regexp", "allow_missing"];

export const HTTP_PROBE_FIELDS = [
  "valid_status_codes", "valid_http_versions", "preferred_ip_protocol", "ip_protocol_fallback",
  "skip_resolve_phase_with_proxy", "no_follow_redirects", "fail_if_ssl", "fail_if_not_ssl", "method", "headers",
  "fail_if_body_matches_regexp", "fail_if_body_not_matches_regexp", "fail_if_header_matches",
  "fail_if_header_not_matches", "body", "body_file", "compression", "body_size_limit",
  ...HTTP_CLIENT_FIELDS,
];

const COMPRESSIONS = ["", "gzip", "br", "deflate", "identity"];

function regexList(s: YamlStruct, field: string): SearchRegex[] {
  return s.list(field, "[]config.Regexp", (n) => {
    const src = decode.string(s.file, n);
    try {
      return compileSearch(src);
    } catch (e) {
      throw s.file.error(n, `"Could not compile regular expression" regexp=${JSON.stringify(src)}: ${errorText(e)}`);
    }
  });
}

function headerMatches(s: YamlStruct, field: string): HeaderMatch[] {
  return s.list(field, "[]config.HeaderMatch", (n) => {
    const m = new YamlStruct(s.file, n, "config.HeaderMatch", HEADER_MATCH_FIELDS, s.lineOf(field));
    const header = m.string("header");
    if (header === "") throw m.error(undefined, "header name must be set for HTTP header matchers");
    const src = m.string("regexp");
    if (src === "") throw m.error(undefined, "regexp must be set for HTTP header matchers");
    let regexp: SearchRegex;
    try {
      regexp = compileSearch(src);
    } catch (e) {
      throw m.error("regexp", errorText(e));
    }
    return { header, regexp, allowMissing: m.bool("allow_missing", false) };
  });
}

export function parseHttpProbe(s: YamlStruct): HttpProbeConfig {
  const client = readHttpClient(s, { followRedirects: true, enableHttp2: true });
  if (s.bool("no_follow_redirects", false)) client.followRedirects = false;
  const compression = s.string("compression");
  if (!COMPRESSIONS.includes(compression)) throw s.error("compression", `invalid compression algorithm "${compression}"`);
  const headers = s.stringMap("headers");
  const accept = Object.entries(headers).find(([k]) => k.toLowerCase() === "accept-encoding")?.[1];
  if (compression !== "" && accept !== undefined && !accept.split(",").some((e) => e.trim().split(";")[0] === compression)) {
    throw s.error("compression", `invalid configuration "Accept-Encoding: ${accept}", "compression: ${compression}"`);
  }
  const protocol = s.string("preferred_ip_protocol");
  if (!["", "ip4", "ip6"].includes(protocol)) throw s.error("preferred_ip_protocol", `invalid preferred_ip_protocol "${protocol}"`);
  if (s.has("body_file")) throw s.error("body_file", "body_file is not supported on Cloudflare Workers: Workers have no file system; write the body inline with body");
  if (s.stringList("valid_http_versions").length > 0) {
    throw s.error("valid_http_versions", "valid_http_versions is not supported on Cloudflare Workers: fetch() does not tell which HTTP version answered");
  }
  if (s.bool("skip_resolve_phase_with_proxy", false)) {
    throw s.error("skip_resolve_phase_with_proxy", "skip_resolve_phase_with_proxy is not supported on Cloudflare Workers: outbound requests cannot go through a proxy");
  }
  const validStatusCodes = s.list("valid_status_codes", "[]int", (n) => decode.uint(s.file, n));
  return {
    validStatusCodes,
    method: s.string("method") || "GET",
    headers,
    body: s.string("body"),
    bodySizeLimit: s.bytes("body_size_limit"),
    compression,
    failIfSsl: s.bool("fail_if_ssl", false),
    failIfNotSsl: s.bool("fail_if_not_ssl", false),
    failIfBodyMatchesRegexp: regexList(s, "fail_if_body_matches_regexp"),
    failIfBodyNotMatchesRegexp: regexList(s, "fail_if_body_not_matches_regexp"),
    failIfHeaderMatches: headerMatches(s, "fail_if_header_matches"),
    failIfHeaderNotMatches: headerMatches(s, "fail_if_header_not_matches"),
    client,
  };
}

/** The final response, as the evaluation sees it. */
export interface HttpOutcome {
  status: number;
  headers: Headers;
  /** The final URL (after redirects). */
  url: string;
  body: string;
}

function headerValues(h: Headers, name: string): string[] {
  if (name.toLowerCase() === "set-cookie") return h.getSetCookie();
  const v = h.get(name);
  return v === null ? [] : [v];
}

/** blackbox's matchRegularExpressionsOnHeaders. */
export function headersPass(cfg: HttpProbeConfig, h: Headers, log: ProbeContext["log"]): boolean {
  for (const spec of cfg.failIfHeaderMatches) {
    const values = headerValues(h, spec.header);
    if (values.length === 0) {
      if (!spec.allowMissing) return (log("error", "Missing required header", { header: spec.header }), false);
      continue;
    }
    if (values.some((v) => searchMatches(spec.regexp, v))) {
      return (log("error", "Header matched regular expression", { header: spec.header, regexp: spec.regexp.source }), false);
    }
  }
  for (const spec of cfg.failIfHeaderNotMatches) {
    const values = headerValues(h, spec.header);
    if (values.length === 0) {
      if (!spec.allowMissing) return (log("error", "Missing required header", { header: spec.header }), false);
      continue;
    }
    if (!values.some((v) => searchMatches(spec.regexp, v))) {
      return (log("error", "Header did not match regular expression", { header: spec.header, regexp: spec.regexp.source }), false);
    }
  }
  return true;
}

/** blackbox's matchRegularExpressions over the body. */
export function bodyPasses(cfg: HttpProbeConfig, body: string, log: ProbeContext["log"]): boolean {
  for (const re of cfg.failIfBodyMatchesRegexp) {
    if (searchMatches(re, body)) return (log("error", "Body matched regular expression", { regexp: re.source }), false);
  }
  for (const re of cfg.failIfBodyNotMatchesRegexp) {
    if (!searchMatches(re, body)) return (log("error", "Body did not match regular expression", { regexp: re.source }), false);
  }
  return true;
}

export function statusValid(cfg: HttpProbeConfig, status: number): boolean {
  return cfg.validStatusCodes.length > 0 ? cfg.validStatusCodes.includes(status) : status >= 200 && status < 300;
}

/**
 * Whether the final response passes the module's checks, in blackbox's order:
 * status, headers, body (the two regex checks set probe_failed_due_to_regex),
 * then TLS.
 */
export function evaluateHttp(cfg: HttpProbeConfig, r: HttpOutcome, ctx: Pick<ProbeContext, "log" | "metrics">): boolean {
  const failedDueToRegex = ctx.metrics.gauge("probe_failed_due_to_regex");
  let success = statusValid(cfg, r.status);
  if (!success) ctx.log("info", "Invalid HTTP response status code", { status_code: r.status, valid_status_codes: cfg.validStatusCodes });
  if (success && (cfg.failIfHeaderMatches.length > 0 || cfg.failIfHeaderNotMatches.length > 0)) {
    success = headersPass(cfg, r.headers, ctx.log);
    failedDueToRegex.set(success ? 0 : 1);
  }
  if (success && (cfg.failIfBodyMatchesRegexp.length > 0 || cfg.failIfBodyNotMatchesRegexp.length > 0)) {
    success = bodyPasses(cfg, r.body, ctx.log);
    failedDueToRegex.set(success ? 0 : 1);
  }
  const ssl = new URL(r.url).protocol === "https:";
  if (ssl && cfg.failIfSsl) {
    ctx.log("error", "Final request was over SSL");
    success = false;
  } else if (!ssl && cfg.failIfNotSsl) {
    ctx.log("error", "Final request was not over SSL");
    success = false;
  }
  return success;
}

function requestHeaders(cfg: HttpProbeConfig): Headers {
  const h = new Headers({ "User-Agent": USER_AGENT });
  for (const [k, vs] of Object.entries(cfg.client.httpHeaders)) for (const v of vs) h.append(k, v);
  for (const [k, v] of Object.entries(cfg.headers)) h.set(k, v);
  const basic = cfg.client.basicAuth;
  if (basic !== undefined) h.set("Authorization", `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${basic.username}:${basic.password}`)))}`);
  const auth = cfg.client.authorization;
  if (auth !== undefined) h.set("Authorization", `${auth.type} ${auth.credentials}`);
  if (cfg.compression !== "" && !h.has("Accept-Encoding")) h.set("Accept-Encoding", cfg.compression);
  return h;
}

/** The request for the next hop, as Go's client rewrites it on a redirect. */
export function redirectRequest(prev: { method: string; url: string; headers: Headers; body: string }, status: number, location: string): { method: string; url: string; headers: Headers; body: string } {
  const url = new URL(location, prev.url).toString();
  const headers = new Headers(prev.headers);
  // Go drops credentials when the redirect leaves the original host.
  if (new URL(url).host !== new URL(prev.url).host) {
    headers.delete("Authorization");
    headers.delete("Cookie");
  }
  if ((status === 301 || status === 302 || status === 303) && prev.method !== "GET" && prev.method !== "HEAD") {
    headers.delete("Content-Type");
    headers.delete("Content-Length");
    return { method: "GET", url, headers, body: "" };
  }
  return { ...prev, url, headers };
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/**
 * probe_http_content_length as Go reports it: the Content-Length header, or -1
 * when absent, and -1 when Go's transport decompressed gzip transparently
 * (no `compression` and no Accept-Encoding of the module's own), as the
 * runtime's fetch does too.
 */
export function reportedContentLength(sent: Headers, got: Headers): number {
  // The module's `compression` and `headers` are the only sources of an Accept-Encoding sent.
  const transparentGzip = !sent.has("accept-encoding");
  if (transparentGzip && got.get("content-encoding")?.toLowerCase() === "gzip") return -1;
  const len = got.get("content-length");
  return len !== null && /^\d+$/.test(len) ? Number(len) : -1;
}

export function targetUrl(target: string): string {
  return target.startsWith("http://") || target.startsWith("https://") ? target : `http://${target}`;
}

export async function probeHttp(target: string, cfg: HttpProbeConfig, ctx: ProbeContext): Promise<boolean> {
  const m = ctx.metrics;
  const phases = m.gaugeVec("probe_http_duration_seconds", "phase");
  // Only these two phases are visible to a Worker (docs/compatibility.md).
  phases.set("processing", 0);
  phases.set("transfer", 0);
  const contentLength = m.gauge("probe_http_content_length");
  const bodyLength = m.gauge("probe_http_uncompressed_body_length");
  const redirectsGauge = m.gauge("probe_http_redirects");
  const sslGauge = m.gauge("probe_http_ssl");
  const statusGauge = m.gauge("probe_http_status_code");
  m.gauge("probe_failed_due_to_regex");

  let url: URL;
  try {
    url = new URL(targetUrl(target));
  } catch (e) {
    ctx.log("error", "Could not parse target URL", { err: errorText(e) });
    return false;
  }
  recordIpLiteral(ctx, url.hostname);

  let req = { method: cfg.method, url: url.toString(), headers: requestHeaders(cfg), body: cfg.body };
  let redirects = 0;
  try {
    for (;;) {
      ctx.log("info", "Making HTTP request", { url: req.url, host: new URL(req.url).host });
      const t0 = ctx.io.now();
      const res = await abortable(
        ctx.io.fetch(new Request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body === "" || req.method === "GET" || req.method === "HEAD" ? undefined : req.body,
          redirect: "manual",
          signal: ctx.signal,
        })),
        ctx.signal,
      );
      const t1 = ctx.io.now();
      phases.add("processing", (t1 - t0) / 1000);
      const location = res.headers.get("location");
      let bytes: Uint8Array;
      if (REDIRECT_STATUS.has(res.status) && location !== null) {
        // As blackbox's CheckRedirect: every redirect seen counts, followed or not.
        redirects++;
        redirectsGauge.set(redirects);
        ctx.log("info", "Received redirect", { location });
        await res.body?.cancel();
        if (cfg.client.followRedirects && redirects <= MAX_REDIRECTS) {
          req = redirectRequest(req, res.status, location);
          continue;
        }
        // Go hands back the redirect itself, its body closed.
        ctx.log("info", "Not following redirect");
        bytes = new Uint8Array(0);
      } else {
        // The request's signal also aborts reading its body at the timeout.
        bytes = await abortable(readBodyLimited(res, cfg.bodySizeLimit, () => new Error("http: request body too large")), ctx.signal);
      }
      phases.add("transfer", (ctx.io.now() - t1) / 1000);
      ctx.log("info", "Received HTTP response", { status_code: res.status });
      statusGauge.set(res.status);
      contentLength.set(reportedContentLength(req.headers, res.headers));
      bodyLength.set(bytes.byteLength);
      redirectsGauge.set(redirects);
      const lastModified = res.headers.get("last-modified");
      if (lastModified !== null && !Number.isNaN(Date.parse(lastModified))) {
        m.set("probe_http_last_modified_timestamp_seconds", Math.floor(Date.parse(lastModified) / 1000));
      }
      const finalUrl = new URL(req.url);
      const ssl = finalUrl.protocol === "https:";
      sslGauge.set(ssl ? 1 : 0);
      if (ssl) await recordCertificateExpiry(ctx, finalUrl.hostname.replace(/^\[|\]$/g, ""), Number(finalUrl.port || 443));
      const body = new TextDecoder().decode(bytes);
      return evaluateHttp(cfg, { status: res.status, headers: res.headers, url: req.url, body }, ctx);
    }
  } catch (e) {
    ctx.log("error", "Error for HTTP request", { err: errorText(e) });
    return false;
  }
}
