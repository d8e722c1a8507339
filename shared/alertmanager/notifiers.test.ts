// Payloads of each receiver kind, rendered with Alertmanager's default
// templates through shared/template.
import { describe, it, expect } from "vitest";
import { parseAlertmanagerConfig } from "./config.ts";
import { buildDelivery } from "./deliver.ts";
import { checkTemplateFiles, makeRender } from "./render.ts";
import type { EmailDelivery, HttpDelivery, Notification, NotifyAlert } from "./notifiers/types.ts";
import { NOTIFIERS } from "./notifiers/registry.ts";

const CFG = parseAlertmanagerConfig(`
global:
  smtp_smarthost: '127.0.0.1:2525'
  smtp_from: 'am@example.org'
  smtp_require_tls: false
  slack_api_url: 'http://127.0.0.1:9/slack'
route: {receiver: all}
receivers:
- name: all
  slack_configs: [{channel: '#ops', fields: [{title: 'Sev', value: '{{ .CommonLabels.severity }}'}]}]
  email_configs: [{to: 'oncall@example.org', text: '{{ template "__text_alert_list" .Alerts }}'}]
  webhook_configs: [{url: 'http://127.0.0.1:9/hook', max_alerts: 1}]
  discord_configs: [{webhook_url: 'http://127.0.0.1:9/discord'}]
  msteams_configs: [{webhook_url: 'http://127.0.0.1:9/teams'}]
  telegram_configs: [{bot_token: 'TOKEN', chat_id: -100, api_url: 'http://127.0.0.1:9'}]
  pagerduty_configs: [{routing_key: 'RK', url: 'http://127.0.0.1:9/pd'}]
  opsgenie_configs: [{api_key: 'OK', api_url: 'http://127.0.0.1:9/og/'}]
`, "am.yml");

const alert = (i: string, status: "firing" | "resolved" = "firing"): NotifyAlert => ({
  status, labels: { alertname: "InstanceDown", instance: `host${i}`, severity: "page" }, annotations: { summary: `host${i} down` },
  startsAt: "2026-01-01T00:00:00.000Z", endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : "2026-01-01T00:05:00.000Z",
  generatorURL: "http://prom/graph", fingerprint: `f${i}`,
});

const notification = (kind: string, alerts = [alert("1"), alert("2")]): Notification => ({
  receiver: "all", integration: { kind, index: 0 }, groupKey: '{}:{alertname="InstanceDown"}', groupLabels: { alertname: "InstanceDown" },
  alerts, truncatedAlerts: 0, externalURL: "http://pyro:8787",
});

const http = async (kind: string, alerts?: NotifyAlert[]) => {
  const d = (await buildDelivery(CFG, notification(kind, alerts), makeRender)) as HttpDelivery;
  return { url: d.url, headers: d.headers, body: JSON.parse(d.body) as Record<string, any> };
};

describe("default templates", () => {
  it("__subject: status, count, group labels, then the other common labels", () => {
    const r = makeRender(notification("slack"));
    expect(r('{{ template "__subject" . }}')).toBe("[FIRING:2] InstanceDown (page)");
    const one = makeRender({ ...notification("slack", [alert("1", "resolved")]), groupLabels: {} });
    expect(one('{{ template "__subject" . }}')).toBe("[RESOLVED]  (InstanceDown host1 page)");
  });
  it("Alertmanager's template functions", () => {
    const r = makeRender(notification("slack"));
    expect(r('{{ .CommonLabels.alertname | toLower }} {{ "a b" | title }} {{ humanizeDuration 3661 }} {{ reReplaceAll "host(.)" "h$1" "host7" }} {{ match "^Inst" .CommonLabels.alertname }}')).toBe("instancedown A B 1h 1m 1s h7 true");
    expect(r("{{ .CommonLabels.missing }}|{{ len .Alerts.Resolved }}|{{ .GroupLabels.Names }}")).toBe("|0|[alertname]");
  });
  it("user template files (templates:) define on top of the defaults", () => {
    const files = { "custom.tmpl": '{{ define "custom.title" }}{{ .CommonLabels.alertname }} on {{ len .Alerts }} hosts{{ end }}' };
    const r = makeRender(notification("slack"), checkTemplateFiles(files));
    expect(r('{{ template "custom.title" . }} / {{ template "__subject" . }}')).toBe("InstanceDown on 2 hosts / [FIRING:2] InstanceDown (page)");
    expect(() => checkTemplateFiles({ "bad.tmpl": '{{ define "x" }}{{ .Foo' })).toThrow(/^bad\.tmpl: template: /);
  });
  it("__text_alert_list lists labels, annotations and source", () => {
    const r = makeRender(notification("slack", [alert("1")]));
    expect(r('{{ template "__text_alert_list" .Alerts }}')).toBe(
      "Labels:\n - alertname = InstanceDown\n - instance = host1\n - severity = page\nAnnotations:\n - summary = host1 down\nSource: http://prom/graph\n");
  });
});

describe("payloads", () => {
  it("slack: one attachment with the default title, link, color and fields", async () => {
    const { url, body } = await http("slack");
    expect(url).toBe("http://127.0.0.1:9/slack");
    expect(body).toEqual({
      channel: "#ops", username: "Alertmanager",
      attachments: [{
        title: "[FIRING:2] InstanceDown (page)", title_link: "http://pyro:8787/#/alerts?receiver=all", text: "", callback_id: "", footer: "",
        fallback: "[FIRING:2] InstanceDown (page) | http://pyro:8787/#/alerts?receiver=all", color: "danger",
        mrkdwn_in: ["fallback", "pretext", "text"], fields: [{ title: "Sev", value: "page", short: false }],
      }],
    });
  });
  it("webhook: version 4, max_alerts truncates and counts", async () => {
    const { body } = await http("webhook");
    expect(body).toMatchObject({
      receiver: "all", status: "firing", version: "4", groupKey: '{}:{alertname="InstanceDown"}', truncatedAlerts: 1,
      groupLabels: { alertname: "InstanceDown" }, commonLabels: { alertname: "InstanceDown", instance: "host1", severity: "page" },
      commonAnnotations: { summary: "host1 down" },
      externalURL: "http://pyro:8787",
    });
    expect(body.alerts).toEqual([{ ...alert("1") }]);
  });
  it("email: subject from email.default.subject, html and text parts", async () => {
    const d = (await buildDelivery(CFG, notification("email"), makeRender)) as EmailDelivery;
    expect(d.subject).toBe("[FIRING:2] InstanceDown (page)");
    expect(d.smtp).toMatchObject({ smarthost: "127.0.0.1:2525", from: "am@example.org", to: ["oncall@example.org"], requireTls: false, hello: "localhost" });
    expect(d.message).toContain("Subject: [FIRING:2] InstanceDown (page)\r\n");
    expect(d.message).toContain("Content-Type: text/html; charset=UTF-8");
    expect(d.html).toContain("host2");
    expect(d.text).toContain("Labels:\n - alertname = InstanceDown");
  });
  it("discord, msteams, telegram", async () => {
    expect((await http("discord")).body).toMatchObject({ embeds: [{ title: "[FIRING:2] InstanceDown (page)", color: 0x992d22 }] });
    expect((await http("discord")).body.embeds[0].description).toContain("Alerts Firing:");
    expect((await http("msteams")).body).toMatchObject({ type: "MessageCard", title: "[FIRING:2] InstanceDown (page)", themeColor: "8C1A1A" });
    const tg = await http("telegram");
    expect(tg.url).toBe("http://127.0.0.1:9/botTOKEN/sendMessage");
    expect(tg.body).toMatchObject({ chat_id: -100, parse_mode: "HTML", disable_notification: false });
  });
  it("pagerduty: Events v2 trigger then resolve, dedup key from the group key", async () => {
    const t = await http("pagerduty");
    expect(t.body).toMatchObject({ routing_key: "RK", event_action: "trigger", client: "Alertmanager", payload: { summary: "[FIRING:2] InstanceDown (page)", severity: "error", source: "Alertmanager" } });
    expect(t.body.dedup_key).toMatch(/^[0-9a-f]{64}$/);
    expect(t.body.payload.custom_details.num_firing).toBe("2");
    const r = await http("pagerduty", [alert("1", "resolved")]);
    expect(r.body).toMatchObject({ event_action: "resolve", dedup_key: t.body.dedup_key });
  });
  it("opsgenie: create with GenieKey auth, close by alias when resolved", async () => {
    const c = await http("opsgenie");
    expect(c.url).toBe("http://127.0.0.1:9/og/v2/alerts");
    expect(c.headers.Authorization).toBe("GenieKey OK");
    expect(c.body.message).toBe("[FIRING:2] InstanceDown (page)");
    const r = await http("opsgenie", [alert("1", "resolved")]);
    expect(r.url).toBe(`http://127.0.0.1:9/og/v2/alerts/${c.body.alias}/close?identifierType=alias`);
  });
  it("the registry has one entry per kind", () => {
    expect(NOTIFIERS.map((k) => k.name)).toEqual(["discord", "email", "msteams", "opsgenie", "pagerduty", "slack", "telegram", "webhook"]);
  });
});

describe("secrets", () => {
  it("the config shown by /api/v2/status has <secret> for every secret", () => {
    const o = CFG.original;
    for (const s of ["RK", "TOKEN", "'OK'", "http://127.0.0.1:9/slack", "http://127.0.0.1:9/hook"]) expect(o).not.toContain(s);
    expect(o).toContain("<secret>");
    expect(o).toContain("oncall@example.org");
  });
});
