/**
 * @module
 * Alertmanager's own metrics (alertmanager_notifications_total and friends,
 * by integration) as exposition families for Pyrometer's /metrics.
 */
import type { Env } from "../env.ts";
import type { MetricFamily } from "../../shared/exposition/format.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { alertmanagerStub } from "./load-config.ts";

const HELP: Record<string, [string, "counter" | "gauge"]> = {
  alertmanager_notifications_total: ["The total number of attempted notifications.", "counter"],
  alertmanager_notifications_failed_total: ["The total number of failed notifications.", "counter"],
  alertmanager_notification_requests_total: ["The total number of attempted notification requests.", "counter"],
  alertmanager_notification_requests_failed_total: ["The total number of failed notification requests.", "counter"],
  pyrometer_alertmanager_notifications_dead_lettered_total: ["Notifications moved to the dead-letter queue after their retries ran out.", "counter"],
  alertmanager_alerts: ["How many alerts by state.", "gauge"],
  alertmanager_silences: ["How many silences by state.", "gauge"],
};

export async function alertmanagerFamilies(env: Env): Promise<MetricFamily[]> {
  const samples = await alertmanagerStub(env).metrics();
  const families = new Map<string, MetricFamily>();
  for (const s of samples) {
    let f = families.get(s.name);
    if (f === undefined) {
      const [help, type] = HELP[s.name] ?? ["", "gauge"];
      f = { name: s.name, help, type, samples: [] };
      families.set(s.name, f);
    }
    f.samples.push({ labels: labelsFromRecord(s.labels), value: s.value });
  }
  return [...families.values()];
}
