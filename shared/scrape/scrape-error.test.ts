import { describe, it, expect } from "vitest";
import { dialAddress, httpStatusError, scrapeErrorMessage } from "./scrape-error.ts";

describe("scrape errors in Prometheus's words", () => {
  const url = "http://127.0.0.1:9/metrics";

  it("maps what workerd's fetch throws for a refused connection to Go's dial error", () => {
    const want = 'Get "http://127.0.0.1:9/metrics": dial tcp 127.0.0.1:9: connect: connection refused';
    expect(scrapeErrorMessage(url, new Error("Network connection lost."))).toBe(want);
    expect(scrapeErrorMessage(url, new TypeError("fetch failed"))).toBe(want);
    expect(scrapeErrorMessage(url, "TypeError: fetch failed")).toBe(want);
    expect(scrapeErrorMessage(url, new Error("internal error"))).toBe(want);
    expect(scrapeErrorMessage(url, new Error("connect ECONNREFUSED 127.0.0.1:9"))).toBe(want);
  });

  it("says context deadline exceeded for a timeout or abort", () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(scrapeErrorMessage(url, timeout)).toBe('Get "http://127.0.0.1:9/metrics": context deadline exceeded');
    expect(scrapeErrorMessage(url, { name: "AbortError", message: "The operation was aborted" })).toMatch(/: context deadline exceeded$/);
  });

  it("says no such host for a failed DNS lookup", () => {
    expect(scrapeErrorMessage("http://nope.invalid:9100/metrics", new Error("DNS lookup failed"))).toBe(
      'Get "http://nope.invalid:9100/metrics": dial tcp: lookup nope.invalid: no such host',
    );
    expect(scrapeErrorMessage("http://x.example/m", new Error("getaddrinfo ENOTFOUND x.example"))).toMatch(/lookup x\.example: no such host$/);
  });

  it("keeps any other message after Get \"<url>\":", () => {
    expect(scrapeErrorMessage(url, new Error("body size limit exceeded (limit: 10 bytes)"))).toBe('Get "http://127.0.0.1:9/metrics": body size limit exceeded (limit: 10 bytes)');
  });

  it("names HTTP statuses as Go's http.StatusText does, whatever the statusText", () => {
    expect(httpStatusError(500)).toBe("server returned HTTP status 500 Internal Server Error");
    expect(httpStatusError(404)).toBe("server returned HTTP status 404 Not Found");
    expect(httpStatusError(599)).toBe("server returned HTTP status 599");
  });

  it("dials the scheme's default port when the URL has none", () => {
    expect(dialAddress("http://a.example/metrics")).toBe("a.example:80");
    expect(dialAddress("https://a.example/metrics")).toBe("a.example:443");
    expect(dialAddress("http://[::1]:9090/x")).toBe("[::1]:9090");
  });
});
