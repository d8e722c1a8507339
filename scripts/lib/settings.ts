/** Settings a deployment sets with `wrangler secret put`; `npm start` takes them from its environment. */
export const SECRET_SETTINGS = ["WRITE_TOKEN", "READ_TOKEN", "CORS_ORIGIN", "PROBE_TOKEN", "HEARTBEAT_TOKEN"] as const;

/**
 * A config file a deployment sets as a secret (e.g. BLACKBOX_CONFIG): under
 * `npm start` it reaches the Worker as `<NAME>_B64` (base64, as YAML spans
 * lines) and `<NAME>_FILE`, decoded by workers/config/file-setting.ts.
 */
export function fileSettingLine(name: string, path: string, content: Uint8Array): [string, string][] {
  return [[`${name}_B64`, Buffer.from(content).toString("base64")], [`${name}_FILE`, path]];
}
