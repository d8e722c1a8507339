/**
 * The whole chain under `npm start`: prometheus.yml with `rule_files:
 * ['rules/*.yml']`, an `up == 0` rule with `for: 15s` on a target that is down
 * (a closed loopback port), the built-in Alertmanager routing it to Slack (a
 * local HTTP stand-in) and email (a real SMTP server, Debian's aiosmtpd):
 * both get the notification within 60 s of the alert firing, and the resolved
 * notification once the target answers again.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { mails, receiverServer, start, stop } from "../support/alert-receivers.ts";

describe("rule → built-in Alertmanager → Slack and email", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-chain-"));
  const maildir = join(dir, "maildir");
  const slack = receiverServer();
  let p: Running;
  let smtp: ReturnType<typeof start> | undefined;
  let target: Server | undefined;
  let downPort = 0;

  const slackFor = (status: string) => slack.received.filter((r) => r.path === "/slack" && r.body.attachments[0].title.startsWith(`[${status}`) && r.body.attachments[0].title.includes("ServiceDown"));

  beforeAll(async () => {
    const aiosmtpd = ensureCommand("aiosmtpd", "python3-aiosmtpd");
    const smtpPort = await freePort();
    downPort = await freePort();
    smtp = start(aiosmtpd, ["-n", "-l", `127.0.0.1:${smtpPort}`, "-c", "aiosmtpd.handlers.Mailbox", maildir]);
    await new Promise<void>((r) => slack.server.listen(0, "127.0.0.1", () => r()));
    const slackUrl = `http://127.0.0.1:${(slack.server.address() as { port: number }).port}`;
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules", "availability.yml"), `
groups:
  - name: availability
    interval: 2s
    rules:
      - alert: ServiceDown
        expr: up{job="svc"} == 0
        for: 15s
        labels: {severity: page}
        annotations:
          summary: '{{ $labels.instance }} is down'
`);
    writeFileSync(join(dir, "prometheus.yml"), `
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: ['rules/*.yml']
scrape_configs:
  - job_name: svc
    static_configs: [{targets: ['127.0.0.1:${downPort}']}]
`);
    writeFileSync(join(dir, "alertmanager.yml"), `
global:
  smtp_smarthost: 127.0.0.1:${smtpPort}
  smtp_from: alertmanager@pyrometer.test
  smtp_require_tls: false
route:
  receiver: oncall
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
receivers:
  - name: oncall
    slack_configs: [{api_url: "${slackUrl}/slack", send_resolved: true}]
    email_configs: [{to: oncall@pyrometer.test, send_resolved: true}]
`);
    p = await startPyrometer({ state: join(dir, "state"), config: join(dir, "prometheus.yml"), env: { PYROMETER_ALERTMANAGER_CONFIG: join(dir, "alertmanager.yml") } });
  });

  afterAll(async () => {
    await p?.stop();
    await stop(smtp?.child);
    await new Promise((r) => slack.server.close(r));
    if (target) await new Promise((r) => target!.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("fires, notifies Slack and email within 60 s, and resolves when the target is back", async () => {
    const firingAt = await eventually(async () => {
      const body = (await (await fetch(`${p.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      return body.data.alerts.some((a) => a.labels.alertname === "ServiceDown" && a.state === "firing") ? Date.now() : undefined;
    }, 120_000, "ServiceDown firing in /api/v1/alerts");

    const [msg] = await eventually(async () => (slackFor("FIRING").length > 0 ? slackFor("FIRING") : undefined), 60_000, "Slack message");
    const mail = await eventually(async () => mails(maildir).find((m) => m.subject.startsWith("[FIRING:1] ServiceDown")), 60_000, "mail");
    const within = (Date.now() - firingAt) / 1000;
    expect(within).toBeLessThan(60);
    console.log(`chain: Slack and email ${within.toFixed(1)} s after the alert fired`);
    expect(msg!.body.attachments[0].title).toBe(`[FIRING:1] ServiceDown (127.0.0.1:${downPort} svc page)`);
    expect(mail.subject).toBe(`[FIRING:1] ServiceDown (127.0.0.1:${downPort} svc page)`);

    // The target comes back: up == 1, the rule resolves and so do the notifications.
    target = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("svc_ok 1\n"));
    await new Promise<void>((r) => target!.listen(downPort, "127.0.0.1", () => r()));
    await eventually(async () => slackFor("RESOLVED")[0], 120_000, "resolved Slack message");
    await eventually(async () => mails(maildir).find((m) => m.subject.startsWith("[RESOLVED] ServiceDown")), 60_000, "resolved mail");
    expect(slackFor("FIRING")).toHaveLength(1);
  });
});
