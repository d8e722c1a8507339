/**
 * The configuration lifecycle and access settings under `npm start`
 * (scripts/start.ts), as a user meets them: an invalid config refuses to
 * start; secrets never reach a command line; an edit reloads; an invalid
 * edit is refused and the old config stays; removed targets go stale at
 * once; the Pushgateway refuses to forge a scrape-owned job.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPyrometer, eventually } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";

const TOKEN = "w-token-Zq8$x";
const PASSWORD = "hunter2-secret-pw";
const auth = { authorization: `Bearer ${TOKEN}` };
const RULES = "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n";

function config(withSelf2: boolean): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
rule_files: [rules.yml]
storage:
  tsdb:
    retention: {time: 30d}
scrape_configs:
  - job_name: pyrometer
    static_configs: [{targets: ["localhost:8787"]}]
${withSelf2 ? `  - job_name: self2
    static_configs: [{targets: ["localhost:8787"]}]
` : ""}  - job_name: guarded
    basic_auth: {username: scraper, password: ${PASSWORD}}
    static_configs: [{targets: ["127.0.0.1:1"]}]
  - job_name: pushgateway
    honor_labels: true
    metrics_path: /pushgateway/metrics
    static_configs: [{targets: ["localhost:8787"]}]
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: up|scrape_.+
        action: drop
`;
}

/** The command lines of a process and all its descendants (what `ps` shows). */
function commandLines(pid: number): string[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, "utf8").replace(/^.*\) /s, "").split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: string[] = [];
  const walk = (p: number) => {
    try {
      out.push(readFileSync(`/proc/${p}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

async function instant(p: Running, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent(q)}`, { headers: auth });
  return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}

describe("npm start refuses an invalid config", () => {
  it("exits non-zero on a HEAD_SHARDS that is not a whole number, saying so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pyrometer-badshards-"));
    try {
      const err = await startPyrometer({ state: join(dir, "state"), env: { HEAD_SHARDS: "abc" } }).then(
        () => new Error("started"),
        (e: Error) => e,
      );
      expect(err.message).toMatch(/pyrometer exited with 1/);
      expect(err.message).toContain('HEAD_SHARDS must be a whole number from 1 to 9999, not "abc"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits non-zero with a file:line: message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pyrometer-badcfg-"));
    try {
      const path = join(dir, "bad.yml");
      writeFileSync(path, "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n");
      const err = await startPyrometer({ state: join(dir, "state"), config: path }).then(
        () => new Error("started"),
        (e: Error) => e,
      );
      expect(err.message).toMatch(/pyrometer exited with 1/);
      expect(err.message).toContain(`${path}:5: field scrape_intervl not found in type config.ScrapeConfig`);
      expect(err.message).not.toMatch(/Starting local server/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm start with secrets, reloads and the Pushgateway guard", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-life-"));
  const cfgPath = join(dir, "prometheus.yml");
  let p: Running;

  beforeAll(async () => {
    writeFileSync(cfgPath, config(true));
    writeFileSync(join(dir, "rules.yml"), RULES);
    p = await startPyrometer({ state: join(dir, "state"), config: cfgPath, env: { WRITE_TOKEN: TOKEN, CORS_ORIGIN: "https?://grafana\\.local" } });
  });
  afterAll(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts neither the config nor a token on any command line", () => {
    const lines = commandLines(p.pid);
    expect(lines.some((l) => l.includes("workerd"))).toBe(true);
    for (const l of lines) {
      expect(l).not.toContain(PASSWORD);
      expect(l).not.toContain("job_name");
      expect(l).not.toContain(TOKEN);
    }
  });

  it("takes CORS_ORIGIN from the environment, regex intact", async () => {
    const ok = await fetch(`${p.url}/api/v1/labels`, { headers: { origin: "https://grafana.local" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://grafana.local");
    const other = await fetch(`${p.url}/api/v1/labels`, { headers: { origin: "https://grafanaXlocal" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("takes WRITE_TOKEN from the environment: writes and /-/reload need it", async () => {
    expect((await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body: "x 1\n" })).status).toBe(401);
    expect((await fetch(`${p.url}/-/reload`, { method: "POST" })).status).toBe(401);
    expect((await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body: "x 1\n", headers: auth })).status).toBe(200);
  });

  it("uses the user's file, not the bundled config, everywhere (retention as an example)", async () => {
    const rt = (await (await fetch(`${p.url}/api/v1/status/runtimeinfo`)).json()) as { data: { storageRetention: string } };
    expect(rt.data.storageRetention).toBe("30d");
  });

  it("hides the scrape password in the status config and targets", async () => {
    const cfg = await (await fetch(`${p.url}/api/v1/status/config`)).text();
    expect(cfg).toContain("job_name: guarded");
    expect(cfg).not.toContain(PASSWORD);
    expect(cfg).toContain("<secret>");
    expect(await (await fetch(`${p.url}/api/v1/targets`)).text()).not.toContain(PASSWORD);
  });

  it("refuses a push that claims a scraped job, and drops pushed up/scrape_* series", async () => {
    const forged = await fetch(`${p.url}/metrics/job/pyrometer`, { method: "PUT", body: "up 0\n", headers: auth });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/owns that job/);
    const ok = await fetch(`${p.url}/metrics/job/nightly`, { method: "PUT", body: "up 0\nscrape_samples_scraped 9\nbatch_done 1\n", headers: auth });
    expect(ok.status).toBe(200);
    await eventually(async () => ((await instant(p, 'batch_done{job="nightly"}')).length === 1 ? true : undefined), 60_000, "the pushed batch_done scraped");
    expect(await instant(p, 'up{job="nightly"}')).toEqual([]);
    expect(await instant(p, 'scrape_samples_scraped{job="nightly"}')).toEqual([]);
    expect((await instant(p, 'up{job="pyrometer"}'))[0]?.value[1]).toBe("1");
  });

  it("reloads on an edit: a removed job's series go stale at once", async () => {
    await eventually(async () => ((await instant(p, 'up{job="self2"}'))[0]?.value[1] === "1" ? true : undefined), 60_000, 'up{job="self2"} = 1');
    writeFileSync(cfgPath, config(false));
    // Without staleness markers up{job="self2"} would answer for 5 minutes (the lookback).
    await eventually(async () => ((await instant(p, 'up{job="self2"}')).length === 0 ? true : undefined), 60_000, 'up{job="self2"} stale after the reload');
    const targets = await (await fetch(`${p.url}/api/v1/targets`)).text();
    expect(targets).not.toContain('"self2"');
    expect(p.output()).toContain(`config reloaded from ${cfgPath}`);
  });

  it("reloads on an edit of a rule file the config names; an invalid rule file is not applied", async () => {
    const reloads = () => p.output().split(`config reloaded from ${cfgPath}`).length - 1;
    const before = reloads();
    writeFileSync(join(dir, "rules.yml"), RULES.replace("job:up:sum", "job:up:total"));
    await eventually(async () => (reloads() > before ? true : undefined), 30_000, "a reload after the rule file edit");
    const ruleNames = async () => JSON.stringify(await (await fetch(`${p.url}/api/v1/rules`, { headers: auth })).json());
    await eventually(async () => ((await ruleNames()).includes("job:up:total") ? true : undefined), 30_000, "the edited rule in /api/v1/rules");
    writeFileSync(join(dir, "rules.yml"), RULES.replace("sum by (job) (up)", "sum by (job) (up"));
    await eventually(async () => (/rules\.yml[\s\S]*FAILED/.test(p.output()) ? true : undefined), 30_000, "the invalid rule file reported");
    // As Prometheus: a rule file that does not load leaves the rules in force.
    expect(await ruleNames()).toContain("job:up:total");
    writeFileSync(join(dir, "rules.yml"), RULES);
  });

  it("refuses an invalid edit with its error, keeps the old config, and says so in /metrics", async () => {
    writeFileSync(cfgPath, config(false) + "  - job_name: broken\n    scrape_intervl: 1s\n");
    await eventually(async () => (/config edit not applied[^]*prometheus\.yml:\d+: field scrape_intervl not found/.test(p.output()) ? true : undefined), 30_000, "the refused edit reported with file:line");
    const res = await fetch(`${p.url}/-/reload`, { method: "POST", headers: auth });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/^failed to reload config: .*prometheus\.yml:\d+: field scrape_intervl not found/);
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    expect(metrics).toMatch(/^prometheus_config_last_reload_successful 0$/m);
    expect(metrics).toMatch(/^prometheus_config_last_reload_success_timestamp_seconds \S+$/m);
    const rt = (await (await fetch(`${p.url}/api/v1/status/runtimeinfo`)).json()) as { data: { reloadConfigSuccess: boolean } };
    expect(rt.data.reloadConfigSuccess).toBe(false);
    // The old config is still in force: the pyrometer job keeps being scraped.
    const t0 = Number((await instant(p, 'timestamp(up{job="pyrometer"})'))[0]!.value[1]);
    await eventually(async () => (Number((await instant(p, 'timestamp(up{job="pyrometer"})'))[0]?.value[1]) > t0 ? true : undefined), 60_000, "a new scrape of the pyrometer job");
    // A valid config again: reload succeeds.
    writeFileSync(cfgPath, config(false));
    await eventually(async () => (/^prometheus_config_last_reload_successful 1$/m.test(await (await fetch(`${p.url}/metrics`)).text()) ? true : undefined), 30_000, "a successful reload");
  });
});
