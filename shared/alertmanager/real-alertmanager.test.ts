// Same alerts into Debian's real Alertmanager (0.25) and into Pyrometer's
// pipeline: the same webhook and Slack payloads come out (group key,
// fingerprints, group/common labels, titles and links from the default
// templates), and the v2 API reports the same fingerprints.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCommand } from "../../test/support/apt.ts";
import { parseAlertmanagerConfig } from "./config.ts";
import { Dispatcher, emptyState, normaliseAlerts } from "./dispatcher.ts";
import { buildDelivery } from "./deliver.ts";
import { makeRender } from "./render.ts";
import type { EmailDelivery, HttpDelivery } from "./notifiers/types.ts";
import { existsSync, readdirSync, readFileSync } from "node:fs";

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = netServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function waitFor<T>(f: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("agreement with the real Alertmanager", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-realam-"));
  const posts: { path: string; body: any }[] = [];
  let server: Server;
  let am: ChildProcess | undefined;
  let amOut = "";
  let amUrl = "";
  let configText = "";
  let smtp: ChildProcess | undefined;
  const maildir = join(dir, "maildir");

  const startsAt = new Date(Date.now() - 1000).toISOString();
  const alerts = [
    { labels: { alertname: "DiskFull", team: "db", instance: "db1", severity: "page" }, annotations: { summary: "disk full on db1" }, startsAt, generatorURL: "http://prom/graph?g0.expr=x" },
    { labels: { alertname: "DiskFull", team: "db", instance: "db2", severity: "page" }, annotations: { summary: "disk full on db2" }, startsAt, generatorURL: "http://prom/graph?g0.expr=x" },
    { labels: { alertname: "HighLoad", instance: "web1" }, annotations: {}, startsAt, generatorURL: "" },
    // An empty label value is kept (and fingerprinted) as Alertmanager keeps it.
    { labels: { alertname: "HighLoad", instance: "web2", zone: "" }, annotations: { note: "" }, startsAt, generatorURL: "" },
  ];

  beforeAll(async () => {
    const bin = ensureCommand("prometheus-alertmanager", "prometheus-alertmanager");
    server = createServer((req, res) => {
      let data = "";
      req.on("data", (c) => (data += c));
      req.on("end", () => {
        posts.push({ path: req.url ?? "", body: JSON.parse(data) });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const hook = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const smtpPort = await freePort();
    smtp = spawn(ensureCommand("aiosmtpd", "python3-aiosmtpd"), ["-n", "-l", `127.0.0.1:${smtpPort}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], { stdio: "ignore" });
    configText = `
global:
  smtp_smarthost: 127.0.0.1:${smtpPort}
  smtp_from: alertmanager@pyrometer.test
  smtp_require_tls: false
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  routes:
    - matchers: ['team="db"']
      receiver: db
      group_by: [alertname, team]
receivers:
  - name: default
    webhook_configs: [{url: "${hook}/default"}]
    slack_configs: [{api_url: "${hook}/slack-default", channel: "#ops"}]
    email_configs: [{to: oncall@pyrometer.test, text: '{{ template "__text_alert_list" .Alerts }}'}]
  - name: db
    webhook_configs: [{url: "${hook}/db", max_alerts: 1}]
    slack_configs: [{api_url: "${hook}/slack-db", channel: "#db", text: "{{ range .Alerts }}{{ .Annotations.summary }} {{ end }}"}]
`;
    writeFileSync(join(dir, "alertmanager.yml"), configText);
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(bin, [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", `--web.external-url=${amUrl}`], { stdio: ["ignore", "pipe", "pipe"] });
    am.stdout!.on("data", (d) => (amOut += d));
    am.stderr!.on("data", (d) => (amOut += d));
    await waitFor(() => (amOut.includes("Listening") ? true : undefined), 30_000, `alertmanager to listen:\n${amOut}`);
    const res = await fetch(`${amUrl}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
    expect(res.status).toBe(200);
    await waitFor(() => (posts.length >= 4 ? true : undefined), 30_000, `4 notifications from alertmanager:\n${amOut}`);
  }, 900_000);

  afterAll(async () => {
    smtp?.kill("SIGTERM");
    if (am && am.exitCode === null) {
      const exited = new Promise((r) => am!.once("exit", r));
      am.kill("SIGTERM");
      await exited;
    }
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Our notifications for the same input: the first flush, or the one after `then` is posted. */
  async function ours(then?: unknown[]): Promise<Map<string, any>> {
    const cfg = parseAlertmanagerConfig(configText, "alertmanager.yml");
    const d = new Dispatcher(cfg, emptyState(), amUrl);
    const now = Date.now();
    d.receive(normaliseAlerts(alerts, now, cfg.global.resolveTimeout), now);
    let notes = d.flushDue([], now + 1000);
    if (then !== undefined) {
      d.receive(normaliseAlerts(then, now + 1500, cfg.global.resolveTimeout), now + 1500);
      notes = d.flushDue([], now + 3000);
    }
    const out = new Map<string, any>();
    for (const n of notes) {
      if (n.integration.kind === "email") continue;
      const del = (await buildDelivery(cfg, n, makeRender)) as HttpDelivery;
      out.set(new URL(del.url).pathname, JSON.parse(del.body));
    }
    return out;
  }

  it("sends the same webhook payloads", async () => {
    const mine = await ours();
    expect(mine.get("/db").truncatedAlerts).toBe(1);
    for (const path of ["/default", "/db"]) {
      const theirs = posts.find((p) => p.path === path)!.body;
      // Alerts in Alertmanager's order (job, instance, labels); startsAt compared as instants (Go prints its own precision).
      const norm = (b: any) => ({ ...b, alerts: b.alerts.map((a: any) => ({ ...a, startsAt: Date.parse(a.startsAt) })) });
      expect(norm(mine.get(path))).toEqual(norm(theirs));
    }
  });

  it("sends the same Slack messages from the default templates", async () => {
    const mine = await ours();
    for (const path of ["/slack-default", "/slack-db"]) {
      expect(mine.get(path)).toEqual(posts.find((p) => p.path === path)!.body);
    }
  });

  it("writes the same email: headers, MIME layout and text part (the HTML is our compact version)", async () => {
    const file = await waitFor(() => {
      const d = join(maildir, "new");
      return existsSync(d) ? readdirSync(d)[0] : undefined;
    }, 30_000, "the real Alertmanager's mail");
    const theirs = readFileSync(join(maildir, "new", file), "utf8").replace(/\r\n/g, "\n");
    const cfg = parseAlertmanagerConfig(configText, "alertmanager.yml");
    const d = new Dispatcher(cfg, emptyState(), amUrl);
    const now = Date.now();
    d.receive(normaliseAlerts(alerts, now, cfg.global.resolveTimeout), now);
    const n = d.flushDue([], now + 1000).find((x) => x.integration.kind === "email")!;
    const mine = ((await buildDelivery(cfg, n, makeRender)) as EmailDelivery).message.replace(/\r\n/g, "\n");
    const header = (m: string, h: string) => new RegExp(`^${h}: (.*)$`, "m").exec(m)?.[1];
    for (const h of ["Subject", "To", "From", "MIME-Version"]) expect(header(mine, h)).toBe(header(theirs, h));
    // Alertmanager writes the configured headers (Subject, To, From) from a Go map, in random order: compared above, one by one.
    const layout = (m: string) => m.split("\n").filter((l) => /^(Message-Id|Date|Content-Type|MIME-Version|Content-Transfer-Encoding|--)/.test(l)).map((l) => l.replace(/boundary=.*/, "boundary=B").replace(/^--[0-9a-f]+/, "--B").replace(/: .*/, (v) => (/^(Content|MIME)/.test(l) ? v : "")));
    expect(layout(mine)).toEqual(layout(theirs));
    expect(layout(mine)).toContain("Content-Type: text/plain; charset=UTF-8");
    const textPart = (m: string) => m.split(/\n--[0-9a-f]+/)[1]!.split("\n\n").slice(1).join("\n\n");
    expect(textPart(mine)).toBe(textPart(theirs));
    expect(textPart(mine)).toContain("Labels:");
  });

  it("after one alert resolves: only send_resolved integrations notify, with the same payload", async () => {
    const resolution = [{ ...alerts[0], endsAt: new Date().toISOString() }];
    const before = posts.length;
    const res = await fetch(`${amUrl}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(resolution) });
    expect(res.status).toBe(200);
    await waitFor(() => (posts.length > before ? true : undefined), 30_000, "the resolved notification");
    // Give the other groups' ticks a chance to (wrongly) notify too.
    await new Promise((r) => setTimeout(r, 3000));
    const theirs = posts.slice(before);
    const mine = await ours(resolution);
    expect([...mine.keys()]).toEqual(theirs.map((p) => p.path));
    const norm = (b: any) => ({ ...b, alerts: b.alerts.map((a: any) => ({ ...a, startsAt: Date.parse(a.startsAt), endsAt: Date.parse(a.endsAt) || a.endsAt })) });
    for (const t of theirs) expect(norm(mine.get(t.path))).toEqual(norm(t.body));
    expect(theirs[0]!.body).toMatchObject({ status: "resolved", truncatedAlerts: 1 });
  });

  it("reports the same fingerprints and receivers in /api/v2/alerts", async () => {
    const theirs = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as any[];
    const cfg = parseAlertmanagerConfig(configText, "alertmanager.yml");
    const d = new Dispatcher(cfg, emptyState(), amUrl);
    const now = Date.now();
    d.receive(normaliseAlerts(alerts, now, cfg.global.resolveTimeout), now);
    // The previous test resolved DiskFull/db1 in the real one: do the same; resolved alerts are not listed.
    d.receive(normaliseAlerts([{ ...alerts[0], endsAt: new Date(now).toISOString() }], now, cfg.global.resolveTimeout), now);
    const mine = d.firingCandidates(now + 1).map((a) => ({ fingerprint: a.fingerprint, receivers: d.status(a, [], now).receivers.map((name) => ({ name })) }));
    const key = (x: { fingerprint: string }) => x.fingerprint;
    expect(mine.sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(theirs.map((a) => ({ fingerprint: a.fingerprint, receivers: a.receivers })).sort((a, b) => (key(a) < key(b) ? -1 : 1)));
  });
});
