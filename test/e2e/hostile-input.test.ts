/**
 * Hostile input that needs the real process (issue 8): a 100 MB import body
 * must not kill workerd (it did: V8 heap, signal 6, every Durable Object
 * with it), and scrape errors of real failing targets read as Prometheus's.
 * Everything else hostile is in test/workers/hostile-input.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../shared/remote/index.ts";
import { stopProcess } from "../support/process.ts";

const MB = 1024 * 1024;

describe("hostile input against the running system", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-hostile-"));
  let p: Running;
  let server: Server;
  let serverPort: number;
  let closedPort: number;
  // The real thing, scraping the same targets.
  let prom: ChildProcess | undefined;
  let promUrl: string;
  let promOut = "";
  const now = Date.now();

  async function lastErrors(base: string): Promise<Record<string, string> | undefined> {
    const res = await fetch(`${base}/api/v1/targets`);
    const body = (await res.json()) as { data: { activeTargets: { scrapePool: string; lastError: string }[] } };
    const byPool = Object.fromEntries(body.data.activeTargets.map((t) => [t.scrapePool, t.lastError]));
    return byPool.refused && byPool.broken && byPool.slow ? byPool : undefined;
  }

  async function count(): Promise<number> {
    const res = await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent("count_over_time(hostile_e2e[2h])")}`);
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    return Number(body.data.result[0]?.value[1] ?? 0);
  }

  beforeAll(async () => {
    [serverPort, closedPort] = [await freePort(), await freePort()];
    // A target answering 500, and one that never answers (the scrape times out).
    server = createServer((req, res) => {
      if (req.url === "/slow") return;
      res.writeHead(500);
      res.end("boom");
    });
    await new Promise<void>((r) => server.listen(serverPort, "127.0.0.1", r));
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      `global:
  scrape_interval: 2s
  scrape_timeout: 1s
scrape_configs:
  - job_name: refused
    static_configs:
      - targets: ["127.0.0.1:${closedPort}"]
  - job_name: broken
    static_configs:
      - targets: ["127.0.0.1:${serverPort}"]
  - job_name: slow
    metrics_path: /slow
    static_configs:
      - targets: ["127.0.0.1:${serverPort}"]
`,
    );
    const prometheus = ensureCommand("prometheus", "prometheus");
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prom = spawn(prometheus, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "prom-data")}`, `--web.listen-address=127.0.0.1:${promPort}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    prom.stdout!.on("data", (d) => (promOut += d));
    prom.stderr!.on("data", (d) => (promOut += d));
    p = await startPyrometer({ state: join(dir, "state"), config, env: { HEAD_SHARDS: "1", LABEL_LIMIT: "8" } });
    let body = "";
    for (let t = now - 3600_000; t <= now; t += 60_000) body += `hostile_e2e ${t % 101} ${t}\n`;
    expect((await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body })).status).toBe(200);
    expect(await count()).toBe(61);
  });

  afterAll(async () => {
    await stopProcess(prom);
    await p?.stop();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a 100 MB import with 413 before reading it, and keeps running with every earlier sample", async () => {
    const body = Buffer.alloc(100 * MB, "hostile_e2e_flood 1\n");
    const res = await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ status: "error", errorType: "bad_data", error: `request body of ${100 * MB} bytes exceeds the limit of ${32 * MB} bytes (MAX_REQUEST_BYTES)` });
    expect((await fetch(`${p.url}/-/healthy`)).status).toBe(200);
    expect(await count()).toBe(61);
  });

  it("stops reading a 100 MB streamed body (no Content-Length) at the limit, and keeps running", async () => {
    const chunk = Buffer.alloc(MB, "hostile_e2e_flood 1\n");
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (sent >= 100) return ctl.close();
        sent++;
        ctl.enqueue(chunk);
      },
    });
    // The server answers 413 and closes; the client may see the answer or the closed connection.
    const status = await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body: stream, duplex: "half" } as RequestInit).then(
      (r) => r.status,
      () => 0,
    );
    expect([0, 413]).toContain(status);
    expect((await fetch(`${p.url}/-/healthy`)).status).toBe(200);
    expect(await count()).toBe(61);
    const names = (await (await fetch(`${p.url}/api/v1/label/__name__/values`)).json()) as { data: string[] };
    expect(names.data).not.toContain("hostile_e2e_flood");
  });

  it("takes ingest limits from the environment of npm start (LABEL_LIMIT=8)", async () => {
    const labels = Array.from({ length: 8 }, (_, i) => `l${i}="v"`).join(",");
    const res = await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body: `hostile_e2e_wide{${labels}} 1\n` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('label_limit exceeded (metric: "hostile_e2e_wide", number of labels: 9, limit: 8)');
  });

  it("reports scrape errors in Prometheus's words in /api/v1/targets, the same as a real Prometheus", async () => {
    const errors = await eventually(() => lastErrors(p.url), 60_000, "all three targets to have failed once in Pyrometer");
    expect(errors.refused).toBe(`Get "http://127.0.0.1:${closedPort}/metrics": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`);
    expect(errors.broken).toBe("server returned HTTP status 500 Internal Server Error");
    expect(errors.slow).toBe(`Get "http://127.0.0.1:${serverPort}/slow": context deadline exceeded`);
    const real = await eventually(() => lastErrors(promUrl), 60_000, `all three targets to have failed once in Prometheus:\n${promOut}`);
    expect(errors).toEqual(real);
  });

  it("refuses a remote-written sample from the far future with 400, out of bounds, as Prometheus 3's receiver (Debian's 2.42 still accepts it)", async () => {
    const body = encodeWriteRequest([{ labels: labelsFromRecord({ __name__: "hostile_e2e_future" }), t: Float64Array.of(4102444800000), v: Float64Array.of(1) }]);
    const ours = await fetch(`${p.url}/api/v1/write`, { method: "POST", body, headers: REMOTE_WRITE_HEADERS });
    expect(ours.status).toBe(400);
    expect(((await ours.json()) as { error: string }).error).toMatch(/^out of bounds: timestamp 4102444800000 of series hostile_e2e_future is too far in the future/);
    expect(await count()).toBe(61);
  });
});
