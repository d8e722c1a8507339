/**
 * The status API against a real Prometheus 2.42 (Debian's `prometheus`):
 * the same requests to both, and the JSON structure of the answers (keys and
 * value types) compared. Values differ by nature (flags, times, counts).
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { stopProcess } from "../support/process.ts";

/** The structure of a JSON value: objects by key, arrays by their first element, leaves by type. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

describe("status API shapes, Pyrometer vs Prometheus 2.42", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-status-"));
  let p: Running;
  let prom: ChildProcess | undefined;
  let promUrl = "";
  let promOut = "";

  beforeAll(async () => {
    const prometheus = ensureCommand("prometheus", "prometheus");
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const config = `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: self
    basic_auth: {username: u, password: status-test-pw}
    static_configs: [{targets: ["127.0.0.1:${port}"]}]
`;
    writeFileSync(join(dir, "prometheus.yml"), config);
    prom = spawn(prometheus, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    prom.stdout!.on("data", (d) => (promOut += d));
    prom.stderr!.on("data", (d) => (promOut += d));
    p = await startPyrometer({ state: join(dir, "state"), config: join(dir, "prometheus.yml") });
    await eventually(async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 60_000, `prometheus ready:\n${promOut}`);
    // Both have head series to count.
    await eventually(async () => {
      const [a, b] = await Promise.all([get(promUrl, "/api/v1/status/tsdb"), get(p.url, "/api/v1/status/tsdb")]);
      // The top-10 lists fill in after the head stats do: wait for both, so shapes compare element by element.
      const n = (x: unknown) => (x as { data: { seriesCountByMetricName: unknown[] } }).data.seriesCountByMetricName.length;
      return n(a) > 0 && n(b) > 0 ? true : undefined;
    }, 90_000, "head series in both");
  });

  afterAll(async () => {
    await stopProcess(prom);
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function get(base: string, path: string): Promise<unknown> {
    return (await fetch(base + path)).json();
  }

  for (const path of ["/api/v1/status/config", "/api/v1/status/runtimeinfo", "/api/v1/status/tsdb", "/api/v1/query_exemplars?query=up&start=0&end=1"]) {
    it(`${path}: same keys and value types`, async () => {
      const [theirs, ours] = await Promise.all([get(promUrl, path), get(p.url, path)]);
      expect(shape(ours)).toEqual(shape(theirs));
    });
  }

  it("/api/v1/status/flags: an object of strings, under Prometheus's flag names", async () => {
    const [theirs, ours] = (await Promise.all([get(promUrl, "/api/v1/status/flags"), get(p.url, "/api/v1/status/flags")])) as { data: Record<string, unknown> }[];
    expect(Object.keys(ours!.data).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(ours!.data)) {
      expect(Object.keys(theirs!.data), k).toContain(k);
      expect(typeof v).toBe("string");
    }
  });

  it("both hide the scrape password in /api/v1/status/config", async () => {
    const [theirs, ours] = (await Promise.all([get(promUrl, "/api/v1/status/config"), get(p.url, "/api/v1/status/config")])) as { data: { yaml: string } }[];
    for (const y of [theirs!.data.yaml, ours!.data.yaml]) {
      expect(y).not.toContain("status-test-pw");
      expect(y).toMatch(/password: ["']?<secret>/);
    }
  });

  it("errors alike: a bad query_exemplars query is bad_data with 400 in both", async () => {
    const [a, b] = await Promise.all([fetch(`${promUrl}/api/v1/query_exemplars?query=up{`), fetch(`${p.url}/api/v1/query_exemplars?query=up{`)]);
    expect(b.status).toBe(a.status);
    expect(shape(await b.json())).toEqual(shape(await a.json()));
  });
});
