// Issue 8, items 2-4: request size limits, label and depth limits, Pushgateway bodies.
import { describe, it, expect } from "vitest";
import { SELF, env } from "cloudflare:test";
import { createApp } from "../../workers/query/app.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../shared/remote/index.ts";
import { encodeBase64Url } from "../../shared/pushgateway/index.ts";

const app = createApp();
/** The app as a deployment with small limits runs it: the same code paths as the defaults, with light bodies. */
const small = { ...env, MAX_REQUEST_BYTES: "1MiB", MAX_DECODED_BYTES: "1MiB" };
const MiB = 1024 * 1024;

interface ErrorJson {
  status: string;
  errorType: string;
  error: string;
}

async function errorOf(res: Response, status: number): Promise<ErrorJson> {
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(status);
  const body = JSON.parse(text) as ErrorJson;
  expect(body).toMatchObject({ status: "error", errorType: "bad_data" });
  return body;
}

/** A body stream of `total` bytes in 64 KiB chunks, without a Content-Length; counts the chunks pulled. */
function counted(total: number, byte = 0x61) {
  const state = { pulled: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(byte);
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (state.pulled * chunk.length >= total) return ctl.close();
      state.pulled++;
      ctl.enqueue(chunk);
    },
  });
  return { stream, state };
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

const ingest = [
  { name: "import", path: "/api/v1/import/prometheus", method: "POST", headers: {} },
  { name: "remote write", path: "/api/v1/write", method: "POST", headers: REMOTE_WRITE_HEADERS },
  { name: "Pushgateway push", path: "/metrics/job/big", method: "PUT", headers: {} },
] as const;

describe("request size limit (MAX_REQUEST_BYTES)", () => {
  for (const ep of ingest) {
    it(`${ep.name}: 413 from Content-Length, before reading the body`, async () => {
      const res = await app.fetch(new Request(`http://localhost${ep.path}`, { method: ep.method, headers: { ...ep.headers, "content-length": String(2 * MiB) }, body: new Uint8Array(2 * MiB) }), small);
      const e = await errorOf(res, 413);
      expect(e.error).toBe(`request body of ${2 * MiB} bytes exceeds the limit of ${MiB} bytes (MAX_REQUEST_BYTES)`);
    });

    it(`${ep.name}: 413 while streaming a body without Content-Length, reading little more than the limit`, async () => {
      const { stream, state } = counted(64 * MiB);
      const res = await app.fetch(new Request(`http://localhost${ep.path}`, { method: ep.method, headers: ep.headers, body: stream }), small);
      const e = await errorOf(res, 413);
      expect(e.error).toBe(`request body exceeds the limit of ${MiB} bytes (MAX_REQUEST_BYTES)`);
      expect(state.pulled * 64 * 1024).toBeLessThan(4 * MiB);
    });
  }

  it("a push is at most 16 MiB, sent or inflated (it crosses one Durable Object RPC, limited to 32 MiB)", async () => {
    const res = await SELF.fetch("http://localhost/metrics/job/toolarge", { method: "PUT", body: new Uint8Array(20 * MiB).fill(0x20) });
    expect((await errorOf(res, 413)).error).toBe(`request body of ${20 * MiB} bytes exceeds the limit of ${16 * MiB} bytes (at most 16 MiB for a push)`);
    const zipped = await SELF.fetch("http://localhost/metrics/job/toolarge", { method: "PUT", body: await gzip(new Uint8Array(20 * MiB).fill(0x20)), headers: { "content-encoding": "gzip" } });
    expect((await errorOf(zipped, 413)).error).toBe(`decompressed body exceeds the limit of ${16 * MiB} bytes (at most 16 MiB for a push)`);
  });

  it("a POSTed query form is read under the same limit", async () => {
    const { stream } = counted(64 * MiB);
    const res = await app.fetch(new Request("http://localhost/api/v1/query", { method: "POST", body: stream, headers: { "content-type": "application/x-www-form-urlencoded" } }), small);
    expect((await errorOf(res, 413)).error).toBe(`request body exceeds the limit of ${MiB} bytes (MAX_REQUEST_BYTES)`);
  });

  it("quotes at most 100 characters of an offending line in a 400", async () => {
    const line = `bad_metric{a="${"x".repeat(500_000)}" 1\n`;
    const res = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body: "ok_metric 1\n" + line });
    const e = await errorOf(res, 400);
    expect(e.error).toMatch(/^cannot parse import body: line 2: /);
    expect(e.error.length).toBeLessThan(400);
    expect(e.error).toMatch(/\.\.\. \(\d+ more characters\)/);
  });

  it("parses an import in pieces and names the right line across piece boundaries", async () => {
    const now = Date.now();
    let body = "";
    // Over one 1 MiB piece, few series (many samples each) to keep it light.
    for (let i = 0; body.length < 1.5 * MiB; i++) body += `pieces_metric{i="${i % 50}"} ${i} ${now - 200_000 + i}\n`;
    const lines = body.split("\n").length - 1;
    const ok = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ data: { samplesParsed: lines, samplesAccepted: lines } });
    const bad = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body: body + "oops{\n" });
    expect((await errorOf(bad, 400)).error).toMatch(new RegExp(`^cannot parse import body: line ${lines + 1}: `));
  });
});

describe("import in pieces", () => {
  it("normalizes le values of a histogram whose TYPE line is in an earlier piece, as a whole-body parse does", async () => {
    const now = Date.now();
    let body = "# TYPE piece_hist histogram\n";
    for (let i = 0; body.length < 1.5 * MiB; i++) body += `piece_hist_bucket{le="1",i="${i % 20}"} ${i} ${now - 200_000 + i}\n`;
    expect((await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body })).status).toBe(200);
    const res = await SELF.fetch(`http://localhost/api/v1/label/le/values?${new URLSearchParams({ "match[]": "piece_hist_bucket" })}`);
    expect(((await res.json()) as { data: string[] }).data).toEqual(["1.0"]);
  });
});

describe("label limits and expression depth (no stack overflow, nothing accepted that is not durable)", () => {
  const wide = (n: number) => {
    const rec: Record<string, string> = { __name__: "wide_metric" };
    for (let i = 0; i < n; i++) rec[`l${i}`] = "v";
    return rec;
  };
  const wideText = (n: number) => `wide_metric{${Object.entries(wide(n)).filter(([k]) => k !== "__name__").map(([k, v]) => `${k}="${v}"`).join(",")}} 1\n`;
  const hugeName = "m".repeat(10 * MiB);

  it("import: a series with 100,000 labels is a 400 label_limit error", async () => {
    const res = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body: wideText(100_000) });
    expect((await errorOf(res, 400)).error).toBe('label_limit exceeded (metric: "wide_metric", number of labels: 100001, limit: 256)');
  });

  it("remote write: a series with 100,000 labels is a 400", async () => {
    const body = encodeWriteRequest([{ labels: labelsFromRecord(wide(100_000)), t: Float64Array.of(Date.now()), v: Float64Array.of(1) }]);
    const res = await SELF.fetch("http://localhost/api/v1/write", { method: "POST", body, headers: REMOTE_WRITE_HEADERS });
    expect((await errorOf(res, 400)).error).toMatch(/^label_limit exceeded/);
  });

  it("Pushgateway: a pushed series with 100,000 labels is a 400", async () => {
    const res = await SELF.fetch("http://localhost/metrics/job/wide", { method: "PUT", body: wideText(100_000) });
    expect((await errorOf(res, 400)).error).toMatch(/label_limit exceeded/);
  });

  it("import and remote write: a 10 MB metric name is a 400, and nothing of it is kept", async () => {
    const imp = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body: `${hugeName} 1\n` });
    const e = await errorOf(imp, 400);
    expect(e.error).toMatch(/^label_value_length_limit exceeded \(metric name: "m{100}"\.\.\. \(10485660 more characters\), length: 10485760, limit: 65536\)$/);
    const body = encodeWriteRequest([{ labels: labelsFromRecord({ __name__: hugeName }), t: Float64Array.of(Date.now()), v: Float64Array.of(1) }]);
    const rw = await SELF.fetch("http://localhost/api/v1/write", { method: "POST", body, headers: REMOTE_WRITE_HEADERS });
    expect((await errorOf(rw, 400)).error).toMatch(/^label_value_length_limit exceeded/);
    const names = (await (await SELF.fetch("http://localhost/api/v1/label/__name__/values")).json()) as { data: string[] };
    expect(names.data.some((n) => n.length > 1000)).toBe(false);
  });

  it("PromQL: 3,000 chained terms and 10,000 'up or' are a 400 bad_data, as query and query_range", async () => {
    for (const q of [Array(3000).fill("1").join("+"), Array(10_000).fill("up").join(" or ")]) {
      const inst = await SELF.fetch("http://localhost/api/v1/query", { method: "POST", body: new URLSearchParams({ query: q }) });
      expect((await errorOf(inst, 400)).error).toMatch(/^query too deeply nested to evaluate: more than 1000 levels/);
      const range = await SELF.fetch("http://localhost/api/v1/query_range", { method: "POST", body: new URLSearchParams({ query: q, start: "0", end: "60", step: "15" }) });
      await errorOf(range, 400);
    }
  });
});

describe("Pushgateway bodies and paths", () => {
  it("a body that is not gzip with Content-Encoding: gzip is a 400", async () => {
    const res = await SELF.fetch("http://localhost/metrics/job/notgzip", { method: "PUT", body: "x 1\n", headers: { "content-encoding": "gzip" } });
    expect((await errorOf(res, 400)).error).toMatch(/^body is not valid gzip \(Content-Encoding: gzip\)/);
  });

  it("a gzip bomb is stopped once MAX_DECODED_BYTES come out", async () => {
    const bomb = await gzip(new Uint8Array(16 * MiB).fill(0x20));
    expect(bomb.length).toBeLessThan(MiB);
    const res = await app.fetch(new Request("http://localhost/metrics/job/bomb", { method: "PUT", body: bomb, headers: { "content-encoding": "gzip" } }), small);
    expect((await errorOf(res, 413)).error).toBe(`decompressed body exceeds the limit of ${MiB} bytes (MAX_DECODED_BYTES)`);
    expect(await (await SELF.fetch("http://localhost/pushgateway/metrics")).text()).not.toMatch(/job="bomb"/);
  });

  it("a gzip body within the limits is pushed", async () => {
    const res = await SELF.fetch("http://localhost/metrics/job/zipped", { method: "PUT", body: await gzip(new TextEncoder().encode("zipped_metric 3\n")), headers: { "content-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(await (await SELF.fetch("http://localhost/pushgateway/metrics")).text()).toMatch(/^zipped_metric\{instance="",job="zipped"\} 3$/m);
  });

  it("an unsupported Content-Encoding is a 415", async () => {
    const res = await SELF.fetch("http://localhost/metrics/job/br", { method: "PUT", body: "x 1\n", headers: { "content-encoding": "br" } });
    await errorOf(res, 415);
  });

  it("/metrics/job@base64/<job> pushes and deletes, as the Pushgateway API has it", async () => {
    const path = `/metrics/job@base64/${encodeBase64Url("nightly/backup")}/instance/db1`;
    expect((await SELF.fetch(`http://localhost${path}`, { method: "PUT", body: "b64_job_metric 1\n" })).status).toBe(200);
    expect(await (await SELF.fetch("http://localhost/pushgateway/metrics")).text()).toMatch(/^b64_job_metric\{instance="db1",job="nightly\/backup"\} 1$/m);
    expect((await SELF.fetch(`http://localhost${path}`, { method: "DELETE" })).status).toBe(202);
    expect(await (await SELF.fetch("http://localhost/pushgateway/metrics")).text()).not.toMatch(/b64_job_metric/);
  });

  it("errors are Prometheus's error JSON (ApiError): a bad grouping key, a bad body", async () => {
    const e1 = await errorOf(await SELF.fetch("http://localhost/metrics/job/x/odd", { method: "PUT", body: "x 1\n" }), 400);
    expect(e1.error).toMatch(/odd number of components/);
    const e2 = await errorOf(await SELF.fetch("http://localhost/metrics/job/x", { method: "PUT", body: "x{ 1\n" }), 400);
    expect(e2.error).toMatch(/^text format parsing error in line 1/);
  });
});
