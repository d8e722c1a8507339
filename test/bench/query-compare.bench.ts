/**
 * Query latency against Debian's real Prometheus on the same data: the
 * node_exporter recording (test/fixtures/datasets/node-exporter-80m.prom.gz)
 * is backfilled into Prometheus with `promtool tsdb create-blocks-from
 * openmetrics` and imported into a running Pyrometer (started as `npm start`
 * does) through /api/v1/import/prometheus, followed by enough small appends
 * that every head shard checkpoints (closed chunks then come from SQLite, as
 * in a running deployment). Then every query of
 * dashboard-queries.ts runs as an instant query and as a 1 h range query at
 * 15 s, three times on each (interleaved); the medians are summed.
 *
 * Figures: query_time_ratio (Pyrometer total / Prometheus total), the same
 * with Pyrometer's runtime floor taken out, the same with only Pyrometer's
 * own handler time (stats=all), query_floor_ms (one-series
 * instant selector), runtime_floor_ms (/-/healthy), answer mismatches, and
 * Pyrometer's per-phase breakdown (stats=all) summed over the queries.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchCase, BenchFigure } from "./harness.ts";
import { startPyrometer, freePort, eventually } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { NODE_EXPORTER_DATASET } from "../fixtures/paths.ts";
import { DASHBOARD_QUERIES } from "./dashboard-queries.ts";

/** A round second inside the recording's last minute, and one hour before. */
const END_S = 1795521000;
const RANGE_S = 3600;
const RUNS = 3;
const FLOOR_RUNS = 31;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(url: string): Promise<{ ms: number; body: string; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: performance.now() - t0, body, status: res.status };
}

/** The dataset as OpenMetrics (seconds timestamps, `# EOF`), which promtool backfills. */
function toOpenMetrics(text: string): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const sp = line.lastIndexOf(" ");
    const ms = line.slice(sp + 1);
    out.push(`${line.slice(0, sp)} ${ms.slice(0, -3)}.${ms.slice(-3)}`);
  }
  out.push("# EOF\n");
  return out.join("\n");
}

type Result = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] };

/** Same series, same points, values equal to 1e-9 relative (summation order may differ in the last bits). */
function sameAnswer(a: string, b: string): string | undefined {
  const x = JSON.parse(a) as { status: string; data?: { resultType: string; result: Result[] | [number, string] } };
  const y = JSON.parse(b) as typeof x;
  if (x.status !== y.status) return `status ${x.status} vs ${y.status}`;
  if (x.status !== "success") return undefined;
  if (x.data!.resultType !== y.data!.resultType) return `type ${x.data!.resultType} vs ${y.data!.resultType}`;
  const norm = (r: Result[] | [number, string]) => {
    if (!Array.isArray(r) || (r.length > 0 && !(typeof r[0] === "object"))) return new Map([["", [r as [number, string]]]]);
    return new Map((r as Result[]).map((s) => [JSON.stringify(Object.entries(s.metric).sort()), s.values ?? [s.value!]]));
  };
  const mx = norm(x.data!.result);
  const my = norm(y.data!.result);
  if (mx.size !== my.size) return `${mx.size} series vs ${my.size}`;
  for (const [k, px] of mx) {
    const py = my.get(k);
    if (py === undefined) return `series ${k} missing`;
    if (px.length !== py.length) return `series ${k}: ${px.length} points vs ${py.length}`;
    for (let i = 0; i < px.length; i++) {
      const [tx, vx] = px[i]!;
      const [ty, vy] = py[i]!;
      const fx = Number(vx);
      const fy = Number(vy);
      const close = vx === vy || (Number.isNaN(fx) && Number.isNaN(fy)) || Math.abs(fx - fy) <= 1e-9 * Math.max(Math.abs(fx), Math.abs(fy));
      if (tx !== ty || !close) return `series ${k} at ${tx}: ${vx} vs ${vy}`;
    }
  }
  return undefined;
}

const cases: BenchCase[] = [
  {
    names: ["query_time_ratio", "query_time_ratio_net_of_floor", "query_time_ratio_handler", "query_floor_ms", "runtime_floor_ms", "query_answer_mismatches"],
    async run(): Promise<BenchFigure[]> {
      const prometheus = ensureCommand("prometheus", "prometheus");
      const promtool = ensureCommand("promtool", "prometheus");
      const dir = mkdtempSync(join(tmpdir(), "pyrometer-qcmp-"));
      let prom: ChildProcess | undefined;
      const pyro = await startPyrometer({ state: join(dir, "state"), config: writeConfig(dir) });
      try {
        const text = gunzipSync(readFileSync(NODE_EXPORTER_DATASET)).toString("utf8");
        // Prometheus: backfill, then serve the block.
        writeFileSync(join(dir, "data.om"), toOpenMetrics(text));
        const made = spawnSync(promtool, ["tsdb", "create-blocks-from", "openmetrics", join(dir, "data.om"), join(dir, "prom")], { encoding: "utf8" });
        if (made.status !== 0) throw new Error(`promtool failed: ${made.stderr}`);
        const port = await freePort();
        const promUrl = `http://127.0.0.1:${port}`;
        writeFileSync(join(dir, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");
        let promOut = "";
        prom = spawn(prometheus, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "prom")}`, `--web.listen-address=127.0.0.1:${port}`, "--storage.tsdb.retention.time=100y"], { stdio: ["ignore", "pipe", "pipe"] });
        prom.stdout!.on("data", (d) => (promOut += d));
        prom.stderr!.on("data", (d) => (promOut += d));
        await eventually(async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 60_000, `prometheus ready:\n${promOut}`);
        // Pyrometer: the same lines through the import endpoint, ~4 MB per request.
        const lines = text.split("\n");
        for (let i = 0; i < lines.length; i += 36_000) {
          const res = await fetch(`${pyro.url}/api/v1/import/prometheus`, { method: "POST", body: lines.slice(i, i + 36_000).join("\n") });
          if (!res.ok) throw new Error(`import failed: ${res.status} ${await res.text()}`);
        }
        // Steady state: a head shard checkpoints every 240 WAL rows, after which its closed chunks
        // are read back from SQLite rather than held. 250 small appends to every shard get there.
        for (let k = 1; k <= 250; k++) {
          const body = Array.from({ length: 16 }, (_, i) => `bench_settle{i="${i}"} ${k} ${(END_S + k) * 1000}`).join("\n");
          const res = await fetch(`${pyro.url}/api/v1/import/prometheus`, { method: "POST", body });
          if (!res.ok) throw new Error(`settle import failed: ${res.status} ${await res.text()}`);
        }
        const stored = (await (await fetch(`${pyro.url}/metrics`)).text()).split("\n").filter((l) => l.startsWith("pyrometer_head_stored_chunks")).reduce((n, l) => n + Number(l.split(" ").pop()), 0);
        console.log(`query-compare: ${stored} closed chunks stored in checkpoint rows (read back by queries)`);
        const enc = encodeURIComponent;
        const urls = DASHBOARD_QUERIES.flatMap((q) => [
          `/api/v1/query?query=${enc(q)}&time=${END_S}`,
          `/api/v1/query_range?query=${enc(q)}&start=${END_S - RANGE_S}&end=${END_S}&step=15`,
        ]);
        // Warm both (caches, JIT), and compare answers.
        let mismatches = 0;
        for (const u of urls) {
          const [a, b] = [await timed(pyro.url + u), await timed(promUrl + u)];
          const diff = sameAnswer(a.body, b.body);
          if (diff !== undefined) {
            mismatches++;
            console.log(`mismatch: ${decodeURIComponent(u)}: ${diff}`);
          }
        }
        let pyroTotal = 0;
        let promTotal = 0;
        for (const u of urls) {
          const px: number[] = [];
          const pr: number[] = [];
          for (let r = 0; r < RUNS; r++) {
            px.push((await timed(pyro.url + u)).ms);
            pr.push((await timed(promUrl + u)).ms);
          }
          pyroTotal += median(px);
          promTotal += median(pr);
        }
        const floorOf = async (url: string) => {
          const xs: number[] = [];
          for (let r = 0; r < FLOOR_RUNS; r++) xs.push((await timed(url)).ms);
          return median(xs);
        };
        const oneSeries = `/api/v1/query?query=${enc('up{job="node"}')}&time=${END_S}`;
        const runtimeFloor = await floorOf(`${pyro.url}/-/healthy`);
        const queryFloor = await floorOf(pyro.url + oneSeries);
        const promFloor = await floorOf(`${promUrl}/-/healthy`);
        const promQueryFloor = await floorOf(promUrl + oneSeries);
        // Where Pyrometer's time goes, summed over every query (one more run each, with stats=all).
        const phases: Record<string, number> = {};
        for (const u of urls) {
          const body = JSON.parse((await timed(`${pyro.url}${u}&stats=all`)).body) as { data?: { stats?: { pyrometer: Record<string, number> } } };
          for (const [k, v] of Object.entries(body.data?.stats?.pyrometer ?? {})) phases[k] = (phases[k] ?? 0) + v;
        }
        console.log(`query-compare: ${urls.length} queries; Pyrometer ${pyroTotal.toFixed(1)} ms, Prometheus ${promTotal.toFixed(1)} ms; per query ${(pyroTotal / urls.length).toFixed(2)} vs ${(promTotal / urls.length).toFixed(2)} ms`);
        console.log(`query-compare: Prometheus floors: /-/healthy ${promFloor.toFixed(2)} ms, one-series query ${promQueryFloor.toFixed(2)} ms`);
        console.log(`query-compare: Pyrometer stats=all totals over ${urls.length} queries: ${Object.entries(phases).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(1)}`).join(" ")}`);
        const n = urls.length;
        return [
          { name: "query_time_ratio", value: pyroTotal / promTotal, unit: "x", note: `Pyrometer / Prometheus, sum of medians of ${RUNS}, ${n} queries (instant + 1 h range at 15 s)` },
          { name: "query_time_ratio_net_of_floor", value: Math.max(0, pyroTotal - n * runtimeFloor) / promTotal, unit: "x", note: "runtime_floor_ms taken out of each Pyrometer query" },
          ...(phases.totalMs !== undefined
            ? [{ name: "query_time_ratio_handler", value: phases.totalMs / promTotal, unit: "x", note: "Pyrometer's own handler time (stats=all totalMs, one run each, shard calls included) / Prometheus total" }]
            : []),
          { name: "query_floor_ms", value: queryFloor, unit: "ms", note: `one-series instant selector, median of ${FLOOR_RUNS}` },
          { name: "runtime_floor_ms", value: runtimeFloor, unit: "ms", note: `/-/healthy, median of ${FLOOR_RUNS}` },
          { name: "query_answer_mismatches", value: mismatches, unit: "queries", note: `of ${n}, answers differing from Prometheus 2.42 (printed above)` },
        ];
      } finally {
        if (prom && prom.exitCode === null) {
          const exited = new Promise((r) => prom!.once("exit", r));
          prom.kill("SIGTERM");
          await exited;
        }
        await pyro.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

/** A config without scrape jobs, so the imported recording is all the data. */
function writeConfig(dir: string): string {
  const path = join(dir, "pyrometer.yml");
  writeFileSync(path, "global:\n  scrape_interval: 15s\nscrape_configs: []\n");
  return path;
}

export default cases;
