// The built-in Alertmanager's dispatcher and payload building: how long a
// group flush takes for many alerts, what a notification costs to render,
// and how large a queue message is (counted, not timed).
import { parseAlertmanagerConfig } from "../../shared/alertmanager/config.ts";
import { Dispatcher, emptyState, normaliseAlerts } from "../../shared/alertmanager/dispatcher.ts";
import { buildDelivery } from "../../shared/alertmanager/deliver.ts";
import { makeRender } from "../../shared/alertmanager/render.ts";
import type { Notification } from "../../shared/alertmanager/notifiers/types.ts";
import type { BenchCase } from "./harness.ts";
import { timeIt, timeItAsync } from "./harness.ts";

const CFG = parseAlertmanagerConfig(`
route:
  receiver: team
  group_by: [alertname]
receivers:
  - name: team
    slack_configs: [{api_url: 'http://127.0.0.1:9/slack'}]
    webhook_configs: [{url: 'http://127.0.0.1:9/hook'}]
inhibit_rules:
  - source_matchers: [severity=critical]
    target_matchers: [severity=warning]
    equal: [instance]
`, "bench.yml");

/** 10,000 alerts over 100 alert names (100 groups), node_exporter-like labels. */
function alerts(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    labels: { alertname: `Alert${i % 100}`, instance: `host${i}:9100`, job: "node", severity: i % 10 === 0 ? "critical" : "warning" },
    annotations: { summary: `host${i} has a problem`, description: "a longer description of what is wrong and what to do about it" },
    startsAt: new Date(Date.now() - 3600_000).toISOString(),
  }));
}

/** Posts in requests of 1,000 alerts (the API's limit per request). */
function receiveAll(d: Dispatcher, input: ReturnType<typeof alerts>, now: number): void {
  for (let i = 0; i < input.length; i += 1000) d.receive(normaliseAlerts(input.slice(i, i + 1000), now, 300_000), now);
}

const cases: BenchCase[] = [
  {
    names: ["am_ingest_flush_ms", "am_notifications_per_flush", "am_message_bytes"],
    run() {
      const input = alerts(10_000);
      let notes: Notification[] = [];
      const s = timeIt(() => {
        const d = new Dispatcher(CFG, emptyState(), "http://pyrometer");
        const now = Date.now();
        receiveAll(d, input, now);
        notes = d.flushDue([], now);
      }, 2000);
      const bytes = notes.reduce((a, n) => a + JSON.stringify(n).length, 0) / notes.length;
      return [
        { name: "am_ingest_flush_ms", value: s * 1000, unit: "ms", note: "10,000 alerts → 100 groups, 1 inhibit rule, first flush" },
        { name: "am_notifications_per_flush", value: notes.length, unit: "messages", note: "100 groups × 2 integrations; one queue message each" },
        { name: "am_message_bytes", value: Math.round(bytes), unit: "bytes", note: "mean queue message (limit 128 KB)" },
      ];
    },
  },
  {
    names: ["am_slack_render_ms"],
    async run() {
      const d = new Dispatcher(CFG, emptyState(), "http://pyrometer");
      const now = Date.now();
      receiveAll(d, alerts(10_000), now);
      const slack = d.flushDue([], now).find((n) => n.integration.kind === "slack")!;
      const s = await timeItAsync(async () => {
        await buildDelivery(CFG, slack, makeRender);
      });
      return [{ name: "am_slack_render_ms", value: s * 1000, unit: "ms", note: `Slack payload from the default templates, ${slack.alerts.length} alerts` }];
    },
  },
];

export default cases;
