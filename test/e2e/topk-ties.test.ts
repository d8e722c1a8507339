/**
 * topk/bottomk with tied values give Prometheus's answers, order included:
 * the same samples are backfilled into Debian's real Prometheus (promtool
 * tsdb create-blocks-from openmetrics) and imported into Pyrometer, and the
 * same instant and range queries are compared.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPyrometer, freePort, eventually } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { stopProcess } from "../support/process.ts";

const STEP = 15_000;
// Whole minutes an hour ago, inside the default retention of both.
const T0 = Math.floor((Date.now() - 3600_000) / 60_000) * 60_000;
const N = 40;

interface Line { metric: string; labels: Record<string, string>; v: (i: number) => number }

const BUFFERS = 173015040;
const SERIES: Line[] = [
  // The case: :10000 and :10001 equal, :10002 larger.
  ...["10000", "10001", "10002"].map((p, k) => ({ metric: "demo_memory_usage_bytes", labels: { instance: `demo:${p}`, job: "demo", type: "buffers" }, v: () => (k === 2 ? 2 * BUFFERS : BUFFERS) })),
  // Many ties, changing over time, one NaN series.
  ...Array.from({ length: 15 }, (_, k) => ({ metric: "tie_metric", labels: { i: String(k).padStart(2, "0"), job: "ties" }, v: (i: number) => (k === 7 ? NaN : ((k * 7 + Math.floor(i / 8)) % 4)) })),
];

const QUERIES = [
  'topk without(instance) (2, demo_memory_usage_bytes{type="buffers"})',
  'bottomk without(instance) (2, demo_memory_usage_bytes{type="buffers"})',
  'topk(1, demo_memory_usage_bytes{type="buffers"})',
  ...[1, 2, 3, 5, 8, 12].flatMap((k) => [`topk(${k}, tie_metric)`, `bottomk(${k}, tie_metric)`]),
  "topk(3, tie_metric * 0)",
];

type Result = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] };

async function query(base: string, path: string): Promise<Result[]> {
  const body = (await (await fetch(base + path)).json()) as { status: string; data: { result: Result[] }; error?: string };
  if (body.status !== "success") throw new Error(`${base}${path}: ${body.error}`);
  return body.data.result;
}

describe("topk/bottomk ties match Prometheus 2.42", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-topk-"));
  let p: Running;
  let prom: ChildProcess | undefined;
  let promUrl = "";

  beforeAll(async () => {
    const prometheus = ensureCommand("prometheus", "prometheus");
    const promtool = ensureCommand("promtool", "prometheus");
    const om: string[] = [];
    const text: string[] = [];
    for (const s of SERIES) {
      const ls = Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}="${v}"`).join(",");
      for (let i = 0; i < N; i++) {
        const t = T0 + i * STEP;
        const v = s.v(i);
        const val = Number.isNaN(v) ? "NaN" : String(v);
        om.push(`${s.metric}{${ls}} ${val} ${t / 1000}`);
        text.push(`${s.metric}{${ls}} ${val} ${t}`);
      }
    }
    writeFileSync(join(dir, "data.om"), `${om.join("\n")}\n# EOF\n`);
    const made = spawnSync(promtool, ["tsdb", "create-blocks-from", "openmetrics", join(dir, "data.om"), join(dir, "prom")], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`promtool: ${made.stderr}`);
    writeFileSync(join(dir, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    let out = "";
    prom = spawn(prometheus, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "prom")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    prom.stdout!.on("data", (d) => (out += d));
    prom.stderr!.on("data", (d) => (out += d));
    await eventually(async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 60_000, `prometheus ready:\n${out}`);
    writeFileSync(join(dir, "pyrometer.yml"), "global:\n  scrape_interval: 15s\nscrape_configs: []\n");
    p = await startPyrometer({ state: join(dir, "state"), config: join(dir, "pyrometer.yml") });
    const res = await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body: text.join("\n") });
    expect(res.ok).toBe(true);
  });

  afterAll(async () => {
    await stopProcess(prom);
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the issue's case: :10002 then :10001, as Prometheus answers", async () => {
    const t = (T0 + 10 * STEP) / 1000;
    const path = `/api/v1/query?query=${encodeURIComponent(QUERIES[0]!)}&time=${t}`;
    const ours = await query(p.url, path);
    expect(ours.map((r) => r.metric.instance)).toEqual(["demo:10002", "demo:10001"]);
    expect(ours).toEqual(await query(promUrl, path));
  });

  it("instant queries: same series in the same order at every step", async () => {
    for (const q of QUERIES) {
      for (let i = 0; i < N; i += 3) {
        const path = `/api/v1/query?query=${encodeURIComponent(q)}&time=${(T0 + i * STEP) / 1000}`;
        expect(await query(p.url, path), `${q} at step ${i}`).toEqual(await query(promUrl, path));
      }
    }
  });

  it("range queries over a selector: the same series kept at every step", async () => {
    // Over a computed input (tie_metric * 0) Prometheus's range evaluation feeds topk its
    // series in Go map order, so which tie survives varies from run to run there.
    for (const q of QUERIES.filter((x) => !x.includes("* 0"))) {
      const path = `/api/v1/query_range?query=${encodeURIComponent(q)}&start=${T0 / 1000}&end=${(T0 + (N - 1) * STEP) / 1000}&step=15`;
      const sortByLabels = (rs: Result[]) => [...rs].sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
      expect(sortByLabels(await query(p.url, path)), q).toEqual(sortByLabels(await query(promUrl, path)));
    }
  });
});
