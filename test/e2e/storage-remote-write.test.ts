/**
 * A real Prometheus (Debian's package) scraping itself every second with
 * remote_write pointed at Pyrometer: its series become queryable here, with
 * the same samples Prometheus stored, and a Pyrometer restart in the middle
 * of the stream loses none of them (Prometheus retries what was not
 * acknowledged).
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

interface Vec {
  metric: Record<string, string>;
  value: [number, string];
}
interface RangeVec {
  metric: Record<string, string>;
  values: [number, string][];
}

async function query<T>(base: string, q: string, time?: number): Promise<T[]> {
  const params = new URLSearchParams({ query: q, ...(time !== undefined ? { time: String(time) } : {}) });
  const res = await fetch(`${base}/api/v1/query?${params}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: T[] } };
  if (body.status !== "success") throw new Error(`${base} ${q}: ${body.error}`);
  return body.data.result;
}

describe("a real Prometheus remote-writing to Pyrometer", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-rw-"));
  const state = join(dir, "state");
  let p: Running;
  let prom: ChildProcess | undefined;
  let promUrl = "";
  let promOut = "";

  beforeAll(async () => {
    const prometheus = ensureCommand("prometheus", "prometheus");
    p = await startPyrometer({ state });
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prom-self
    static_configs:
      - targets: ["127.0.0.1:${port}"]
  # Federation from Pyrometer, as docs/federation.md sets it up.
  - job_name: federate
    honor_labels: true
    metrics_path: /federate
    params:
      match[]: ['{job="pyrometer"}']
    static_configs:
      - targets: ["${p.url.slice("http://".length)}"]
remote_write:
  - url: ${p.url}/api/v1/write
    queue_config:
      batch_send_deadline: 1s
      max_backoff: 1s
    # Federated series came from Pyrometer: don't send them back.
    write_relabel_configs:
      - source_labels: [job]
        regex: pyrometer
        action: drop
`,
    );
    prom = spawn(prometheus, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    prom.stdout!.on("data", (d) => (promOut += d));
    prom.stderr!.on("data", (d) => (promOut += d));
    await eventually(async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 30_000, `prometheus ready:\n${promOut}`);
  });

  afterAll(async () => {
    await stopProcess(prom);
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes Prometheus's own series queryable in Pyrometer within 30 s", async () => {
    const started = Date.now();
    const up = await eventually(async () => (await query<Vec>(p.url, 'up{job="prom-self"}')).find((r) => r.value[1] === "1"), 30_000, "up{job=\"prom-self\"} in Pyrometer");
    expect(up.metric.instance).toBe(promUrl.slice("http://".length));
    const info = await eventually(async () => (await query<Vec>(p.url, 'prometheus_build_info{job="prom-self"}'))[0], 30_000, "prometheus_build_info");
    expect(info.metric.version).toMatch(/^2\./);
    console.log(`remote write: up{job="prom-self"} queryable after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("holds the same samples Prometheus stored, across a Pyrometer restart mid-stream", async () => {
    // Counted in samples Prometheus has taken, never in wall time: under load scrapes slip.
    const from = Date.now() / 1000;
    const promSamples = async (since: number) => {
      const r = (await query<RangeVec>(promUrl, `up{job="prom-self"}[${Math.ceil(Date.now() / 1000 - since) + 1}s]`, Date.now() / 1000))[0]?.values ?? [];
      return r.filter(([t]) => t >= since);
    };
    await eventually(async () => ((await promSamples(from)).length >= 3 ? true : undefined), 60_000, "3 scrapes by Prometheus before the restart");
    await p.stop();
    // Prometheus keeps scraping and queues what Pyrometer cannot take now.
    const down = Date.now() / 1000;
    await eventually(async () => ((await promSamples(down)).length >= 3 ? true : undefined), 60_000, "3 scrapes by Prometheus while Pyrometer is down");
    p = await startPyrometer({ state, port: p.port });
    const to = Date.now() / 1000;
    const window = `${Math.ceil(to - from)}s`;
    const sel = `up{job="prom-self"}[${window}]`;
    const want = (await query<RangeVec>(promUrl, sel, to))[0]!.values;
    // At least the samples counted above: 3 before and 3 during the outage.
    expect(want.length).toBeGreaterThanOrEqual(6);
    // The queue drains within a few batch deadlines after Pyrometer is back.
    const got = await eventually(async () => {
      const r = (await query<RangeVec>(p.url, sel, to))[0]?.values ?? [];
      return r.length >= want.length ? r : undefined;
    }, 90_000, `all ${want.length} samples of ${sel} in Pyrometer`);
    expect(got).toEqual(want);
    // A counter whose every sample must have arrived too.
    const samplesSel = `prometheus_tsdb_head_samples_appended_total{job="prom-self"}[${window}]`;
    const promCounter = (await query<RangeVec>(promUrl, samplesSel, to)).map((r) => r.values);
    const ourCounter = await eventually(async () => {
      const r = (await query<RangeVec>(p.url, samplesSel, to)).map((s) => s.values);
      return r.flat().length >= promCounter.flat().length ? r : undefined;
    }, 90_000, samplesSel);
    expect(ourCounter).toEqual(promCounter);
  });

  it("is federated by the real Prometheus (/federate with honor_labels)", async () => {
    const up = await eventually(async () => (await query<Vec>(promUrl, 'up{job="pyrometer"}'))[0], 45_000, "up{job=\"pyrometer\"} in Prometheus");
    expect(up.metric.instance).toBe("localhost:8787");
    expect(up.value[1]).toBe("1");
    const fed = await query<Vec>(promUrl, 'up{job="federate"}');
    expect(fed[0]!.value[1]).toBe("1");
  });
});

