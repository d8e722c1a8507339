/**
 * Hostile input (issue 8): hundreds of generated malformed requests across
 * PromQL, import, remote write and the Pushgateway. For each: a 4xx with a
 * clear message in Prometheus's error JSON, no 5xx (but the documented 503
 * timeout), no crash; afterwards every sample loaded before the suite is
 * still there, exactly.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { SELF } from "cloudflare:test";
import { compress } from "snappyjs";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { encodeWriteRequest, encodeWriteRequestProto, REMOTE_WRITE_HEADERS } from "../../shared/remote/index.ts";

const BASE = "http://localhost";
const ERROR_TYPES = new Set(["timeout", "canceled", "execution", "bad_data", "internal", "unavailable", "not_found", "not_acceptable"]);

interface Case {
  name: string;
  req: () => Request;
}

const cases: Case[] = [];
const add = (name: string, path: string, init: RequestInit = {}) => cases.push({ name, req: () => new Request(BASE + path, init) });
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const form = (params: Record<string, string>): RequestInit => ({ method: "POST", body: new URLSearchParams(params) });

// ---- PromQL: valid queries made invalid by construction ----
const BASES = [
  "up", 'up{job="a"}', "rate(hostile_metric[5m])", "sum by (job) (up)", "1", "hostile_metric offset 5m", "histogram_quantile(0.9, rate(x_bucket[5m]))",
  "up and on (job) up", "max_over_time(up[10m:1m])", "-up", "label_replace(up, \"a\", \"$1\", \"job\", \"(.*)\")", "count(up) > 0", "up @ 100", "topk(3, up)", "absent(nope)",
];
const BREAK: ((b: string) => string)[] = [
  (b) => `${b} )`,
  (b) => `(${b}`,
  (b) => `${b} +`,
  (b) => `${b}[5m`,
  (b) => `nosuch_function(${b})`,
  (b) => `${b} offset`,
  (b) => `${b} @ abc`,
  (b) => `${b} }`,
  (b) => `sum by (${b}`,
  (b) => `${b} == bool`,
];
BASES.forEach((b, i) =>
  BREAK.forEach((f, j) => {
    const query = f(b);
    if ((i + j) % 2 === 0) add(`query ${query}`, `/api/v1/query?${q({ query })}`);
    else add(`query_range ${query}`, "/api/v1/query_range", form({ query, start: "0", end: "600", step: "15" }));
  }),
);
for (const query of [
  "", "{}", '{__name__=~".*"}', "up{", 'up{job="a}', "up[", "rate(up)", "sum(up, up)", "1 +* 2", "up offset -", "up[5x]", "up[0s]", "0x", "`", "'",
  "\u0000", "😀", "up{job=~\"(\"}", "quantile_over_time(up)", "time(1)", "vector()", "up[5m][5m]", "(((((up)", "up or", "on(job) up", "by", "$",
  Array(3000).fill("1").join("+"), Array(10_000).fill("up").join(" or "), "(".repeat(300) + "1" + ")".repeat(300), "x".repeat(20_000) + "{",
]) {
  add(`bad query ${JSON.stringify(query.slice(0, 40))}`, "/api/v1/query", form({ query }));
}

// Long inputs: the error quotes at most a line's worth of them.
const LONG = "a".repeat(5000);
for (const query of [`${LONG} ${LONG}`, `up{${LONG}!}`, `up{a="${LONG}`, `"${LONG}`, `${LONG}(`, `up[${"9".repeat(5000)}m]`, `sum by (${LONG}, ) (up`, `up{a=~"${LONG}("}`, `${"9".repeat(5000)}x`, `up @ ${LONG}`]) {
  add(`long query ${query.slice(0, 12)}…`, "/api/v1/query", form({ query }));
}

// ---- Malformed parameters ----
for (const time of ["abc", "1e400", "NaN", "Inf", "2024-13-45T99:00:00Z", " ", "x".repeat(5000)]) add(`query time=${time}`, `/api/v1/query?${q({ query: "up", time })}`);
for (const [start, end, step] of [["abc", "1", "1"], ["0", "abc", "1"], ["0", "1", "abc"], ["0", "1", "0"], ["0", "1", "-15"], ["100", "0", "15"], ["0", "100000000", "1"], ["0", "1", ""], ["", "1", "1"], ["0", "1", "1e400"]] as const) {
  add(`query_range start=${start} end=${end} step=${step}`, `/api/v1/query_range?${q({ query: "up", start, end, step })}`);
}
for (const [k, v] of [["timeout", "abc"], ["lookback_delta", "xyz"], ["timeout", "1e400"], ["timeout", "y".repeat(5000)]] as const) add(`query ${k}=${v}`, `/api/v1/query?${q({ query: "up", [k]: v })}`);
for (const m of ["", "up{", "up +", "rate(up[5m])", "1", '{job=~"("}', "up[5m]"]) {
  add(`series match[]=${m}`, `/api/v1/series?${q({ "match[]": m })}`);
  add(`labels match[]=${m}`, `/api/v1/labels?${q({ "match[]": m })}`);
  add(`label values match[]=${m}`, `/api/v1/label/job/values?${q({ "match[]": m })}`);
}
add("series without match[]", "/api/v1/series");
for (const start of ["abc", "1e400", "yesterday"]) {
  add(`series start=${start}`, `/api/v1/series?${q({ "match[]": "up", start })}`);
  add(`labels start=${start}`, `/api/v1/labels?${q({ start })}`);
  add(`label values end=${start}`, `/api/v1/label/job/values?${q({ end: start })}`);
}

// ---- Import ----
const now = Date.now();
const BAD_LINES = [
  "metric_without_value", "m abc", "m 1 abc", "m{a=\"1\" 1", "m{a=1} 1", "m{=\"1\"} 1", "m{a=\"1\",a=\"2\"} 1", "m{__name__=\"x\"} 1", "m 1 1 1",
  "m{a=\"1\",} x", "1m 1", "m{a=\"1\"}} 1", "m 1e400", "m 1 99999999999999999999999", `m 1 ${2 ** 53 - 1}`, "m 1 4102444800000", `m 1 ${now + 3600_000}`,
  `wide{${Array.from({ length: 300 }, (_, i) => `l${i}="v"`).join(",")}} 1`, `m{${"n".repeat(2000)}="v"} 1`, `m{a="${"v".repeat(70_000)}"} 1`, `${"x".repeat(70_000)} 1`,
  "m{a=\"1\"} 1 2 3", "m{a=\"1\"} 1 1\nm{a=\"1\"} 1 x", "\u0000 1", "m{a=\"\u0000\"} \u0000",
];
BAD_LINES.forEach((line, i) => {
  add(`import line ${i}`, "/api/v1/import/prometheus", { method: "POST", body: line + "\n" });
  add(`import line ${i} after good lines`, "/api/v1/import/prometheus", { method: "POST", body: `hostile_import_ok{i="${i}"} 1 ${now}\n`.repeat(3) + line + "\n" });
});
add("import invalid UTF-8", "/api/v1/import/prometheus", { method: "POST", body: Uint8Array.of(0x6d, 0x7b, 0x61, 0x3d, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x20, 0x31, 0x0a) });
add("import Content-Encoding br", "/api/v1/import/prometheus", { method: "POST", body: "m 1\n", headers: { "content-encoding": "br" } });
add("import Content-Encoding gzip, not gzip", "/api/v1/import/prometheus", { method: "POST", body: "m 1\n", headers: { "content-encoding": "gzip" } });

// ---- Remote write ----
const rwSeries = (labels: Record<string, string>, t = now) => [{ labels: labelsFromRecord(labels), t: Float64Array.of(t), v: Float64Array.of(1) }];
const good = encodeWriteRequest(rwSeries({ __name__: "hostile_rw_never", a: "b" }));
const rw = (name: string, body: BodyInit, headers: Record<string, string> = REMOTE_WRITE_HEADERS as Record<string, string>) =>
  add(`remote write ${name}`, "/api/v1/write", { method: "POST", body, headers });
rw("text/plain", good, { ...REMOTE_WRITE_HEADERS, "Content-Type": "text/plain" });
rw("gzip encoding", good, { ...REMOTE_WRITE_HEADERS, "Content-Encoding": "gzip" });
rw("zstd encoding", good, { ...REMOTE_WRITE_HEADERS, "Content-Encoding": "zstd" });
rw("proto v2", good, { ...REMOTE_WRITE_HEADERS, "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request" });
rw("malformed content type", good, { ...REMOTE_WRITE_HEADERS, "Content-Type": "application/x-protobuf; garbage" });
rw("not snappy", new TextEncoder().encode("this is not snappy at all"));
rw("snappy of garbage protobuf", compress(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02)));
rw("snappy of a truncated message", compress(encodeWriteRequestProto(rwSeries({ __name__: "x" })).subarray(0, 5)));
rw("snappy declaring 4 GiB", Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00));
for (let cut = 1; cut < Math.min(good.length, 21); cut++) rw(`snappy truncated at ${cut}`, good.subarray(0, good.length - cut));
rw("300 labels", encodeWriteRequest(rwSeries(Object.fromEntries([["__name__", "wide"], ...Array.from({ length: 300 }, (_, i) => [`l${i}`, "v"])]))));
rw("2000-byte label name", encodeWriteRequest(rwSeries({ __name__: "m", ["n".repeat(2000)]: "v" })));
rw("70 kB label value", encodeWriteRequest(rwSeries({ __name__: "m", a: "v".repeat(70_000) })));
rw("sample in 2100", encodeWriteRequest(rwSeries({ __name__: "m_2100" }, 4102444800000)));
rw("sample at 2^53-1", encodeWriteRequest(rwSeries({ __name__: "m_max" }, 2 ** 53 - 1)));
rw("sample an hour ahead", encodeWriteRequest(rwSeries({ __name__: "m_hour" }, now + 3600_000)));

// ---- Pushgateway ----
const PATHS = [
  "/metrics/job/", "/metrics/job//instance/a", "/metrics/job/a/instance", "/metrics/job/a/__reserved/x", "/metrics/job/a/bad-name/x", "/metrics/job/a/1abc/x",
  "/metrics/job@base64/!!!", "/metrics/job@base64/", "/metrics/job/a/l@base64/%%%", "/metrics/job/a/l@base64/a", "/metrics/job/%zz", "/metrics/job/a/l/%zz",
  "/metrics/job/a/l/x/l/y", "/metrics/job/a/l/",
];
for (const path of PATHS) for (const method of ["PUT", "POST", "DELETE"]) add(`${method} ${path}`, path, method === "DELETE" ? { method } : { method, body: "pg_metric 1\n" });
const BAD_BODIES: [string, BodyInit, Record<string, string>][] = [
  ["timestamp", "pg_metric 1 1700000000000\n", {}],
  ["malformed", "pg_metric{ 1\n", {}],
  ["bad value", "pg_metric abc\n", {}],
  ["two TYPEs", "# TYPE pg_metric gauge\n# TYPE pg_metric counter\npg_metric 1\n", {}],
  ["histogram without le", "# TYPE pg_h histogram\npg_h_bucket 1\n", {}],
  ["protobuf", "\u0000\u0001", { "content-type": "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited" }],
  ["br encoding", "pg_metric 1\n", { "content-encoding": "br" }],
  ["gzip header, plain body", "pg_metric 1\n", { "content-encoding": "gzip" }],
  ["gzip header, truncated gzip", Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0x00), { "content-encoding": "gzip" }],
  ["300 labels", `pg_wide{${Array.from({ length: 300 }, (_, i) => `l${i}="v"`).join(",")}} 1\n`, {}],
  ["long label value", `pg_metric{a="${"v".repeat(70_000)}"} 1\n`, {}],
  ["long metric name", `${"p".repeat(70_000)} 1\n`, {}],
  ["invalid UTF-8", Uint8Array.of(0x70, 0x7b, 0x61, 0x3d, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x20, 0x31, 0x0a), {}],
  ["NUL", "pg_metric\u0000 1\n", {}],
];
for (const [name, body, headers] of BAD_BODIES) for (const method of ["PUT", "POST"]) add(`${method} body ${name}`, "/metrics/job/hostile_pg", { method, body, headers });

// ---- The suite ----

/** What must survive: a fixed window over the data loaded before the suite. */
async function snapshot(): Promise<string> {
  const range = await SELF.fetch(`${BASE}/api/v1/query_range?${q({ query: '{__name__=~"hostile_base_.*"}', start: String((now - 3600_000) / 1000), end: String(now / 1000), step: "60" })}`);
  const series = await SELF.fetch(`${BASE}/api/v1/series?${q({ "match[]": '{__name__=~"hostile_base_.*"}' })}`);
  const pg = (await (await SELF.fetch(`${BASE}/pushgateway/metrics`)).text()).split("\n").filter((l) => l.includes('job="hostile_base"') && !l.startsWith("push_"));
  return JSON.stringify([await range.json(), await series.json(), pg]);
}

describe("hostile input", () => {
  let before = "";

  beforeAll(async () => {
    let body = "";
    for (let t = now - 3600_000; t <= now; t += 60_000) body += `hostile_base_import{src="import"} ${t % 997} ${t}\n`;
    expect((await SELF.fetch(`${BASE}/api/v1/import/prometheus`, { method: "POST", body })).status).toBe(200);
    const t = Float64Array.from({ length: 61 }, (_, i) => now - 3600_000 + i * 60_000);
    const rwBody = encodeWriteRequest([{ labels: labelsFromRecord({ __name__: "hostile_base_rw", src: "rw" }), t, v: t.map((x) => x % 13) }]);
    expect((await SELF.fetch(`${BASE}/api/v1/write`, { method: "POST", body: rwBody, headers: REMOTE_WRITE_HEADERS })).status).toBe(204);
    expect((await SELF.fetch(`${BASE}/metrics/job/hostile_base`, { method: "PUT", body: "# TYPE hostile_base_pushed gauge\nhostile_base_pushed 42\n" })).status).toBe(200);
    before = await snapshot();
    expect(before).toMatch(/hostile_base_import/);
    expect(before).toMatch(/hostile_base_rw/);
    expect(before).toMatch(/hostile_base_pushed/);
  });

  it(`has at least 300 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it("answers every case with a 4xx and a clear error in Prometheus's JSON, never a 5xx or a crash", async () => {
    const failures: string[] = [];
    for (const c of cases) {
      let res: Response;
      try {
        res = await SELF.fetch(c.req());
      } catch (e) {
        failures.push(`${c.name}: request threw ${(e as Error).message}`);
        continue;
      }
      const text = await res.text();
      const timeout = res.status === 503 && /"errorType":"timeout"/.test(text);
      if (res.status < 400 || (res.status >= 500 && !timeout)) {
        failures.push(`${c.name}: ${res.status} ${text.slice(0, 200)}`);
        continue;
      }
      let body: { status?: string; errorType?: string; error?: string };
      try {
        body = JSON.parse(text);
      } catch {
        failures.push(`${c.name}: ${res.status} body is not JSON: ${text.slice(0, 200)}`);
        continue;
      }
      if (body.status !== "error" || !ERROR_TYPES.has(body.errorType ?? "") || !body.error || body.error.length > 2000) {
        failures.push(`${c.name}: ${res.status} unclear error: ${text.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("keeps every sample loaded before the suite, exactly, and stays healthy", async () => {
    expect(await snapshot()).toBe(before);
    expect((await SELF.fetch(`${BASE}/-/healthy`)).status).toBe(200);
    // Nothing of a refused request was stored.
    const names = (await (await SELF.fetch(`${BASE}/api/v1/label/__name__/values`)).json()) as { data: string[] };
    expect(names.data.filter((n) => /^(m|m_2100|m_max|m_hour|wide|hostile_rw_never|pg_metric|pg_wide)$/.test(n))).toEqual([]);
  });
});
