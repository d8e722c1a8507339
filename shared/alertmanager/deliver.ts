/**
 * @module
 * From a queued notification to the delivery to perform: the receiver's
 * integration from the config, its kind's payload builder, fields rendered
 * with the notification templates. And the retry policy the queue consumer
 * applies to the outcome.
 */
import type { AlertmanagerConfig } from "./config.ts";
import { notifierKind } from "./notifiers/registry.ts";
import type { Delivery, Notification, Render } from "./notifiers/types.ts";

export class DeliveryError extends Error {
  override name = "DeliveryError";
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

/** Builds the delivery; throws a non-retryable DeliveryError when the config no longer has the integration. */
export async function buildDelivery(config: AlertmanagerConfig, n: Notification, makeRender: (n: Notification) => Render): Promise<Delivery> {
  const receiver = config.receivers.find((r) => r.name === n.receiver);
  const integ = receiver?.integrations.find((i) => i.kind === n.integration.kind && i.index === n.integration.index);
  if (integ === undefined) throw new DeliveryError(`receiver ${n.receiver} has no ${n.integration.kind}[${n.integration.index}] any more`, false);
  try {
    return await notifierKind(integ.kind).build(n, integ.settings, makeRender(n));
  } catch (e) {
    // A template that fails to execute will fail every time.
    throw new DeliveryError(`${integ.kind}: ${(e as Error).message}`, false);
  }
}

/**
 * Whether an HTTP status is worth retrying (notify.Retrier): 5xx and 429 are;
 * other 4xx mean the request itself is wrong.
 */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Exponential backoff for the queue's retryDelay: base·2^(attempt−1), capped at 1 h. */
export function retryDelaySeconds(attempts: number, baseSeconds: number): number {
  return Math.min(3600, Math.round(baseSeconds * 2 ** Math.max(0, attempts - 1)));
}

/** The error text with secrets (URL paths, tokens) cut out, safe to log. */
export function redact(message: string): string {
  return message.replace(/(https?:\/\/[^/\s"]+)[^\s"]*/g, "$1/<redacted>");
}
