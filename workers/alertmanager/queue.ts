/**
 * @module
 * The NOTIFICATIONS queue consumer (one message = one notification) and the
 * dead-letter queue's consumer. Each message is acked or retried on its own,
 * so a batch with one failing receiver redelivers nothing else. Retries back
 * off exponentially (retryDelay); after max_retries the queue moves the
 * message to the DLQ, whose consumer counts it as failed.
 */
import type { Env } from "../env.ts";
import { alertmanagerStub, loadAlertmanagerConfig, loadTemplateTexts } from "./load-config.ts";
import { perform } from "./transport.ts";
import { DeliveryError, buildDelivery, redact, retryDelaySeconds } from "../../shared/alertmanager/deliver.ts";
import { makeRender } from "../../shared/alertmanager/render.ts";
import type { Notification } from "../../shared/alertmanager/notifiers/types.ts";

export const NOTIFICATIONS_QUEUE = "pyrometer-notifications";
export const NOTIFICATIONS_DLQ = "pyrometer-notifications-dlq";

export async function handleNotificationBatch(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const am = alertmanagerStub(env);
  if (batch.queue === NOTIFICATIONS_DLQ) {
    for (const msg of batch.messages) {
      const n = msg.body as Notification;
      console.error(`alertmanager: notification to ${n.receiver}/${n.integration?.kind} dead-lettered after ${msg.attempts} attempts`);
      await am.recordDelivery(n.integration?.kind ?? "unknown", "dead_letter", false);
      msg.ack();
    }
    return;
  }
  const config = loadAlertmanagerConfig(env);
  const templates = loadTemplateTexts(env);
  const base = Number(env.NOTIFY_RETRY_BASE_SECONDS ?? "10");
  await Promise.all(batch.messages.map(async (msg) => {
    const n = msg.body as Notification;
    const kind = n.integration.kind;
    try {
      const delivery = await buildDelivery(config, n, (x) => makeRender(x, templates));
      const integ = config.receivers.find((r) => r.name === n.receiver)?.integrations.find((i) => i.kind === kind && i.index === n.integration.index);
      await perform(env, delivery, integ?.http);
      await am.recordDelivery(kind, "sent", msg.attempts === 1);
      msg.ack();
    } catch (e) {
      const retryable = !(e instanceof DeliveryError) || e.retryable;
      console.error(`alertmanager: notify ${n.receiver}/${kind} attempt ${msg.attempts} failed${retryable ? " (will retry)" : ""}: ${redact((e as Error).message)}`);
      await am.recordDelivery(kind, retryable ? "retry" : "failed", msg.attempts === 1);
      if (retryable) msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts, base) });
      else msg.ack();
    }
  }));
}
