/**
 * Does starting the local runtime through Miniflare's API directly lower the
 * fixed cost per request that `wrangler dev` (npm start) adds? Pyrometer's
 * bundle (`wrangler deploy --dry-run`) runs in a Miniflare instance with the
 * bindings of wrangler.toml, and the medians of /-/healthy, a constant query
 * and a one-series query are compared with the same requests under npm start.
 * Miniflare is wrangler's own local runtime (a dependency of wrangler).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import type { BenchCase, BenchFigure } from "./harness.ts";
import { startPyrometer, freePort } from "../support/pyrometer.ts";

const root = resolve(import.meta.dirname, "../..");
const RUNS = 51;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function floor(url: string): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.text();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    if (i >= 5) xs.push(performance.now() - t0);
  }
  return median(xs);
}

const PATHS = {
  healthy: "/-/healthy",
  constant: "/api/v1/query?query=vector(1)&time=1000",
  oneSeries: "/api/v1/query?query=floor_probe&time=1000",
};

async function measure(base: string): Promise<Record<keyof typeof PATHS, number>> {
  // One series to select; imported through the same endpoint on both.
  const res = await fetch(`${base}/api/v1/import/prometheus`, { method: "POST", body: 'floor_probe{job="x"} 1 999000\n' });
  if (!res.ok) throw new Error(`import: ${res.status} ${await res.text()}`);
  const out = {} as Record<keyof typeof PATHS, number>;
  for (const [k, p] of Object.entries(PATHS)) out[k as keyof typeof PATHS] = await floor(base + p);
  return out;
}

const cases: BenchCase[] = [
  {
    names: ["runtime_floor_wrangler_dev_ms", "runtime_floor_miniflare_ms"],
    async run(): Promise<BenchFigure[]> {
      const dir = mkdtempSync(join(tmpdir(), "pyrometer-floor-"));
      try {
        const dev = await startPyrometer({ state: join(dir, "dev-state") });
        let viaDev: Record<keyof typeof PATHS, number>;
        try {
          viaDev = await measure(dev.url);
        } finally {
          await dev.stop();
        }
        const out = join(dir, "dist");
        const build = spawnSync(process.execPath, [resolve(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out], { cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
        if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
        const port = await freePort();
        // Every file of the bundle as a module: the entry and the text modules (prometheus.yml) it imports.
        const modules: Record<string, { type: "esm" | "text"; contents: string }> = {};
        for (const f of readdirSync(out, { recursive: true, encoding: "utf8" })) {
          if (f.endsWith(".js")) modules[f] = { type: "esm", contents: readFileSync(join(out, f), "utf8") };
          else if (f.endsWith(".yml") || f.endsWith(".yaml")) modules[f] = { type: "text", contents: readFileSync(join(out, f), "utf8") };
        }
        const text = (value: string) => ({ type: "text" as const, value });
        const mf = new Miniflare({
          host: "127.0.0.1",
          port,
          resourcePersistencePath: join(dir, "mf-state"),
          workers: [
            {
              config: {
                name: "pyrometer",
                compatibilityDate: "2026-10-20",
                manifest: { mainModule: "index.js", modulesRoot: out, modules },
                env: {
                  HEAD_SHARD: { type: "durable-object", worker: "pyrometer", exportName: "HeadShard" },
                  SCRAPER: { type: "durable-object", worker: "pyrometer", exportName: "ScrapeScheduler" },
                  PUSHGATEWAY: { type: "durable-object", worker: "pyrometer", exportName: "Pushgateway" },
                  BLOCKS: { type: "r2", name: "pyrometer-blocks" },
                  DB: { type: "d1", name: "pyrometer" },
                  HEAD_SHARDS: text("4"),
                  SELF_ADDRESS: text("localhost:8787"),
                  PROMETHEUS_CONFIG: text("scrape_configs: []\n"),
                  PROMETHEUS_CONFIG_FILE: text("prometheus.yml"),
                },
                exports: {
                  HeadShard: { type: "durable-object", storage: "sqlite" },
                  ScrapeScheduler: { type: "durable-object", storage: "sqlite" },
                  Pushgateway: { type: "durable-object", storage: "sqlite" },
                },
              },
            },
          ],
        });
        let viaMf: Record<keyof typeof PATHS, number>;
        try {
          const url = await mf.ready;
          const db = await mf.getD1Database("DB");
          for (const f of readdirSync(resolve(root, "migrations")).filter((x) => x.endsWith(".sql")).sort()) {
            for (const stmt of readFileSync(resolve(root, "migrations", f), "utf8").split("--> statement-breakpoint")) if (stmt.trim()) await db.prepare(stmt).run();
          }
          viaMf = await measure(url.origin);
        } finally {
          await mf.dispose();
        }
        console.log(`runtime floor (median of ${RUNS}, ms): wrangler dev ${JSON.stringify(viaDev)}; Miniflare API ${JSON.stringify(viaMf)}`);
        return [
          { name: "runtime_floor_wrangler_dev_ms", value: viaDev.healthy, unit: "ms", note: `/-/healthy under npm start; constant query ${viaDev.constant.toFixed(2)}, one-series query ${viaDev.oneSeries.toFixed(2)}` },
          { name: "runtime_floor_miniflare_ms", value: viaMf.healthy, unit: "ms", note: `/-/healthy under Miniflare's API; constant query ${viaMf.constant.toFixed(2)}, one-series query ${viaMf.oneSeries.toFixed(2)}` },
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

export default cases;
