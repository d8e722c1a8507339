/**
 * The same UI against the real things: Debian's Prometheus (rules, alerts,
 * config, flags, TSDB status, targets) and Alertmanager (alert groups,
 * silences created from an alert and expired in the UI), behind a small
 * server that serves ui/dist and forwards the API paths (test/support/ui-server.ts).
 * This covers the pages whose Pyrometer APIs land in other branches, and
 * shows the UI is a plain client of the public APIs.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { eventually, freePort } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { launchChromium } from "../support/browser.ts";
import { serveUi } from "../support/ui-server.ts";
import type { UiServer } from "../support/ui-server.ts";
import { ensureUiBuilt } from "../../scripts/build-ui.ts";

const results = resolve(import.meta.dirname, "../../test-results");

interface Silence {
  id: string;
  comment: string;
  createdBy: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  status: { state: string };
}

describe("web UI against Debian's Prometheus and Alertmanager", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-ui-real-"));
  const daemons: ChildProcess[] = [];
  let ui: UiServer;
  let ctx: BrowserContext;
  let page: Page;
  let am: string;
  let prom: string;
  const pageErrors: string[] = [];

  async function waitHttp(url: string): Promise<void> {
    await eventually(async () => ((await fetch(url)).ok ? true : undefined), 60_000, url);
  }

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(results, `ui-real-${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    const prometheus = ensureCommand("prometheus", "prometheus");
    const alertmanager = ensureCommand("prometheus-alertmanager", "prometheus-alertmanager");
    ensureUiBuilt();
    mkdirSync(results, { recursive: true });
    const [promPort, amPort, uiPort, downPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    am = `http://127.0.0.1:${amPort}`;
    prom = `http://127.0.0.1:${promPort}`;
    writeFileSync(join(dir, "am.yml"), "route:\n  receiver: none\n  group_by: [alertname]\n  group_wait: 1s\nreceivers:\n  - name: none\n");
    writeFileSync(join(dir, "rules.yml"), [
      "groups:",
      "  - name: ui-test",
      "    interval: 1s",
      "    rules:",
      "      - record: job:up:sum",
      "        expr: sum by (job) (up)",
      "      - alert: UiAlwaysFiring",
      "        expr: vector(1)",
      "        labels: { severity: page }",
      "        annotations: { summary: \"always firing for the UI test\" }",
      "      - alert: UiTargetDown",
      "        expr: up == 0",
      "        for: 1h",
      "        annotations: { summary: \"{{ $labels.instance }} is down\" }",
      "",
    ].join("\n"));
    writeFileSync(join(dir, "prometheus.yml"), [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      `rule_files: ["${join(dir, "rules.yml")}"]`,
      `alerting: { alertmanagers: [ { static_configs: [ { targets: ["127.0.0.1:${amPort}"] } ] } ] }`,
      "scrape_configs:",
      "  - job_name: self",
      `    static_configs: [ { targets: ["127.0.0.1:${promPort}"] } ]`,
      "  - job_name: down",
      "    basic_auth: { username: u, password: very-secret-password }",
      `    static_configs: [ { targets: ["127.0.0.1:${downPort}"], labels: { team: ui } } ]`,
      "",
    ].join("\n"));
    daemons.push(spawn(alertmanager, [`--config.file=${join(dir, "am.yml")}`, `--web.listen-address=127.0.0.1:${amPort}`, `--storage.path=${join(dir, "am")}`, "--cluster.listen-address="], { stdio: "ignore" }));
    // A 1 s resend delay: an alert sent before Prometheus has found the Alertmanager is resent at once, not after 1 min.
    daemons.push(spawn(prometheus, [`--config.file=${join(dir, "prometheus.yml")}`, `--web.listen-address=127.0.0.1:${promPort}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, "--rules.alert.resend-delay=1s"], { stdio: "ignore" }));
    await waitHttp(`${am}/-/ready`);
    await waitHttp(`${prom}/-/ready`);
    ui = await serveUi(uiPort, (path) => (path.startsWith("/api/v2/") ? am : path.startsWith("/api/") ? prom : undefined));
    ({ ctx, page } = await launchChromium(join(dir, "chromium-profile"), pageErrors));
  }, 300_000);

  afterAll(async () => {
    await ctx?.close();
    await ui?.close();
    for (const d of daemons) d.kill("SIGTERM");
    await Promise.all(daemons.map((d) => (d.exitCode === null ? new Promise((r) => d.once("exit", r)) : undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it("alerts page shows firing and pending alerts with labels, annotations and active since", async () => {
    await eventually(async () => {
      const r = (await (await fetch(`${prom}/api/v1/alerts`)).json()) as { data: { alerts: { state: string }[] } };
      return r.data.alerts.some((a) => a.state === "pending") && r.data.alerts.some((a) => a.state === "firing") ? true : undefined;
    }, 60_000, "a firing and a pending alert");
    await page.goto(`${ui.url}/alerts`);
    const firing = page.locator("details.alert-rule", { hasText: "UiAlwaysFiring" });
    await firing.waitFor();
    expect(await firing.locator("summary .badge").innerText()).toBe("FIRING");
    const row = firing.locator("tbody tr").first();
    expect(await row.innerText()).toContain('severity="page"');
    expect(await row.innerText()).toContain("summary: always firing for the UI test");
    expect(await row.locator("td").nth(2).innerText()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    const pending = page.locator("details.alert-rule", { hasText: "UiTargetDown" });
    expect(await pending.locator("summary .badge").innerText()).toBe("PENDING");
    expect(await pending.innerText()).toContain(`is down`);
    expect(await pending.locator("pre").innerText()).toContain("for: 1h");
    await shot("alerts");
  });

  it("rules, config (secrets hidden), flags, TSDB status, runtime, targets and service discovery render the real APIs", async () => {
    await page.goto(`${ui.url}/rules`);
    await page.locator("td", { hasText: "job:up:sum" }).first().waitFor();
    expect(await page.locator("tr", { hasText: "job:up:sum" }).locator(".badge").innerText()).toBe("ok");
    await shot("rules");

    await page.goto(`${ui.url}/config`);
    const yaml = await page.locator("pre.config").innerText();
    expect(yaml).toContain("job_name: down");
    expect(yaml).toContain("password: <secret>");
    expect(yaml).not.toContain("very-secret-password");
    await shot("config");

    await page.goto(`${ui.url}/flags`);
    await page.locator("td", { hasText: "storage.tsdb.path" }).waitFor();
    expect(await page.locator("tr", { hasText: "storage.tsdb.path" }).innerText()).toContain(join(dir, "tsdb"));

    await page.goto(`${ui.url}/tsdb-status`);
    await page.locator("h2", { hasText: "Top series count by metric name" }).waitFor();
    const series = Number(await page.locator("tr", { hasText: "Series" }).first().locator("td").innerText());
    expect(series).toBeGreaterThan(0);
    await shot("tsdb-status");

    await page.goto(`${ui.url}/runtime`);
    await page.locator("td", { hasText: "goVersion" }).waitFor();

    await page.goto(`${ui.url}/targets`);
    const down = page.locator("tr.target", { hasText: "down" }).filter({ hasText: "DOWN" });
    await eventually(async () => ((await down.count()) > 0 ? true : (await page.reload(), undefined)), 30_000, "the down target");
    expect(await down.locator(".target-error").innerText()).toMatch(/connection refused/);
    await shot("targets");

    await page.goto(`${ui.url}/service-discovery`);
    const sd = page.locator("tr", { hasText: "__address__" }).filter({ hasText: 'team="ui"' }).first();
    await sd.waitFor();
    expect(await sd.locator("td").nth(1).innerText()).toContain('instance="127.0.0.1:');
    expect(pageErrors).toEqual([]);
  });

  it("creates a silence from an alert in the Alertmanager page, and expires it", async () => {
    await page.goto(`${ui.url}/alertmanager`);
    const group = page.locator("section.panel", { hasText: 'alertname="UiAlwaysFiring"' });
    await eventually(async () => ((await group.count()) > 0 ? true : (await page.reload(), undefined)), 60_000, "the alert group in Alertmanager");
    await group.getByRole("button", { name: "Silence" }).first().click();
    const form = page.locator("form.silence-form");
    expect(await form.getByLabel("Matchers").inputValue()).toContain('alertname="UiAlwaysFiring"');
    await form.getByLabel("Created by").fill("ui-test");
    await form.getByLabel("Comment").fill("silenced from the UI test");
    await form.getByRole("button", { name: "Create silence" }).click();
    await form.getByRole("status").waitFor();
    const created = /Silence (\S+) created/.exec(await form.getByRole("status").innerText())![1]!;

    const list = (await (await fetch(`${am}/api/v2/silences`)).json()) as Silence[];
    const s = list.find((x) => x.id === created);
    expect(s).toMatchObject({ createdBy: "ui-test", comment: "silenced from the UI test", status: { state: "active" } });
    expect(s!.matchers).toContainEqual({ name: "alertname", value: "UiAlwaysFiring", isRegex: false, isEqual: true });
    await page.locator(`tr[data-silence-id="${created}"]`).waitFor();
    await shot("alertmanager");

    await page.locator(`tr[data-silence-id="${created}"]`).getByRole("button", { name: "Expire" }).click();
    await eventually(async () => {
      const after = (await (await fetch(`${am}/api/v2/silence/${created}`)).json()) as Silence;
      return after.status.state === "expired" ? true : undefined;
    }, 30_000, "the silence to expire");
    await page.locator(`tr[data-silence-id="${created}"] .badge`, { hasText: "expired" }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
