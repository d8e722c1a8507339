/**
 * @module
 * webhook_configs: Alertmanager's version-4 JSON payload, `max_alerts` truncation.
 */
import { checkUrl } from "./checks.ts";
import { groupStatus, jsonPost } from "./types.ts";
import type { NotifierKind, Notification } from "./types.ts";
import { commonLabels } from "../template-data.ts";

export const webhook: NotifierKind = {
  name: "webhook",
  configField: "webhook_configs",
  typeName: "WebhookConfig",
  fields: ["url", "url_file", "max_alerts"],
  sendResolved: true,
  http: true,
  read(c) {
    if (c.has("url_file")) throw c.error("url_file", "url_file is not supported on Cloudflare Workers: Workers have no file system; put the url in the config");
    if (!c.has("url")) throw c.error(undefined, "one of url or url_file must be configured");
    return { url: checkUrl(c, "url", c.string("url")), maxAlerts: c.uint("max_alerts") };
  },
  build(n, s) {
    return jsonPost(s.url as string, webhookPayload(n, s.maxAlerts as number));
  },
};

/** The version-4 message (notify/webhook.Message). */
export function webhookPayload(n: Notification, maxAlerts = 0) {
  const alerts = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    receiver: n.receiver,
    status: groupStatus({ ...n, alerts }),
    alerts: alerts.map((a) => ({
      status: a.status, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt,
      generatorURL: a.generatorURL, fingerprint: a.fingerprint,
    })),
    groupLabels: n.groupLabels,
    // As Alertmanager: the template data (and so the common labels) come from the alerts kept.
    commonLabels: commonLabels(alerts.map((a) => a.labels)),
    commonAnnotations: commonLabels(alerts.map((a) => a.annotations)),
    externalURL: n.externalURL,
    version: "4",
    groupKey: n.groupKey,
    truncatedAlerts: n.truncatedAlerts + (n.alerts.length - alerts.length),
  };
}
