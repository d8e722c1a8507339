// Cross-check against the real amtool (Debian's prometheus-alertmanager 0.25):
// `amtool check-config` and Pyrometer must accept or reject the same
// alertmanager.yml files. Kinds 0.25 does not know (msteams) and fields
// Workers cannot honour (files) are left out.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCommand } from "../../test/support/apt.ts";
import { parseAlertmanagerConfig } from "./config.ts";

const R = "route:\n  receiver: r\nreceivers:\n  - name: r\n";

export const AM_CONFIGS: [name: string, yaml: string, valid: boolean][] = [
  ["minimal", R, true],
  ["bundled config/alertmanager.yml", readFileSync(join(import.meta.dirname, "../../config/alertmanager.yml"), "utf8"), true],
  ["docs routing tree", `
global:
  resolve_timeout: 1m
  smtp_smarthost: 'localhost:25'
  smtp_from: 'alertmanager@example.org'
  slack_api_url: 'https://hooks.slack.com/services/x'
route:
  receiver: 'default-receiver'
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  group_by: [cluster, alertname]
  routes:
  - receiver: 'database-pager'
    group_wait: 10s
    matchers:
    - service=~"mysql|cassandra"
  - receiver: 'frontend-pager'
    group_by: [product, environment]
    matchers:
    - team="frontend"
    continue: true
  - receiver: 'dev-pager'
    match: {service: inhibit}
    match_re: {env: 'dev|test'}
    active_time_intervals: [offhours]
    mute_time_intervals: [holidays]
receivers:
- name: 'default-receiver'
  email_configs: [{to: 'a@example.org', send_resolved: true}]
- name: 'database-pager'
  slack_configs: [{channel: '#db', title: '{{ .CommonLabels.alertname }}', fields: [{title: a, value: b, short: true}], actions: [{type: button, text: go, url: 'http://x'}]}]
- name: 'frontend-pager'
  webhook_configs: [{url: 'http://127.0.0.1:5001/', max_alerts: 10}]
  pagerduty_configs: [{routing_key: abc, severity: critical}]
- name: 'dev-pager'
  opsgenie_configs: [{api_key: k, responders: [{name: team, type: team}]}]
  telegram_configs: [{bot_token: t, chat_id: 42, parse_mode: MarkdownV2}]
  discord_configs: [{webhook_url: 'https://discord.com/api/webhooks/1/x'}]
inhibit_rules:
- source_matchers: [severity="critical"]
  target_matchers: [severity="warning"]
  equal: [alertname, cluster]
- source_match: {severity: page}
  target_match_re: {severity: 'warn.*'}
time_intervals:
- name: offhours
  time_intervals:
  - times: [{start_time: '20:00', end_time: '24:00'}]
    weekdays: ['monday:friday']
    location: 'Europe/Berlin'
  - weekdays: [saturday, sunday]
mute_time_intervals:
- name: holidays
  time_intervals:
  - days_of_month: ['1:5', '-3:-1']
    months: ['1:3', 'may:august', 'december']
    years: ['2020:2022', '2030']
`, true],
  ["group_by ...", "route:\n  receiver: r\n  group_by: ['...']\nreceivers:\n  - name: r\n", true],
  ["matchers with braces and commas", "route:\n  receiver: r\n  routes:\n    - matchers: ['{a=\"x,y\", b!=\"z\"}']\nreceivers:\n  - name: r\n", true],
  ["http_config", "global:\n  http_config: {basic_auth: {username: u, password: p}}\n" + R + "    webhook_configs: [{url: 'http://h/', http_config: {authorization: {credentials: t}}}]\n", true],
  ["email headers", "global: {smtp_smarthost: 'h:587', smtp_from: a@b}\n" + R + "    email_configs: [{to: x@y, headers: {Subject: hi, X-Team: a}, require_tls: false, auth_username: u, auth_password: p}]\n", true],
  ["yes as bool", R + "    webhook_configs: [{url: 'http://h/', send_resolved: yes}]\n", true],
  ["unused receiver", R + "  - name: other\n", true],
  // Invalid ones.
  ["empty file", "", false],
  ["no route", "receivers:\n  - name: r\n", false],
  ["root without receiver", "route: {group_by: [a]}\nreceivers:\n  - name: r\n", false],
  ["root with matchers", "route:\n  receiver: r\n  matchers: [a=b]\nreceivers:\n  - name: r\n", false],
  ["undefined receiver", "route:\n  receiver: nope\nreceivers:\n  - name: r\n", false],
  ["child undefined receiver", "route:\n  receiver: r\n  routes: [{receiver: x}]\nreceivers:\n  - name: r\n", false],
  ["duplicate receiver", R + "  - name: r\n", false],
  ["receiver without name", "route:\n  receiver: r\nreceivers:\n  - name: r\n  - webhook_configs: [{url: 'http://h/'}]\n", false],
  ["unknown top field", R + "foo: 1\n", false],
  ["unknown route field", "route:\n  receiver: r\n  group_bye: [a]\nreceivers:\n  - name: r\n", false],
  ["bad duration", "route:\n  receiver: r\n  group_wait: 30x\nreceivers:\n  - name: r\n", false],
  ["zero group_interval", "route:\n  receiver: r\n  group_interval: 0s\nreceivers:\n  - name: r\n", false],
  ["zero repeat_interval", "route:\n  receiver: r\n  repeat_interval: 0s\nreceivers:\n  - name: r\n", false],
  ["wildcard and labels", "route:\n  receiver: r\n  group_by: ['...', a]\nreceivers:\n  - name: r\n", false],
  ["duplicate group_by", "route:\n  receiver: r\n  group_by: [a, a]\nreceivers:\n  - name: r\n", false],
  ["invalid group_by label", "route:\n  receiver: r\n  group_by: ['a-b']\nreceivers:\n  - name: r\n", false],
  ["bad matcher", "route:\n  receiver: r\n  routes: [{matchers: ['a']}]\nreceivers:\n  - name: r\n", false],
  ["bad regex", "route:\n  receiver: r\n  routes: [{matchers: ['a=~\"(\"']}]\nreceivers:\n  - name: r\n", false],
  ["bad match_re", "route:\n  receiver: r\n  routes: [{match_re: {a: '['}}]\nreceivers:\n  - name: r\n", false],
  ["bad match label", "route:\n  receiver: r\n  routes: [{match: {'a-b': x}}]\nreceivers:\n  - name: r\n", false],
  ["undefined time interval", "route:\n  receiver: r\n  routes: [{matchers: [a=b], mute_time_intervals: [x]}]\nreceivers:\n  - name: r\n", false],
  ["bad weekday", R + "time_intervals:\n  - name: t\n    time_intervals: [{weekdays: [funday]}]\n", false],
  ["bad time range", R + "time_intervals:\n  - name: t\n    time_intervals: [{times: [{start_time: '10:00', end_time: '09:00'}]}]\n", false],
  ["bad day of month", R + "time_intervals:\n  - name: t\n    time_intervals: [{days_of_month: ['0']}]\n", false],
  ["bad month", R + "time_intervals:\n  - name: t\n    time_intervals: [{months: [smarch]}]\n", false],
  ["bad location", R + "time_intervals:\n  - name: t\n    time_intervals: [{location: 'Mars/Olympus'}]\n", false],
  ["duplicate time interval", R + "time_intervals:\n  - name: t\n  - name: t\n", false],
  ["email without to", "global: {smtp_smarthost: 'h:25', smtp_from: a@b}\n" + R + "    email_configs: [{from: a@b}]\n", false],
  ["email without smarthost", R + "    email_configs: [{to: a@b, from: c@d}]\n", false],
  ["email without from", "global: {smtp_smarthost: 'h:25'}\n" + R + "    email_configs: [{to: a@b}]\n", false],
  ["slack without url", R + "    slack_configs: [{channel: x}]\n", false],
  ["slack bad url scheme", R + "    slack_configs: [{api_url: 'ftp://x/'}]\n", false],
  ["slack field without value", "global: {slack_api_url: 'http://s/'}\n" + R + "    slack_configs: [{fields: [{title: a}]}]\n", false],
  ["webhook without url", R + "    webhook_configs: [{max_alerts: 1}]\n", false],
  ["pagerduty without key", R + "    pagerduty_configs: [{severity: error}]\n", false],
  ["opsgenie without key", R + "    opsgenie_configs: [{message: x}]\n", false],
  ["telegram without chat", R + "    telegram_configs: [{bot_token: t}]\n", false],
  ["telegram bad parse_mode", R + "    telegram_configs: [{bot_token: t, chat_id: 1, parse_mode: Text}]\n", false],
  ["two auths", "global:\n  http_config: {basic_auth: {username: u}, bearer_token: t}\n" + R, false],
  ["bad inhibit regex", R + "inhibit_rules: [{source_match_re: {a: '('}}]\n", false],
  ["bad inhibit matcher", R + "inhibit_rules: [{target_matchers: ['=x']}]\n", false],
  ["bool as string", R + "    webhook_configs: [{url: 'http://h/', send_resolved: 'maybe'}]\n", false],
  ["duplicate key", "route:\n  receiver: r\n  receiver: r\nreceivers:\n  - name: r\n", false],
];

function amtoolAccepts(path: string): boolean {
  try {
    execFileSync("amtool", ["check-config", path], { stdio: "pipe", timeout: 30_000 });
    return true;
  } catch (e) {
    const err = e as { status?: number | null };
    if (err.status === 1) return false;
    throw e;
  }
}

function weAccept(yaml: string, path: string): boolean {
  try {
    parseAlertmanagerConfig(yaml, path);
    return true;
  } catch {
    return false;
  }
}

describe("agreement with amtool check-config", () => {
  let dir = "";
  beforeAll(() => {
    ensureCommand("amtool", "prometheus-alertmanager");
    dir = mkdtempSync(join(tmpdir(), "pyrometer-amtool-"));
  }, 900_000);

  it(`accepts and rejects the same ${AM_CONFIGS.length} files`, () => {
    const disagreements: string[] = [];
    for (const [name, yaml, valid] of AM_CONFIGS) {
      const path = join(dir, `${name.replace(/\W+/g, "_")}.yml`);
      writeFileSync(path, yaml);
      const theirs = amtoolAccepts(path);
      const ours = weAccept(yaml, path);
      if (theirs !== ours || ours !== valid) {
        disagreements.push(`${name}: amtool ${theirs ? "accepts" : "rejects"}, we ${ours ? "accept" : "reject"}, expected ${valid ? "valid" : "invalid"}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
