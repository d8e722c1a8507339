import { describe, it, expect } from "vitest";
import { env } from "cloudflare:test";
import { createApp } from "../../workers/query/app.ts";

// The app with the secrets set, as a deployment with them would run it.
const app = createApp();
const writeOnly = { ...env, WRITE_TOKEN: "s3cret" };
const both = { ...env, WRITE_TOKEN: "s3cret", READ_TOKEN: "r3ad" };

const req = (method: string, path: string, auth?: string, body?: string) =>
  new Request(`http://localhost${path}`, { method, body, headers: auth ? { authorization: `Bearer ${auth}` } : {} });

/** Every endpoint that changes data, with a body it would accept. */
const WRITES: [string, string, string?][] = [
  ["POST", "/api/v1/import/prometheus", `auth_test_metric 1 ${Date.now()}\n`],
  ["POST", "/api/v1/write", ""],
  ["PUT", "/metrics/job/authbatch", "x 1\n"],
  ["POST", "/metrics/job/authbatch", "x 1\n"],
  ["DELETE", "/metrics/job/authbatch"],
  ["PUT", "/api/v1/admin/wipe"],
  ["POST", "/api/v1/admin/tsdb/delete_series?match[]=x"],
  ["POST", "/api/v1/admin/tsdb/snapshot"],
  ["POST", "/-/reload"],
  ["PUT", "/-/reload"],
];

const READS = [
  "/api/v1/query?query=1",
  "/api/v1/query_range?query=1&start=0&end=1&step=1",
  "/api/v1/series?match[]=up",
  "/api/v1/labels",
  "/api/v1/label/job/values",
  "/api/v1/metadata",
  "/api/v1/targets",
  "/api/v1/targets/metadata",
  "/api/v1/status/config",
  "/api/v1/status/tsdb",
  "/api/v1/status/buildinfo",
  "/federate?match[]=up",
  "/metrics",
  "/pushgateway/metrics",
  "/api/v1/status",
];

describe("access control", () => {
  it("refuses every write without the WRITE_TOKEN: 401, WWW-Authenticate, Prometheus's error JSON", async () => {
    for (const [method, path, body] of WRITES) {
      for (const auth of [undefined, "wrong", "r3ad"]) {
        const res = await app.fetch(req(method, path, auth, body), both);
        expect(res.status, `${method} ${path} with ${auth}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(await res.json()).toEqual({ status: "error", errorType: "not_acceptable", error: expect.stringMatching(/bearer token/) });
      }
    }
  });

  it("lets writes through with the WRITE_TOKEN", async () => {
    const ok = await app.fetch(req("POST", "/api/v1/import/prometheus", "s3cret", `auth_test_metric 1 ${Date.now()}\n`), writeOnly);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "success", data: { samplesAccepted: 1 } });
    expect((await app.fetch(req("PUT", "/metrics/job/authbatch", "s3cret", "x 1\n"), writeOnly)).status).toBe(200);
    expect((await app.fetch(req("DELETE", "/metrics/job/authbatch", "s3cret"), writeOnly)).status).toBe(202);
  });

  it("needs no token for reads unless READ_TOKEN is set; then the READ or WRITE token", async () => {
    for (const path of READS) {
      expect((await app.fetch(req("GET", path), writeOnly)).status, path).not.toBe(401);
      expect((await app.fetch(req("GET", path), both)).status, path).toBe(401);
      expect((await app.fetch(req("GET", path, "r3ad"), both)).status, path).not.toBe(401);
      expect((await app.fetch(req("GET", path, "s3cret"), both)).status, path).not.toBe(401);
    }
    // Read APIs' POST form is a read.
    const post = new Request("http://localhost/api/v1/query", { method: "POST", body: "query=1", headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Bearer r3ad" } });
    expect((await app.fetch(post, both)).status).toBe(200);
  });

  it("with only READ_TOKEN set, writes need it too", async () => {
    const readOnly = { ...env, READ_TOKEN: "r3ad" };
    expect((await app.fetch(req("PUT", "/api/v1/admin/wipe"), readOnly)).status).toBe(401);
    expect((await app.fetch(req("PUT", "/api/v1/admin/wipe", "r3ad"), readOnly)).status).toBe(202);
  });

  it("keeps health, readiness and the public status page open", async () => {
    expect((await app.fetch(req("GET", "/-/healthy"), both)).status).toBe(200);
    expect((await app.fetch(req("GET", "/-/ready"), both)).status).not.toBe(401);
    // The public status page (workers/ui) answers without a token.
    expect((await app.fetch(req("GET", "/status"), both)).status).toBe(200);
    expect((await app.fetch(req("GET", "/graph"), both)).status).not.toBe(401);
  });

  it("answers CORS as Prometheus's --web.cors.origin (default .*)", async () => {
    const pre = await app.fetch(new Request("http://localhost/api/v1/query", { method: "OPTIONS", headers: { origin: "http://grafana.local" } }), both);
    expect(pre.status).toBe(200);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-headers")).toContain("Authorization");
    const limited = { ...env, CORS_ORIGIN: "https?://grafana\\.local" };
    const ok = await app.fetch(new Request("http://localhost/api/v1/labels", { headers: { origin: "http://grafana.local" } }), limited);
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://grafana.local");
    const other = await app.fetch(new Request("http://localhost/api/v1/labels", { headers: { origin: "http://evil.local" } }), limited);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const none = await app.fetch(new Request("http://localhost/api/v1/labels"), limited);
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
  });
});
