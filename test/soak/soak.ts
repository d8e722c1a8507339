/**
 * npm run soak: Pyrometer started as `npm start` does (test/support/pyrometer.ts)
 * scraping a local HTTP server that stands in for SOAK_TARGETS exporters with
 * SOAK_SERIES series in total, every 15 s, for SOAK_MINUTES (default 10).
 * Reports the billed operations (from Pyrometer's own /metrics: append RPCs,
 * scheduler ticks, SQLite rows written, R2 puts), peak head memory per object,
 * the workerd process's peak RSS, closed chunks kept out of the heap and the
 * SQLite rows read back for them, and samples lost: every sample the server
 * handed out must be stored (must be 0). Not part of `npm test`: it takes
 * minutes of wall time on purpose. docs/cost.md records a run.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join } from "node:path";
import { startPyrometer } from "../support/pyrometer.ts";

const MINUTES = Number(process.env.SOAK_MINUTES ?? "10");
const SERIES = Number(process.env.SOAK_SERIES ?? "20000");
const TARGETS = Number(process.env.SOAK_TARGETS ?? "100");
const INTERVAL_S = 15;
const PER_TARGET = Math.ceil(SERIES / TARGETS);
const NAMES = 50;

/** One exposition of PER_TARGET series: a third counters, a third gauges, a third constants. */
function exposition(k: number): string {
  const lines: string[] = [];
  for (let i = 0; i < PER_TARGET; i++) {
    const name = `soak_metric_${i % NAMES}`;
    const v = i % 3 === 0 ? 1 : i % 3 === 1 ? k * (i + 1) : Math.round(Math.sin(k + i) * 1000) / 10;
    lines.push(`${name}{series="${Math.floor(i / NAMES)}"} ${v}`);
  }
  return lines.join("\n") + "\n";
}

let serving = true;
let served = 0;
const server = createServer((req, res) => {
  if (!serving) {
    res.writeHead(503).end();
    return;
  }
  served++;
  res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition(Math.floor(Date.now() / 15_000)));
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const exporter = `127.0.0.1:${(server.address() as AddressInfo).port}`;

const state = mkdtempSync(join(tmpdir(), "pyrometer-soak-"));
const configFile = join(state, "prometheus.yml");
writeFileSync(
  configFile,
  [
    "global: { scrape_interval: 15s, scrape_timeout: 10s }",
    "scrape_configs:",
    "  - job_name: soak",
    "    static_configs:",
    ...Array.from({ length: TARGETS }, (_, i) => `      - { targets: ["${exporter}"], labels: { target: "t${i}" } }`),
  ].join("\n"),
);

const load0 = loadavg();
const started = Date.now();
const py = await startPyrometer({ state: join(state, "state"), config: configFile, env: { HEAD_SHARDS: "1" } });

/** Sums of Pyrometer's own metrics by name (and the largest value, for per-shard gauges). */
async function selfMetrics(): Promise<Map<string, { sum: number; max: number }>> {
  const text = await (await fetch(`${py.url}/metrics`)).text();
  const out = new Map<string, { sum: number; max: number }>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const sp = line.lastIndexOf(" ");
    const name = line.slice(0, sp).replace(/\{.*$/, "");
    const v = Number(line.slice(sp + 1));
    const m = out.get(name) ?? { sum: 0, max: -Infinity };
    m.sum += v;
    m.max = Math.max(m.max, v);
    out.set(name, m);
  }
  return out;
}

/** The workerd processes under the started Pyrometer: their peak resident memory (all objects and the runtime). */
function workerdPeakRssKb(): number {
  let kb = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      if (!readFileSync(`/proc/${pid}/environ`, "utf8").includes(state)) continue;
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) kb = Math.max(kb, Number(m[1]));
    } catch {
      // gone, or not ours
    }
  }
  return kb;
}

const get = (m: Map<string, { sum: number; max: number }>, name: string) => m.get(name) ?? { sum: 0, max: 0 };
let peakHeadBytes = 0;
let peakSeries = 0;
let peakRssKb = 0;
let peakStoredChunks = 0;
try {
  const end = Date.now() + MINUTES * 60_000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 30_000));
    const m = await selfMetrics();
    peakHeadBytes = Math.max(peakHeadBytes, get(m, "pyrometer_head_bytes").max);
    peakSeries = Math.max(peakSeries, get(m, "prometheus_tsdb_head_series").max);
    peakRssKb = Math.max(peakRssKb, workerdPeakRssKb());
    peakStoredChunks = Math.max(peakStoredChunks, get(m, "pyrometer_head_stored_chunks").sum);
    console.log(
      `soak: ${((Date.now() - started) / 60_000).toFixed(1)} min, ${served} scrapes served, head ${get(m, "prometheus_tsdb_head_series").sum} series, ` +
        `${get(m, "pyrometer_head_sqlite_rows_written_total").sum} rows written, ${get(m, "pyrometer_head_append_requests_total").sum} append RPCs, ` +
        `${get(m, "pyrometer_head_stored_chunks").sum} closed chunks out of the heap`,
    );
  }
  // Stop handing out samples, then let the scrapes in flight land.
  serving = false;
  const servedSamples = served * PER_TARGET;
  await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));
  const m = await selfMetrics();
  // Every sample stored, read back raw (a metric name at a time, to keep responses small). The
  // server never serves NaN: a NaN read back is a staleness marker (written when the targets
  // started failing) that lost its bits, which a range selector must not return.
  let stored = 0;
  let nans = 0;
  for (let i = 0; i < NAMES; i++) {
    const q = `soak_metric_${i}{job="soak"}[${Math.ceil((Date.now() - started) / 60_000) + 1}m]`;
    const res = (await (await fetch(`${py.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { values: [number, string][] }[] } };
    for (const r of res.data.result) for (const [, v] of r.values) v === "NaN" ? nans++ : stored++;
  }
  // Counted after the read-back: its queries read stored chunks back from the checkpoint rows.
  const rowsRead = get(await selfMetrics(), "pyrometer_head_sqlite_rows_read_total").sum;
  const rows = get(m, "pyrometer_head_sqlite_rows_written_total").sum;
  const appends = get(m, "pyrometer_head_append_requests_total").sum;
  const ticks = get(m, "pyrometer_scrape_ticks_total").sum;
  const appended = get(m, "prometheus_tsdb_head_samples_appended_total").sum;
  const seconds = (Date.now() - started) / 1000;
  const report = {
    minutes: MINUTES,
    targets: TARGETS,
    series: TARGETS * PER_TARGET,
    scrapesServed: served,
    samplesServed: servedSamples,
    samplesStored: stored,
    samplesLost: servedSamples - stored,
    nanReadBack: nans,
    samplesAppendedTotal: appended,
    sqliteRowsWritten: rows,
    walRowsWritten: get(m, "pyrometer_head_wal_rows_written_total").sum,
    sqliteRowsRead: rowsRead,
    peakStoredChunks,
    rowsPerMillionSamples: Math.round((rows * 1e6) / appended),
    appendRpcs: appends,
    schedulerTicks: ticks,
    writeRequestsPerSecond: (appends + ticks) / seconds,
    r2Puts: get(m, "pyrometer_blocks_r2_puts_total").sum,
    peakHeadSeries: peakSeries,
    peakHeadBytes,
    peakHeadBytesPerSeries: Math.round(peakHeadBytes / Math.max(1, peakSeries)),
    workerdPeakRssMb: Math.round(peakRssKb / 1024),
    conditions: `${cpus().length} cores, load average ${load0.map((x) => x.toFixed(2)).join("/")} at start, ${loadavg().map((x) => x.toFixed(2)).join("/")} at end`,
  };
  console.log(JSON.stringify(report, null, 2));
  if (process.env.SOAK_OUT) writeFileSync(process.env.SOAK_OUT, JSON.stringify(report, null, 2) + "\n");
  if (report.samplesLost !== 0 || report.nanReadBack !== 0) {
    console.error(`soak: ${report.samplesLost} samples lost, ${report.nanReadBack} staleness markers read back as values`);
    process.exitCode = 1;
  }
} finally {
  await py.stop();
  server.close();
  rmSync(state, { recursive: true, force: true });
}
