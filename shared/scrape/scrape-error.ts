/**
 * @module
 * Scrape errors in Prometheus's words. Users' alert templates and log
 * searches match on them (`connection refused`, `context deadline exceeded`,
 * `no such host`, `server returned HTTP status …`), so what the Workers
 * runtime's fetch throws is mapped to what Go's HTTP client would have said:
 * workerd reports a refused or reset connection only as "Network connection
 * lost." (also "fetch failed" or "internal error"), which is taken as
 * refused, the common case.
 */

/** Go's http.StatusText for the codes a target answers with. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  100: "Continue", 101: "Switching Protocols",
  201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content", 205: "Reset Content", 206: "Partial Content",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
  407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
  413: "Request Entity Too Large", 414: "Request URI Too Long", 415: "Unsupported Media Type", 416: "Requested Range Not Satisfiable",
  417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency",
  425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
  505: "HTTP Version Not Supported", 506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected", 510: "Not Extended",
  511: "Network Authentication Required",
};

/** Prometheus's message for a non-200 answer: `server returned HTTP status 500 Internal Server Error`. */
export function httpStatusError(status: number): string {
  const text = STATUS_TEXT[status];
  return `server returned HTTP status ${status}${text ? " " + text : ""}`;
}

/** The `host:port` Go dials for a URL (the scheme's default port when none is given). */
export function dialAddress(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === "https:" ? "443" : "80");
    return `${u.hostname}:${port}`;
  } catch {
    return url;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

const REFUSED = /network connection lost|connection refused|econnrefused|fetch failed|^internal error|connection reset|socket hang up|econnreset/i;
const NO_HOST = /dns|enotfound|getaddrinfo|name not resolved|no such host|could not resolve|name resolution/i;
const TIMEOUT_NAMES = new Set(["TimeoutError", "AbortError"]);

/**
 * What Prometheus would report for a scrape of `url` that failed with `err`
 * (whatever fetch threw), as `Get "<url>": …`.
 */
export function scrapeErrorMessage(url: string, err: { name?: string; message?: string } | string): string {
  const name = typeof err === "string" ? "" : (err.name ?? "");
  const raw = (typeof err === "string" ? err : (err.message ?? "")).replace(/^(TypeError|Error):\s*/, "");
  const get = `Get ${JSON.stringify(url)}: `;
  if (TIMEOUT_NAMES.has(name) || /timed? ?out|deadline exceeded/i.test(raw)) return get + "context deadline exceeded";
  if (NO_HOST.test(raw)) return get + `dial tcp: lookup ${hostOf(url)}: no such host`;
  if (REFUSED.test(raw)) return get + `dial tcp ${dialAddress(url)}: connect: connection refused`;
  return get + raw;
}
