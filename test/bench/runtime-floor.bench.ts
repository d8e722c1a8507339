/**
 * What the local runtime adds per request: `npm start` (Miniflare's API,
 * scripts/lib/local-runtime.ts) against `wrangler dev` running the same
 * Worker with the same bindings, each on its own fresh state: medians of
 * /-/healthy, a constant query and a one-series query (4 head shards both).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchCase, BenchFigure } from "./harness.ts";
import { startPyrometer, freePort } from "../support/pyrometer.ts";
import { wrangler, wranglerEnv } from "../../scripts/lib/local-runtime.ts";

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

/** `wrangler dev` on its own state, with an empty scrape config; resolves once it answers. */
async function wranglerDev(state: string): Promise<{ url: string; stop: () => void }> {
  if (!wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], true).ok) throw new Error("D1 migrations failed");
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [resolve(root, "node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--show-interactive-dev-session=false", "--var", "HEAD_SHARDS:4", "--var", "PROMETHEUS_CONFIG:scrape_configs: []"],
    { cwd: root, env: wranglerEnv, stdio: "ignore", detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // gone
    }
  };
  for (let i = 0; i < 240; i++) {
    await new Promise((r) => setTimeout(r, 500));
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return { url, stop };
  }
  stop();
  throw new Error("wrangler dev did not answer in 120 s");
}

const cases: BenchCase[] = [
  {
    names: ["runtime_floor_wrangler_dev_ms", "runtime_floor_npm_start_ms"],
    async run(): Promise<BenchFigure[]> {
      const dir = mkdtempSync(join(tmpdir(), "pyrometer-floor-"));
      try {
        const dev = await wranglerDev(join(dir, "dev-state"));
        let viaDev: Record<keyof typeof PATHS, number>;
        try {
          viaDev = await measure(dev.url);
        } finally {
          dev.stop();
        }
        const p = await startPyrometer({ state: join(dir, "mf-state"), env: { HEAD_SHARDS: "4" } });
        let viaMf: Record<keyof typeof PATHS, number>;
        try {
          viaMf = await measure(p.url);
        } finally {
          await p.stop();
        }
        console.log(`runtime floor (median of ${RUNS}, ms): wrangler dev ${JSON.stringify(viaDev)}; npm start (Miniflare API) ${JSON.stringify(viaMf)}`);
        return [
          { name: "runtime_floor_wrangler_dev_ms", value: viaDev.healthy, unit: "ms", note: `/-/healthy under wrangler dev; constant query ${viaDev.constant.toFixed(2)}, one-series query ${viaDev.oneSeries.toFixed(2)}` },
          { name: "runtime_floor_npm_start_ms", value: viaMf.healthy, unit: "ms", note: `/-/healthy under npm start (Miniflare's API); constant query ${viaMf.constant.toFixed(2)}, one-series query ${viaMf.oneSeries.toFixed(2)}` },
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

export default cases;
