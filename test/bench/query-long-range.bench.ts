/**
 * A 7-day range query at 5-minute step over 1,000 series held in R2 blocks,
 * against a running Pyrometer (npm start): the history is imported (older
 * than the head, so it is backfilled into blocks and compacted), then
 * `sum by (job) (rate(m[15m]))` and the raw selector are queried over 7 days.
 * A second metric at 2-minute resolution (5 M samples over 7 days) goes past
 * the per-query sample budget (QUERY_MAX_SAMPLES, 4 M by default): the
 * query answers Prometheus's "too many samples" error (422), and a 2-day
 * range of it still answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchCase, BenchFigure } from "./harness.ts";
import { startPyrometer } from "../support/pyrometer.ts";

const SERIES = 1000;
const DAY = 86_400_000;
// Whole hours, two hours back, so the head holds nothing older than the imported history.
const END = Math.floor((Date.now() - 2 * 3600_000) / 3600_000) * 3600_000;
const START = END - 7 * DAY;

/** Import bodies of ~5 MB: every series of a metric, a slice of time at a time. */
function* bodies(metric: string, stepMs: number): Generator<string> {
  const perBody = Math.max(1, Math.floor(60_000 / SERIES));
  const times: number[] = [];
  for (let t = START; t <= END; t += stepMs) times.push(t);
  for (let i = 0; i < times.length; i += perBody) {
    let body = "";
    for (let s = 0; s < SERIES; s++) {
      const ls = `${metric}{job="job-${s % 10}",instance="host-${s}:9100"}`;
      for (const t of times.slice(i, i + perBody)) body += `${ls} ${Math.floor((t - START) / 1000) * ((s % 5) + 1)} ${t}\n`;
    }
    yield body;
  }
}

async function importAll(url: string, metric: string, stepMs: number): Promise<number> {
  let samples = 0;
  for (const body of bodies(metric, stepMs)) {
    const res = await fetch(`${url}/api/v1/import/prometheus`, { method: "POST", body });
    const reply = (await res.json()) as { status: string; data?: { samplesAccepted: number }; error?: string };
    if (reply.status !== "success") throw new Error(`import: ${reply.error}`);
    samples += reply.data!.samplesAccepted;
  }
  return samples;
}

interface Answer { status: string; errorType?: string; error?: string; data?: { result: unknown[]; stats?: { pyrometer: Record<string, number> } } }

async function rangeQuery(url: string, q: string, from: number): Promise<{ ms: number; status: number; body: Answer }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${from / 1000}&end=${END / 1000}&step=300&stats=all`);
  const body = (await res.json()) as Answer;
  return { ms: performance.now() - t0, status: res.status, body };
}

const cases: BenchCase[] = [
  {
    names: ["query_7d_1000_series_ms", "query_7d_1000_series_raw_ms"],
    async run(): Promise<BenchFigure[]> {
      const dir = mkdtempSync(join(tmpdir(), "pyrometer-7d-"));
      writeFileSync(join(dir, "pyrometer.yml"), "global:\n  scrape_interval: 15s\nscrape_configs: []\n");
      const p = await startPyrometer({ state: join(dir, "state"), config: join(dir, "pyrometer.yml") });
      try {
        // A recent sample first, so the head starts after the history and the import is backfilled into blocks.
        await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body: `lr_anchor 1 ${END + 3600_000}\n` });
        const t0 = performance.now();
        const n5 = await importAll(p.url, "lr_5m_total", 5 * 60_000);
        const n2 = await importAll(p.url, "lr_2m_total", 2 * 60_000);
        console.log(`long range: imported ${n5} + ${n2} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        // Let the shards' alarms cut and compact blocks.
        await new Promise((r) => setTimeout(r, 20_000));
        const out: Record<string, { ms: number; status: number; body: Answer }> = {};
        for (const [name, q, from] of [
          ["sum", "sum by (job) (rate(lr_5m_total[15m]))", START],
          ["raw", "lr_5m_total", START],
          ["over", "sum by (job) (rate(lr_2m_total[15m]))", START],
          ["over_2d", "sum by (job) (rate(lr_2m_total[15m]))", END - 2 * DAY],
        ] as const) {
          await rangeQuery(p.url, q, from); // warm (catalog, block readers)
          out[name] = await rangeQuery(p.url, q, from);
          const r = out[name]!;
          const s = r.body.data?.stats?.pyrometer;
          console.log(`long range ${name}: ${q} from ${new Date(from).toISOString()}: HTTP ${r.status} in ${r.ms.toFixed(0)} ms; ` +
            (s ? `${r.body.data!.result.length} series, samples ${s.samplesFromShards} from shards, blocks ${s.blocksRead}, R2 requests ${s.r2Requests} (${(s.r2Bytes / 1e6).toFixed(1)} MB), eval ${s.evalMs.toFixed(0)} ms, block reads ${s.blockReadMs.toFixed(0)} ms, serialize ${s.serializeMs.toFixed(0)} ms`
              : `${r.body.errorType}: ${r.body.error}`));
        }
        if (out.sum!.status !== 200 || out.raw!.status !== 200 || out.over_2d!.status !== 200) throw new Error("a query within the budget failed");
        if (out.over!.status !== 422) throw new Error(`expected the 5 M-sample query to be refused, got ${out.over!.status}`);
        return [
          { name: "query_7d_1000_series_ms", value: out.sum!.ms, unit: "ms", note: "sum by (job) (rate(m[15m])), 7 d at 5 m step, 1,000 series at 5 m resolution in R2 blocks (2 M samples), warm" },
          { name: "query_7d_1000_series_raw_ms", value: out.raw!.ms, unit: "ms", note: "the raw selector, same range: 1,000 series x 2,017 points returned" },
        ];
      } finally {
        await p.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

export default cases;
