/**
 * The built-in Alertmanager under `npm start`, with real peers: a local HTTP
 * server standing in for Slack (and for webhook receivers that are down), a
 * real SMTP server on loopback (Debian's python3-aiosmtpd), Debian's amtool
 * managing silences, and Debian's Prometheus sending its alerts here.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { mails, receiverServer, start, stop } from "../support/alert-receivers.ts";

describe("built-in Alertmanager end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-am-"));
  const maildir = join(dir, "maildir");
  const slack = receiverServer();
  let p: Running;
  let smtp: ReturnType<typeof start> | undefined;
  let prom: ReturnType<typeof start> | undefined;
  let amtool = "";
  let slackUrl = "";

  const post = (alerts: unknown[]) =>
    fetch(`${p.url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
  const slackFor = (alertname: string) => slack.received.filter((r) => r.path === "/slack" && JSON.stringify(r.body).includes(alertname));
  const metric = async (name: string, integration: string) => {
    const text = await (await fetch(`${p.url}/metrics`)).text();
    const m = new RegExp(`^${name}\\{integration="${integration}"\\} (\\S+)$`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
  };

  beforeAll(async () => {
    amtool = ensureCommand("amtool", "prometheus-alertmanager");
    const aiosmtpd = ensureCommand("aiosmtpd", "python3-aiosmtpd");
    const smtpPort = await freePort();
    // aiosmtpd's Mailbox handler creates the maildir (an existing empty folder lacks tmp/ and fails).
    smtp = start(aiosmtpd, ["-n", "-l", `127.0.0.1:${smtpPort}`, "-c", "aiosmtpd.handlers.Mailbox", maildir]);
    await new Promise<void>((r) => slack.server.listen(0, "127.0.0.1", () => r()));
    slackUrl = `http://127.0.0.1:${(slack.server.address() as { port: number }).port}`;
    slack.failures["/dead"] = Infinity;
    const amConfig = join(dir, "alertmanager.yml");
    // A notification template file, as alertmanager.yml's templates: names it (relative to the file).
    writeFileSync(join(dir, "team.tmpl"), '{{ define "team.text" }}{{ range .Alerts }}{{ .Annotations.summary }};{{ end }}{{ end }}');
    writeFileSync(amConfig, `
templates: ['*.tmpl']
global:
  smtp_smarthost: 127.0.0.1:${smtpPort}
  smtp_from: alertmanager@pyrometer.test
  smtp_require_tls: false
route:
  receiver: team
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: [dest="flaky"]
      receiver: flaky
    - matchers: [dest="dead"]
      receiver: dead
receivers:
  - name: team
    slack_configs:
      - api_url: ${slackUrl}/slack
        channel: "#ops"
        text: '{{ template "team.text" . }}'
        send_resolved: true
    email_configs:
      - to: oncall@pyrometer.test
        send_resolved: true
  - name: flaky
    webhook_configs: [{url: "${slackUrl}/flaky"}]
  - name: dead
    webhook_configs: [{url: "${slackUrl}/dead"}]
`);
    p = await startPyrometer({ state: join(dir, "state"), env: { PYROMETER_ALERTMANAGER_CONFIG: amConfig, NOTIFY_RETRY_BASE_SECONDS: "1" } });
  });

  afterAll(async () => {
    await stop(prom?.child);
    await p?.stop();
    await stop(smtp?.child);
    await new Promise((r) => slack.server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("an alert posted to /api/v2/alerts reaches Slack and email; its resolution too", async () => {
    const startsAt = new Date().toISOString();
    expect((await post([{ labels: { alertname: "E2EServiceDown", job: "api" }, annotations: { summary: "api is down" }, startsAt, endsAt: new Date(Date.now() + 3600_000).toISOString() }])).status).toBe(200);
    const [msg] = await eventually(async () => (slackFor("E2EServiceDown").length > 0 ? slackFor("E2EServiceDown") : undefined), 60_000, "Slack message");
    expect(msg!.body).toMatchObject({ channel: "#ops", username: "Alertmanager", attachments: [{ title: "[FIRING:1] E2EServiceDown (api)", color: "danger", text: "api is down;" }] });
    const mail = await eventually(async () => mails(maildir).find((m) => m.subject.includes("E2EServiceDown")), 60_000, `mail:\n${smtp!.out()}\n${p.output().slice(-2000)}`);
    expect(mail.subject).toBe("[FIRING:1] E2EServiceDown (api)");
    expect(mail.raw).toContain("To: oncall@pyrometer.test");
    expect(mail.raw).toContain("text/html");

    expect((await post([{ labels: { alertname: "E2EServiceDown", job: "api" }, startsAt, endsAt: new Date().toISOString() }])).status).toBe(200);
    const resolved = await eventually(async () => slackFor("E2EServiceDown").find((r) => r.body.attachments[0].title.startsWith("[RESOLVED]")), 60_000, "resolved Slack message");
    expect(resolved.body.attachments[0]).toMatchObject({ title: "[RESOLVED] E2EServiceDown (api)", color: "good" });
    await eventually(async () => mails(maildir).find((m) => m.subject === "[RESOLVED] E2EServiceDown (api)"), 60_000, "resolved mail");
    // Nothing was delivered twice.
    expect(slackFor("E2EServiceDown")).toHaveLength(2);
  });

  it("a silence added with amtool suppresses the next notification", async () => {
    const url = `--alertmanager.url=${p.url}`;
    const id = execFileSync(amtool, [url, "silence", "add", "alertname=E2ESilenced", "--comment=maintenance", "--duration=1h", "--author=e2e"], { encoding: "utf8" }).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(execFileSync(amtool, [url, "silence", "query", "-q"], { encoding: "utf8" })).toContain(id);
    await post([{ labels: { alertname: "E2ESilenced" } }, { labels: { alertname: "E2EControl" } }]);
    // The control alert, posted at the same time, shows the pipeline ran.
    await eventually(async () => (slackFor("E2EControl").length > 0 ? true : undefined), 60_000, "control alert in Slack");
    await new Promise((r) => setTimeout(r, 5000));
    expect(slackFor("E2ESilenced")).toEqual([]);
    const alerts = execFileSync(amtool, [url, "alert", "query", "--silenced", "-o", "json"], { encoding: "utf8" });
    expect(JSON.parse(alerts).find((a: any) => a.labels.alertname === "E2ESilenced").status).toEqual({ state: "suppressed", silencedBy: [id], inhibitedBy: [] });
    execFileSync(amtool, [url, "silence", "expire", id]);
    // amtool reads /api/v2/status: the config with its secrets masked.
    const shown = execFileSync(amtool, [url, "config", "show"], { encoding: "utf8" });
    expect(shown).toContain("<secret>");
    expect(shown).not.toContain(`${slackUrl}/slack`);
    expect(execFileSync(amtool, [url, "silence", "query", "-q"], { encoding: "utf8" })).not.toContain(id);
  });

  it("a receiver down for the first attempts gets the notification once it is back, once", async () => {
    slack.failures["/flaky"] = 2;
    await post([{ labels: { alertname: "E2EFlaky", dest: "flaky" } }]);
    const got = await eventually(async () => slack.received.find((r) => r.path === "/flaky"), 90_000, "flaky receiver delivery");
    expect(got.body).toMatchObject({ version: "4", status: "firing", receiver: "flaky", groupLabels: { alertname: "E2EFlaky" } });
    expect(slack.attempts["/flaky"]).toBe(3);
    await new Promise((r) => setTimeout(r, 3000));
    expect(slack.received.filter((r) => r.path === "/flaky")).toHaveLength(1);
  });

  it("when retries run out the notification is dead-lettered and counted", async () => {
    const before = (await metric("alertmanager_notifications_failed_total", "webhook")) ?? 0;
    await post([{ labels: { alertname: "E2EDead", dest: "dead" } }]);
    // max_retries 5 with 1 s base backoff: 1+2+4+8+16 s of retries.
    await eventually(async () => ((await metric("pyrometer_alertmanager_notifications_dead_lettered_total", "webhook")) ?? 0) >= 1 ? true : undefined, 150_000, `DLQ metric:\n${p.output().slice(-3000)}`);
    expect(await metric("alertmanager_notifications_failed_total", "webhook")).toBeGreaterThan(before);
    expect(slack.attempts["/dead"]).toBe(6);
    expect(p.output()).not.toContain(`${slackUrl}/dead`);
  });

  it("a real Prometheus with alerting.alertmanagers pointing here: its alert is routed and delivered", async () => {
    const prometheus = ensureCommand("prometheus", "prometheus");
    const port = await freePort();
    writeFileSync(join(dir, "rules.yml"), `
groups:
  - name: e2e
    interval: 1s
    rules:
      - alert: E2EAlwaysFiring
        expr: vector(1)
        labels: {severity: info}
        annotations: {summary: "always firing"}
`);
    writeFileSync(join(dir, "prometheus.yml"), `
global: {evaluation_interval: 1s}
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - api_version: v2
      static_configs: [{targets: ["${p.url.slice("http://".length)}"]}]
`);
    // A short resend delay: Prometheus's first send can precede its notifier discovering the target.
    prom = start(prometheus, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "prom")}`, `--web.listen-address=127.0.0.1:${port}`, "--rules.alert.resend-delay=2s"]);
    const msg = await eventually(async () => slackFor("E2EAlwaysFiring")[0], 90_000, `Prometheus's alert in Slack:\n${prom!.out().slice(-2000)}`);
    expect(msg.body.attachments[0].title).toBe("[FIRING:1] E2EAlwaysFiring (info)");
    const alerts = (await (await fetch(`${p.url}/api/v2/alerts?filter=alertname%3DE2EAlwaysFiring`)).json()) as any[];
    expect(alerts[0]).toMatchObject({ labels: { alertname: "E2EAlwaysFiring", severity: "info" }, annotations: { summary: "always firing" }, receivers: [{ name: "team" }] });
    expect(alerts[0].generatorURL).toContain("/graph?g0.expr=vector%281%29");
  });
});
