/**
 * @module
 * Field checks shared by alertmanager.yml's global section and the receiver kinds.
 */
import type { YamlStruct } from "../../config/yaml-reader.ts";

/** A URL field of Alertmanager's config (config.URL): absolute http(s). */
export function checkUrl(s: YamlStruct, field: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw s.error(field, `parse "${value}": invalid URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw s.error(field, `unsupported scheme "${u.protocol.slice(0, -1)}" for URL`);
  if (u.host === "") throw s.error(field, "host is missing in URL");
  return value;
}

/** `host:port` as Alertmanager's HostPort demands. */
export function checkHostPort(s: YamlStruct, field: string, v: string): void {
  const i = v.lastIndexOf(":");
  if (i < 0) throw s.error(field, `address ${v}: missing port in address`);
  const host = v.slice(0, i);
  const port = v.slice(i + 1);
  if (host === "" && port === "") throw s.error(field, "host and port cannot be empty");
  if (port === "") throw s.error(field, `address ${v}: port cannot be empty`);
}

/** An optional URL field: its value checked, or `def`. */
export function urlField(s: YamlStruct, field: string, def: string): string {
  return s.has(field) ? checkUrl(s, field, s.string(field)) : def;
}
