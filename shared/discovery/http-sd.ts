/**
 * @module
 * HTTP service discovery responses (Prometheus's docs/http_sd.md): HTTP 200,
 * `Content-Type: application/json`, a body of
 * `[{"targets": ["host:port"], "labels": {"name": "value"}}]`.
 * Every group gets `__meta_url` and the source `<url>:<index>`.
 */
import { redactUrl } from "./redact.ts";
import { isLegacyLabelName } from "../labels/labels.ts";
import { ADDRESS_LABEL } from "./target-group.ts";
import type { TargetGroup } from "./target-group.ts";

export const HTTP_SD_URL_LABEL = "__meta_url";

const JSON_CONTENT_TYPE = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;

/** Thrown for a response that is not a valid target list; the message says what and where. */
export class HttpSdError extends Error {
  override name = "HttpSdError";
}

/** Checks status and content type as Prometheus does before reading the body. */
export function checkHttpSdResponse(status: number, statusText: string, contentType: string | null): void {
  if (status !== 200) throw new HttpSdError(`server returned HTTP status ${status} ${statusText}`.trimEnd());
  if (!JSON_CONTENT_TYPE.test((contentType ?? "").trim())) throw new HttpSdError(`unsupported content type "${contentType ?? ""}"`);
}

/** Parses the body of an http_sd response fetched from `url`. */
export function parseHttpSdBody(body: string, url: string): TargetGroup[] {
  const shown = redactUrl(url);
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    throw new HttpSdError(`invalid JSON from ${shown}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new HttpSdError(`response from ${shown} must be a JSON array of target groups`);
  return data.map((item: unknown, i) => parseGroup(item, `${shown}:${i}`, shown));
}

function parseGroup(item: unknown, source: string, url: string): TargetGroup {
  const where = `target group ${source}`;
  if (item === null) throw new HttpSdError(`nil target group item found (${where})`);
  if (typeof item !== "object" || Array.isArray(item)) throw new HttpSdError(`${where}: must be an object`);
  const rec = item as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    if (k !== "targets" && k !== "labels") throw new HttpSdError(`${where}: json: unknown field "${k}"`);
  }
  const targets = rec["targets"] ?? [];
  if (!Array.isArray(targets) || targets.some((t) => typeof t !== "string")) {
    throw new HttpSdError(`${where}: "targets" must be an array of strings`);
  }
  const labels: Record<string, string> = {};
  const rawLabels = rec["labels"] ?? {};
  if (typeof rawLabels !== "object" || Array.isArray(rawLabels) || rawLabels === null) {
    throw new HttpSdError(`${where}: "labels" must be an object of strings`);
  }
  for (const [name, value] of Object.entries(rawLabels)) {
    if (!isLegacyLabelName(name)) throw new HttpSdError(`${where}: "${name}" is not a valid label name`);
    if (typeof value !== "string") throw new HttpSdError(`${where}: label "${name}" must have a string value`);
    labels[name] = value;
  }
  labels[HTTP_SD_URL_LABEL] = url;
  return { source, targets: (targets as string[]).map((t) => ({ [ADDRESS_LABEL]: t })), labels };
}
