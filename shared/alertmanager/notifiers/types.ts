/**
 * @module
 * What every receiver kind shares: the parsed integration, the notification
 * it is given, and the delivery it builds (an HTTP request or an email).
 */
import type { HttpClientConfig } from "../../config/types.ts";
import type { YamlStruct } from "../../config/yaml-reader.ts";
import type { GlobalConfig } from "../config.ts";
import type { LabelSet } from "../matchers.ts";

export interface Integration {
  /** The registry name: "slack", "email", … */
  kind: string;
  /** Position among the receiver's integrations of this kind (Alertmanager's integration index). */
  index: number;
  sendResolved: boolean;
  http?: HttpClientConfig;
  settings: Record<string, unknown>;
}

export interface NotifyAlert {
  status: "firing" | "resolved";
  labels: LabelSet;
  annotations: LabelSet;
  /** RFC 3339. */
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** One notification for one integration of one receiver: what a queue message carries. */
export interface Notification {
  receiver: string;
  integration: { kind: string; index: number };
  groupKey: string;
  groupLabels: LabelSet;
  alerts: NotifyAlert[];
  /** Alerts left out to keep the message within the queue's size limit. */
  truncatedAlerts: number;
  externalURL: string;
}

export interface HttpDelivery {
  type: "http";
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

export interface SmtpSettings {
  smarthost: string;
  hello: string;
  from: string;
  to: string[];
  authUsername: string;
  authPassword: string;
  authSecret: string;
  authIdentity: string;
  requireTls: boolean;
}

export interface EmailDelivery {
  type: "email";
  smtp: SmtpSettings;
  /** The whole RFC 5322 message, CRLF line ends, not yet dot-stuffed. */
  message: string;
  /** For the send_email binding: the parts it takes. */
  subject: string;
  html: string;
  text: string;
}

export type Delivery = HttpDelivery | EmailDelivery;

/** Renders a config field as a Go template over the notification's template data. */
export type Render = (text: string) => string;

export interface NotifierKind {
  /** Registry and metric name (`integration` label). */
  name: string;
  /** The receiver field: `slack_configs`. */
  configField: string;
  /** Go type name for yaml errors. */
  typeName: string;
  /** Fields besides `send_resolved` and `http_config`. */
  fields: readonly string[];
  /** Alertmanager's default for send_resolved. */
  sendResolved: boolean;
  /** Whether it takes an `http_config`. */
  http: boolean;
  /** Reads and validates one `*_configs` entry, applying global defaults. */
  read(c: YamlStruct, g: GlobalConfig): Record<string, unknown>;
  /** Builds the delivery for a notification. */
  build(n: Notification, settings: Record<string, unknown>, render: Render): Promise<Delivery> | Delivery;
}

/** JSON POST with the integration's fixed headers. */
export function jsonPost(url: string, body: unknown, headers: Record<string, string> = {}): HttpDelivery {
  return { type: "http", url, method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Truncates to n runes, marking the cut with "…" as Alertmanager's notify.TruncateInRunes does. */
export function truncateRunes(s: string, n: number): string {
  const r = [...s];
  if (r.length <= n) return s;
  return r.slice(0, n - 1).join("") + "…";
}

/** "firing" when any alert fires, as template.Data.Status. */
export function groupStatus(n: Notification): "firing" | "resolved" {
  return n.alerts.some((a) => a.status === "firing") ? "firing" : "resolved";
}

/** SHA-256 hex of a group key (notify.Key.Hash), used as dedup key/alias. */
export async function keyHash(key: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
