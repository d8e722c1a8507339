// Rules end to end under `npm start`: rule_files globs, an `up == 0` alert with
// `for: 15s` on a target that is down (a closed loopback port) going pending
// then firing, a recording rule equal to the query API's answer, and alerts
// delivered to Debian's real Alertmanager with the labels and annotations
// Debian's real Prometheus sends for the same rule (each to its own
// Alertmanager, so the two do not merge). A restart keeps the `for` state.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  startsAt: string;
  status: { state: string };
}

const RULES = `groups:
  - name: availability
    interval: 5s
    rules:
      - record: job:up:count
        expr: count by (job) (up)
      - alert: InstanceDown
        expr: up{job="down"} == 0
        for: 15s
        labels:
          severity: page
          team: '{{ $labels.job | toUpper }}'
        annotations:
          summary: 'Instance {{ $labels.instance }} down'
          description: '{{ $labels.instance }} of job {{ $labels.job }} is down (value {{ $value }}, region {{ $externalLabels.region }}).'
`;

function config(downPort: number, amPort: number): string {
  return `global:
  scrape_interval: 5s
  evaluation_interval: 5s
  external_labels:
    region: e2e
rule_files: ['rules/*.yml']
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${amPort}']
scrape_configs:
  - job_name: down
    static_configs:
      - targets: ['127.0.0.1:${downPort}']
`;
}

function startAlertmanager(bin: string, dir: string, port: number): ChildProcess {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "alertmanager.yml"), "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
  return spawn(bin, [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="], { stdio: "ignore" });
}

async function amAlerts(port: number): Promise<AmAlert[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v2/alerts`);
  return (await res.json()) as AmAlert[];
}

describe("rules and alerting end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-rules-"));
  const daemons: ChildProcess[] = [];
  let p: Running;
  let amPort: number;
  let amPromPort: number;
  let downPort: number;
  let target: Server | undefined;

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${p.url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`${path}: ${body.error}`);
    return body.data;
  }

  async function query(q: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    return (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(q)}${time !== undefined ? `&time=${time}` : ""}`)).result;
  }

  beforeAll(async () => {
    const am = ensureCommand("prometheus-alertmanager", "prometheus-alertmanager");
    const prometheus = ensureCommand("prometheus", "prometheus");
    downPort = await freePort(); // nothing listens there until the last test
    amPort = await freePort();
    amPromPort = await freePort();
    daemons.push(startAlertmanager(am, join(dir, "am"), amPort));
    daemons.push(startAlertmanager(am, join(dir, "am-prom"), amPromPort));
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules", "alerts.yml"), RULES);
    writeFileSync(join(dir, "prometheus.yml"), config(downPort, amPort));
    // The same rules and target in Debian's Prometheus, sending to its own Alertmanager.
    mkdirSync(join(dir, "prom"));
    mkdirSync(join(dir, "prom", "rules"));
    writeFileSync(join(dir, "prom", "rules", "alerts.yml"), RULES);
    writeFileSync(join(dir, "prom", "prometheus.yml"), config(downPort, amPromPort));
    const promPort = await freePort();
    daemons.push(
      spawn(prometheus, [`--config.file=${join(dir, "prom", "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "prom", "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: "ignore" }),
    );
    p = await startPyrometer({ state: join(dir, "state"), config: join(dir, "prometheus.yml") });
  });

  afterAll(async () => {
    target?.close();
    await p?.stop();
    for (const d of daemons) d.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the rule files' groups in /api/v1/rules", async () => {
    const data = await api<{ groups: { name: string; file: string; interval: number; rules: { name: string; type: string; query: string; duration?: number }[] }[] }>("/api/v1/rules");
    expect(data.groups).toHaveLength(1);
    const g = data.groups[0]!;
    expect(g).toMatchObject({ name: "availability", file: "rules/alerts.yml", interval: 5 });
    expect(g.rules.map((r) => [r.name, r.type, r.query])).toEqual([
      ["job:up:count", "recording", "count by (job) (up)"],
      ["InstanceDown", "alerting", 'up{job="down"} == 0'],
    ]);
    const recordOnly = await api<{ groups: { rules: { type: string }[] }[] }>("/api/v1/rules?type=record");
    expect(recordOnly.groups[0]!.rules.map((r) => r.type)).toEqual(["recording"]);
    const none = await api<{ groups: unknown[] }>("/api/v1/rules?rule_name[]=nope");
    expect(none.groups).toEqual([]);
    const matched = await api<{ groups: { rules: { name: string }[] }[] }>(`/api/v1/rules?match[]=${encodeURIComponent('{severity="page"}')}`);
    expect(matched.groups[0]!.rules.map((r) => r.name)).toEqual(["InstanceDown"]);
    const bad = await fetch(`${p.url}/api/v1/rules?type=bogus`);
    expect(bad.status).toBe(400);
    const badMatch = await fetch(`${p.url}/api/v1/rules?match[]=${encodeURIComponent("sum(")}`);
    expect(badMatch.status).toBe(400);
  });

  it("goes pending, then firing, in /api/v1/alerts and ALERTS", async () => {
    const pending = await eventually(async () => {
      const { alerts } = await api<{ alerts: ApiAlert[] }>("/api/v1/alerts");
      return alerts.find((a) => a.labels.alertname === "InstanceDown" && a.state === "pending");
    }, 90_000, "a pending InstanceDown alert");
    expect(pending.labels).toMatchObject({ job: "down", severity: "page", team: "DOWN" });
    const firing = await eventually(async () => {
      const { alerts } = await api<{ alerts: ApiAlert[] }>("/api/v1/alerts");
      return alerts.find((a) => a.labels.alertname === "InstanceDown" && a.state === "firing");
    }, 90_000, "the alert firing");
    // Not before `for` has passed since it became active.
    expect(Date.now() - Date.parse(firing.activeAt)).toBeGreaterThanOrEqual(15_000);
    expect(firing.value).toBe("0e+00");
    expect(firing.annotations.summary).toBe(`Instance ${firing.labels.instance} down`);
    const series = await eventually(async () => {
      const r = await query('ALERTS{alertname="InstanceDown",alertstate="firing"}');
      return r.length > 0 ? r : undefined;
    }, 60_000, "ALERTS firing");
    expect(series[0]!.metric).toMatchObject({ __name__: "ALERTS", alertname: "InstanceDown", alertstate: "firing", job: "down", severity: "page" });
    const forState = await query('ALERTS_FOR_STATE{alertname="InstanceDown"}');
    expect(Number(forState[0]!.value[1])).toBe(Math.floor(Date.parse(firing.activeAt) / 1000));
  });

  it("writes the recording rule's series equal to the query API's answer for its expression", async () => {
    const ts = await eventually(async () => {
      const r = await query("timestamp(job:up:count)");
      return r.length > 0 ? Number(r[0]!.value[1]) : undefined;
    }, 60_000, "job:up:count");
    const recorded = await query("job:up:count", ts);
    const direct = await query("count by (job) (up)", ts);
    expect(recorded.map((s) => [{ ...s.metric, __name__: undefined }, s.value])).toEqual(direct.map((s) => [{ ...s.metric, __name__: undefined }, s.value]));
    expect(recorded[0]!.metric).toEqual({ __name__: "job:up:count", job: "down" });
  });

  it("delivers the alert to a real Alertmanager as a real Prometheus does", async () => {
    const ours = await eventually(async () => (await amAlerts(amPort)).find((a) => a.labels.alertname === "InstanceDown"), 90_000, "the alert in Alertmanager");
    const theirs = await eventually(async () => (await amAlerts(amPromPort)).find((a) => a.labels.alertname === "InstanceDown"), 120_000, "Prometheus's alert in its Alertmanager");
    expect(ours.labels).toEqual(theirs.labels);
    expect(ours.annotations).toEqual(theirs.annotations);
    expect(ours.labels.region).toBe("e2e");
    expect(ours.status.state).toBe("active");
    expect(ours.generatorURL).toContain("/graph?g0.expr=up%7Bjob%3D%22down%22%7D+%3D%3D+0&g0.tab=1");
    const ams = await api<{ activeAlertmanagers: { url: string }[] }>("/api/v1/alertmanagers");
    expect(ams.activeAlertmanagers).toEqual([{ url: `http://127.0.0.1:${amPort}/api/v2/alerts` }]);
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    expect(metrics).toContain('prometheus_rule_group_rules{rule_group="rules/alerts.yml;availability"} 2');
    expect(metrics).toMatch(new RegExp(`prometheus_notifications_sent_total\\{alertmanager="http://127.0.0.1:${amPort}/api/v2/alerts"\\} [1-9]`));
  });

  it("keeps the for state across a restart", async () => {
    const before = (await api<{ alerts: ApiAlert[] }>("/api/v1/alerts")).alerts.find((a) => a.labels.alertname === "InstanceDown")!;
    expect(before.state).toBe("firing");
    await p.stop();
    p = await startPyrometer({ state: join(dir, "state"), config: join(dir, "prometheus.yml") });
    const after = await eventually(async () => {
      const { alerts } = await api<{ alerts: ApiAlert[] }>("/api/v1/alerts");
      return alerts.find((a) => a.labels.alertname === "InstanceDown");
    }, 60_000, "the alert after restart");
    expect(after.state).toBe("firing");
    expect(after.activeAt).toBe(before.activeAt);
  });

  it("resolves when the target comes back, and Alertmanager drops the alert", async () => {
    target = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end("back 1\n");
    });
    await new Promise<void>((r) => target!.listen(downPort, "127.0.0.1", () => r()));
    await eventually(async () => {
      const { alerts } = await api<{ alerts: ApiAlert[] }>("/api/v1/alerts");
      return alerts.some((a) => a.labels.alertname === "InstanceDown") ? undefined : true;
    }, 90_000, "the alert to resolve in Pyrometer");
    // The resolved alert is sent at once with endsAt = resolution time, so Alertmanager no longer lists it as active.
    await eventually(async () => ((await amAlerts(amPort)).some((a) => a.labels.alertname === "InstanceDown" && a.status.state === "active") ? undefined : true), 60_000, "Alertmanager to see the resolution");
    const rules = await api<{ groups: { rules: { name: string; state?: string; health: string }[] }[] }>("/api/v1/rules?type=alert");
    expect(rules.groups[0]!.rules[0]).toMatchObject({ name: "InstanceDown", state: "inactive", health: "ok" });
  });
});
