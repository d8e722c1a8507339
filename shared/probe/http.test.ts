import { describe, it, expect } from "vitest";
import { parseBlackboxConfig } from "./config.ts";
import { runProbe } from "./run.ts";
import { fakeIO } from "./fake-io.ts";
import { formatFamilies } from "../exposition/format.ts";

function module(http: string, extra = "") {
  const text = `modules:\n  m:\n    prober: http\n    timeout: 1s\n${extra}    http:\n${http.replace(/^/gm, "      ")}\n`;
  return parseBlackboxConfig(text, "bb.yml").modules.get("m")!;
}

async function probe(http: string, target: string, answer: (req: Request) => Response | Promise<Response>) {
  const io = fakeIO({ fetch: answer });
  const out = await runProbe(module(http), target, io);
  const text = formatFamilies(out.families);
  const value = (name: string) => {
    const m = new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return { out, io, text, value };
}

describe("http prober", () => {
  it("2xx by default; the metrics blackbox_exporter prints", async () => {
    const r = await probe("{}", "127.0.0.1:8080/health", () => new Response("fine", { headers: { "content-length": "4", "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" } }));
    expect(r.io.fetches[0]!.url).toBe("http://127.0.0.1:8080/health");
    expect(r.value("probe_success")).toBe(1);
    expect(r.value("probe_http_status_code")).toBe(200);
    expect(r.value("probe_http_content_length")).toBe(4);
    expect(r.value("probe_http_uncompressed_body_length")).toBe(4);
    expect(r.value("probe_http_last_modified_timestamp_seconds")).toBe(1445412480);
    expect(r.value("probe_ip_protocol")).toBe(4);
    expect(r.value("probe_ip_addr_hash")).toBe(3668918509); // blackbox_exporter's value for 127.0.0.1
    expect(r.text).toContain('probe_http_duration_seconds{phase="processing"}');
    expect(r.out.subrequests).toBe(1);
  });

  it("valid_status_codes replaces the 2xx default", async () => {
    expect((await probe("{}", "http://x/", () => new Response(null, { status: 204 }))).value("probe_success")).toBe(1);
    expect((await probe("{}", "http://x/", () => new Response("", { status: 404 }))).value("probe_success")).toBe(0);
    expect((await probe("valid_status_codes: [404]", "http://x/", () => new Response("", { status: 404 }))).value("probe_success")).toBe(1);
    expect((await probe("valid_status_codes: [404]", "http://x/", () => new Response("", { status: 200 }))).value("probe_success")).toBe(0);
  });

  it("follows and counts redirects; 303 turns POST into GET; credentials stay on the same host", async () => {
    const seen: string[] = [];
    const r = await probe("method: POST\nbody: hi\nbearer_token: secret", "http://a.test/start", (req) => {
      seen.push(`${req.method} ${req.url} ${req.headers.get("authorization") ?? "-"}`);
      if (req.url.endsWith("/start")) return new Response(null, { status: 307, headers: { location: "/next" } });
      if (req.url.endsWith("/next")) return new Response(null, { status: 303, headers: { location: "http://b.test/end" } });
      return new Response("done");
    });
    expect(seen).toEqual(["POST http://a.test/start Bearer secret", "POST http://a.test/next Bearer secret", "GET http://b.test/end -"]);
    expect(r.value("probe_http_redirects")).toBe(2);
    expect(r.value("probe_success")).toBe(1);
    expect(r.out.subrequests).toBe(3);
  });

  it("stops after 10 redirects, or at the first with follow_redirects: false", async () => {
    const loop = () => new Response(null, { status: 302, headers: { location: "/again" } });
    const many = await probe("{}", "http://x/", loop);
    expect(many.value("probe_http_redirects")).toBe(11);
    expect(many.value("probe_http_status_code")).toBe(302);
    expect(many.value("probe_success")).toBe(0);
    const none = await probe("follow_redirects: false", "http://x/", loop);
    expect(none.value("probe_http_redirects")).toBe(1);
    expect(none.io.fetches.length).toBe(1);
    expect(none.value("probe_success")).toBe(0);
  });

  it("body and header regexes set probe_failed_due_to_regex", async () => {
    const page = () => new Response("Status: healthy", { headers: { "x-version": "1.2" } });
    expect((await probe('fail_if_body_not_matches_regexp: ["healthy"]', "http://x/", page)).value("probe_failed_due_to_regex")).toBe(0);
    const bad = await probe('fail_if_body_matches_regexp: ["(?i)HEALTHY"]', "http://x/", page);
    expect([bad.value("probe_success"), bad.value("probe_failed_due_to_regex")]).toEqual([0, 1]);
    const hdr = await probe("fail_if_header_not_matches:\n  - header: X-Version\n    regexp: '^2\\.'", "http://x/", page);
    expect([hdr.value("probe_success"), hdr.value("probe_failed_due_to_regex")]).toEqual([0, 1]);
    const missing = await probe("fail_if_header_matches:\n  - header: X-Missing\n    regexp: x\n    allow_missing: true", "http://x/", page);
    expect(missing.value("probe_success")).toBe(1);
    const required = await probe("fail_if_header_matches:\n  - header: X-Missing\n    regexp: x", "http://x/", page);
    expect(required.value("probe_success")).toBe(0);
    // A failed status check comes first and leaves the regex gauge at 0.
    const e500 = await probe('fail_if_body_matches_regexp: ["x"]', "http://x/", () => new Response("x", { status: 500 }));
    expect(e500.value("probe_failed_due_to_regex")).toBe(0);
  });

  it("fail_if_ssl / fail_if_not_ssl look at the final URL", async () => {
    const ok = () => new Response("");
    expect((await probe("fail_if_not_ssl: true", "http://x/", ok)).value("probe_success")).toBe(0);
    const https = await probe("fail_if_not_ssl: true", "https://x/", ok);
    expect([https.value("probe_success"), https.value("probe_http_ssl")]).toEqual([1, 1]);
    // One more subrequest: the connection that tries to read the certificate (refused here, so no expiry).
    expect(https.out.subrequests).toBe(2);
    expect(https.io.connects).toEqual([{ hostname: "x", port: 443, secureTransport: "off" }]);
    expect(https.text).not.toContain("probe_ssl_earliest_cert_expiry");
    expect((await probe("fail_if_ssl: true", "https://x/", ok)).value("probe_success")).toBe(0);
  });

  it("sends headers, basic auth and Accept-Encoding for compression", async () => {
    const r = await probe("headers:\n  X-Probe: yes\nbasic_auth:\n  username: u\n  password: p\ncompression: gzip", "http://x/", () => new Response(""));
    const h = r.io.fetches[0]!.headers;
    expect(h.get("x-probe")).toBe("yes");
    expect(h.get("authorization")).toBe(`Basic ${btoa("u:p")}`);
    expect(h.get("accept-encoding")).toBe("gzip");
    expect(h.get("user-agent")).toMatch(/^Pyrometer/);
  });

  it("content length: the header, -1 without one or after transparent gzip (as Go)", async () => {
    const gz = () => new Response("x", { headers: { "content-encoding": "gzip", "content-length": "25" } });
    expect((await probe("{}", "http://x/", gz)).value("probe_http_content_length")).toBe(-1);
    expect((await probe("compression: gzip", "http://x/", gz)).value("probe_http_content_length")).toBe(25);
    expect((await probe("{}", "http://x/", () => new Response(new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array([1])), c.close()) })))).value("probe_http_content_length")).toBe(-1);
  });

  it("body_size_limit fails a larger body; a timeout fails the probe", async () => {
    expect((await probe("body_size_limit: 4B", "http://x/", () => new Response("12345"))).value("probe_success")).toBe(0);
    expect((await probe("body_size_limit: 5B", "http://x/", () => new Response("12345"))).value("probe_success")).toBe(1);
    const slow = await probe("{}", "http://x/", (req) => new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(new Error("aborted")))));
    expect(slow.value("probe_success")).toBe(0);
    expect(slow.out.log.join("\n")).toMatch(/Error for HTTP request/);
  });

  it("a failed connection leaves blackbox's zeros", async () => {
    const r = await runProbe(module("{}"), "http://127.0.0.1:1/", fakeIO());
    const text = formatFamilies(r.families);
    expect(text).toMatch(/^probe_http_status_code 0$/m);
    expect(text).toMatch(/^probe_success 0$/m);
    expect(text).toMatch(/^probe_http_redirects 0$/m);
  });
});
