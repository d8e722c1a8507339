import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { parseFormat } from "../../shared/textparse/index.ts";
import { labelsKey, labelsFromRecord } from "../../shared/labels/labels.ts";
import type { Labels } from "../../shared/labels/labels.ts";

interface Vec {
  metric: Record<string, string>;
  value: [number, string];
}

function startDaemon(cmd: string, args: string[]): ChildProcess {
  const p = spawn(cmd, args, { stdio: "ignore" });
  return p;
}

async function waitHttp(url: string): Promise<void> {
  await eventually(async () => ((await fetch(url)).ok ? true : undefined), 20_000, url);
}

describe("scraping real exporters like Prometheus", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-scrape-"));
  const daemons: ChildProcess[] = [];
  let p: Running;
  let nodePort: number;
  let blackboxPort: number;
  let fakePort: number;
  let fake: Server;
  let flakyUp = true;
  let sdTargets = ["/sd-a", "/sd-b"];

  async function query(q: string): Promise<Vec[]> {
    const res = await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: Vec[] }; error?: string };
    if (body.status !== "success") throw new Error(`${q}: ${body.error}`);
    return body.data.result;
  }

  beforeAll(async () => {
    const nodeExporter = ensureCommand("prometheus-node-exporter", "prometheus-node-exporter");
    const blackbox = ensureCommand("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
    [nodePort, blackboxPort, fakePort] = [await freePort(), await freePort(), await freePort()];
    daemons.push(startDaemon(nodeExporter, [`--web.listen-address=127.0.0.1:${nodePort}`]));
    writeFileSync(join(dir, "blackbox.yml"), "modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n");
    daemons.push(startDaemon(blackbox, [`--config.file=${join(dir, "blackbox.yml")}`, `--web.listen-address=127.0.0.1:${blackboxPort}`]));
    // A target that serves garbage, one that can go down, and a page for the blackbox probe.
    fake = createServer((req, res) => {
      if (req.url === "/garbage") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end("ok_metric 1\nthis is { not a metric\n");
      } else if (req.url === "/flaky" && flakyUp) {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end("# TYPE flaky_metric gauge\nflaky_metric 42\n");
      } else if (req.url === "/sd") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(sdTargets.map((path) => ({ targets: [`127.0.0.1:${fakePort}`], labels: { __metrics_path__: path, role: path.slice(1) } }))));
      } else if (req.url === "/sd-a" || req.url === "/sd-b") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end(`sd_metric{from="${req.url}"} 1\n`);
      } else if (req.url === "/page") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>hello</html>");
      } else {
        res.writeHead(503);
        res.end("down");
      }
    });
    await new Promise<void>((r) => fake.listen(fakePort, "127.0.0.1", r));
    await waitHttp(`http://127.0.0.1:${nodePort}/metrics`);
    await waitHttp(`http://127.0.0.1:${blackboxPort}/metrics`);
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      `global:
  scrape_interval: 2s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:${nodePort}"]
  - job_name: five
    scrape_interval: 5s
    static_configs:
      - targets: ["127.0.0.1:${nodePort}"]
  - job_name: garbage
    metrics_path: /garbage
    static_configs:
      - targets: ["127.0.0.1:${fakePort}"]
  - job_name: flaky
    metrics_path: /flaky
    static_configs:
      - targets: ["127.0.0.1:${fakePort}"]
  - job_name: sd
    http_sd_configs:
      - url: http://127.0.0.1:${fakePort}/sd
        refresh_interval: 2s
  # The multi-target pattern from blackbox_exporter's README.
  - job_name: blackbox
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: ["http://127.0.0.1:${fakePort}/page"]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:${blackboxPort}
`,
    );
    p = await startPyrometer({ state: join(dir, "state"), config });
  });

  afterAll(async () => {
    await p?.stop();
    for (const d of daemons) d.kill("SIGTERM");
    fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores every series node_exporter exposes, with the target's labels", async () => {
    await eventually(async () => ((await query('up{job="node"} == 1')).length === 1 ? true : undefined), 30_000, "node up");
    // Let a scrape that started after ours land, then compare label sets.
    const direct = await (await fetch(`http://127.0.0.1:${nodePort}/metrics`)).text();
    const exposed = new Map<string, Labels>();
    parseFormat(direct, "prometheus-text", (ls) => {
      const withTarget = labelsFromRecord({
        ...Object.fromEntries(ls.map((l) => [l.name, l.value])),
        job: "node",
        instance: `127.0.0.1:${nodePort}`,
      });
      exposed.set(labelsKey(withTarget), withTarget);
    });
    // node_exporter's own per-scrape series can differ between two scrapes; everything else must match.
    const volatile = /^(go_|process_|promhttp_|node_scrape_collector|node_(sockstat|netstat|softnet|procs|context|intr|forks))/;
    // Waits for a scrape after the direct read, however slow the machine (no fixed sleep).
    const stored = await eventually(async () => {
      const got = await query('{job="node", __name__!~"up|scrape_.*"}');
      const storedKeys = new Set(got.map((v) => labelsKey(labelsFromRecord(v.metric))));
      const missing = [...exposed.entries()].filter(([k, ls]) => !storedKeys.has(k) && !volatile.test(ls.find((l) => l.name === "__name__")!.value));
      expect(missing.map(([k]) => k)).toEqual([]);
      return got;
    }, 60_000, "every series node_exporter exposed, stored");
    expect(stored.length).toBeGreaterThan(200);
    const build = stored.find((v) => v.metric.__name__ === "node_exporter_build_info")!;
    expect(build.value[1]).toBe("1");
    expect(build.metric.goversion).toMatch(/^go/);
    const samples = await query('scrape_samples_scraped{job="node"}');
    expect(Number(samples[0]!.value[1])).toBeGreaterThanOrEqual(exposed.size * 0.9);
  });

  it("probes through blackbox_exporter with the multi-target relabeling", async () => {
    const probe = await eventually(async () => (await query('probe_success{job="blackbox"}'))[0], 30_000, "probe_success");
    expect(probe.metric.instance).toBe(`http://127.0.0.1:${fakePort}/page`);
    expect(probe.value[1]).toBe("1");
    const code = await query('probe_http_status_code{job="blackbox"}');
    expect(code[0]!.value[1]).toBe("200");
  });

  it("reports a target that serves garbage as down, with the parser's message", async () => {
    await eventually(async () => ((await query('up{job="garbage"} == 0')).length === 1 ? true : undefined), 30_000, "garbage down");
    expect(await query('ok_metric{job="garbage"}')).toEqual([]);
    const targets = (await (await fetch(`${p.url}/api/v1/targets?state=active`)).json()) as {
      data: { activeTargets: { scrapePool: string; health: string; lastError: string }[] };
    };
    const t = targets.data.activeTargets.find((x) => x.scrapePool === "garbage")!;
    expect(t.health).toBe("down");
    expect(t.lastError).toMatch(/line 2/);
  });

  it("marks a failing target's series stale, and brings them back when it recovers", async () => {
    await eventually(async () => ((await query('flaky_metric{job="flaky"}')).length === 1 ? true : undefined), 30_000, "flaky up");
    flakyUp = false;
    // Staleness: the series disappears at once, not after the 5m lookback.
    await eventually(async () => ((await query("flaky_metric")).length === 0 ? true : undefined), 15_000, "flaky_metric stale");
    expect((await query('up{job="flaky"}'))[0]!.value[1]).toBe("0");
    flakyUp = true;
    await eventually(async () => ((await query('up{job="flaky"} == 1')).length === 1 ? true : undefined), 15_000, "flaky back");
    expect((await query("flaky_metric"))[0]!.value[1]).toBe("42");
  });

  it("follows http_sd: new targets are scraped, removed ones go stale", async () => {
    const roles = async () => (await query('up{job="sd"}')).map((v) => v.metric.role).sort();
    await eventually(async () => ((await roles()).join() === "sd-a,sd-b" ? true : undefined), 30_000, "both sd targets");
    await eventually(async () => ((await query("sd_metric")).length === 2 ? true : undefined), 15_000, "sd_metric from both");
    sdTargets = ["/sd-a"];
    await eventually(async () => ((await query("sd_metric")).length === 1 ? true : undefined), 15_000, "sd-b stale");
    expect((await query("sd_metric"))[0]!.metric.from).toBe("/sd-a");
    expect((await query('up{job="sd", role="sd-b"}'))).toEqual([]);
  });

  it("scrapes a 5s job every 5s: on its 5 s grid, never more often", async () => {
    // Nothing here depends on the machine's speed: a loaded machine may start a
    // scrape late (stamped when it started), so wait for on-time ones instead of timing.
    const ts = await eventually(async () => {
      const res = await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent('scrape_duration_seconds{job="five"}[60s]')}`);
      const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
      const t = body.data.result[0]?.values.map(([x]) => x) ?? [];
      // Two consecutive on-time scrapes are one interval apart, give or take the scheduler's 1 s tick.
      return t.length >= 3 && t.some((x, i) => i > 0 && Math.abs(x - t[i - 1]! - 5) <= 1) ? t : undefined;
    }, 120_000, 'two on-time scrapes of job="five"');
    expect(new Set(ts).size).toBe(ts.length);
    // Each 5 s slot is scraped at most once (a late scrape serves its own slot).
    expect(ts.length).toBeLessThanOrEqual(Math.floor((ts.at(-1)! - ts[0]!) / 5) + 2);
  });

  it("serves scraped metadata", async () => {
    const res = await fetch(`${p.url}/api/v1/metadata?metric=node_exporter_build_info`);
    const body = (await res.json()) as { data: Record<string, { type: string; help: string }[]> };
    expect(body.data.node_exporter_build_info![0]!.type).toBe("gauge");
    const tm = await fetch(`${p.url}/api/v1/targets/metadata?metric=flaky_metric`);
    const tmb = (await tm.json()) as { data: { target: Record<string, string>; type: string }[] };
    expect(tmb.data[0]!.target.job).toBe("flaky");
    expect(tmb.data[0]!.type).toBe("gauge");
  });
});
