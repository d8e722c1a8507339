/**
 * The web UI in a real browser: Debian's chromium driven by playwright-core
 * against `npm start`, over data the test imports. Screenshots of every page
 * go to test-results/ui-*.png; the query page's time to interactive goes to
 * test-results/ui-timing.json (recorded in docs/benchmarks.md, not asserted).
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { launchChromium } from "../support/browser.ts";
import { themes } from "../../ui/src/lib/palette.ts";

// Functions passed to page.evaluate run in the browser; the root tsconfig has no DOM types.
declare const document: any;

const results = resolve(import.meta.dirname, "../../test-results");

interface Vec {
  metric: Record<string, string>;
  value: [number, string];
}

describe("web UI in chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-ui-"));
  let p: Running;
  let ctx: BrowserContext;
  let page: Page;
  let downPort: number;
  const pageErrors: string[] = [];
  const now = Date.now();

  async function importLines(lines: string[]): Promise<void> {
    const res = await fetch(`${p.url}/api/v1/import/prometheus`, { method: "POST", body: lines.join("\n") + "\n" });
    expect(res.status, await res.clone().text()).toBe(200);
  }

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(results, `ui-${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    mkdirSync(results, { recursive: true });
    downPort = await freePort(); // nothing listens here: the target is down
    const config = join(dir, "prometheus.yml");
    // One rule file: an alert that always fires, and one pending for an hour on the down target.
    writeFileSync(join(dir, "rules.yml"), "groups:\n  - name: ui\n    interval: 2s\n    rules:\n      - alert: UiRuleFiring\n        expr: vector(1)\n        labels: { severity: page }\n        annotations: { summary: always firing }\n      - alert: UiRulePending\n        expr: up == 0\n        for: 1h\n");
    writeFileSync(config, `global:\n  scrape_interval: 2s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: broken\n    static_configs:\n      - targets: ["127.0.0.1:${downPort}"]\n`);
    p = await startPyrometer({ state: join(dir, "state"), config });
    // Two counters over the last hour (rates 10/15 and 5/15 per second) and
    // probe results: a.example up from two regions, b.example up until now.
    const lines: string[] = [];
    for (let t = now - 3600_000, i = 0; t <= now - 60_000; t += 15_000, i++) {
      lines.push(`ui_test_requests_total{job="uitest",instance="a"} ${i * 10} ${t}`);
      lines.push(`ui_test_requests_total{job="uitest",instance="b"} ${i * 5} ${t}`);
      for (const [inst, region] of [["https://a.example", "eu"], ["https://a.example", "us"], ["https://b.example", "eu"]]) {
        lines.push(`probe_success{job="blackbox",instance="${inst}",region="${region}"} 1 ${t}`);
        lines.push(`probe_duration_seconds{job="blackbox",instance="${inst}",region="${region}"} ${0.05 + (i % 7) * 0.01} ${t}`);
      }
    }
    await importLines(lines);
    ({ ctx, page } = await launchChromium(join(dir, "chromium-profile"), pageErrors));
  }, 300_000);

  afterAll(async () => {
    await ctx?.close();
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("autocompletes metric names, label names and label values in the query editor (and records time to interactive)", async () => {
    await page.goto(`${p.url}/query`);
    await page.waitForSelector(".cm-content");
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as unknown as { domContentLoadedEventEnd: number; loadEventEnd: number };
      const mark = performance.getEntriesByName("pyrometer:query-interactive")[0];
      return { interactiveMs: mark?.startTime, domContentLoadedMs: nav.domContentLoadedEventEnd, loadMs: nav.loadEventEnd };
    });
    expect(timing.interactiveMs).toBeGreaterThan(0);
    writeFileSync(join(results, "ui-timing.json"), JSON.stringify(timing, null, 2) + "\n");
    console.log("query page timing (ms):", JSON.stringify(timing));

    await page.click(".cm-content");
    await page.keyboard.type("ui_test_req");
    const option = page.locator(".cm-tooltip-autocomplete li", { hasText: "ui_test_requests_total" });
    await option.first().waitFor({ timeout: 30_000 });
    await shot("query-autocomplete");
    // CodeMirror ignores Enter for a list updated less than 75 ms ago (its interactionDelay).
    await page.waitForTimeout(300);
    await page.keyboard.press("Enter"); // accept the completion
    expect(await page.locator(".cm-content").innerText()).toBe("ui_test_requests_total");
    // Label names and values come from the API too.
    await page.keyboard.type("{inst");
    await page.locator(".cm-tooltip-autocomplete li", { hasText: "instance" }).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    await page.keyboard.press("Enter");
    await page.keyboard.type('="');
    expect(await page.locator(".cm-content").innerText()).toBe('ui_test_requests_total{instance=""}');
    // Ask for the list inside the quotes (Ctrl+Space), again until the values have arrived.
    const values = page.locator(".cm-tooltip-autocomplete li");
    await eventually(async () => {
      await page.keyboard.press("Control+Space");
      await values.first().waitFor({ timeout: 2_000 });
      return (await values.count()) === 2 ? true : undefined;
    }, 60_000, "label value completions");
    expect((await values.allInnerTexts()).map((t) => t.trim()).sort()).toEqual(["a", "b"]);
  });

  it("graphs rate(x[5m]) and shows the API's exact values in the table", async () => {
    const expr = "rate(ui_test_requests_total[5m])";
    await page.goto(`${p.url}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=graph&g0.range_input=1h`);
    expect(new URL(page.url()).pathname).toBe("/query");
    const canvas = page.locator("[data-testid=graph] canvas");
    await canvas.waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    await shot("query-graph");
    // Pixels in each series' colour: both lines are drawn, and instance a
    // (rate 0.667/s) lies above instance b (0.333/s). Colours by result order.
    const order = await page.evaluate(() => [...document.querySelectorAll(".u-legend .u-series th")].map((e: any) => String(e.textContent ?? "")));
    const colours = themes.light.series;
    const colourRows = () => canvas.evaluate((c: any, cols: string[]) => {
      const ctx2 = c.getContext("2d")!;
      const { data, width, height } = ctx2.getImageData(0, 0, c.width, c.height) as { data: Uint8ClampedArray; width: number; height: number };
      const rgb = cols.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
      const ys: number[][] = cols.map(() => []);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const o = (y * width + x) * 4;
          if (data[o + 3]! < 200) continue;
          rgb.forEach((c3, k) => {
            if (Math.abs(data[o]! - c3[0]!) + Math.abs(data[o + 1]! - c3[1]!) + Math.abs(data[o + 2]! - c3[2]!) < 30) ys[k]!.push(y);
          });
        }
      }
      return ys.map((list) => ({ count: list.length, meanY: list.reduce((a, b) => a + b, 0) / Math.max(1, list.length) }));
    }, colours.slice(0, 2));
    // uPlot draws on the next frame: poll until both lines are on the canvas.
    const rows = await eventually(async () => {
      const r = await colourRows();
      return r.every((x) => x.count > 200) ? r : undefined;
    }, 30_000, "both series drawn");
    const ia = order.slice(1).findIndex((l) => l.includes('instance="a"'));
    const ib = order.slice(1).findIndex((l) => l.includes('instance="b"'));
    expect(ia).toBeGreaterThanOrEqual(0);
    expect(ib).toBeGreaterThanOrEqual(0);
    expect(rows[ia]!.count).toBeGreaterThan(200);
    expect(rows[ib]!.count).toBeGreaterThan(200);
    expect(rows[ia]!.meanY).toBeLessThan(rows[ib]!.meanY);

    // Stacked mode redraws from a new query and is kept in the URL.
    let next = page.waitForResponse((r) => r.url().includes("/api/v1/query_range?"));
    await page.getByRole("button", { name: "Stacked" }).click();
    await next;
    expect(page.url()).toContain("g0.display_mode=stacked");
    await page.waitForTimeout(300);
    await shot("query-stacked");
    // Drag to zoom: the panel re-queries the selected span and records it in the URL.
    const box = (await page.locator("[data-testid=graph] .u-over").boundingBox())!;
    next = page.waitForResponse((r) => r.url().includes("/api/v1/query_range?"));
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomed = new URL((await next).url()).searchParams;
    const span = Number(zoomed.get("end")) - Number(zoomed.get("start"));
    expect(span).toBeGreaterThan(3600 * 0.2);
    expect(span).toBeLessThan(3600 * 0.4);
    expect(page.url()).toContain("g0.end_input=");
    // Query history remembers what ran.
    await page.locator("details.history summary").click();
    await page.locator("details.history li button", { hasText: expr }).first().waitFor();
    await page.locator("details.history summary").click();

    const answer = page.waitForResponse((r) => r.url().includes("/api/v1/query?"));
    await page.getByRole("tab", { name: "Table" }).click();
    const body = (await (await answer).json()) as { data: { result: Vec[] } };
    await page.locator("table.result tbody tr").first().waitFor();
    const shown = await page.locator("table.result tbody tr").evaluateAll((trs) =>
      trs.map((tr) => ({ labels: tr.querySelector("td")!.textContent ?? "", value: tr.querySelector("td.num")!.textContent ?? "" })));
    expect(body.data.result).toHaveLength(2);
    expect(shown).toHaveLength(2);
    for (const s of body.data.result) {
      const row = shown.find((r) => r.labels.includes(`instance="${s.metric.instance}"`));
      expect(row?.value).toBe(s.value[1]);
    }
    expect(page.url()).toContain("g0.tab=table");
    await shot("query-table");
  });

  it("runs a query with Shift+Enter and shows errors with their position", async () => {
    await page.goto(`${p.url}/query`);
    await page.click(".cm-content");
    await page.keyboard.type("rate(ui_test_requests_total");
    await page.keyboard.press("Shift+Enter");
    // The API's answer (role=alert), beside the editor's own lint messages.
    const error = page.locator(".messages [role=alert]");
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toMatch(/1:\d+: parse error: expected type range vector/);
    expect(await page.locator(".messages .diagnostics").innerText()).toMatch(/^1:\d+: /);
    await page.waitForTimeout(300);
    await shot("query-error");
    expect(await error.isVisible()).toBe(true); // lint updates keep the API's error
    // Keyboard only: Tab leaves the editor for the Execute button, Enter runs.
    await page.click(".cm-content");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("ui_test_requests_total");
    await page.keyboard.press("Escape"); // close the completion list
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Execute");
    const answer = page.waitForResponse((r) => r.url().includes("/api/v1/query?"));
    await page.keyboard.press("Enter");
    expect((await answer).status()).toBe(200);
    await page.locator("table.result tbody tr").nth(1).waitFor();
  });

  it("lists a down target with its error", async () => {
    const apiTarget = await eventually(async () => {
      const res = (await (await fetch(`${p.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] } };
      return res.data.activeTargets.find((t) => t.health === "down" && t.lastError !== "");
    }, 60_000, "the broken target to be down");
    await page.goto(`${p.url}/targets`);
    await page.getByRole("button", { name: "Down" }).click();
    const row = page.locator("tr.target", { hasText: `127.0.0.1:${downPort}` });
    await row.waitFor();
    expect(await row.locator(".badge").innerText()).toBe("DOWN");
    expect(await row.locator(".target-error").innerText()).toBe(apiTarget.lastError);
    await shot("targets");
  });

  it("shows an endpoint going down on the public status page", async () => {
    await page.goto(`${p.url}/status`);
    const b = page.locator('.endpoint[data-instance="https://b.example"]');
    await b.waitFor({ timeout: 30_000 });
    expect(await b.getAttribute("data-state")).toBe("up");
    expect(await page.locator('.endpoint[data-instance="https://a.example"] .label').allInnerTexts()).toEqual(["eu: up", "us: up"]);
    // b.example starts failing.
    const t = Date.now();
    await importLines([0, 1, 2].map((k) => `probe_success{job="blackbox",instance="https://b.example",region="eu"} 0 ${t - 45_000 + k * 15_000}`));
    await page.reload();
    await b.waitFor();
    expect(await b.getAttribute("data-state")).toBe("down");
    expect(await page.locator(".overall").innerText()).toBe("Partial outage");
    expect(await page.locator(".incident", { hasText: "https://b.example" }).first().innerText()).toContain("ongoing");
    await shot("status");
    // Title, jobs and grouping from the URL (config/status-page.yml gives the defaults).
    await page.goto(`${p.url}/status?title=Acme%20status&job=nonexistent`);
    await page.locator("h1", { hasText: "Acme status" }).waitFor();
    await page.getByText("nothing reports probe_success in job nonexistent").waitFor();
    await page.goto(`${p.url}/status?job=blackbox&group_by=region`);
    await page.locator(".status-group h2", { hasText: "eu" }).waitFor();
  });

  it("shows Pyrometer's own alerting rules firing and pending on the alerts and rules pages", async () => {
    await page.goto(`${p.url}/alerts`);
    const firing = page.locator("details.alert-rule", { hasText: "UiRuleFiring" });
    const pending = page.locator("details.alert-rule", { hasText: "UiRulePending" });
    await eventually(async () => {
      if ((await firing.count()) > 0 && (await pending.count()) > 0 && (await pending.locator("summary .badge").innerText()) === "PENDING") return true;
      await page.reload();
      return undefined;
    }, 60_000, "the rules to be evaluated");
    expect(await firing.locator("summary .badge").innerText()).toBe("FIRING");
    expect(await firing.locator("tbody tr").first().innerText()).toContain('severity="page"');
    expect(await pending.locator("tbody tr").first().innerText()).toContain(`instance="127.0.0.1:${downPort}"`);
    await shot("alerts");
    await page.goto(`${p.url}/rules`);
    await page.locator("tr", { hasText: "UiRuleFiring" }).first().waitFor();
    await shot("rules");
  });

  it("creates a silence from an alert in the built-in Alertmanager, which lists it in /api/v2/silences, and expires it", async () => {
    const posted = await fetch(`${p.url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ labels: { alertname: "UiBuiltinAlert", severity: "page" }, annotations: { summary: "posted by the UI test" }, startsAt: new Date().toISOString() }]),
    });
    expect(posted.status).toBe(200);
    await page.goto(`${p.url}/alertmanager`);
    const group = page.locator("section.panel", { hasText: 'alertname="UiBuiltinAlert"' });
    await eventually(async () => ((await group.count()) > 0 ? true : (await page.reload(), undefined)), 60_000, "the alert group");
    await group.getByRole("button", { name: "Silence" }).first().click();
    const form = page.locator("form.silence-form");
    await form.getByLabel("Created by").fill("ui-test");
    await form.getByLabel("Comment").fill("silenced in Pyrometer's UI");
    await form.getByRole("button", { name: "Create silence" }).click();
    await form.getByRole("status").waitFor();
    const id = /Silence (\S+) created/.exec(await form.getByRole("status").innerText())![1]!;
    const list = (await (await fetch(`${p.url}/api/v2/silences`)).json()) as { id: string; comment: string; createdBy: string; matchers: unknown[]; status: { state: string } }[];
    const s = list.find((x) => x.id === id);
    expect(s).toMatchObject({ createdBy: "ui-test", comment: "silenced in Pyrometer's UI", status: { state: "active" } });
    expect(s!.matchers).toContainEqual({ name: "alertname", value: "UiBuiltinAlert", isRegex: false, isEqual: true });
    await page.locator(`tr[data-silence-id="${id}"]`).waitFor();
    await shot("alertmanager-silence");
    await page.locator(`tr[data-silence-id="${id}"]`).getByRole("button", { name: "Expire" }).click();
    await page.locator(`tr[data-silence-id="${id}"] .badge`, { hasText: "expired" }).waitFor({ timeout: 30_000 });
    const after = (await (await fetch(`${p.url}/api/v2/silence/${id}`)).json()) as { status: { state: string } };
    expect(after.status.state).toBe("expired");
  });

  it("renders every page without a script error (screenshots in test-results/)", async () => {
    for (const path of ["/service-discovery", "/alertmanager", "/config", "/flags", "/runtime", "/tsdb-status"]) {
      await page.goto(`${p.url}${path}`);
      await page.waitForSelector("main h1");
      await eventually(async () => ((await page.locator("main").innerText()).includes("Loading…") ? undefined : true), 30_000, `${path} to load`);
      // Either the page's data or a clear state (not available / error): never blank.
      expect((await page.locator("main").innerText()).trim().length).toBeGreaterThan(10);
      await shot(path.slice(1));
    }
    // Dark theme, switched by keyboard.
    await page.goto(`${p.url}/query?g0.expr=${encodeURIComponent("rate(ui_test_requests_total[5m])")}&g0.tab=graph`);
    await page.locator("[data-testid=graph] canvas").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Switch light/dark theme" }).focus();
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.waitForTimeout(300);
    await shot("query-dark");
    expect(pageErrors).toEqual([]);
  });
});
